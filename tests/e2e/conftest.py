"""The demo, built once for every end-to-end test module: `perfreport demo` in a fresh copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_project, run_cli

SLUGS = ["clackmannanshire-and-stirling", "clackmannanshire", "rural-stirling", "urban-stirling"]
QUARTER = "2024-25-Q4"
LATEST = {
    "monthly": "2025-03",
    "quarterly": "2024-25-Q4",
    "locality": "2024-25-Q4",
    "annual": "FY2024-25",
    "scorecard": "FY2024-25",
    "strategic": "2024-25-H2",
}
"""The latest complete period of each cycle in the demo data (which ends in March 2025)."""


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
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
