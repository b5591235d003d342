"""Each indicator's figures for every area and period: missing periods, roll-ups to longer
periods, confidence intervals and the changes on the period before and the year before."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from perfreport.assess.series import to_periods
from perfreport.config.catalogue import ALL, Indicator
from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period, PeriodKind
from perfreport.methods.stats import poisson_limits, proportion


def with_missing_periods(
    mine: pd.DataFrame, ind: Indicator, last_day: date, area_types: dict[str, str]
) -> pd.DataFrame:
    """Add empty totals rows for periods with no data, up to the latest period the warehouse
    holds, so that a return that stopped shows as "no data" and, in time, as stale."""
    kind = mine["period"].iloc[0].kind
    last = Period.containing(kind, last_day)
    if last.end > last_day:
        last = last.previous()
    step = 2 if ind.frequency == "biennial" else 1
    rows = []
    totals = mine[mine["breakdown"] == ALL]
    for area, group in totals.groupby("area_code"):
        if str(area) not in area_types:
            continue  # every area of params/areas.yaml is assessed
        held = set(group["period"])
        period = min(held)
        while period <= last:
            if period not in held:
                rows.append(
                    {
                        "indicator_id": ind.id,
                        "area_code": area,
                        "period_start": period.start,
                        "period_end": period.end,
                        "breakdown": ALL,
                        "category": ALL,
                        "numerator": np.nan,
                        "denominator": np.nan,
                        "value": np.nan,
                        "period": period,
                        "observed": False,
                        "derived": False,
                    }
                )
            period = period.shift(step)
    mine = mine.assign(observed=True)
    if not rows:
        return mine
    return pd.concat([mine, pd.DataFrame(rows)], ignore_index=True)


ROLL_UPS: dict[str, tuple[PeriodKind, ...]] = {
    "month": ("quarter", "financial_year"),
    "quarter": ("financial_year",),
}
"""The longer periods a sub-annual indicator is also combined into, for quarterly and annual reports."""


def roll_ups(native: pd.DataFrame, ind: Indicator) -> list[pd.DataFrame]:
    """Quarter and financial-year rows for a monthly indicator, financial-year rows for a
    quarterly one (its periods combined by its aggregation rule; incomplete periods left out);
    none for an indicator whose aggregation is ``none``.

    Raises
    ------
    PerfreportError
        When the rule adds numerators and denominators (``ratio``, ``population``) but the
        indicator's rows carry values only.
    """
    kinds = () if ind.time_aggregation == "none" else ROLL_UPS.get(ind.period_kind, ())
    if kinds:
        _check_parts(native, ind)
    out = []
    for kind in kinds:
        parts = []
        for (breakdown, category), group in native.groupby(["breakdown", "category"], sort=False):
            combined = to_periods(group, ind, kind)
            if not combined.empty:
                parts.append(combined.assign(breakdown=str(breakdown), category=str(category)))
        if parts:
            frame = pd.concat(parts, ignore_index=True)
            out.append(
                frame.assign(
                    period_start=frame["period"].map(lambda p: p.start),
                    period_end=frame["period"].map(lambda p: p.end),
                )
            )
    return out


def _check_parts(native: pd.DataFrame, ind: Indicator) -> None:
    """Refuse a ``ratio`` or ``population`` rule for rows with no numerator and denominator."""
    rule = ind.time_aggregation
    if rule not in ("ratio", "population"):
        return
    if (native["numerator"].notna() & native["denominator"].notna()).any():
        return
    default = "" if ind.aggregation else f" (the default for method '{ind.method}')"
    raise PerfreportError(
        f"indicator '{ind.id}': aggregation '{rule}'{default} needs numerators and "
        "denominators, but its rows carry values only; declare aggregation: mean, sum, last "
        "or none"
    )


def with_intervals(frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    num, den = frame["numerator"].to_numpy(float), frame["denominator"].to_numpy(float)
    lower = np.full(len(frame), np.nan)
    upper = np.full(len(frame), np.nan)
    method = None
    usable = np.isfinite(num) & np.isfinite(den) & (den > 0) & (num >= 0)
    if ind.method in ("proportion", "survey"):
        ok = usable & (num <= den)
        if ok.any():
            e = proportion(num[ok], den[ok], multiplier=ind.multiplier)
            lower[ok], upper[ok] = e.lower, e.upper
        method = "Wilson"
    elif ind.method in ("rate", "dsr", "isr", "smr"):
        if usable.any():
            low, high = poisson_limits(num[usable])
            lower[usable], upper[usable] = (
                low / den[usable] * ind.multiplier,
                high / den[usable] * ind.multiplier,
            )
        method = (
            "Byar (exact below 10)"
            if ind.method == "rate"
            else "Byar (exact below 10), crude (not age-standardised)"
        )
    elif ind.method == "count" and ind.time_aggregation == "sum":
        num = np.where(np.isfinite(num), num, frame["value"].to_numpy(float))  # value-only counts
        counts = np.isfinite(num) & (num >= 0)
        if counts.any():
            lower[counts], upper[counts] = poisson_limits(num[counts])
        method = "Poisson"
    return frame.assign(lower=lower, upper=upper, ci_method=method)


def with_changes(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["area_code", "breakdown", "category"]
    values = frame[[*keys, "period", "value"]]
    previous = values.assign(period=values["period"].map(lambda p: p.shift(1))).rename(
        columns={"value": "previous_value"}
    )
    year_ago = values.assign(period=values["period"].map(_a_year_later)).rename(
        columns={"value": "year_ago_value"}
    )
    out = frame.merge(previous, on=[*keys, "period"], how="left").merge(
        year_ago, on=[*keys, "period"], how="left"
    )
    return out.assign(
        change_previous=out["value"] - out["previous_value"],
        change_year=out["value"] - out["year_ago_value"],
    )


def _a_year_later(p: Period) -> Period:
    """The period a year after ``p`` (so that ``p``'s value is that period's 'a year earlier')."""
    return Period.containing(p.kind, date(p.start.year + 1, p.start.month, 1))
