"""The embedded DuckDB warehouse (``data/warehouse.duckdb``).

Tables (DESIGN.md, data model):

- ``areas``: code, name, type, parent, slug — from ``params/areas.yaml``.
- ``observations``: one row per indicator × area × period × breakdown × category, with the
  source file, its row there, and the load that brought it.
- ``loads``: one row per ingested file: spec, hash, encoding, rows read, filtered out by the
  spec, accepted and quarantined, observations written and revised, when, by whom, with what.
- ``quarantine``: every rejected row with its file, row number, every reason and the raw cells.
- ``revisions``: each value a later load changed (or withdrew, or an unload took back): old and
  new figures, both load ids and the ``reason`` (``revised``, ``withdrawn``, ``unloaded``).
- ``superseded``: every observation a load replaced or withdrew, as it was (so that unloading
  the later load can put it back).
- ``loads.unloaded_at``: when ``perfreport unload`` took the load's observations out (NULL
  while they are in).

A file's load is one transaction: it either lands whole or leaves the warehouse as it was.
Reports open the warehouse read-only, so many report workers can read it at once.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from perfreport.config.areas import Areas
from perfreport.errors import PerfreportError

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 2
"""1: perfreport 0.1 (no quarantine or revisions); 2: perfreport 0.2."""
KEY_SQL = """\
    indicator_id VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    breakdown VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
"""
"""The columns of an observation's key, as the observations and revisions tables declare them."""
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS areas (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    type VARCHAR NOT NULL,
    parent VARCHAR,
    slug VARCHAR NOT NULL UNIQUE
);
CREATE SEQUENCE IF NOT EXISTS load_ids START 1;
CREATE TABLE IF NOT EXISTS loads (
    load_id INTEGER PRIMARY KEY,
    spec VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    encoding VARCHAR,
    rows_read BIGINT NOT NULL,
    rows_filtered BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    observations_written BIGINT NOT NULL,
    observations_revised BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR NOT NULL,
    tool VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
{KEY_SQL}    numerator DOUBLE,
    denominator DOUBLE,
    value DOUBLE,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    load_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
    load_id INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    reasons VARCHAR NOT NULL,
    raw VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS revisions (
{KEY_SQL}    old_numerator DOUBLE,
    old_denominator DOUBLE,
    old_value DOUBLE,
    old_load_id INTEGER NOT NULL,
    new_numerator DOUBLE,
    new_denominator DOUBLE,
    new_value DOUBLE,
    new_load_id INTEGER NOT NULL
);
"""
UPGRADE = f"""
ALTER TABLE loads ADD COLUMN IF NOT EXISTS unloaded_at TIMESTAMP;
ALTER TABLE revisions ADD COLUMN IF NOT EXISTS reason VARCHAR;
CREATE TABLE IF NOT EXISTS superseded (
{KEY_SQL}    numerator DOUBLE,
    denominator DOUBLE,
    value DOUBLE,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    load_id INTEGER NOT NULL,
    by_load_id INTEGER NOT NULL
);
"""
"""Tables and columns added within schema version 2 (perfreport 0.9): made on every writable
connection, so a warehouse of 0.8 gains them the first time it is written to."""
KEY_COLUMNS = ("indicator_id", "area_code", "period_start", "period_end", "breakdown", "category")
"""One observation per key: loads replace the rows whose keys they carry."""
LOCK_RETRY_SECONDS = 0.25
DEFAULT_WAIT_SECONDS = 30.0


@contextmanager
def connect(
    path: Path, *, read_only: bool = False, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, creating the tables on a writable connection.

    DuckDB allows one writing process at a time. While another process holds the warehouse,
    this waits up to ``wait_seconds`` and then fails with one line saying who holds it.
    """
    if read_only and not path.is_file():
        raise PerfreportError(
            f"{path}: the warehouse does not exist yet; load an extract with 'perfreport ingest "
            "SPEC FILE' (or, in a project with a demo, run 'perfreport demo')"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            holder = re.search(r"PID \d+", str(exc))
            if holder is None:
                raise PerfreportError(
                    f"{path}: cannot open the warehouse ({_first_line(exc)})"
                ) from None
            if time.monotonic() >= deadline:
                raise PerfreportError(
                    f"{path}: the warehouse is in use by another process ({holder.group(0)}); "
                    f"waited {wait_seconds:g} s — try again when it has finished"
                ) from None
            time.sleep(LOCK_RETRY_SECONDS)
    try:
        _check_schema(con, path, read_only)
        yield con
    finally:
        con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> Any:
    """The first value of the first row (or None), reading the result to its end as DuckDB asks."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
    tables = {
        row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    if "schema_info" in tables:
        version = scalar(con, "SELECT max(version) FROM schema_info")
    else:
        version = 1 if "observations" in tables else None
    if version is not None and version != SCHEMA_VERSION:
        raise PerfreportError(
            f"{path}: the warehouse has schema version {version}, this perfreport uses "
            f"{SCHEMA_VERSION}; move it aside and load the data again (perfreport demo rebuilds the demo)"
        )
    if version is None and not read_only:
        con.execute(SCHEMA)
        con.execute("INSERT INTO schema_info VALUES (?)", [SCHEMA_VERSION])
    if not read_only and not _upgraded(con):
        con.execute(UPGRADE)


def _upgraded(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse has what :data:`UPGRADE` adds."""
    return (
        "unloaded_at" in columns_of(con, "loads")
        and "reason" in columns_of(con, "revisions")
        and bool(columns_of(con, "superseded"))
    )


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block finishes, roll back if anything escapes it."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The column names of ``table`` (empty when it does not exist)."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def sync_areas(con: duckdb.DuckDBPyConnection, areas: Areas) -> None:
    """Make the ``areas`` table match ``params/areas.yaml``."""
    import pandas as pd

    frame = pd.DataFrame(
        [(a.code, a.name, a.type, a.parent, a.slug) for a in areas],
        columns=["code", "name", "type", "parent", "slug"],
    )
    with transaction(con):
        con.execute("DELETE FROM areas")
        con.register("areas_frame", frame)
        con.execute("INSERT INTO areas SELECT * FROM areas_frame")
        con.unregister("areas_frame")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def observations(
    con: duckdb.DuckDBPyConnection,
    indicator_ids: list[str] | None = None,
    area_codes: list[str] | None = None,
    breakdown: str | None = "all",
) -> pd.DataFrame:
    """Observations as a DataFrame, filtered by indicator, area and breakdown."""
    import pandas as pd

    clauses, params = [], []
    if indicator_ids is not None:
        clauses.append(f"indicator_id IN ({', '.join('?' * len(indicator_ids))})")
        params += indicator_ids
    if area_codes is not None:
        clauses.append(f"area_code IN ({', '.join('?' * len(area_codes))})")
        params += area_codes
    if breakdown is not None:
        clauses.append("breakdown = ?")
        params.append(breakdown)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    frame = con.execute(
        f"SELECT indicator_id, area_code, period_start, period_end, breakdown, category, "
        f"numerator, denominator, value FROM observations {where} "
        f"ORDER BY indicator_id, area_code, period_start, breakdown, category",
        params,
    ).df()
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def latest_month(con: duckdb.DuckDBPyConnection) -> date | None:
    """The last day covered by any observation."""
    return scalar(con, "SELECT max(period_end) FROM observations")


def results_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The perfreport version that prepared ``results`` (None: not recorded, or not prepared)."""
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    if "results_info" not in tables:
        return None
    if "version" not in {r[0] for r in con.execute("DESCRIBE results_info").fetchall()}:
        return None
    row = con.execute("SELECT version FROM results_info").fetchone()
    return str(row[0]) if row and row[0] is not None else None


def results_current(path: Path, version: str, settings: str = "") -> bool:
    """Whether ``results`` covers every load in the warehouse, for all periods, and was made by
    ``version`` of perfreport (a newer one may compute more) with the configuration whose
    digest is ``settings`` (a changed target, plan or rule is a different result)."""
    with connect(path, read_only=True) as con:
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if "results_info" not in tables:
            return False
        columns = {r[0] for r in con.execute("DESCRIBE results_info").fetchall()}
        if not {"version", "settings"} <= columns:
            return False
        row = con.execute("SELECT load_id, until, version, settings FROM results_info").fetchall()
        latest = con.execute("SELECT max(load_id) FROM loads").fetchall()[0][0]
    return bool(row) and row[0] == (latest, None, version, settings)
