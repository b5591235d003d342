"""Ingest an extract: read, check, and load it into the warehouse in one transaction.

- Loading the same file (same bytes, same spec) again changes nothing, unless it is loaded with
  ``replace`` (``ingest --replace``): the earlier load is unloaded and the file loaded again.
- Rows whose keys are already in the warehouse replace the old rows; where a figure changed,
  the old and new figures and both load ids are kept in ``revisions``; every row replaced (or
  withdrawn by a ``complete_extract``) is kept as it was in ``superseded``, for an unload.
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
from perfreport.store.ingest.unload import REVISION_COLUMNS, unload_in
from perfreport.store.warehouse import (
    DEFAULT_WAIT_SECONDS,
    KEY_COLUMNS,
    connect,
    file_sha256,
    scalar,
    sync_areas,
    transaction,
)

LOADS_COLUMNS = (
    "load_id",
    "spec",
    "source_file",
    "sha256",
    "encoding",
    "rows_read",
    "rows_filtered",
    "rows_accepted",
    "rows_rejected",
    "observations_written",
    "observations_revised",
    "loaded_at",
    "loaded_by",
    "tool",
)
"""The columns an ingest fills in ``loads`` (``unloaded_at`` is set by an unload)."""
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
    replaced: tuple[int, ...] = ()
    spec: str = ""
    withdrawn: int = 0
    """Observations of the replaced loads that the file no longer holds (``--replace``)."""

    def describe(self) -> str:
        """One line: ``f.csv: 3 rows read, 2 accepted, 1 quarantined, 0 filtered, 0 revised; load 1``."""
        if self.already_loaded:
            return (
                f"{self.source_file}: already loaded as load {self.load_id} with spec "
                f"'{self.spec}'; nothing changed (to load it again under the spec as it is now, "
                "use 'perfreport ingest --replace')"
            )
        v = self.validation
        head = (
            f"{self.source_file}: {v.rows_read:,} rows read, {v.rows_accepted:,} accepted, "
            f"{v.rows_rejected:,} quarantined, {v.rows_filtered:,} filtered, {self.revised:,} revised"
        )
        if v.aggregated_from:
            head += f" ({len(v.observations):,} monthly observations from {v.aggregated_from} rows)"
        if self.load_id is None:
            return head + "; nothing written (validate)"
        replacing = ", ".join(map(str, self.replaced))
        if not replacing:
            return head + f"; load {self.load_id}"
        gone = f"; {self.withdrawn:,} of its observations withdrawn" if self.withdrawn else ""
        return head + f"; load {self.load_id} (replaces load {replacing}{gone})"


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
    replace: bool = False,
) -> LoadSummary:
    """Check ``path`` and load it into ``warehouse`` in one transaction.

    A file already loaded with the same spec (same bytes, not unloaded) changes nothing, unless
    ``replace``: then those earlier loads are unloaded and the file loaded again, all in the
    same transaction.
    """
    extract = read_extract(path, spec)
    sha = file_sha256(path)
    validation = validate_extract(extract, spec, catalogue, areas, as_of=as_of or date.today())
    with connect(warehouse, wait_seconds=wait_seconds) as con:
        previous = [
            int(r[0])
            for r in con.execute(
                "SELECT load_id FROM loads WHERE spec = ? AND sha256 = ? AND unloaded_at IS NULL "
                "ORDER BY load_id DESC",
                [spec.name, sha],
            ).fetchall()
        ]
        if previous and not replace:
            return LoadSummary(
                path.name, validation, previous[0], already_loaded=True, spec=spec.name
            )
        sync_areas(con, areas)
        with transaction(con):
            _remember_keys(con, previous)
            for load in previous:
                unload_in(con, load)
            load_id, revised = _write(con, path, spec, sha, extract.encoding, validation)
            withdrawn = _keys_gone(con)
    return LoadSummary(
        path.name,
        validation,
        load_id,
        revised,
        replaced=tuple(sorted(previous)),
        spec=spec.name,
        withdrawn=withdrawn,
    )


def _remember_keys(con: duckdb.DuckDBPyConnection, loads: list[int]) -> None:
    """Keep the keys of ``loads``' observations (the loads a ``--replace`` unloads)."""
    keys = ", ".join(KEY_COLUMNS)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE replaced_keys AS SELECT {keys} FROM observations "
        "WHERE list_contains($1, load_id)",
        [loads],
    )


def _keys_gone(con: duckdb.DuckDBPyConnection) -> int:
    """How many remembered keys have no observation now (withdrawn by a ``--replace``)."""
    same = " AND ".join(f"o.{k} IS NOT DISTINCT FROM r.{k}" for k in KEY_COLUMNS)
    gone = scalar(
        con,
        f"SELECT count(*) FROM replaced_keys r WHERE NOT EXISTS "
        f"(SELECT 1 FROM observations o WHERE {same})",
    )
    con.execute("DROP TABLE replaced_keys")
    return int(gone)


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
    into = f"INSERT INTO revisions ({', '.join(REVISION_COLUMNS)}) "
    old = f"{keys}, o.numerator, o.denominator, o.value, o.load_id"
    revised = scalar(
        con,
        into + f"SELECT {old}, i.numerator, i.denominator, i.value, i.load_id, 'revised' "
        f"FROM observations o JOIN incoming i ON {on} WHERE {changed}",
    )
    kept = f"INSERT INTO superseded SELECT {old.replace('o.load_id', 'o.source_file, o.source_row, o.load_id')}, ? FROM observations o"
    con.execute(f"{kept} JOIN incoming i ON {on}", [load_id])
    if spec.complete_extract:
        gone = f"o.source_file = ? AND NOT EXISTS (SELECT 1 FROM incoming i WHERE {on})"
        revised += scalar(
            con,
            into
            + f"SELECT {old}, NULL, NULL, NULL, ?, 'withdrawn' FROM observations o WHERE {gone}",
            [load_id, path.name],
        )
        con.execute(f"{kept} WHERE {gone}", [load_id, path.name])
        con.execute(f"DELETE FROM observations o WHERE {gone}", [path.name])
    con.execute(f"DELETE FROM observations o USING incoming i WHERE {on}")
    columns = ", ".join(
        [*KEY_COLUMNS, "numerator", "denominator", "value", "source_file", "source_row", "load_id"]
    )
    con.execute(f"INSERT INTO observations ({columns}) SELECT {columns} FROM incoming")
    con.unregister("incoming")
    _insert_quarantine(con, v.quarantine, load_id, path.name)
    _insert_load(con, [load_id, spec.name, path.name, sha, encoding], v, int(revised))
    return int(load_id), int(revised)


def _insert_load(
    con: duckdb.DuckDBPyConnection, head: list[object], v: Validation, revised: int
) -> None:
    con.execute(
        f"INSERT INTO loads ({', '.join(LOADS_COLUMNS)}) VALUES ({', '.join('?' * len(LOADS_COLUMNS))})",
        [
            *head,
            v.rows_read,
            v.rows_filtered,
            v.rows_accepted,
            v.rows_rejected,
            len(v.observations),
            revised,
            datetime.now(UTC).replace(tzinfo=None),
            _who(),
            f"perfreport {__version__}",
        ],
    )


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
