"""Each row's period, read from the spec's period column(s); a row whose period cannot be read
or lies in the future is refused with its reason.

A day's row (``kind: day``) has the day as its start and end, a week's row (``kind: week``) the
Thursday of its week; :mod:`perfreport.store.ingest.days` makes months of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import cast

import pandas as pd

from perfreport.errors import PerfreportError
from perfreport.methods.period_labels import LABEL_FORMATS, parse_period_label
from perfreport.methods.periods import Period, PeriodKind, period_kind_of
from perfreport.store.ingest.limits import quoted
from perfreport.store.ingest.reasons import Reasons
from perfreport.store.ingest.spec import SourceSpec

THURSDAY_AFTER = {"start": 3, "end": -3}
"""Days from a week's given date to its Thursday: a 7-day week given by its first day (a Monday
week) or its last (ending Sunday) has its Thursday 3 days after or before."""


def read_periods(
    frame: pd.DataFrame, spec: SourceSpec, reasons: Reasons, as_of: date
) -> tuple[pd.Series, pd.Series]:
    """Start and end dates of each row's period (missing where it does not parse)."""
    p = spec.period
    if p.column:
        text = frame[p.column].str.strip()
        parsed = {v: _parse_one(v, p.format, p.kind, p.week_date) for v in text.unique()}
    else:
        text = frame[p.start].str.strip() + " to " + frame[p.end].str.strip()  # type: ignore[index]
        parsed = {v: _parse_span(v) for v in text.unique()}
    periods = text.map(lambda v: parsed[v][0])
    errors = text.map(lambda v: parsed[v][1])
    reasons.add(errors.notna().to_numpy(), lambda w: [str(errors.iat[i]) for i in w])
    future = periods.map(lambda q: q is not None and q.start > as_of).to_numpy()
    reasons.add(
        future,
        lambda w: [
            f"period {cast(Period | Day, periods.iat[i]).label} lies in the future (after {as_of:%d %B %Y})"
            for i in w
        ],
    )
    return periods.map(lambda q: q.start if q else None), periods.map(
        lambda q: q.end if q else None
    )


@cache
def _parse_one(
    value: str, fmt: str, kind: str | None, week_date: str = "start"
) -> tuple[Period | Day | None, str | None]:
    if fmt == "label":
        try:
            period = parse_period_label(value, kind=cast(PeriodKind | None, kind))
        except PerfreportError:
            return None, (
                f"period {quoted(value)} is not a period label; accepted: {'; '.join(LABEL_FORMATS)}"
            )
        if kind and period.kind != kind:
            return None, f"period {quoted(value)} is a {period.kind}, not a {kind}"
        return period, None
    try:
        day = datetime.strptime(value, fmt).date()
    except ValueError:
        return None, f"period {quoted(value)} does not parse with format {fmt!r}"
    if kind == "day":
        return Day(day, day), None
    if kind == "week":
        thursday = day + timedelta(days=THURSDAY_AFTER[week_date])
        return Day(thursday, thursday), None
    return Period.containing(cast(PeriodKind, kind), day), None


@dataclass(frozen=True)
class Day:
    """A day (or a week's Thursday) read from a daily or weekly extract."""

    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.day} {self.start:%B %Y}"


@cache
def _parse_span(value: str) -> tuple[Period | None, str | None]:
    first, _, last = value.partition(" to ")
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
        if end < start:
            raise ValueError
        period = Period.containing(period_kind_of(start, end), start)
    except ValueError:
        return None, f"period {quoted(value)} is not a pair of ISO dates (YYYY-MM-DD)"
    if (period.start, period.end) != (start, end):
        return None, f"period {quoted(value)} is not a whole month, quarter or year"
    return period, None
