"""Each row's period, read from the spec's period column(s); a row whose period cannot be read
or lies in the future is refused with its reason."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import cast

import pandas as pd

from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period, parse_period, period_kind_of
from perfreport.store.ingest.limits import quoted
from perfreport.store.ingest.reasons import Reasons
from perfreport.store.ingest.spec import SourceSpec


def read_periods(
    frame: pd.DataFrame, spec: SourceSpec, reasons: Reasons, as_of: date
) -> tuple[pd.Series, pd.Series]:
    """Start and end dates of each row's period (missing where it does not parse)."""
    p = spec.period
    if p.column:
        text = frame[p.column].str.strip()
        parsed = {v: _parse_one(v, p.format, p.kind) for v in text.unique()}
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
            f"period {cast(Period, periods.iat[i]).label} lies in the future (after {as_of:%d %B %Y})"
            for i in w
        ],
    )
    return periods.map(lambda q: q.start if q else None), periods.map(
        lambda q: q.end if q else None
    )


@cache
def _parse_one(value: str, fmt: str, kind: str | None) -> tuple[Period | None, str | None]:
    try:
        if fmt == "label":
            period = parse_period(value, what="period")
            if kind and period.kind != kind:
                return None, f"period {quoted(value)} is a {period.kind}, not a {kind}"
            return period, None
        return Period.containing(kind, datetime.strptime(value, fmt).date()), None  # type: ignore[arg-type]
    except (ValueError, PerfreportError):
        return None, f"period {quoted(value)} does not parse with format {fmt!r}"


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
