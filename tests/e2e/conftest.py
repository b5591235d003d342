"""The demo, built once for every end-to-end test module: `perfreport demo` in a fresh copy."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from tests.helpers import (
    LATEST,
    QUARTER,
    SLUGS,
    changed_files,
    copy_project,
    file_states,
    run_cli,
)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built demo project. Tests read it and never change it: one that needs to change
    something builds or copies its own project (``copy_project``, or ``shutil.copytree(built, ...)``)."""
    project = copy_project(tmp_path_factory.mktemp("e2e") / "project")
    result = run_cli("demo", "--jobs", "2", cwd=project)
    assert result.code == 0, result.stderr
    assert "9 of 9 reports built" in result.stdout
    for slug in SLUGS:
        assert f"outputs/locality/{QUARTER}/{slug}/report.html" in result.stdout
    for cycle, period in LATEST.items():
        assert (
            f"outputs/{cycle}/{period}/clackmannanshire-and-stirling/report.html" in result.stdout
        )
    return project


@pytest.fixture(autouse=True)
def _built_is_unchanged(request: pytest.FixtureRequest) -> Generator[None, None, None]:
    """Fail a test that writes into, or deletes from, the shared built demo."""
    if "built" not in request.fixturenames:
        yield
        return
    project = request.getfixturevalue("built")
    before = file_states(project)
    yield
    changed = changed_files(before, file_states(project))
    assert not changed, f"the test changed the shared built demo (copy it first): {changed[:5]}"
