"""Cache keys from the prepared rows' digests (perfreport.assess.digests, perfreport.build.cache):
a change to one area's prepared rows changes the keys of exactly the reports that read that
area up to its period; a later period's rows change none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from perfreport.assess.digests import DIGESTS, data_digests, has_digests, store_digests
from perfreport.build.cache import with_cache_keys
from perfreport.build.jobs import Job, plan
from perfreport.config.context import Setup
from perfreport.methods.periods import parse_period
from perfreport.store.warehouse import connect
from tests.helpers import copy_project

PARTNERSHIP, CLACKS, RURAL, URBAN, SCOTLAND = (
    "S37000005",
    "CS-CLK",
    "CS-RST",
    "CS-UST",
    "S92000003",
)
PERIODS = {"monthly": "2025-03", "locality": "2024-25-Q4", "annual": "FY2024-25"}
"""Three cycles: the partnership's management report (no disclosure control, reads the
partnership and Scotland), the locality reports (controlled, each reads its own area, the
partnership, its localities (for the funnel plots) and Scotland) and the annual report
(controlled, reads the localities too)."""
LOCALITY_REPORTS = {
    f"locality/2024-25-Q4/{slug}"
    for slug in (
        "clackmannanshire",
        "rural-stirling",
        "urban-stirling",
        "clackmannanshire-and-stirling",
    )
}
"""Every locality report reads every locality of the partnership (its funnel plots)."""
QUARTERS = [(date(2024, 10, 1), date(2024, 12, 31)), (date(2025, 1, 1), date(2025, 3, 31))]
LATER = (date(2025, 4, 1), date(2025, 6, 30))


def _rows(periods: list[tuple[date, date]]) -> pd.DataFrame:
    """One total and one breakdown category per area and period."""
    rows = [
        {
            "indicator_id": "I1",
            "area_code": code,
            "period_start": start,
            "period_end": end,
            "breakdown": breakdown,
            "category": category,
            "numerator": 10.0 + n,
            "denominator": 40.0,
            "value": 25.0 + n,
            "lower": 20.0,
            "upper": 30.0,
            "target_status": "met",
        }
        for n, code in enumerate([PARTNERSHIP, CLACKS, RURAL, URBAN, SCOTLAND])
        for start, end in periods
        for breakdown, category in (("all", "all"), ("sex", "female"))
    ]
    return pd.DataFrame(rows)


def _write(con, results: pd.DataFrame) -> None:
    """``results`` and ``disclosed`` (the totals under the demo's rule, none withheld), then
    the digests, as ``perfreport prepare`` writes them."""
    con.register("rows", results)
    con.execute("CREATE OR REPLACE TABLE results AS SELECT * FROM rows")
    con.execute(
        "CREATE OR REPLACE TABLE disclosed AS SELECT *, false AS suppressed, ? AS rule "
        "FROM rows WHERE breakdown = 'all'",
        ['{"threshold": 5, "round_to": null}'],
    )
    con.unregister("rows")
    store_digests(con)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    root = copy_project(tmp_path_factory.mktemp("keys") / "project")
    return Setup.load(root)


@pytest.fixture(scope="module")
def jobs(setup: Setup) -> list[Job]:
    planned = []
    for cycle_id, period in PERIODS.items():
        cycle = setup.cycles.get(cycle_id)
        planned += plan(
            setup.project,
            cycle,
            parse_period(period),
            setup.areas,
            setup.cycles.organisation,
        )
    return planned


def _keys(setup: Setup, jobs: list[Job], results: pd.DataFrame, edit: str = "") -> dict[str, str]:
    """Each job's cache key over a warehouse holding ``results`` (then ``edit``, SQL run on
    it before the digests are made again)."""
    setup.project.warehouse.unlink(missing_ok=True)
    with connect(setup.project.warehouse) as con:
        _write(con, results)
        if edit:
            con.execute(edit)
            store_digests(con)
    return {job.key: job.cache_key for job in with_cache_keys(jobs)}


def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    assert before.keys() == after.keys()
    return {key for key in before if before[key] != after[key]}


def test_the_jobs_read_the_areas_their_cycles_declare(jobs: list[Job]):
    reads = {job.key: set(job.reads) for job in jobs}
    siblings = {CLACKS, RURAL, URBAN}
    assert reads["locality/2024-25-Q4/clackmannanshire"] == {PARTNERSHIP, *siblings, SCOTLAND}
    assert reads["annual/FY2024-25/clackmannanshire-and-stirling"] == {
        PARTNERSHIP,
        CLACKS,
        RURAL,
        URBAN,
        SCOTLAND,
    }
    assert reads["monthly/2025-03/clackmannanshire-and-stirling"] == {PARTNERSHIP, SCOTLAND}


def test_unchanged_rows_give_the_same_keys_and_every_job_has_its_own(setup, jobs):
    first = _keys(setup, jobs, _rows(QUARTERS))
    assert first == _keys(setup, jobs, _rows(QUARTERS))
    assert len(set(first.values())) == len(jobs) == 6


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE results SET value = value + 0.1",
        "UPDATE results SET numerator = numerator + 1",
        "UPDATE results SET denominator = NULL",
        "UPDATE results SET upper = 31",
        "UPDATE results SET target_status = 'missed'",
    ],
)
def test_a_change_to_one_localitys_total_rebuilds_exactly_the_reports_that_read_it(
    setup, jobs, edit
):
    where = (
        f" WHERE area_code = '{CLACKS}' AND period_end = DATE '2025-03-31' AND breakdown = 'all'"
    )
    changed = _changed(
        _keys(setup, jobs, _rows(QUARTERS)),
        _keys(setup, jobs, _rows(QUARTERS), edit + where),
    )
    assert changed == {*LOCALITY_REPORTS, "annual/FY2024-25/clackmannanshire-and-stirling"}


def test_a_column_no_report_reads_changes_no_key(setup, jobs):
    with_funnels = _rows(QUARTERS).assign(funnel_position="inside")
    before = _keys(setup, jobs, with_funnels)
    moved = f"UPDATE results SET funnel_position = 'above' WHERE area_code = '{RURAL}'"
    assert _changed(before, _keys(setup, jobs, with_funnels, moved)) == set()
    shown = f"UPDATE results SET lower = 21 WHERE area_code = '{RURAL}'"  # one a report shows
    assert _changed(before, _keys(setup, jobs, with_funnels, shown))


def test_a_change_to_a_breakdowns_category_or_an_earlier_period_rebuilds_the_same(setup, jobs):
    base = _keys(setup, jobs, _rows(QUARTERS))
    for edit in (
        f"UPDATE results SET value = 1 WHERE area_code = '{RURAL}' AND breakdown = 'sex'",
        f"UPDATE results SET value = 1 WHERE area_code = '{RURAL}' "
        "AND period_end = DATE '2024-12-31'",
    ):
        assert _changed(base, _keys(setup, jobs, _rows(QUARTERS), edit)) == {
            *LOCALITY_REPORTS,
            "annual/FY2024-25/clackmannanshire-and-stirling",
        }


def test_the_partnerships_rows_are_read_by_every_report_but_not_scotlands_alone(setup, jobs):
    base = _keys(setup, jobs, _rows(QUARTERS))
    edit = f"UPDATE results SET value = 1 WHERE area_code = '{PARTNERSHIP}'"
    assert _changed(base, _keys(setup, jobs, _rows(QUARTERS), edit)) == set(base)


def test_a_suppression_changes_the_controlled_reports_only(setup, jobs):
    """The management report reads the totals before disclosure control: a figure withheld
    under the public rule is not one it shows differently."""
    edit = f"UPDATE disclosed SET suppressed = true, value = NULL WHERE area_code = '{PARTNERSHIP}'"
    changed = _changed(
        _keys(setup, jobs, _rows(QUARTERS)), _keys(setup, jobs, _rows(QUARTERS), edit)
    )
    assert changed == {job.key for job in jobs if job.cycle.disclosure.active}
    assert "monthly/2025-03/clackmannanshire-and-stirling" not in changed and len(changed) == 5


def test_rows_for_a_later_period_change_no_earlier_report(setup, jobs):
    later = _rows([*QUARTERS, LATER])
    assert _keys(setup, jobs, _rows(QUARTERS)) == _keys(setup, jobs, later)
    edit = f"UPDATE results SET value = 1 WHERE period_end = DATE '{LATER[1]}'"
    assert _keys(setup, jobs, later) == _keys(setup, jobs, later, edit)


def test_the_digests_are_one_per_rule_area_and_period_end(tmp_path: Path):
    with connect(tmp_path / "w.duckdb") as con:
        assert not has_digests(con)
        _write(con, _rows([*QUARTERS, LATER]))
        assert has_digests(con)
        counts = con.execute(f"SELECT rule, count(*) FROM {DIGESTS} GROUP BY rule").fetchall()
        wanted = [(("",), (CLACKS, CLACKS), date(2025, 3, 31)), (("",), ("nowhere",), LATER[1])]
        clacks, nowhere = data_digests(con, wanted)
    assert sorted(counts) == [("", 15), ('{"threshold": 5, "round_to": null}', 15)]
    assert len(clacks) == 64 and nowhere == ""


def test_a_warehouse_prepared_without_digests_is_prepared_again(setup: Setup):
    """As one prepared by an earlier perfreport of the same version number would be."""
    from perfreport import __version__
    from perfreport.build.cache import tree_hash
    from perfreport.build.pipeline import _prepared

    setup.project.warehouse.unlink(missing_ok=True)
    with connect(setup.project.warehouse) as con:
        _write(con, _rows(QUARTERS))
        con.execute(
            "CREATE TABLE results_info AS SELECT NULL::INTEGER AS load_id, NULL::DATE AS until, "
            "? AS version, ? AS settings",
            [__version__, tree_hash(setup.project.params)],
        )
        con.execute(f"DROP TABLE {DIGESTS}")
    cycles = [setup.cycles.get(cycle_id) for cycle_id in PERIODS]
    assert not _prepared(setup, cycles)
    with connect(setup.project.warehouse) as con:
        store_digests(con)
    assert _prepared(setup, cycles)
