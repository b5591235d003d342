"""The warehouse: schema and its version, areas, reading observations, the demo load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from perfreport.errors import PerfreportError
from perfreport.store.demo import write_demo
from perfreport.store.ingest import ingest_file, load_spec
from perfreport.store.warehouse import SCHEMA_VERSION, connect, observations, scalar, sync_areas
from tests.helpers import REPO


@pytest.fixture
def loaded(tmp_path, demo_settings, catalogue, areas) -> tuple[Path, Path]:
    csv = write_demo(demo_settings, catalogue, areas, tmp_path / "demo")
    warehouse = tmp_path / "w.duckdb"
    spec = load_spec(REPO / "params" / "sources" / "demo_observations.yaml")
    summary = ingest_file(warehouse, csv, spec, catalogue, areas, as_of=date(2025, 6, 30))
    assert summary.load_id == 1 and summary.validation.rows_rejected == 0
    return warehouse, csv


def test_demo_loads_every_row_through_its_source_spec(loaded):
    warehouse, csv = loaded
    rows = sum(1 for _ in csv.open()) - 1
    with connect(warehouse, read_only=True) as con:
        assert scalar(con, "SELECT count(*) FROM observations") == rows
        assert scalar(con, "SELECT rows_read - rows_accepted FROM loads") == 0
        assert scalar(con, "SELECT count(*) FROM areas") == 19
        assert scalar(con, "SELECT max(version) FROM schema_info") == SCHEMA_VERSION


def test_reading_filters_by_indicator_area_and_breakdown(loaded):
    warehouse, _ = loaded
    with connect(warehouse, read_only=True) as con:
        frame = observations(con, ["MSG-4"], ["CS-RST"])
    assert set(frame["indicator_id"]) == {"MSG-4"} and set(frame["area_code"]) == {"CS-RST"}
    assert set(frame["breakdown"]) == {"all"} and len(frame) == 72
    assert frame["period_start"].iloc[0] == date(2019, 4, 1)


def test_areas_follow_params(tmp_path, areas):
    with connect(tmp_path / "w.duckdb") as con:
        sync_areas(con, areas)
        sync_areas(con, areas)
        assert con.execute(
            "SELECT code, type, parent FROM areas WHERE code = 'CS-RST'"
        ).fetchall() == [("CS-RST", "locality", "S37000005")]
        assert scalar(con, "SELECT count(*) FROM areas") == len(areas)


def test_read_only_needs_an_existing_warehouse(tmp_path):
    with (
        pytest.raises(
            PerfreportError,
            match="the warehouse does not exist yet; load an extract with 'perfreport ingest SPEC FILE'",
        ),
        connect(tmp_path / "missing.duckdb", read_only=True),
    ):
        pass


def test_an_older_warehouse_is_refused_not_misread(tmp_path):
    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        con.execute("CREATE TABLE observations (indicator_id VARCHAR)")
    with (
        pytest.raises(
            PerfreportError, match=r"schema version 1, this perfreport uses 2; move it aside"
        ),
        connect(old),
    ):
        pass
