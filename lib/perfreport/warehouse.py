"""The embedded DuckDB warehouse (``data/warehouse.duckdb``).

Tables (DESIGN.md, data model):

- ``areas``: code, name, type, parent, slug — from ``params/areas.yaml``.
- ``observations``: one row per indicator × area × period × breakdown × category, with the
  source file and the load that brought it.
- ``loads``: one row per ingested file: its hash, rows read, accepted and rejected, when, by what.

A file's load is one transaction: it either lands whole or leaves the warehouse as it was.
Reports open the warehouse read-only, so many report workers can read it at once.
"""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from perfreport import __version__
from perfreport.areas import Areas
from perfreport.catalogue import Catalogue
from perfreport.demo import OBSERVATION_COLUMNS
from perfreport.errors import PerfreportError, located

SCHEMA = """
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
    source_file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR NOT NULL,
    tool VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    indicator_id VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    breakdown VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    numerator DOUBLE,
    denominator DOUBLE,
    value DOUBLE,
    source_file VARCHAR NOT NULL,
    load_id INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, area_code, period_start, period_end, breakdown, category)
);
"""


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, creating the tables on a writable connection."""
    if read_only and not path.is_file():
        raise PerfreportError(
            f"{path}: the warehouse does not exist yet; run 'perfreport demo' or load data first"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise PerfreportError(f"{path}: cannot open the warehouse ({_first_line(exc)})") from None
    try:
        if not read_only:
            con.execute(SCHEMA)
        yield con
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def sync_areas(con: duckdb.DuckDBPyConnection, areas: Areas) -> None:
    """Make the ``areas`` table match ``params/areas.yaml``."""
    frame = pd.DataFrame(
        [(a.code, a.name, a.type, a.parent, a.slug) for a in areas],
        columns=["code", "name", "type", "parent", "slug"],
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM areas")
        con.register("areas_frame", frame)
        con.execute("INSERT INTO areas SELECT * FROM areas_frame")
        con.unregister("areas_frame")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_observations_csv(
    con: duckdb.DuckDBPyConnection, path: Path, catalogue: Catalogue, areas: Areas
) -> int:
    """Load a CSV in the observations layout (as the demo generator writes) in one transaction.

    Rows from an earlier load of the same file name are replaced; loading an unchanged file
    again changes nothing. Returns the load id (the earlier one when nothing changed).

    Raises
    ------
    PerfreportError
        When a column is missing or a row names an indicator or area the project does not
        know, naming the file, row and field.
    """
    sha = file_sha256(path)
    source = path.name
    previous = con.execute(
        "SELECT load_id FROM loads WHERE source_file = ? AND sha256 = ? ORDER BY load_id DESC LIMIT 1",
        [source, sha],
    ).fetchone()
    if previous is not None:
        return int(previous[0])
    frame = _read_observations(path, catalogue, areas)
    con.execute("BEGIN TRANSACTION")
    try:
        (load_id,) = con.execute("SELECT nextval('load_ids')").fetchone()  # type: ignore[misc]
        frame["source_file"] = source
        frame["load_id"] = load_id
        con.execute("DELETE FROM observations WHERE source_file = ?", [source])
        con.register("incoming", frame)
        con.execute(f"INSERT INTO observations SELECT {', '.join(frame.columns)} FROM incoming")
        con.unregister("incoming")
        con.execute(
            "INSERT INTO loads VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
            [
                load_id,
                source,
                sha,
                len(frame),
                len(frame),
                datetime.now(UTC).replace(tzinfo=None),
                _who(),
                f"perfreport {__version__}",
            ],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return int(load_id)


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database in some containers
        return "unknown"


def _read_observations(path: Path, catalogue: Catalogue, areas: Areas) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path,
            dtype={"breakdown": str, "category": str, "area_code": str, "indicator_id": str},
            keep_default_na=False,
            na_values={"numerator": [""], "denominator": [""], "value": [""]},
        )
    except (pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise PerfreportError(located(path, f"cannot read the file: {_first_line(exc)}")) from None
    missing = [c for c in OBSERVATION_COLUMNS if c not in frame.columns]
    if missing:
        raise PerfreportError(located(path, f"missing column(s): {', '.join(missing)}", line=1))
    for column, known, what in (
        ("indicator_id", set(catalogue.ids), "indicator"),
        ("area_code", {a.code for a in areas}, "area"),
    ):
        bad = ~frame[column].isin(known)
        if bad.any():
            row = int(bad.idxmax())
            raise PerfreportError(
                located(
                    path,
                    f"field '{column}': unknown {what} {frame.at[row, column]!r}",
                    line=row + 2,
                )
            )
    frame = frame[list(OBSERVATION_COLUMNS)].copy()
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").dt.date
    for column in ("numerator", "denominator", "value"):
        frame[column] = frame[column].astype("float64")
    return frame


def observations(
    con: duckdb.DuckDBPyConnection,
    indicator_ids: list[str] | None = None,
    area_codes: list[str] | None = None,
    breakdown: str | None = "all",
) -> pd.DataFrame:
    """Observations as a DataFrame, filtered by indicator, area and breakdown."""
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
    (value,) = con.execute("SELECT max(period_end) FROM observations").fetchone()  # type: ignore[misc]
    return value
