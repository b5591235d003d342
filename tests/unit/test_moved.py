"""Modules moved into the layer folders in 0.8 still import by their 0.7 names."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version

from perfreport.moved import MOVED, new_name
from tests.helpers import REPO


def test_every_old_name_gives_the_moved_module_itself_with_a_warning():
    code = (
        "import importlib, sys, warnings\n"
        "from perfreport.moved import MOVED\n"
        "for old, new in sorted(MOVED.items()):\n"
        "    module = importlib.import_module(new)\n"
        "    with warnings.catch_warnings(record=True) as caught:\n"
        "        warnings.simplefilter('always')\n"
        "        same = importlib.import_module(old) is module\n"
        "    print(old, same, module.__spec__.name, [str(w.message) for w in caught])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [
        f"{old} True {new} {[f'{old} moved to {new} in perfreport 0.8; import it from there']}"
        for old, new in sorted(MOVED.items())
    ]


def test_submodules_of_a_moved_package_are_the_same_objects_not_copies():
    code = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "from perfreport.store.ingest.spec import SourceSpec as new\n"
        "from perfreport.ingest.spec import SourceSpec as old\n"
        "from perfreport.demo import load_demo_settings, write_demo\n"
        "print(old is new)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_names_that_did_not_move_are_left_to_the_import_system():
    assert new_name("perfreport.methods.stats") is None
    assert new_name("perfreport.reports.locality") is None
    assert new_name("perfreport.ingest.load") == "perfreport.store.ingest.load"


def test_the_warning_names_the_users_own_import_line_under_default_filters(tmp_path):
    script = tmp_path / "old_notebook_code.py"
    script.write_text("import math\nfrom perfreport.stats import proportion\n")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert result.returncode == 0
    assert (
        f"{script}:2: DeprecationWarning: perfreport.stats moved to perfreport.methods.stats"
        in (result.stderr)
    )


def test_python_dash_m_runs_a_moved_module_by_its_old_name():
    for name in ("perfreport.console", "perfreport.cli"):
        result = subprocess.run(
            [sys.executable, "-m", name, "--version"], capture_output=True, text=True
        )
        assert (result.returncode, result.stdout.strip()) == (
            0,
            f"perfreport {version('perfreport')}",
        )


def test_an_old_name_is_never_used_inside_the_project():
    """An import by an old name reaches the root package only, so the layer contract and the
    cycle check would not see it: the package, tests, benchmarks and notebooks use new names."""
    found = []
    for path in [
        *REPO.glob("lib/**/*.py"),
        *REPO.glob("tests/**/*.py"),
        *REPO.glob("benchmarks/*.py"),
        *REPO.glob("notebooks/*.ipynb"),
        REPO / "noxfile.py",
    ]:
        if "node_modules" in path.parts or path.name in {"moved.py", "test_moved.py"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for old in re.findall(r"\bperfreport(?:\.\w+)+", line):
                if new_name(old) is not None:
                    found.append(f"{path.relative_to(REPO)}:{number}: {old}")
    assert found == []
