"""Indicator series at the period a report speaks of, and the SPC chart stored with them.

A quarterly report shows monthly indicators as quarters (three complete months combined by the
indicator's aggregation rule, see :class:`perfreport.config.catalogue.Indicator`), quarterly indicators
as they are, and annual or biennial indicators at their own latest period.

``prepare`` stores on each results row the XmR chart of the series up to that row
(:data:`SPC_COLUMNS`), so that a report draws it as ``prepare`` classified it
(:func:`stored_xmr`) rather than computing it again.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import numpy as np
import pandas as pd

from perfreport.config.catalogue import Indicator
from perfreport.methods.periods import MONTHS_IN, Period, PeriodKind, period_kind_of
from perfreport.methods.spc import (
    PRECEDENCE,
    RULE_SETS,
    Classified,
    Improvement,
    PointType,
    XmrResult,
    assurance,
)
from perfreport.methods.suppressed import SUPPRESSED

SERIES_COLUMNS = ["indicator_id", "area_code", "period", "numerator", "denominator", "value"]


def display_kind(ind: Indicator, report_kind: PeriodKind) -> PeriodKind:
    """The period an indicator is shown at in a report of ``report_kind``.

    Sub-quarterly indicators are combined up to the report's period; indicators published
    less often than the report, and those that cannot be combined (aggregation ``none``),
    keep their own period.
    """
    native: PeriodKind = ind.period_kind  # type: ignore[assignment]
    if ind.time_aggregation == "none":
        return native
    return report_kind if MONTHS_IN[native] < MONTHS_IN[report_kind] else native


def to_periods(obs: pd.DataFrame, ind: Indicator, kind: PeriodKind) -> pd.DataFrame:
    """Combine one indicator's observations (one breakdown) into complete periods of ``kind``.

    A period is kept only when every month of it is present, so a quarter with a missing
    month is not shown as if complete. A period is ``derived`` when any of its months is (see
    :mod:`perfreport.assess.area_sums`).
    """
    columns = [*SERIES_COLUMNS, "derived"]
    if obs.empty:
        return pd.DataFrame(columns=columns)
    native = [
        Period.containing(period_kind_of(s, e), s)
        for s, e in zip(obs["period_start"], obs["period_end"], strict=True)
    ]
    periods = [Period.containing(kind, p.start) for p in native]
    frame = obs.assign(
        native=pd.Series(native, index=obs.index, dtype=object),
        period=pd.Series(periods, index=obs.index, dtype=object),
    )
    rows = []
    for key, group in frame.groupby(["area_code", "period"], sort=True):
        area, period = cast(tuple[str, Period], key)
        covered = sum(len(p.months()) for p in group["native"])
        if covered < len(period.months()):
            continue
        derived = bool(group["derived"].any()) if "derived" in group else False
        rows.append((ind.id, area, period, *_combine(group, ind), derived))
    figures = ["numerator", "denominator", "value"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype(dict.fromkeys(figures, float))


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
        if pd.isna(num):  # value-only rows: their values are the counts
            return None, None, _opt(group["value"].sum(min_count=len(group)))
        return _opt(num), None, _opt(num)
    den = group["denominator"].sum(min_count=len(group))
    if rule == "population":
        den = group["denominator"].mean()
    if pd.isna(num) or pd.isna(den) or den == 0:
        return _opt(num), _opt(den), None
    return float(num), float(den), float(num) / float(den) * ind.multiplier


def _opt(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


class SeriesRows:
    """One indicator's series (``area_code`` and ``period`` columns) indexed by area and
    period once, for the many lookups a report makes of it: a boolean mask of the whole frame
    per lookup cost about a millisecond each."""

    def __init__(self, series: pd.DataFrame) -> None:
        self.series = series
        self._at: dict[tuple[str, Period], int] = {}
        self._ends: dict[str, list[tuple[date, int]]] = {}
        pairs = zip(series["area_code"].tolist(), series["period"].tolist(), strict=True)
        for position, (area, period) in enumerate(pairs):
            self._at.setdefault((area, period), position)  # the first, as a mask's iloc[0]
            self._ends.setdefault(area, []).append((period.end, position))

    def latest_on_or_before(self, area: str, day: date) -> pd.Series | None:
        """The row of ``area`` for the latest period ending on or before ``day`` (the first
        such row where two end that day)."""
        best: tuple[date, int] | None = None
        for end, position in self._ends.get(area, ()):
            if end <= day and (best is None or end > best[0]):
                best = (end, position)
        return None if best is None else self.series.iloc[best[1]]

    def row_in(self, area: str, period: Period) -> pd.Series | None:
        """The row of ``area`` for exactly ``period``, or None."""
        position = self._at.get((area, period))
        return None if position is None else self.series.iloc[position]

    def value_in(self, area: str, period: Period) -> float | None:
        """The value of ``area`` in exactly ``period`` (:func:`shown_value`), or None."""
        row = self.row_in(area, period)
        return None if row is None else shown_value(row)


def latest_on_or_before(series: pd.DataFrame, area: str, day: date) -> pd.Series | None:
    """The row of ``area`` for the latest period ending on or before ``day``."""
    return SeriesRows(series).latest_on_or_before(area, day)


def value_in(series: pd.DataFrame, area: str, period: Period) -> float | None:
    """The value of ``area`` in exactly ``period``, or None."""
    return SeriesRows(series).value_in(area, period)


def shown_value(row: pd.Series) -> float | None:
    """A results row's value as a report shows it: None when missing, ``SUPPRESSED`` when
    withheld by disclosure control."""
    if bool(row.get("suppressed", False)):
        return SUPPRESSED
    return _opt(row["value"])


SPC_COLUMNS = ("spc_mean", "spc_lpl", "spc_upl", "spc_points")
"""What ``prepare`` stores of the XmR chart whose latest point is a row: its mean, lower and
upper process limits, and its points' types and rules (:func:`spc_points`)."""
POINT_CODES: dict[PointType, str] = {
    "common_cause": "c",
    "special_cause_improvement": "i",
    "special_cause_concern": "x",
    "special_cause_neutral_high": "h",
    "special_cause_neutral_low": "l",
}
RULE_BITS = {"outside_limits": 1, "shift": 2, "trend": 4, "two_of_three": 8}
"""Each rule's bit in a point's rule digit (``'trend+shift'`` is 6); a digit is read back in
:data:`~perfreport.methods.spc.PRECEDENCE` order, as :func:`~perfreport.methods.spc.classify`
names the rules."""


def spc_points(chart: Classified) -> str:
    """Two characters a point, oldest first: its type's letter (:data:`POINT_CODES`) and the
    hexadecimal sum of the bits of the rules that flagged it (:data:`RULE_BITS`).

    >>> from perfreport.methods.spc import classify
    >>> spc_points(classify([5, 6, 5, 7, 6, 5, 6, 7, 6, 5, 14]))
    'c0c0c0c0c0c0c0c0c0c0i1'
    """
    digits = [sum(RULE_BITS[r] for r in rule.split("+")) if rule else 0 for rule in chart.rules]
    return "".join(f"{POINT_CODES[t]}{d:x}" for t, d in zip(chart.point_types, digits, strict=True))


def stored_xmr(
    observed: pd.DataFrame, target: float | None, improvement: Improvement, rules: str
) -> XmrResult | None:
    """The XmR chart ``prepare`` stored on the last of ``observed`` (one area's results rows
    with a value, in time order), drawn against ``target``: ``None`` when it has too few
    points for SPC, or when a withheld point leaves the rows short of the stored chart."""
    if observed.empty or not isinstance(observed["spc_points"].iloc[-1], str):
        return None
    last = observed.iloc[-1]
    codes = str(last["spc_points"])
    if len(codes) != 2 * len(observed):
        return None
    kinds = {code: kind for kind, code in POINT_CODES.items()}
    types = [kinds[c] for c in codes[::2]]
    named = [[r for r in PRECEDENCE if int(d, 16) & RULE_BITS[r]] for d in codes[1::2]]
    y = observed["value"].to_numpy(float)
    n = len(y)
    points = pd.DataFrame(
        {
            "value": y,
            "mean": np.full(n, float(last["spc_mean"])),
            "lpl": np.full(n, float(last["spc_lpl"])),
            "upl": np.full(n, float(last["spc_upl"])),
            "moving_range": np.r_[np.nan, np.abs(np.diff(y))],
            "baseline": np.zeros(n, dtype=int),
            "point_type": types,
            "rule": pd.Series(["+".join(r) or None for r in named], dtype=object),
        }
    )
    assured = assurance(target, improvement, float(last["spc_lpl"]), float(last["spc_upl"]))
    return XmrResult(points, types[-1], assured, RULE_SETS[rules], improvement, target)
