"""The transactional load: accounting, reloads, revisions, rollback, concurrency and exports."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from perfreport.store.exports import neutralise, safe_text
from tests.helpers import COMPLAINTS_SPEC, LONG_SPEC, run_cli

FIRST = (
    "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9\n2025-01,CS-RST,10,10\n2025-01,XX,3,1\n"
)


@pytest.fixture
def project(project_copy: Path) -> Path:
    (project_copy / "params" / "sources" / "council_complaints.yaml").write_text(COMPLAINTS_SPEC)
    (project_copy / "params" / "sources" / "long_extract.yaml").write_text(LONG_SPEC)
    return project_copy


def query(project: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_loads_records_every_row_and_quarantine_keeps_the_rejects(project, cli):
    (project / "jan.csv").write_text(FIRST)
    result = cli("ingest", "council_complaints", "jan.csv", cwd=project)
    assert result.code == 1  # a row was quarantined
    assert result.stdout.splitlines() == [
        "  row 4: unknown area code 'XX'",
        "jan.csv: 3 rows read, 2 accepted, 1 quarantined, 0 filtered, 0 revised; load 1",
    ]
    assert query(
        project,
        "SELECT spec, source_file, rows_read, rows_filtered, rows_accepted, rows_rejected, "
        "observations_written, observations_revised FROM loads",
    ) == [("council_complaints", "jan.csv", 3, 0, 2, 1, 2, 0)]
    assert query(project, "SELECT load_id, source_file, row_number, reasons FROM quarantine") == [
        (1, "jan.csv", 4, "unknown area code 'XX'")
    ]
    assert query(
        project,
        "SELECT area_code, value, source_file, source_row, load_id FROM observations ORDER BY area_code",
    ) == [("CS-CLK", 75.0, "jan.csv", 2, 1), ("CS-RST", 100.0, "jan.csv", 3, 1)]


def test_loading_the_same_file_twice_changes_nothing(project, cli):
    (project / "jan.csv").write_text(FIRST)
    cli("ingest", "council_complaints", "jan.csv", cwd=project)
    tables = "SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM loads), (SELECT count(*) FROM quarantine)"
    before = query(project, tables)
    result = cli("ingest", "council_complaints", "jan.csv", cwd=project)
    assert result.code == 0
    assert result.stdout.strip() == (
        "jan.csv: already loaded as load 1 with spec 'council_complaints'; nothing changed (to "
        "load it again under the spec as it is now, use 'perfreport ingest --replace')"
    )
    assert query(project, tables) == before


def test_a_revised_file_replaces_values_and_records_what_changed(project, cli):
    (project / "jan.csv").write_text(FIRST)
    cli("ingest", "council_complaints", "jan.csv", cwd=project)
    (project / "jan.csv").write_text(
        "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,11\n2025-01,CS-RST,10,10\n"
    )
    result = cli("ingest", "council_complaints", "jan.csv", cwd=project)
    assert (
        result.stdout.strip()
        == "jan.csv: 2 rows read, 2 accepted, 0 quarantined, 0 filtered, 1 revised; load 2"
    )
    assert query(
        project, "SELECT area_code, numerator, value, load_id FROM observations ORDER BY area_code"
    ) == [("CS-CLK", 11.0, pytest.approx(91.6666667), 2), ("CS-RST", 10.0, 100.0, 2)]
    assert query(
        project,
        "SELECT indicator_id, area_code, old_numerator, new_numerator, old_load_id, new_load_id "
        "FROM revisions",
    ) == [("L-COM-01", "CS-CLK", 9.0, 11.0, 1, 2)]
    assert (
        query(
            project,
            "SELECT count(*) FROM observations GROUP BY indicator_id, area_code, period_start, "
            "breakdown, category HAVING count(*) > 1",
        )
        == []
    )


def test_a_crash_during_the_load_leaves_the_warehouse_as_it_was(project, cli, monkeypatch):
    (project / "jan.csv").write_text(FIRST)
    cli("ingest", "council_complaints", "jan.csv", cwd=project)
    snapshot = "SELECT * FROM observations ORDER BY area_code"
    before = query(project, snapshot), query(project, "SELECT count(*) FROM loads")
    (project / "feb.csv").write_text(FIRST.replace("2025-01", "2025-02").replace("12,9", "12,3"))

    def crash() -> str:  # called after observations and quarantine rows are written, before loads
        raise RuntimeError("disk full")

    monkeypatch.setattr("perfreport.store.ingest.load._who", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        cli("ingest", "council_complaints", "feb.csv", cwd=project)
    assert (query(project, snapshot), query(project, "SELECT count(*) FROM loads")) == before
    assert query(project, "SELECT count(*) FROM quarantine") == [(1,)]


HOLD = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def hold_warehouse(project: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(project / "data" / "warehouse.duckdb"), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_second_writer_fails_clearly_after_waiting(project):
    (project / "jan.csv").write_text(FIRST)
    assert run_cli("ingest", "council_complaints", "jan.csv", cwd=project).code == 1
    holder = hold_warehouse(project, 30)
    try:
        (project / "feb.csv").write_text(FIRST.replace("2025-01", "2025-02"))
        started = time.monotonic()
        result = run_cli("ingest", "council_complaints", "feb.csv", "--wait", "1", cwd=project)
        assert result.code == 2
        assert (
            f"the warehouse is in use by another process (PID {holder.pid}); waited 1 s"
            in result.stderr
        )
        assert time.monotonic() - started >= 1
    finally:
        holder.kill()
        holder.wait()
    assert query(project, "SELECT count(*) FROM loads") == [(1,)]


def test_a_second_writer_waits_for_the_first(project):
    (project / "jan.csv").write_text(FIRST)
    assert run_cli("ingest", "council_complaints", "jan.csv", cwd=project).code == 1
    holder = hold_warehouse(project, 1.5)
    (project / "feb.csv").write_text(FIRST.replace("2025-01", "2025-02"))
    result = run_cli("ingest", "council_complaints", "feb.csv", "--wait", "60", cwd=project)
    holder.wait()
    assert result.code == 1, result.stderr  # loaded, with its row for area XX quarantined
    assert query(project, "SELECT count(*) FROM loads") == [(2,)]


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rx"]
)
def test_formula_prefixes_are_neutralised(text):
    assert safe_text(text) == "'" + text
    assert safe_text("Rural Stirling") == "Rural Stirling"


def test_exports_are_formula_safe_in_csv_and_excel(project, cli):
    (project / "sex.csv").write_text(
        "indicator,area,period,sex,numerator,denominator,value\n"
        "L-COM-01,CS-CLK,2025-03,=1+2,5,10,50\n"
        "L-FIN-01,S37000005,2025-03,All,-1.5,200,-0.75\n"
    )
    assert cli("ingest", "long_extract", "sex.csv", cwd=project).code == 0
    assert cli("export", "observations", "--out", "obs.csv", cwd=project).code == 0
    frame = pd.read_csv(project / "obs.csv", keep_default_na=False)
    assert frame.loc[frame.indicator_id == "L-COM-01", "category"].item() == "'=1+2"
    assert (
        frame.loc[frame.indicator_id == "L-FIN-01", "value"].item() == -0.75
    )  # numbers stay numbers
    assert cli("export", "observations", "--out", "obs.xlsx", cwd=project).code == 0
    sheet = load_workbook(project / "obs.xlsx").active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert any(c.value == "'=1+2" and c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for c in cells)
    result = cli("export", "observations", "--out", "obs.txt", cwd=project)
    assert result.code == 2
    assert "parameter '--out': obs.txt must end in .csv or .xlsx" in result.stderr


def test_neutralise_leaves_numeric_columns_alone():
    frame = neutralise(pd.DataFrame({"text": ["-x", "ok"], "n": [-1, 2]}))
    assert frame["text"].tolist() == ["'-x", "ok"] and frame["n"].tolist() == [-1, 2]


def test_a_complete_extract_withdraws_rows_it_no_longer_carries(project, cli):
    spec = (
        COMPLAINTS_SPEC.replace("name: council_complaints", "name: complete")
        + "complete_extract: true\n"
    )
    (project / "params" / "sources" / "complete.yaml").write_text(spec)
    (project / "jan.csv").write_text(FIRST)
    cli("ingest", "complete", "jan.csv", cwd=project)
    (project / "jan.csv").write_text("Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9\n")
    result = cli("ingest", "complete", "jan.csv", cwd=project)
    assert (
        result.stdout.strip()
        == "jan.csv: 1 rows read, 1 accepted, 0 quarantined, 0 filtered, 1 revised; load 2"
    )
    assert query(project, "SELECT area_code FROM observations") == [("CS-CLK",)]
    assert query(project, "SELECT area_code, old_value, new_value, new_load_id FROM revisions") == [
        ("CS-RST", 100.0, None, 2)
    ]
