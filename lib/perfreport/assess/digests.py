"""Digests of the prepared rows: what a report's cache key hashes instead of its data.

``perfreport prepare`` stores, beside ``results`` and ``disclosed``, the warehouse table
``digests``: one per area and period end of that area's ``results`` rows ending then (every
breakdown, rule ``''``), and one per disclosure rule, area and period end of its
``disclosed`` rows (the ``suppressed`` flag too), each over the columns a report reads
(:data:`~perfreport.assess.results.READ_COLUMNS`). A digest is the number of rows and the
sum of their 64-bit hashes (DuckDB's ``hash`` of those columns of each row: a few
milliseconds for the demo's 27,000 rows, where hashing the rows as text takes a quarter of a
second). Any change to a figure a report could show (a value, numerator, denominator, limit,
status, suppression) changes its row's hash and so, but for a chance of 1 in 2**64, the
digest; DuckDB hashes -0.0 as 0.0.

A report's data digest (:func:`data_digests`) combines the digests of the areas it reads, up
to its period, before disclosure control and under its own rule: one query for every job of a
run, over a table of a few rows per area and period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

DIGESTS = "digests"
"""Warehouse table: ``rule``, ``area_code``, ``period_end``, ``digest`` (see the module)."""
UNPROTECTED = ""
"""The ``rule`` of the digests of ``results`` (the rows before disclosure control)."""


def _digest_of(con: duckdb.DuckDBPyConnection, table: str, rule: str) -> str:
    """The digest rows of one table: each group's row count and the sum of the hashes of its
    rows' :data:`~perfreport.assess.results.READ_COLUMNS`."""
    from perfreport.assess.results import READ_COLUMNS

    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
        ).fetchall()
    }
    read = ", ".join(c for c in READ_COLUMNS if c in have)
    return (
        f"SELECT {rule} AS rule, area_code, period_end, "
        f"concat_ws(':', count(*), sum(hash({read})::HUGEINT)) AS digest "
        f"FROM {table} GROUP BY ALL"
    )


def store_digests(con: duckdb.DuckDBPyConnection) -> int:
    """Write ``digests`` from the ``results`` (and, where there is one, ``disclosed``) table
    the connection holds, inside the caller's transaction; returns the rows written."""
    from perfreport.assess.results import DISCLOSED

    parts = [_digest_of(con, "results", f"'{UNPROTECTED}'")]
    if DISCLOSED in _tables(con):
        parts.append(_digest_of(con, DISCLOSED, "rule"))
    con.execute(f"CREATE OR REPLACE TABLE {DIGESTS} AS {' UNION ALL '.join(parts)}")
    found = con.execute(f"SELECT count(*) FROM {DIGESTS}").fetchone()
    return int(found[0]) if found else 0


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }


def has_digests(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``perfreport prepare`` stored the digests (a warehouse prepared by an earlier
    perfreport has none: prepare again)."""
    return DIGESTS in _tables(con)


Wanted = tuple[Sequence[str], Sequence[str], date]
"""What one report reads: the ``rule`` values of its digests (:data:`UNPROTECTED` and its
disclosure rule's key, if it has one), its area codes, and its period's last day."""


def data_digests(con: duckdb.DuckDBPyConnection, wanted: Sequence[Wanted]) -> list[str]:
    """One digest for each of ``wanted``: of the stored digests of its areas and rules up to
    its last day, in rule, area and period order (``''`` where there are none)."""
    columns: tuple[list[object], ...] = ([], [], [], [])
    for job, (rules, codes, until) in enumerate(wanted):
        for rule in dict.fromkeys(rules):
            for code in dict.fromkeys(codes):
                for column, value in zip(columns, (job, rule, code, until), strict=True):
                    column.append(value)
    if not columns[0]:
        return []
    found = con.execute(
        "SELECT j.job, sha256(string_agg(concat_ws('|', d.rule, d.area_code, d.period_end, "
        "d.digest), chr(10) ORDER BY d.rule, d.area_code, d.period_end)) "
        "FROM (SELECT unnest(?::INTEGER[]) AS job, unnest(?::VARCHAR[]) AS rule, "
        "unnest(?::VARCHAR[]) AS area_code, unnest(?::DATE[]) AS until) j "
        f"JOIN {DIGESTS} d ON d.rule = j.rule AND d.area_code = j.area_code "
        "AND d.period_end <= j.until GROUP BY j.job",
        list(columns),
    ).fetchall()
    by_job = dict(found)
    return [str(by_job.get(job, "")) for job in range(len(wanted))]
