"""Ingest an extract: read, check, and load it into the warehouse in one transaction.

- Loading the same file (same bytes, same spec) again changes nothing.
- Rows whose keys are already in the warehouse replace the old rows; where a figure changed,
  the old and new figures and both load ids are kept in ``revisions``.
- Quarantined rows go to ``quarantine`` with their row number, every reason and raw cells.
- ``rows_read = rows_accepted + rows_rejected + rows_filtered`` (rows the spec's filters leave
  out on purpose), recorded in ``loads``.
- Anything that goes wrong before the commit rolls the whole load back.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from perfreport import __version__
from perfreport.config.areas import Areas
from perfreport.config.catalogue import Catalogue
from perfreport.store.ingest.checks import OBSERVATION_COLUMNS, Validation, validate_extract
from perfreport.store.ingest.readers import read_extract
from perfreport.store.ingest.spec import SourceSpec
from perfreport.store.warehouse import (
    DEFAULT_WAIT_SECONDS,
    KEY_COLUMNS,
    connect,
    file_sha256,
    scalar,
    sync_areas,
    transaction,
)

QUARANTINE_BATCH_ROWS = 2_000
"""Quarantined rows handed to DuckDB at a time (see :func:`_insert_quarantine`)."""


@dataclass(frozen=True)
class LoadSummary:
    """What an ingest (or a dry-run validation) did with a file."""

    source_file: str
    validation: Validation
    load_id: int | None = None
    revised: int = 0
    already_loaded: bool = False

    def describe(self) -> str:
        v = self.validation
        head = f"{self.source_file}: {v.rows_read:,} rows read, {v.rows_accepted:,} accepted, {v.rows_rejected:,} quarantined"
        if v.rows_filtered:
            head += f", {v.rows_filtered:,} left out by the spec's filters"
        if self.already_loaded:
            return f"{self.source_file}: already loaded as load {self.load_id}; nothing changed"
        if self.load_id is not None:
            head += f"; load {self.load_id}" + (
                f", {self.revised:,} values revised" if self.revised else ""
            )
        return head


def check_file(
    path: Path, spec: SourceSpec, catalogue: Catalogue, areas: Areas, *, as_of: date | None = None
) -> Validation:
    """Read and check ``path`` without touching the warehouse (``perfreport validate``)."""
    return validate_extract(
        read_extract(path, spec), spec, catalogue, areas, as_of=as_of or date.today()
    )


def ingest_file(
    warehouse: Path,
    path: Path,
    spec: SourceSpec,
    catalogue: Catalogue,
    areas: Areas,
    *,
    as_of: date | None = None,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
) -> LoadSummary:
    """Check ``path`` and load it into ``warehouse`` in one transaction."""
    extract = read_extract(path, spec)
    sha = file_sha256(path)
    validation = validate_extract(extract, spec, catalogue, areas, as_of=as_of or date.today())
    with connect(warehouse, wait_seconds=wait_seconds) as con:
        previous = scalar(
            con, "SELECT max(load_id) FROM loads WHERE spec = ? AND sha256 = ?", [spec.name, sha]
        )
        if previous is not None:
            return LoadSummary(path.name, validation, int(previous), already_loaded=True)
        sync_areas(con, areas)
        with transaction(con):
            load_id, revised = _write(con, path, spec, sha, extract.encoding, validation)
    return LoadSummary(path.name, validation, load_id, revised)


def _write(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    spec: SourceSpec,
    sha: str,
    encoding: str | None,
    v: Validation,
) -> tuple[int, int]:
    load_id = scalar(con, "SELECT nextval('load_ids')")
    incoming = v.observations[OBSERVATION_COLUMNS].assign(source_file=path.name, load_id=load_id)
    con.register("incoming", incoming)
    on = " AND ".join(f"o.{k} = i.{k}" for k in KEY_COLUMNS)
    changed = " OR ".join(
        f"o.{f} IS DISTINCT FROM i.{f}" for f in ("numerator", "denominator", "value")
    )
    keys = ", ".join(f"o.{k}" for k in KEY_COLUMNS)
    revised = scalar(
        con,
        f"INSERT INTO revisions SELECT {keys}, o.numerator, o.denominator, o.value, o.load_id, "
        f"i.numerator, i.denominator, i.value, i.load_id FROM observations o JOIN incoming i ON {on} "
        f"WHERE {changed}",
    )
    if spec.complete_extract:
        gone = f"o.source_file = ? AND NOT EXISTS (SELECT 1 FROM incoming i WHERE {on})"
        revised += scalar(
            con,
            f"INSERT INTO revisions SELECT {keys}, o.numerator, o.denominator, o.value, o.load_id, "
            f"NULL, NULL, NULL, ? FROM observations o WHERE {gone}",
            [load_id, path.name],
        )
        con.execute(f"DELETE FROM observations o WHERE {gone}", [path.name])
    con.execute(f"DELETE FROM observations o USING incoming i WHERE {on}")
    columns = ", ".join(
        [*KEY_COLUMNS, "numerator", "denominator", "value", "source_file", "source_row", "load_id"]
    )
    con.execute(f"INSERT INTO observations ({columns}) SELECT {columns} FROM incoming")
    con.unregister("incoming")
    _insert_quarantine(con, v.quarantine, load_id, path.name)
    con.execute(
        "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            spec.name,
            path.name,
            sha,
            encoding,
            v.rows_read,
            v.rows_filtered,
            v.rows_accepted,
            v.rows_rejected,
            len(incoming),
            int(revised),
            datetime.now(UTC).replace(tzinfo=None),
            _who(),
            f"perfreport {__version__}",
        ],
    )
    return int(load_id), int(revised)


def _insert_quarantine(
    con: duckdb.DuckDBPyConnection, quarantine: pd.DataFrame, load_id: int, source_file: str
) -> None:
    """Insert quarantined rows :data:`QUARANTINE_BATCH_ROWS` at a time.

    Handing DuckDB the whole frame at once makes it scan every raw-cells string into one
    intermediate copy; a batch at a time holds one batch's copy.
    """
    for first in range(0, len(quarantine), QUARANTINE_BATCH_ROWS):
        batch = quarantine.iloc[first : first + QUARANTINE_BATCH_ROWS]
        con.register("rejected", batch)
        con.execute(
            "INSERT INTO quarantine SELECT ?, ?, row_number, reasons, raw FROM rejected",
            [load_id, source_file],
        )
        con.unregister("rejected")


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database in some containers
        return "unknown"


def quarantine_rows(warehouse: Path, load_id: int | None = None) -> pd.DataFrame:
    """Quarantined rows (of one load, or all), for review or export."""
    with connect(warehouse, read_only=True) as con:
        where, params = ("WHERE load_id = ?", [load_id]) if load_id is not None else ("", [])
        return con.execute(
            f"SELECT load_id, source_file, row_number, reasons, raw FROM quarantine {where} "
            "ORDER BY load_id, row_number",
            params,
        ).df()
