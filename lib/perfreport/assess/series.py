"""Indicator series at the period a report speaks of.

A quarterly report shows monthly indicators as quarters (three complete months combined by the
indicator's aggregation rule, see :class:`perfreport.config.catalogue.Indicator`), quarterly indicators
as they are, and annual or biennial indicators at their own latest period.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from perfreport.config.catalogue import Indicator
from perfreport.methods.periods import MONTHS_IN, Period, PeriodKind, period_kind_of
from perfreport.methods.suppressed import SUPPRESSED

SERIES_COLUMNS = ["indicator_id", "area_code", "period", "numerator", "denominator", "value"]


def display_kind(ind: Indicator, report_kind: PeriodKind) -> PeriodKind:
    """The period an indicator is shown at in a report of ``report_kind``.

    Sub-quarterly indicators are combined up to the report's period; indicators published
    less often than the report keep their own period.
    """
    native: PeriodKind = ind.period_kind  # type: ignore[assignment]
    return report_kind if MONTHS_IN[native] < MONTHS_IN[report_kind] else native


def to_periods(obs: pd.DataFrame, ind: Indicator, kind: PeriodKind) -> pd.DataFrame:
    """Combine one indicator's observations (one breakdown) into complete periods of ``kind``.

    A period is kept only when every month of it is present, so a quarter with a missing
    month is not shown as if complete.
    """
    if obs.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    native = [
        Period.containing(period_kind_of(s, e), s)
        for s, e in zip(obs["period_start"], obs["period_end"], strict=True)
    ]
    frame = obs.assign(native=native, period=[Period.containing(kind, p.start) for p in native])
    rows = []
    for (area, period), group in frame.groupby(["area_code", "period"], sort=True):
        covered = sum(len(p.months()) for p in group["native"])
        if covered < len(period.months()):
            continue
        rows.append((ind.id, area, period, *_combine(group, ind)))
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def _combine(
    group: pd.DataFrame, ind: Indicator
) -> tuple[float | None, float | None, float | None]:
    if len(group) == 1:
        row = group.iloc[0]
        return _opt(row["numerator"]), _opt(row["denominator"]), _opt(row["value"])
    rule = ind.time_aggregation
    if rule == "last":
        row = group.sort_values("period_start").iloc[-1]
        return _opt(row["numerator"]), _opt(row["denominator"]), _opt(row["value"])
    if rule == "mean":
        return None, None, _opt(group["value"].mean())
    num = group["numerator"].sum(min_count=len(group))
    if rule == "sum":
        return _opt(num), None, _opt(num)
    den = group["denominator"].sum(min_count=len(group))
    if rule == "population":
        den = group["denominator"].mean()
    if pd.isna(num) or pd.isna(den) or den == 0:
        return _opt(num), _opt(den), None
    return float(num), float(den), float(num) / float(den) * ind.multiplier


def _opt(x: object) -> float | None:
    return None if x is None or pd.isna(x) else float(x)  # type: ignore[arg-type]


def latest_on_or_before(series: pd.DataFrame, area: str, day: date) -> pd.Series | None:
    """The row of ``area`` for the latest period ending on or before ``day``."""
    rows = series[(series["area_code"] == area) & (series["period"].map(lambda p: p.end) <= day)]
    if rows.empty:
        return None
    return rows.loc[rows["period"].map(lambda p: p.end).idxmax()]


def value_in(series: pd.DataFrame, area: str, period: Period) -> float | None:
    """The value of ``area`` in exactly ``period``, or None."""
    rows = series[(series["area_code"] == area) & (series["period"] == period)]
    return None if rows.empty else shown_value(rows.iloc[0])


def shown_value(row: pd.Series) -> float | None:
    """A results row's value as a report shows it: None when missing, ``SUPPRESSED`` when
    withheld by disclosure control."""
    if bool(row.get("suppressed", False)):
        return SUPPRESSED
    return _opt(row["value"])
