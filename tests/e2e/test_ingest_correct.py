"""Ingest you can correct: `loads`, `unload`, `ingest --replace`, the summary line, warnings."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.helpers import COMPLAINTS_SPEC
from tests.unit.test_ingest_days import DAILY

FIRST = (
    "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9\n2025-01,CS-RST,10,10\n2025-01,XX,3,1\n"
)
REVISED = "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,11\n2025-01,CS-RST,10,10\n"
SPEC_DIR = Path("params") / "sources"


@pytest.fixture
def project(project_copy: Path) -> Path:
    (project_copy / SPEC_DIR / "council_complaints.yaml").write_text(COMPLAINTS_SPEC)
    (project_copy / "jan.csv").write_text(FIRST)
    (project_copy / "revised.csv").write_text(REVISED)
    return project_copy


def query(project: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def observations(project: Path) -> list[tuple]:
    return query(
        project,
        "SELECT area_code, numerator, round(value, 2), source_file, source_row, load_id "
        "FROM observations ORDER BY area_code",
    )


def changes(project: Path, where: str = "") -> list[tuple]:
    """The rows of ``revisions``: area, old numerator and load, new numerator and load, reason."""
    return query(
        project,
        "SELECT area_code, old_numerator, old_load_id, new_numerator, new_load_id, reason "
        f"FROM revisions {where} ORDER BY reason, area_code",
    )


def test_unload_puts_back_what_the_load_replaced_and_records_it(project, cli):
    assert cli("ingest", "council_complaints", "jan.csv", cwd=project).code == 1
    assert cli("ingest", "council_complaints", "revised.csv", cwd=project).code == 0
    assert observations(project) == [
        ("CS-CLK", 11.0, 91.67, "revised.csv", 2, 2),
        ("CS-RST", 10.0, 100.0, "revised.csv", 3, 2),
    ]
    result = cli("unload", "2", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == (
        "load 2 (revised.csv) unloaded: 2 observations removed, 2 earlier observations put "
        "back; recorded in revisions"
    )
    assert observations(project) == [
        ("CS-CLK", 9.0, 75.0, "jan.csv", 2, 1),
        ("CS-RST", 10.0, 100.0, "jan.csv", 3, 1),
    ]
    assert changes(project) == [
        ("CS-CLK", 9.0, 1, 11.0, 2, "revised"),
        ("CS-CLK", 11.0, 2, 9.0, 1, "unloaded"),
        ("CS-RST", 10.0, 2, 10.0, 1, "unloaded"),
    ]
    assert query(project, "SELECT load_id, unloaded_at IS NOT NULL FROM loads ORDER BY 1") == [
        (1, False),
        (2, True),
    ]
    again = cli("unload", "2", cwd=project)
    assert again.code == 2 and again.stdout == ""
    assert again.stderr.startswith(
        "perfreport: error: load 2 (revised.csv) was already unloaded at "
    )
    assert len(again.stderr.splitlines()) == 1
    unknown = cli("unload", "99", cwd=project)
    assert (unknown.code, unknown.stderr) == (
        2,
        "perfreport: error: load 99: no such load; 'perfreport loads' lists them\n",
    )
    reloaded = cli("ingest", "council_complaints", "revised.csv", cwd=project)
    assert reloaded.stdout.strip() == (
        "revised.csv: 2 rows read, 2 accepted, 0 quarantined, 0 filtered, 1 revised; load 3"
    )


def test_unloading_the_only_load_removes_its_observations(project, cli):
    cli("ingest", "council_complaints", "revised.csv", cwd=project)
    assert cli("unload", "1", cwd=project).code == 0
    assert observations(project) == []
    assert query(
        project,
        "SELECT area_code, old_value, new_value, new_load_id, reason FROM revisions ORDER BY 1",
    ) == [
        ("CS-CLK", pytest.approx(91.6666667), None, 1, "unloaded"),
        ("CS-RST", 100.0, None, 1, "unloaded"),
    ]


def test_replace_reloads_a_file_under_its_corrected_spec(project, cli):
    assert cli("ingest", "council_complaints", "jan.csv", cwd=project).code == 1
    (project / SPEC_DIR / "council_complaints.yaml").write_text(
        COMPLAINTS_SPEC + "mappings:\n  Locality: {XX: CS-UST}\n"
    )
    refused = cli("ingest", "council_complaints", "jan.csv", cwd=project)
    assert refused.code == 0
    assert refused.stdout.strip() == (
        "jan.csv: already loaded as load 1 with spec 'council_complaints'; nothing changed (to "
        "load it again under the spec as it is now, use 'perfreport ingest --replace')"
    )
    result = cli("ingest", "council_complaints", "jan.csv", "--replace", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == (
        "jan.csv: 3 rows read, 3 accepted, 0 quarantined, 0 filtered, 0 revised; load 2 "
        "(replaces load 1)"
    )
    assert [row[0] for row in observations(project)] == ["CS-CLK", "CS-RST", "CS-UST"]
    assert {row[-1] for row in observations(project)} == {2}
    listing = cli("loads", cwd=project)
    assert listing.code == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split() == [
        "load", "spec", "file", "loaded", "(UTC)", "read", "accepted", "quarantined",
        "filtered", "written", "revised", "unloaded",
    ]  # fmt: skip
    first, second = (line.split() for line in lines[1:])
    assert first[:3] == ["1", "council_complaints", "jan.csv"]
    assert first[5:11] == ["3", "2", "1", "0", "2", "0"]
    assert len(first) == 13  # unloaded: a date and a time
    assert second[:3] == ["2", "council_complaints", "jan.csv"]
    assert second[5:] == ["3", "3", "0", "0", "3", "0", "-"]
    assert len(lines) == 3


def test_loads_on_an_empty_warehouse_says_so(project, cli):
    from perfreport.store.warehouse import connect

    with connect(project / "data" / "warehouse.duckdb"):
        pass  # the tables, and no load
    result = cli("loads", cwd=project)
    assert result.stdout.strip() == "no loads yet: 'perfreport ingest SPEC FILE' loads an extract"


def test_a_filter_value_in_the_wrong_case_is_a_warning(project, cli):
    (project / SPEC_DIR / "filtered.yaml").write_text(
        COMPLAINTS_SPEC.replace("council_complaints", "filtered")
        + "filters:\n  - {column: Locality, in: [cs-clk]}\n"
    )
    result = cli("ingest", "filtered", "revised.csv", cwd=project)
    assert result.code == 0  # every row filtered out, none quarantined
    assert result.stdout.strip() == (
        "revised.csv: 2 rows read, 0 accepted, 0 quarantined, 2 filtered, 0 revised; load 1"
    )
    assert result.stderr.splitlines() == [
        "perfreport: warning: revised.csv: spec 'filtered': filter on column 'Locality' (in): "
        "'cs-clk' matches no value in the file; nearest value in the file: 'CS-CLK' (the case "
        "differs)",
        "perfreport: warning: revised.csv: spec 'filtered': the filter on column 'Locality' "
        "leaves out every row",
    ]


def test_a_daily_extract_loads_monthly_means(project, cli):
    (project / SPEC_DIR / "daily.yaml").write_text(DAILY.replace("INDICATOR", "DD-ADB"))
    days = [f"CS-CLK,2025-01-{d:02d},{d}" for d in range(1, 32)]  # mean 16
    days += [
        "CS-CLK,2025-02-01,NA",
        "NA,2025-02-02,4",
        "CS-RST,2025-02-03,7",
        "CS-RST,2025-02-04,8",
    ]
    (project / "daily.csv").write_text("code,date,patients\n" + "\n".join(days) + "\n")
    result = cli("ingest", "daily", "daily.csv", cwd=project)
    assert result.code == 1  # two rows quarantined
    assert result.stdout.splitlines() == [
        "  row 33: no value for DD-ADB on this day, so it cannot count towards its month",
        "  row 34: missing area code (code is 'NA')",
        "daily.csv: 35 rows read, 33 accepted, 2 quarantined, 0 filtered, 0 revised (2 monthly "
        "observations from daily rows); load 1",
    ]
    assert query(
        project,
        "SELECT area_code, period_start::VARCHAR, period_end::VARCHAR, value, source_row "
        "FROM observations ORDER BY 1",
    ) == [
        ("CS-CLK", "2025-01-01", "2025-01-31", 16.0, 2),
        ("CS-RST", "2025-02-01", "2025-02-28", 7.5, 35),
    ]
    assert query(
        project,
        "SELECT rows_read, rows_accepted, rows_rejected, rows_filtered, observations_written FROM loads",
    ) == [(35, 33, 2, 0, 2)]


def test_unloading_a_complete_extract_puts_back_the_rows_it_withdrew(project, cli):
    (project / SPEC_DIR / "complete.yaml").write_text(
        COMPLAINTS_SPEC.replace("council_complaints", "complete") + "complete_extract: true\n"
    )
    (project / "whole.csv").write_text(REVISED)
    cli("ingest", "complete", "whole.csv", cwd=project)
    (project / "whole.csv").write_text(
        "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,12\n"
    )  # CS-RST withdrawn, CS-CLK revised
    assert cli("ingest", "complete", "whole.csv", cwd=project).code == 0
    assert [row[0] for row in observations(project)] == ["CS-CLK"]
    result = cli("unload", "2", cwd=project)
    assert "1 observations removed, 2 earlier observations put back" in result.stdout
    assert observations(project) == [
        ("CS-CLK", 11.0, 91.67, "whole.csv", 2, 1),
        ("CS-RST", 10.0, 100.0, "whole.csv", 3, 1),
    ]
    assert changes(project, "WHERE reason = 'unloaded'") == [
        ("CS-CLK", 12.0, 2, 11.0, 1, "unloaded"),
        ("CS-RST", None, 2, 10.0, 1, "unloaded"),
    ]


def test_unload_makes_prepared_results_stale(project, cli):
    from perfreport.store.warehouse import connect, results_current

    cli("ingest", "council_complaints", "revised.csv", cwd=project)
    warehouse = project / "data" / "warehouse.duckdb"
    with connect(warehouse) as con:  # as prepare leaves it
        con.execute(
            "CREATE TABLE results_info (load_id INTEGER, until DATE, version VARCHAR, "
            "settings VARCHAR)"
        )
        con.execute("INSERT INTO results_info VALUES (1, NULL, 'test', 'params')")
    assert results_current(warehouse, "test", "params")
    assert not results_current(warehouse, "test", "other params")  # prepared with others
    cli("unload", "1", cwd=project)
    assert not results_current(warehouse, "test", "params")


def test_a_warehouse_of_0_8_gains_what_unload_needs_when_written(project, cli):
    from perfreport.store.warehouse import SCHEMA, SCHEMA_VERSION, columns_of

    warehouse = project / "data" / "warehouse.duckdb"
    warehouse.parent.mkdir(exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(SCHEMA)
        con.execute("INSERT INTO schema_info VALUES (?)", [SCHEMA_VERSION])
        assert "unloaded_at" not in columns_of(con, "loads")
    assert cli("loads", cwd=project).stdout.startswith("no loads yet")  # read-only: unchanged
    assert cli("ingest", "council_complaints", "revised.csv", cwd=project).code == 0
    assert cli("unload", "1", cwd=project).code == 0
    assert query(project, "SELECT load_id, unloaded_at IS NOT NULL FROM loads") == [(1, True)]


def test_with_every_load_unloaded_prepare_and_run_say_so_in_one_line(project, cli):
    assert cli("ingest", "council_complaints", "revised.csv", cwd=project).code == 0
    assert cli("unload", "1", cwd=project).code == 0
    prepared = cli("prepare", cwd=project)
    assert prepared.code == 2
    assert prepared.stderr.strip() == (
        "perfreport: error: data/warehouse.duckdb: the warehouse holds no observations of the "
        "catalogue's indicators (every load unloaded?); 'perfreport loads' lists the loads, and "
        "'perfreport ingest SPEC FILE' loads an extract"
    )
    ran = cli("run", "--all", cwd=project)
    assert ran.code == 0, ran.stderr
    assert "Traceback" not in ran.stderr
    lines = ran.stdout.splitlines()
    assert sum(line.startswith("nothing to build for cycle ") for line in lines) == 6


def test_replace_says_how_many_figures_the_corrected_spec_withdraws(project, cli):
    assert cli("ingest", "council_complaints", "revised.csv", cwd=project).code == 0
    (project / SPEC_DIR / "council_complaints.yaml").write_text(
        COMPLAINTS_SPEC + "filters:\n  - {column: Locality, not_in: [CS-RST]}\n"
    )
    result = cli("ingest", "council_complaints", "revised.csv", "--replace", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == (
        "revised.csv: 2 rows read, 1 accepted, 0 quarantined, 1 filtered, 0 revised; load 2 "
        "(replaces load 1; 1 of its observations withdrawn)"
    )
    assert [row[0] for row in observations(project)] == ["CS-CLK"]


def test_a_quarter_for_a_monthly_indicator_and_an_unreadable_period_say_only_why(project, cli):
    """A quarter's row for a monthly indicator would be counted twice when prepare adds the
    months up: it is quarantined. Rows whose period does not parse are not also 'duplicates'
    of each other."""
    (project / SPEC_DIR / "council_complaints.yaml").write_text(
        COMPLAINTS_SPEC.replace('format: "%Y-%m", kind: month', "format: label")
    )
    (project / "q.csv").write_text(
        "Month,Locality,Complaints,On time\nQ4 2024/25,CS-CLK,30,20\n2025-01,CS-CLK,12,9\n"
        "garbage,CS-RST,10,10\nJan-Mar,CS-RST,10,10\n"
    )
    result = cli("ingest", "council_complaints", "q.csv", cwd=project)
    assert result.code == 1
    reasons = dict(query(project, "SELECT row_number, reasons FROM quarantine"))
    assert reasons[2] == ("the period is a quarter, but L-COM-01 is monthly (one figure per month)")
    assert reasons[4].startswith("period 'garbage' is not a period label; accepted: ")
    assert reasons[5].startswith("period 'Jan-Mar' is not a period label; accepted: ")
    assert "duplicate" not in reasons[4] + reasons[5]
    assert [row[:2] for row in observations(project)] == [("CS-CLK", 9.0)]


def test_a_file_refused_whole_stops_only_itself(project, cli):
    (project / "bad.csv").write_text("Month,Locality,Complaint,On time\n2025-01,CS-CLK,12,9\n")
    result = cli("ingest", "council_complaints", "bad.csv", "revised.csv", cwd=project)
    assert result.code == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("perfreport: error: ")
    assert "bad.csv" in errors[0] and "Complaints" in errors[0]
    assert result.stdout.strip().splitlines()[-1] == (
        "revised.csv: 2 rows read, 2 accepted, 0 quarantined, 0 filtered, 0 revised; load 1"
    )
