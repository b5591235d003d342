"""The prepared results as a report may publish them: one reader for reports and open data.

``perfreport prepare`` stores the prepared totals (warehouse table ``results``) and, for each
disclosure rule the cycles use, the same totals after that rule (table ``disclosed``). Every
figure a report or its open data shows is read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from perfreport.config.catalogue import ALL
from perfreport.config.disclosure import Disclosure

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb
    import pandas as pd

    from perfreport.config.areas import Areas

DISCLOSED = "disclosed"
"""Warehouse table: the prepared totals after each disclosure rule the cycles use."""


def store_disclosed(
    con: duckdb.DuckDBPyConnection,
    results: pd.DataFrame,
    rules: Sequence[Disclosure],
    areas: Areas,
) -> int:
    """Write ``disclosed`` (inside the caller's transaction): every prepared total (breakdown
    ``all``) of ``results`` after each active rule in ``rules``, protected in one piece per
    rule. Returns the rows written."""
    import pandas as pd

    from perfreport.assess.disclosure import protect

    totals = results[results["breakdown"] == ALL] if not results.empty else results
    frames = [
        protect(totals, rule, areas).assign(rule=key)
        for key, rule in {r.key: r for r in rules if r.active}.items()
    ]
    if not frames or totals.empty:
        con.execute(f"DROP TABLE IF EXISTS {DISCLOSED}")
        return 0
    con.register("protected", pd.concat(frames, ignore_index=True))
    con.execute(f"CREATE OR REPLACE TABLE {DISCLOSED} AS SELECT * FROM protected")
    con.unregister("protected")
    return sum(len(f) for f in frames)


def all_totals(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every prepared total (breakdown ``all``) of ``results``, before disclosure control."""
    return con.execute("SELECT * FROM results WHERE breakdown = ?", [ALL]).df()


def has_disclosed(con: duckdb.DuckDBPyConnection, rule: Disclosure) -> bool:
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    if DISCLOSED not in tables:
        return False
    found = con.execute(f"SELECT count(*) FROM {DISCLOSED} WHERE rule = ?", [rule.key]).fetchone()
    return bool(found and found[0])


def disclosed_current(path: Path, rules: Sequence[Disclosure]) -> bool:
    """Whether ``disclosed`` holds every active rule in ``rules`` (else prepare again)."""
    from perfreport.store.warehouse import connect

    with connect(path, read_only=True) as con:
        return all(has_disclosed(con, rule) for rule in rules if rule.active)


def read_disclosed(
    con: duckdb.DuckDBPyConnection,
    rule: Disclosure | None,
    areas: Areas,
    columns: str,
    where: str,
    params: Sequence[object],
    order: str,
) -> pd.DataFrame:
    """Prepared totals (``SELECT columns ... WHERE where ORDER BY order``) as a report under
    ``rule`` may publish them, with ``suppressed``: from ``disclosed`` when ``perfreport
    prepare`` stored this rule, else protected here from the whole of ``results`` (the same
    figures either way)."""
    rows = f"breakdown = ? AND {where} ORDER BY {order}"
    tail = f"WHERE {rows}"
    if rule is None or not rule.active:
        return con.execute(
            f"SELECT {columns}, false AS suppressed FROM results {tail}", [ALL, *params]
        ).df()
    if has_disclosed(con, rule):
        return con.execute(
            f"SELECT {columns}, suppressed FROM {DISCLOSED} WHERE rule = ? AND {rows}",
            [rule.key, ALL, *params],
        ).df()
    from perfreport.assess.disclosure import protect

    whole = protect(all_totals(con), rule, areas)
    con.register("protected_now", whole)
    try:
        return con.execute(
            f"SELECT {columns}, suppressed FROM protected_now {tail}", [ALL, *params]
        ).df()
    finally:
        con.unregister("protected_now")


REPORT_COLUMNS = (
    "indicator_id, area_code, breakdown, period_start, period_end, period_kind, numerator, "
    "denominator, value, lower, upper, target_value, target_text, target_status, target_reason, "
    "framework_status, framework_reason, trend, spc_type, spc_rule, spc_mean, spc_lpl, spc_upl, "
    "spc_points, plan_id, ci_method, not_calculated"
)
"""What a report reads of each prepared total."""
OPEN_DATA_COLUMNS = (
    "indicator_id, area_code, period_label, period_start, period_end, numerator, denominator, "
    "value, lower, upper, ci_method, not_calculated, target_text, target_status, "
    "framework_status, change_year, partnership_value, country_value"
)
"""What a report's open data CSV publishes of each prepared total it reads."""
READ_COLUMNS = tuple(
    dict.fromkeys(
        name.strip()
        for name in f"{REPORT_COLUMNS}, {OPEN_DATA_COLUMNS}, category, suppressed".split(",")
    )
)
"""Every column of ``results`` and ``disclosed`` a report reads (its tables, charts, open data
and breakdowns): what the digests of its cache key hash
(:mod:`perfreport.assess.digests`). A column that ``prepare`` writes and no report reads
(a locality's funnel-plot position, say) changes no report's key."""


def has_results(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``perfreport prepare`` has written the ``results`` table."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'results'"
    ).fetchone()
    return bool(found and found[0])


def read_results(
    con: duckdb.DuckDBPyConnection,
    rule: Disclosure | None,
    areas: Areas,
    area_codes: Sequence[str],
    *,
    columns: str = REPORT_COLUMNS,
    until: date | None = None,
    observed_only: bool = False,
) -> pd.DataFrame:
    """The prepared totals of ``area_codes`` as a report under ``rule`` may publish them, in
    indicator, area and period order, with ``suppressed``: every period (or those ending by
    ``until``), observed figures only where ``observed_only`` (open data publishes no
    estimates)."""
    marks = ", ".join("?" * len(area_codes))
    where, params = [f"area_code IN ({marks})"], list[object](area_codes)
    if observed_only:
        where.insert(0, "observed")
    if until is not None:
        where.append("period_end <= ?")
        params.append(until)
    return read_disclosed(
        con,
        rule,
        areas,
        columns,
        " AND ".join(where),
        params,
        "indicator_id, area_code, period_start, period_end",
    )


def read_categories(
    con: duckdb.DuckDBPyConnection,
    rule: Disclosure | None,
    indicator_id: str,
    area_code: str,
    period_end: date,
    *,
    total_withheld: bool = False,
) -> pd.DataFrame:
    """The categories of one count indicator's breakdowns for an area and the period ending on
    ``period_end`` (``breakdown``, ``category``, ``value``, ``suppressed``), in category order,
    as a report under ``rule`` may publish them. A breakdown's categories add up to its total,
    so beside a small count the smallest other goes too
    (:func:`~perfreport.assess.disclosure.suppress_parts`), and every one goes with a
    withheld total (``total_withheld``); shown counts are rounded as the rule says."""
    import pandas as pd

    from perfreport.assess.disclosure import round_count, suppress_parts

    rows = con.execute(
        "SELECT breakdown, category, coalesce(numerator, value) AS value FROM results "
        "WHERE indicator_id = ? AND area_code = ? AND period_end = ? AND breakdown <> ? "
        "ORDER BY breakdown, category",
        [indicator_id, area_code, period_end, ALL],
    ).df()
    if rule is None or not rule.active:
        return rows.assign(suppressed=False)
    hidden = [
        withheld or total_withheld
        for _, group in rows.groupby("breakdown", sort=False)
        for withheld in suppress_parts(group["value"].tolist(), rule)
    ]
    shown = [
        None if gone else round_count(v, rule)
        for v, gone in zip(rows["value"], hidden, strict=True)
    ]
    return rows.assign(value=pd.array(shown, dtype="Float64"), suppressed=hidden)
