"""The prepared results cut by area, as Parquet bytes, and a warehouse made from such slices.

A report reads the prepared totals of a few areas: its own, and those its cycle declares (the
body it belongs to, its parts, the comparator). A machine that builds reports without the
project's warehouse (a worker of a cluster, :mod:`perfreport.build.cluster`) gets those rows as
one slice per area, and the small tables that say who prepared them, whole; from them it makes
a warehouse of its own that a report reads exactly as it would read the whole one.

>>> sorted(SLICED), sorted(WHOLE)
(['disclosed', 'results'], ['results_info'])
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.assess.results import DISCLOSED
from perfreport.store.warehouse import connect

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

SLICED = ("results", DISCLOSED)
"""The tables cut by area (each has ``area_code``); a warehouse without one (``disclosed``
when no cycle controls disclosure) has none to cut."""
WHOLE = ("results_info",)
"""The tables sent whole: which loads the results cover, and the version that made them."""

Slice = dict[str, bytes]
"""Each table's rows for one area (or, for :func:`whole_tables`, each table) as Parquet."""


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }


def _parquet(table: pa.Table) -> bytes:
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def area_slices(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> dict[str, Slice]:
    """Each area's rows of :data:`SLICED`, by area code, in the order the tables hold them."""
    present = [t for t in SLICED if t in _tables(con)]
    return {
        code: {
            table: _parquet(
                con.sql(
                    f"SELECT * FROM {table} WHERE area_code = ?", params=[code]
                ).to_arrow_table()
            )
            for table in present
        }
        for code in dict.fromkeys(codes)
    }


def whole_tables(con: duckdb.DuckDBPyConnection) -> Slice:
    """The tables of :data:`WHOLE` the warehouse holds."""
    return {
        table: _parquet(con.sql(f"SELECT * FROM {table}").to_arrow_table())
        for table in WHOLE
        if table in _tables(con)
    }


def write_warehouse(path: Path, whole: Slice, slices: Iterable[Slice]) -> None:
    """A new warehouse at ``path`` (replacing any there) holding the tables of ``whole`` and
    the union of ``slices``: the project's tables, empty, and the prepared rows of those areas."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.unlink(missing_ok=True)
    parts: dict[str, list[pa.Table]] = {}
    for piece in slices:
        for table, data in piece.items():
            parts.setdefault(table, []).append(pq.read_table(io.BytesIO(data)))
    tables: Mapping[str, list[pa.Table]] = {
        **parts,
        **{t: [pq.read_table(io.BytesIO(d))] for t, d in whole.items()},
    }
    with connect(path) as con:
        for table, pieces in tables.items():
            rows = pa.concat_tables(pieces)  # noqa: F841 - read by name in the SQL below
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM rows")
