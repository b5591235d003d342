"""The command line refuses periods the data do not cover, and a cycle reports on its own areas' data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import RANGE, copy_project, run_cli


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """A project copy with the demo data in its warehouse (April 2019 to March 2025), nothing
    prepared or built."""
    project = copy_project(tmp_path_factory.mktemp("periods") / "project")
    assert run_cli("generate-demo", cwd=project).code == 0
    loaded = run_cli("ingest", "demo_observations", "data/demo/observations.csv", cwd=project)
    assert loaded.code == 0, loaded.stderr
    return project


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (
            ("run", "monthly", "--period", "2019-01"),
            "2019-01 is before the first data (April 2019)",
        ),
        (
            ("run", "quarterly", "--period", "2099-00-Q4"),
            "2099-00-Q4 is after the latest data (March 2025)",
        ),
        (("run", "annual", "--period", "2025/26"), "2025/26 is after the latest data (March 2025)"),
        (("prepare", "--period", "2025-04"), "2025-04 is after the latest data (March 2025)"),
        (
            ("prepare", "--period", "2018-19-Q4"),
            "2018-19-Q4 is before the first data (April 2019)",
        ),
    ],
    ids=["run-before", "run-2099", "run-year-after", "prepare-after", "prepare-before"],
)
def test_the_command_line_refuses_a_period_outside_the_data(ingested, args, problem):
    result = run_cli(*args, cwd=ingested)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr == f"perfreport: error: parameter '--period': {problem}; {RANGE}\n"
    assert not (ingested / "outputs").exists()  # refused before any report was planned or built


def test_the_command_line_refuses_a_malformed_period(ingested):
    result = run_cli("run", "quarterly", "--period", "2024-26-Q4", cwd=ingested)
    assert result.code == 2
    assert result.stderr.startswith(
        "perfreport: error: parameter '--period': '2024-26-Q4' is not a period; use a month"
    )


def test_a_cycle_reports_on_its_own_areas_data_not_scotlands_later_figures(ingested, tmp_path):
    """Scotland's extract running five months past the partnership's data moves no report's
    period: the monthly report of August 2025 would show nothing but 'no data'."""
    import shutil

    project = tmp_path / "project"
    shutil.copytree(ingested, project)
    later = project / "scotland.csv"
    later.write_text(
        "indicator_id,area_code,period_start,period_end,breakdown,category,numerator,denominator,value\n"
        + "".join(
            f"L-DD-01,S92000003,2025-{m:02d}-01,2025-{m:02d}-{d},all,all,1500,,1500\n"
            for m, d in ((4, 30), (5, 31), (6, 30), (7, 31), (8, 31))
        )
    )
    assert run_cli("ingest", "demo_observations", str(later), cwd=project).code == 0
    result = run_cli("run", "monthly", "--period", "2025-08", cwd=project)
    assert result.code == 2
    assert result.stderr == (
        f"perfreport: error: parameter '--period': 2025-08 is after the latest data (March 2025); {RANGE}\n"
    )
