"""Loading observations into the DuckDB warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from perfreport.demo import write_demo
from perfreport.errors import PerfreportError
from perfreport.warehouse import connect, load_observations_csv, observations, sync_areas


@pytest.fixture
def demo_csv(tmp_path, demo_settings, catalogue, areas) -> Path:
    return write_demo(demo_settings, catalogue, areas, tmp_path / "demo")


def test_load_counts_every_row_and_records_the_load(tmp_path, demo_csv, catalogue, areas):
    rows = sum(1 for _ in demo_csv.open()) - 1
    with connect(tmp_path / "w.duckdb") as con:
        sync_areas(con, areas)
        load_id = load_observations_csv(con, demo_csv, catalogue, areas)
        assert con.execute("SELECT count(*) FROM observations").fetchone() == (rows,)
        assert con.execute("SELECT count(*) FROM areas").fetchone() == (5,)
        load = con.execute(
            "SELECT source_file, rows_read, rows_accepted, rows_rejected FROM loads"
        ).fetchall()
        assert load == [("observations.csv", rows, rows, 0)]
        assert con.execute("SELECT DISTINCT load_id FROM observations").fetchall() == [(load_id,)]


def test_loading_the_same_file_twice_changes_nothing(tmp_path, demo_csv, catalogue, areas):
    with connect(tmp_path / "w.duckdb") as con:
        first = load_observations_csv(con, demo_csv, catalogue, areas)
        before = con.execute("SELECT count(*), sum(value) FROM observations").fetchone()
        second = load_observations_csv(con, demo_csv, catalogue, areas)
        assert second == first
        assert con.execute("SELECT count(*), sum(value) FROM observations").fetchone() == before
        assert con.execute("SELECT count(*) FROM loads").fetchone() == (1,)


def test_a_revised_file_replaces_its_rows(tmp_path, demo_csv, catalogue, areas):
    with connect(tmp_path / "w.duckdb") as con:
        load_observations_csv(con, demo_csv, catalogue, areas)
        lines = demo_csv.read_text().splitlines()
        demo_csv.write_text("\n".join(lines[:101]) + "\n")
        load_observations_csv(con, demo_csv, catalogue, areas)
        assert con.execute("SELECT count(*) FROM observations").fetchone() == (100,)
        assert con.execute("SELECT count(*) FROM loads").fetchone() == (2,)


def test_unknown_indicator_names_file_row_and_field_and_loads_nothing(
    tmp_path, demo_csv, catalogue, areas
):
    bad = tmp_path / "bad.csv"
    shutil.copy(demo_csv, bad)
    lines = bad.read_text().splitlines()
    lines[3] = lines[3].replace("NI-1,", "NI-99,", 1)
    bad.write_text("\n".join(lines) + "\n")
    with connect(tmp_path / "w.duckdb") as con:
        with pytest.raises(
            PerfreportError, match=rf"^{bad}:4: field 'indicator_id': unknown indicator 'NI-99'$"
        ):
            load_observations_csv(con, bad, catalogue, areas)
        assert con.execute("SELECT count(*) FROM observations").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM loads").fetchone() == (0,)


def test_missing_columns_are_named(tmp_path, catalogue, areas):
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator_id,area_code,period_start\nNI-1,S37000005,2024-04-01\n")
    with (
        connect(tmp_path / "w.duckdb") as con,
        pytest.raises(
            PerfreportError,
            match=r"bad\.csv:1: missing column\(s\): period_end, breakdown, category",
        ),
    ):
        load_observations_csv(con, bad, catalogue, areas)


def test_reading_filters_and_read_only_needs_an_existing_warehouse(
    tmp_path, demo_csv, catalogue, areas
):
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        load_observations_csv(con, demo_csv, catalogue, areas)
    with connect(path, read_only=True) as con:
        frame = observations(con, ["MSG-4"], ["CS-RST"])
    assert set(frame["indicator_id"]) == {"MSG-4"} and set(frame["area_code"]) == {"CS-RST"}
    assert set(frame["breakdown"]) == {"all"} and len(frame) == 72
    with (
        pytest.raises(PerfreportError, match="the warehouse does not exist yet"),
        connect(tmp_path / "missing.duckdb", read_only=True),
    ):
        pass
