"""Real data: Public Health Scotland's delayed discharge bed days, the whole file, end to end.

The file lives in ../shared/realdata/ (see its README); it is never copied into the project.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from perfreport.assess.series import to_periods, value_in
from perfreport.methods.periods import parse_period
from perfreport.reports.context import ReportContext
from perfreport.store.warehouse import connect, observations
from tests.helpers import REPO, run_cli

REAL = REPO.parent / "shared" / "realdata" / "phs_delayed_discharge_beddays_hb_201607_202209.csv"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not REAL.is_file(), reason="../shared/realdata is not present"),
]
BOARDS = 14
FORTH_VALLEY = "S08000019"
SCOTLAND = "S92000003"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from tests.helpers import copy_project

    project = copy_project(tmp_path_factory.mktemp("real") / "project")
    result = run_cli("ingest", "phs_delayed_discharge_beddays", str(REAL), cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == (
        "phs_delayed_discharge_beddays_hb_201607_202209.csv: 16,875 rows read, 16,875 accepted, "
        "0 quarantined, 0 filtered, 0 revised; load 1"
    )
    prepared = run_cli("prepare", cwd=project)
    assert prepared.code == 0, prepared.stderr
    return project


def sql(project: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(query).fetchall()


def test_the_whole_file_is_loaded(warehouse):
    assert sql(
        warehouse, "SELECT rows_read, rows_accepted, rows_rejected, observations_written FROM loads"
    ) == [(16_875, 16_875, 0, 2 * 16_875)]
    assert sql(
        warehouse,
        "SELECT count(DISTINCT area_code), count(DISTINCT period_start), "
        "min(period_start), max(period_end) FROM observations",
    ) == [(BOARDS + 1, 75, pd.Timestamp("2016-07-01").date(), pd.Timestamp("2022-09-30").date())]
    breakdowns = sql(
        warehouse,
        "SELECT breakdown, count(DISTINCT category) FROM observations "
        "WHERE indicator_id = 'MSG-4' GROUP BY breakdown ORDER BY breakdown",
    )
    assert breakdowns == [
        ("age_group", 2),
        ("age_group|delay_reason", 8),
        ("all", 1),
        ("delay_reason", 4),
    ]


def test_delay_reasons_sum_to_all_reasons(warehouse):
    rows = sql(
        warehouse,
        """
        WITH cells AS (
            SELECT area_code, period_start, value,
                   CASE breakdown WHEN 'all' THEN '18plus' WHEN 'delay_reason' THEN '18plus'
                        WHEN 'age_group' THEN category ELSE split_part(category, '|', 1) END AS age,
                   CASE breakdown WHEN 'all' THEN 'All' WHEN 'age_group' THEN 'All'
                        WHEN 'delay_reason' THEN category ELSE split_part(category, '|', 2) END AS reason
            FROM observations WHERE indicator_id = 'MSG-4'),
        sums AS (
            SELECT area_code, period_start, age,
                   sum(value) FILTER (WHERE reason = 'All') AS total,
                   sum(value) FILTER (WHERE reason <> 'All') AS parts,
                   count(*) FILTER (WHERE reason <> 'All') AS reasons
            FROM cells GROUP BY ALL)
        SELECT count(*), count(*) FILTER (WHERE total <> parts), min(reasons), max(reasons) FROM sums""",
    )
    assert rows == [(15 * 75 * 3, 0, 4, 4)]


def test_age_groups_sum_to_18plus(warehouse):
    rows = sql(
        warehouse,
        """
        SELECT count(*), count(*) FILTER (WHERE t.value <> a.value + b.value)
        FROM observations t
        JOIN observations a USING (indicator_id, area_code, period_start)
        JOIN observations b USING (indicator_id, area_code, period_start)
        WHERE indicator_id = 'MSG-4' AND t.breakdown = 'all'
          AND a.breakdown = 'age_group' AND a.category = '18-74'
          AND b.breakdown = 'age_group' AND b.category = '75plus'""",
    )
    assert rows == [(15 * 75, 0)]


def test_boards_sum_to_scotland(warehouse):
    rows = sql(
        warehouse,
        f"""
        SELECT count(*), count(*) FILTER (WHERE s.value <> b.total)
        FROM observations s JOIN (
            SELECT indicator_id, period_start, breakdown, category, sum(value) AS total, count(*) AS boards
            FROM observations WHERE area_code LIKE 'S08%' GROUP BY ALL) b
          USING (indicator_id, period_start, breakdown, category)
        WHERE s.area_code = '{SCOTLAND}' AND s.indicator_id = 'MSG-4' AND b.boards = {BOARDS}""",
    )
    assert rows == [(75 * 15, 0)]


def test_msg4_for_nhs_forth_valley(warehouse):
    """MSG indicator 4 for Forth Valley by financial year and quarter, from the warehouse."""
    ctx = ReportContext.load(warehouse)
    raw = pd.read_csv(REAL)
    mine = raw[
        (raw.HBT == FORTH_VALLEY)
        & (raw.AgeGroup == "18plus")
        & (raw.ReasonForDelay == "All Delay Reasons")
    ]
    year = mine[(mine.MonthOfDelay >= 202104) & (mine.MonthOfDelay <= 202203)]
    assert len(year) == 12
    with connect(ctx.project.warehouse, read_only=True) as con:
        obs = observations(con, ["MSG-4"], [FORTH_VALLEY])
    annual = to_periods(obs, ctx.catalogue["MSG-4"], "financial_year")
    assert (
        value_in(annual, FORTH_VALLEY, parse_period("2021/22")) == year.NumberOfDelayedBedDays.sum()
    )
    quarterly = ctx.series([FORTH_VALLEY], "quarter")["MSG-4"]
    q2 = mine[mine.MonthOfDelay.isin([202207, 202208, 202209])].NumberOfDelayedBedDays.sum()
    assert value_in(quarterly, FORTH_VALLEY, parse_period("2022-23-Q2")) == q2
    assert (
        value_in(quarterly, FORTH_VALLEY, parse_period("2016-17-Q1")) is None
    )  # only July 2016 held
    beds = ctx.series([FORTH_VALLEY], "quarter")["DD-ADB"]
    months = mine[mine.MonthOfDelay.isin([202207, 202208, 202209])].AverageDailyNumberOfDelayedBeds
    assert value_in(beds, FORTH_VALLEY, parse_period("2022-23-Q2")) == pytest.approx(months.mean())
