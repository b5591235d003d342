"""Taking a load back out (``perfreport unload``) and listing loads (``perfreport loads``).

Unloading load *L* deletes the observations *L* wrote and puts back, for each key *L* had
replaced or withdrawn, the observation that was there before it (from ``superseded``: the latest
one of a load that is itself still loaded). Every change is a row of ``revisions`` with reason
``unloaded``: *L*'s figures as old, the figures put back (or none) as new, and the load the new
figures belong to (*L* itself where nothing is put back). The ``loads`` row stays, with
``unloaded_at`` set; the same file may then be ingested again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from perfreport.errors import PerfreportError
from perfreport.store.warehouse import (
    DEFAULT_WAIT_SECONDS,
    KEY_COLUMNS,
    columns_of,
    connect,
    scalar,
    transaction,
)

FIGURES = ("numerator", "denominator", "value")
REVISION_COLUMNS = (
    *KEY_COLUMNS,
    *(f"old_{f}" for f in FIGURES),
    "old_load_id",
    *(f"new_{f}" for f in FIGURES),
    "new_load_id",
    "reason",
)
"""The columns of ``revisions``, in the order the inserts give them."""
LOAD_COLUMNS = (
    "load_id",
    "spec",
    "source_file",
    "loaded_at",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
    "rows_filtered",
    "observations_written",
    "observations_revised",
    "unloaded_at",
)
"""What ``perfreport loads`` shows of each load, in this order."""


@dataclass(frozen=True)
class Unloaded:
    """What unloading one load did."""

    load_id: int
    source_file: str
    removed: int
    restored: int

    def describe(self) -> str:
        return (
            f"load {self.load_id} ({self.source_file}) unloaded: {self.removed:,} observations "
            f"removed, {self.restored:,} earlier observations put back; recorded in revisions"
        )


def unload(
    warehouse: Path, load_id: int, *, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> Unloaded:
    """Unload ``load_id`` from ``warehouse`` in one transaction (see the module docstring)."""
    with connect(warehouse, wait_seconds=wait_seconds) as con, transaction(con):
        return unload_in(con, load_id)


def unload_in(con: duckdb.DuckDBPyConnection, load_id: int) -> Unloaded:
    """Unload ``load_id`` inside the caller's transaction."""
    row = con.execute(
        "SELECT source_file, unloaded_at FROM loads WHERE load_id = ?", [load_id]
    ).fetchall()
    if not row:
        raise PerfreportError(f"load {load_id}: no such load; 'perfreport loads' lists them")
    source_file, unloaded_at = row[0]
    if unloaded_at is not None:
        raise PerfreportError(
            f"load {load_id} ({source_file}) was already unloaded at {unloaded_at:%Y-%m-%d %H:%M}"
        )
    same = " AND ".join(f"o.{k} = s.{k}" for k in KEY_COLUMNS)
    keys = ", ".join(f"s.{k}" for k in KEY_COLUMNS)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE back AS SELECT s.* FROM superseded s "
        f"JOIN loads l ON l.load_id = s.load_id WHERE l.unloaded_at IS NULL "
        f"AND s.load_id <> $1 AND s.by_load_id <= $1 AND ("
        f"EXISTS (SELECT 1 FROM observations o WHERE o.load_id = $1 AND {same}) OR "
        f"(s.by_load_id = $1 AND NOT EXISTS (SELECT 1 FROM observations o WHERE {same}))) "
        f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY s.load_id DESC) = 1",
        [load_id],
    )
    _record(con, load_id)
    removed = scalar(con, "SELECT count(*) FROM observations WHERE load_id = ?", [load_id])
    con.execute("DELETE FROM observations WHERE load_id = ?", [load_id])
    columns = ", ".join([*KEY_COLUMNS, *FIGURES, "source_file", "source_row", "load_id"])
    restored = scalar(con, "SELECT count(*) FROM back")
    con.execute(f"INSERT INTO observations ({columns}) SELECT {columns} FROM back")
    con.execute("DROP TABLE back")
    con.execute(
        "UPDATE loads SET unloaded_at = ? WHERE load_id = ?",
        [datetime.now(UTC).replace(tzinfo=None), load_id],
    )
    if "load_id" in columns_of(con, "results_info"):  # results no longer match the data
        con.execute("DELETE FROM results_info")
    return Unloaded(load_id, str(source_file), int(removed), int(restored))


def _record(con: duckdb.DuckDBPyConnection, load_id: int) -> None:
    """Each change the unload makes, as rows of ``revisions`` (reason ``unloaded``)."""
    on = " AND ".join(f"o.{k} = b.{k}" for k in KEY_COLUMNS)
    into = f"INSERT INTO revisions ({', '.join(REVISION_COLUMNS)}) "
    mine = ", ".join(f"o.{f}" for f in FIGURES)
    theirs = ", ".join(f"b.{f}" for f in FIGURES)
    con.execute(
        into + f"SELECT {', '.join(f'o.{k}' for k in KEY_COLUMNS)}, {mine}, o.load_id, {theirs}, "
        f"coalesce(b.load_id, o.load_id), 'unloaded' FROM observations o LEFT JOIN back b ON {on} "
        "WHERE o.load_id = ?",
        [load_id],
    )
    con.execute(
        into + f"SELECT {', '.join(f'b.{k}' for k in KEY_COLUMNS)}, NULL, NULL, NULL, ?, {theirs}, "
        f"b.load_id, 'unloaded' FROM back b WHERE NOT EXISTS "
        f"(SELECT 1 FROM observations o WHERE {on})",
        [load_id],
    )


def list_loads(warehouse: Path) -> pd.DataFrame:
    """Every load, oldest first, with :data:`LOAD_COLUMNS` (``unloaded_at`` NULL while loaded)."""
    with connect(warehouse, read_only=True) as con:
        present = columns_of(con, "loads")
        if not present:  # a warehouse made by another tool, or never written to
            return pd.DataFrame(columns=list(LOAD_COLUMNS))
        picked = [c if c in present else f"NULL AS {c}" for c in LOAD_COLUMNS]
        return con.execute(f"SELECT {', '.join(picked)} FROM loads ORDER BY load_id").df()
