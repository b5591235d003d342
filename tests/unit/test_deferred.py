"""Deferred imports: a stand-in imports its module on first use and hands the call on; a
module that is not installed, or already imported, is left alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from perfreport.build import deferred


@pytest.fixture
def slow_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module that counts its imports (in ``sys.imports_of_slowmod``)."""
    (tmp_path / "slowmod").mkdir()
    (tmp_path / "slowmod" / "__init__.py").write_text(
        "import sys\n"
        "sys.imports_of_slowmod = getattr(sys, 'imports_of_slowmod', 0) + 1\n"
        "def check(text):\n    return text.upper()\n"
        "LIMIT = 7\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slowmod", raising=False)
    monkeypatch.setattr(sys, "imports_of_slowmod", 0, raising=False)
    yield "slowmod"
    sys.modules.pop("slowmod", None)


def test_a_deferred_module_is_imported_on_the_first_call_and_gives_its_result(
    slow_module: str,
) -> None:
    deferred.defer({slow_module: ("check",)})
    from slowmod import check  # type: ignore[import-not-found]

    assert sys.imports_of_slowmod == 0  # type: ignore[attr-defined]
    assert isinstance(sys.modules[slow_module], deferred.Deferred)
    assert check("iri") == "IRI"
    assert sys.imports_of_slowmod == 1  # type: ignore[attr-defined]
    assert not isinstance(sys.modules[slow_module], deferred.Deferred)
    assert check("again") == "AGAIN"
    assert sys.imports_of_slowmod == 1  # type: ignore[attr-defined]


def test_any_other_name_imports_it_at_once(slow_module: str) -> None:
    deferred.defer({slow_module: ("check",)})
    import slowmod

    assert sys.imports_of_slowmod == 0  # type: ignore[attr-defined]
    assert slowmod.LIMIT == 7
    assert sys.imports_of_slowmod == 1  # type: ignore[attr-defined]


def test_a_module_not_installed_still_fails_to_import() -> None:
    deferred.defer({"no_such_module_here": ("check",)})
    assert "no_such_module_here" not in sys.modules
    with pytest.raises(ImportError):
        import no_such_module_here  # type: ignore[import-not-found]  # noqa: F401


def test_a_module_already_imported_is_left_alone(slow_module: str) -> None:
    import slowmod

    deferred.defer({slow_module: ("check",)})
    assert sys.modules[slow_module] is slowmod


def test_jsonschema_loads_no_iri_parser_until_an_iri_is_checked_and_then_checks_it() -> None:
    """In a fresh process, as the perfreport command starts (``rfc3987_syntax`` comes with
    JupyterLab, which the tests install)."""
    code = (
        "import sys\n"
        "from perfreport.build.deferred import Deferred, defer\n"
        "defer()\n"
        "import nbformat, jsonschema\n"
        "print(isinstance(sys.modules['rfc3987_syntax'], Deferred))\n"
        "v = jsonschema.Draft202012Validator({'format': 'iri'},"
        " format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)\n"
        "print(v.is_valid('https://example.org/a?b#c'), v.is_valid('no iri'), v.is_valid(3))\n"
        "print(isinstance(sys.modules['rfc3987_syntax'], Deferred))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n") == ["True", "True False True", "False", ""]
