"""Period labels as UK open data publish them, read into :class:`~perfreport.methods.periods.Period`.

:func:`parse_period_label` reads everything :func:`~perfreport.methods.periods.parse_period`
does and also the labels of published extracts (:data:`LABEL_FORMATS`): ``Jan-Mar 2018`` (a
calendar quarter, which is the financial quarter of the same months: Q4 2017/18), ``April 2021``
or ``Apr 2021``, ``202104``, and ISO dates (``2021-04-01``, or ``2007-07-31``, the last day of
July 2007), which mean the month holding them unless a kind is given.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period, PeriodKind, parse_period

LABEL_FORMATS = (
    "2024/25 (financial year)",
    "Q1 2024/25 or 2024/25 Q1 (financial quarter)",
    "Jan-Mar 2018 (calendar quarter)",
    "H1 2024/25 (half year)",
    "April 2021 or Apr 2021 (month)",
    "2021-04 or 202104 (month)",
    "2021-04-01 or 2021-04-30 (ISO date: its month)",
    "2024 (calendar year)",
)
"""Every label format accepted, with an example, as a refusal lists them."""

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}
_MONTHS["sept"] = 9
_NAMED_MONTH = re.compile(r"^(?P<m>[A-Za-z]+)\.?[ -](?P<y>\d{4})$")
_MONTH_SPAN = re.compile(r"^(?P<a>[A-Za-z]+)\s*(?:-|\u2013|to)\s*(?P<b>[A-Za-z]+)[ -](?P<y>\d{4})$")
_COMPACT_MONTH = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$")
_ISO_DATE = re.compile(r"^(?P<d>\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00)?)?$")


def parse_period_label(
    text: str, *, kind: PeriodKind | None = None, what: str = "period"
) -> Period:
    """The period ``text`` names, in any of :data:`LABEL_FORMATS`.

    An ISO date is the period of ``kind`` holding it (a month when ``kind`` is None).

    Raises
    ------
    PerfreportError
        Naming ``what`` and listing :data:`LABEL_FORMATS` when the text is none of them.

    >>> parse_period_label("Jan-Mar 2018").label
    'Q4 2017/18'
    >>> parse_period_label("2007-07-31").label
    'July 2007'
    """
    s = str(text).strip()
    found = _extra(s, kind)
    if found is not None:
        return found
    try:
        return parse_period(s, what=what)
    except PerfreportError:
        pass
    raise PerfreportError(
        f"{what} {s!r} is not a period label; accepted: {'; '.join(LABEL_FORMATS)}"
    )


def _extra(s: str, kind: PeriodKind | None) -> Period | None:
    """The period of a label :func:`parse_period` does not read, or None."""
    try:
        if (m := _ISO_DATE.match(s)) is not None:
            return Period.containing(kind or "month", date.fromisoformat(m["d"]))
        if (m := _COMPACT_MONTH.match(s)) is not None and 1 <= int(m["m"]) <= 12:
            return Period.containing("month", date(int(m["y"]), int(m["m"]), 1))
        if (m := _NAMED_MONTH.match(s)) is not None and m["m"].lower() in _MONTHS:
            return Period.containing("month", date(int(m["y"]), _MONTHS[m["m"].lower()], 1))
        if (m := _MONTH_SPAN.match(s)) is not None:
            return _calendar_quarter(m["a"].lower(), m["b"].lower(), int(m["y"]))
    except ValueError:  # a day no calendar holds (2021-02-30)
        return None
    return None


def _calendar_quarter(first: str, last: str, year: int) -> Period | None:
    """``Jan``..``Mar`` of ``year`` as the quarter of those months, when they are one."""
    a, b = _MONTHS.get(first), _MONTHS.get(last)
    if a is None or b is None or (a - 1) % 3 or b != a + 2:
        return None
    period = Period.containing("quarter", date(year, a, 1))
    return period if period.start == date(year, a, 1) else None
