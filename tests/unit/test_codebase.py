"""The code's own rules, checked in CI: lint and format (ruff), the layer contract
(import-linter), types (mypy: strict on methods and config), no import cycle, short modules and
functions, and every imported package declared.

The tools run as subprocesses (this venv's own), from the repository root, so they read
their settings from ``pyproject.toml`` exactly as a developer's ``ruff check .`` does.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import statistics
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping
from importlib.metadata import packages_distributions
from pathlib import Path

import grimp
import pytest

from tests.a11y import browser
from tests.helpers import REPO, changed_files, file_states

PACKAGE = REPO / "lib" / "perfreport"
MEDIAN_MODULE_LINES = 150
MAX_FUNCTION_LINES = 60
NOT_IMPORTED_BUT_NEEDED = {"ipykernel", "nbclient"}
"""Runtime dependencies nothing imports: the kernel the report notebooks run in, and the
notebook client papermill runs them with (whose version provenance.json records)."""


def run_tool(tool: str, *args: str, timeout: float = 300) -> None:
    """Run this venv's ``tool`` from the repository root; fail with its output unless it exits 0."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name(tool)), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(REPO / "lib")},
    )
    assert done.returncode == 0, (
        f"{' '.join((tool, *args))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )


def test_ruff_check():
    run_tool("ruff", "check", ".")


def test_ruff_format():
    run_tool("ruff", "format", "--check", ".")


def test_import_linter_contracts():
    """The layers of pyproject.toml's [tool.importlinter]: arrows only point down."""
    run_tool("lint-imports", "--no-cache")


def test_mypy():
    """pyproject.toml's [tool.mypy]: strict on perfreport.methods and perfreport.config,
    mypy's default checks on the rest (the cache is in .venv, so a second run takes seconds)."""
    run_tool("mypy", timeout=600)


# Pure-Python checks ---------------------------------------------------------------------------


def cycles(imports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The import cycles of a graph (module -> modules it imports): its strongly connected
    components of more than one module, and modules that import themselves (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in imports.get(module, ()):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = [stack.pop()]
            while component[-1] != module:
                component.append(stack.pop())
            if len(component) > 1 or module in imports.get(module, ()):
                found.append(sorted(component))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return sorted(found)


def test_cycles_finds_loops_and_only_loops():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}, "b": set()}) == [["a"]]
    assert cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_in_the_package():
    """Not even through imports inside functions or under ``if TYPE_CHECKING``."""
    graph = grimp.build_graph("perfreport", exclude_type_checking_imports=False, cache_dir=None)
    assert len(graph.modules) > 50  # the whole package was read
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert cycles(imports) == []


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int, int]]:
    """Functions and methods (nested ones too) longer than ``limit`` lines, from ``def`` to
    their last line: (name, first line, length)."""
    return [
        (node.name, node.lineno, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > limit
    ]


def test_long_functions_counts_from_def_to_the_last_line():
    source = "def short():\n    return 1\n\n\nclass A:\n    def long(self):\n" + (
        "        x = 1\n" * 60
    )
    assert long_functions(source) == [("long", 6, 61)]
    assert long_functions(source, limit=61) == []


def test_no_function_over_60_lines():
    found = [
        f"{path.relative_to(REPO)}:{line}: {name} has {length} lines"
        for path in modules()
        for name, line, length in long_functions(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)


def test_median_module_under_150_lines():
    lines = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in modules()}
    assert len(lines) > 50
    assert statistics.median(lines.values()) < MEDIAN_MODULE_LINES, sorted(
        lines.values(), reverse=True
    )


# Dependencies ---------------------------------------------------------------------------------


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_imports(source: str) -> Iterable[str]:
    """The absolute imports of a module, less those under ``if TYPE_CHECKING:`` (which only
    the type checker reads)."""
    tree = ast.parse(source)
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for inner in ast.walk(statement)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_runtime_imports_leave_out_type_checking_and_relative_ones():
    source = (
        "import a.b, c\nfrom d.e import f\nfrom . import g\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import h\n"
    )
    assert sorted(runtime_imports(source)) == ["a.b", "c", "d.e", "typing"]


@functools.cache
def imported_distributions() -> dict[str, set[str]]:
    """The distribution of each third-party package the package imports, with the modules
    that import it."""
    owners = packages_distributions()
    found: dict[str, set[str]] = {}
    for path in modules():
        for name in runtime_imports(path.read_text(encoding="utf-8")):
            top = name.partition(".")[0]
            if top in sys.stdlib_module_names or top == "perfreport":
                continue
            for dist in owners.get(top, [top]):
                found.setdefault(normalise(dist), set()).add(path.name)
    return found


def declared(extra: str | None = None) -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = (
        project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    )
    return {normalise(re.split(r"[\s<>=!~\[;]", r, maxsplit=1)[0]) for r in requirements}


OPTIONAL = {"distributed": ("cluster", {"cluster.py", "remote.py"})}
"""Packages of an extra, with the only modules that may import them (nothing else imports
those modules unless the extra's feature is asked for)."""


def test_every_imported_package_is_a_declared_dependency():
    imported = imported_distributions()
    assert {"pandas", "pyyaml", "markdown-it-py"} <= imported.keys()  # names mapped to packages
    missing = {
        dist: sorted(where)
        for dist, where in imported.items()
        if dist not in declared()
        and not (
            dist in OPTIONAL and dist in declared(OPTIONAL[dist][0]) and where <= OPTIONAL[dist][1]
        )
    }
    assert not missing, f"imported but not in [project].dependencies: {missing}"
    assert imported["distributed"] == {"cluster.py", "remote.py"}
    assert "distributed" in declared("test")


def test_every_runtime_dependency_is_imported_and_jupyterlab_is_an_extra():
    unused = declared() - imported_distributions().keys() - NOT_IMPORTED_BUT_NEEDED
    assert not unused, f"in [project].dependencies but imported nowhere in lib/: {sorted(unused)}"
    assert "jupyterlab" in declared("lab")


# CI's tools -----------------------------------------------------------------------------------


def test_ci_installs_the_browser_and_npm_tools_before_the_tests():
    lines = (REPO / ".ci" / "run").read_text().splitlines()
    tools = lines.index("bash .ci/install-tools")
    tests = next(i for i, line in enumerate(lines) if "pytest" in line and "pip" in line)
    assert tools < tests
    script = (REPO / ".ci" / "install-tools").read_text()
    assert "apt-get install" in script and "npm ci" in script
    for tool, packages in browser.APT_PACKAGES.items():  # every tool the tests look for
        for package in packages.split():
            assert re.search(rf"command -v \w+ >/dev/null \|\| missing\+=\({package}\)", script)
        assert f"command -v {tool} " in script


def test_a_missing_command_is_one_line_saying_how_to_install_it(monkeypatch):
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    with pytest.raises(browser.ToolMissing) as missing:
        browser.find_command("chromium")
    assert str(missing.value) == (
        "chromium is not installed; run: apt-get install chromium (or .ci/run)"
    )
    with pytest.raises(browser.ToolMissing, match="apt-get install poppler-utils"):
        browser.find_command("pdftoppm")


def test_missing_npm_packages_are_one_line_saying_how_to_install_them(monkeypatch, tmp_path):
    monkeypatch.setattr(browser, "HERE", tmp_path)
    (tmp_path / "node_modules" / "axe-core").mkdir(parents=True)
    (tmp_path / "node_modules" / "axe-core" / "package.json").write_text("{}")
    with pytest.raises(browser.ToolMissing) as missing:
        browser.find_axe()
    assert str(missing.value) == (
        "playwright-core is not installed in tests/a11y; "
        "run: (cd tests/a11y && npm ci) (or .ci/run)"
    )


# The tests' own guards ------------------------------------------------------------------------


def test_the_built_demo_guard_sees_a_file_written_added_or_deleted(tmp_path):
    (tmp_path / "outputs").mkdir()
    (tmp_path / "outputs" / "index.html").write_text("<p>one</p>")
    (tmp_path / "outputs" / "manifest.json").write_text("{}")
    before = file_states(tmp_path)
    assert changed_files(before, file_states(tmp_path)) == []
    (tmp_path / "outputs" / "index.html").write_text("<p>two and three</p>")
    (tmp_path / "outputs" / "manifest.json").unlink()
    (tmp_path / "outputs" / ".lock").write_text("")
    assert changed_files(before, file_states(tmp_path)) == [
        "outputs/.lock",
        "outputs/index.html",
        "outputs/manifest.json",
    ]


def test_every_module_with_docstring_examples_is_collected(request):
    """pytest skips folders matching ``norecursedirs`` (its default includes ``build``): no
    module holding ``>>>`` examples may sit in one, or its examples would never run."""
    import fnmatch

    patterns = request.config.getini("norecursedirs")
    with_examples = [
        path for path in PACKAGE.rglob("*.py") if ">>> " in path.read_text(encoding="utf-8")
    ]
    assert len(with_examples) >= 20
    hidden = [
        str(path.relative_to(REPO))
        for path in with_examples
        if any(
            fnmatch.fnmatch(part, p) for part in path.relative_to(REPO).parts[:-1] for p in patterns
        )
    ]
    assert hidden == []
    assert "lib/perfreport/build/completeness.py" in {
        str(p.relative_to(REPO)) for p in with_examples
    }
