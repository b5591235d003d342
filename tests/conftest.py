"""Shared fixtures (the helpers they use are in ``tests/helpers.py``); a guard that no test
changes a session fixture that later tests read; and two hooks: slow imports are deferred as the
``perfreport`` command defers them, and a tool the browser checks need but cannot find fails its
test with one line saying how to install it."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Generator
from pathlib import Path

import pytest

from perfreport.build.deferred import defer
from perfreport.config.areas import Areas, load_areas
from perfreport.config.catalogue import Catalogue, load_catalogue
from perfreport.config.demo import DemoSettings, load_demo_settings
from tests.a11y.browser import ToolMissing
from tests.helpers import REPO, Completed, copy_project


def _one_line_if_a_tool_is_missing() -> Generator[None, object, object]:
    try:
        return (yield)
    except ToolMissing as exc:
        message = str(exc)  # failed outside the except block, so without the chained traceback
    pytest.fail(message, pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    defer()  # as the perfreport command does: the tests import nbformat, so jsonschema, too


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    return (yield from _one_line_if_a_tool_is_missing())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    return (yield from _one_line_if_a_tool_is_missing())


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Completed]:
    """Run ``perfreport`` in this process (fast) from the folder ``cwd``."""
    from perfreport.cli.commands import main

    def run(*args: str, cwd: Path) -> Completed:
        capsys.readouterr()
        monkeypatch.chdir(cwd)
        code = main(list(args))
        out, err = capsys.readouterr()
        return Completed(code, out, err)

    return run


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(REPO / "params" / "catalogue")


@pytest.fixture(scope="session")
def areas() -> Areas:
    return load_areas(REPO / "params" / "areas.yaml")


@pytest.fixture(scope="session")
def demo_settings(catalogue: Catalogue, areas: Areas) -> DemoSettings:
    return load_demo_settings(REPO / "params" / "demo.yaml", catalogue, areas)


SESSION_FIXTURES = ("catalogue", "areas", "demo_settings")


@pytest.fixture(autouse=True)
def _session_fixtures_unchanged(request: pytest.FixtureRequest) -> Generator[None, None, None]:
    """Fail a test that changes a session fixture it uses (they are shared by every later
    test): a test that needs a changed one makes a copy (``copy.deepcopy``, ``model_copy``)."""
    used = {n: request.getfixturevalue(n) for n in SESSION_FIXTURES if n in request.fixturenames}
    before = {name: pickle.dumps(value) for name, value in used.items()}
    yield
    changed = [name for name, value in used.items() if pickle.dumps(value) != before[name]]
    assert not changed, f"the test changed the session fixture {', '.join(changed)}; copy it"
