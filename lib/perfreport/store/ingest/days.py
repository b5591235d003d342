"""Daily and weekly extracts made into calendar months at ingest.

A spec with ``period: {..., kind: day}`` (or ``kind: week``) reads one row per day (or week);
each row with no value is quarantined with its reason, and the accepted rows of each indicator,
area, breakdown and month become one observation by the indicator's ``aggregation``:

- ``mean``: the mean of the days (weeks) with a value, as for a daily census such as patients
  not meeting the criteria to reside;
- ``sum``: the sum (counts);
- ``last``: the last day's (week's) figures (snapshots);
- ``ratio``: numerators and denominators added, the value their ratio; ``population``:
  numerators added over the mean denominator. Both need a numerator and a denominator in every
  row; an indicator whose aggregation cannot work (or is ``none``) is refused in one line.

A week belongs to the month holding its Thursday. The month's observation records the load and
the file row of its first day; ``rows_read`` still counts the file's rows, and the load's
``observations_written`` the months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfreport.config.catalogue import Catalogue, Indicator
from perfreport.errors import PerfreportError
from perfreport.store.ingest.reasons import Reasons
from perfreport.store.ingest.spec import SourceSpec
from perfreport.store.warehouse import KEY_COLUMNS

FIGURES = ["numerator", "denominator", "value"]
KEYS = list(KEY_COLUMNS)
RULES = ("mean", "sum", "last", "ratio", "population")
"""The aggregations that can make months of days."""


def require_values(observations: pd.DataFrame, spec: SourceSpec, reasons: Reasons) -> None:
    """Refuse each daily (weekly) row with no value: it cannot count towards its month."""
    if not spec.period.daily:
        return
    empty = observations["value"].isna().to_numpy()
    positions = observations["_pos"].to_numpy()[empty]
    mask = np.zeros(reasons.n, dtype=bool)
    mask[positions] = True
    ids = dict(zip(positions, observations["indicator_id"].to_numpy()[empty], strict=True))
    reasons.add(
        mask,
        lambda w: [
            f"no value for {ids[i]} on this {spec.period.kind}, so it cannot count towards its month"
            for i in w
        ],
    )


def to_months(
    observations: pd.DataFrame, spec: SourceSpec, catalogue: Catalogue
) -> tuple[pd.DataFrame, str | None]:
    """``observations`` made into months (unchanged unless the spec's rows are days or weeks),
    and ``daily`` or ``weekly`` (None when unchanged)."""
    if not spec.period.daily:
        return observations, None
    by = "daily" if spec.period.kind == "day" else "weekly"
    if observations.empty:
        return observations, by
    day = pd.to_datetime(observations["period_start"])
    month = day.dt.to_period("M")
    dated = observations.assign(
        _day=day,
        period_start=month.dt.start_time.dt.date,
        period_end=month.dt.end_time.dt.date,
    )
    parts = [
        _months(rows, catalogue[str(ident)], spec, by)
        for ident, rows in dated.groupby("indicator_id", sort=True)
    ]
    return pd.concat(parts, ignore_index=True)[observations.columns], by


def _months(rows: pd.DataFrame, ind: Indicator, spec: SourceSpec, by: str) -> pd.DataFrame:
    """One indicator's rows as months, by its aggregation."""
    rule = str(ind.time_aggregation)
    if rule not in RULES or (
        rule in ("ratio", "population") and rows[["numerator", "denominator"]].isna().any().any()
    ):
        why = "" if rule not in RULES else " without a numerator and a denominator in every row"
        raise PerfreportError(
            f"source spec '{spec.name}': indicator {ind.id!r} has aggregation {rule!r}, which "
            f"cannot make months of {by} rows{why}; declare 'aggregation: mean', 'sum' or "
            "'last' in its catalogue entry"
        )
    grouped = rows.sort_values(["_day", "source_row"]).groupby(KEYS, sort=True, dropna=False)
    first = grouped["source_row"].min()
    if rule == "last":
        figures = grouped.tail(1).set_index(KEYS)[FIGURES]
    elif rule == "mean":
        figures = grouped[FIGURES].mean()
    else:
        figures = grouped[FIGURES].sum(min_count=1)
        if rule == "population":
            figures["denominator"] = grouped["denominator"].mean()
        if rule in ("ratio", "population"):
            den = figures["denominator"].where(figures["denominator"] > 0)
            figures["value"] = figures["numerator"] / den * ind.multiplier
    return figures.join(first).reset_index()
