"""Reporting periods as UK public-sector bodies use them.

Financial years run April to March (``2024/25``); quarters are financial quarters (Q1 = April
to June, Q4 = January to March); half years are financial halves (H1 = April to September); months are calendar months; some national indicators are
published by calendar year. Labels are always derived from dates, never typed by hand.

Every period has an *id* that is safe in file paths and a *label* for readers:

============== ============== ====================
kind           id             label
============== ============== ====================
month          ``2025-03``    March 2025
quarter        ``2024-25-Q4`` Q4 2024/25
half_year      ``2024-25-H2`` H2 2024/25
financial_year ``FY2024-25``  2024/25
calendar_year  ``2024``       2024
============== ============== ====================
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Literal

from perfreport.errors import PerfreportError

PeriodKind = Literal["month", "quarter", "half_year", "financial_year", "calendar_year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = (
    "month",
    "quarter",
    "half_year",
    "financial_year",
    "calendar_year",
)
FINANCIAL_YEAR_START_MONTH = 4
MONTHS_IN = {"month": 1, "quarter": 3, "half_year": 6, "financial_year": 12, "calendar_year": 12}

_MONTH = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})$")
_QUARTER = re.compile(
    r"^(?:(?P<y1>\d{4})[-/](?P<y2>\d{2})[- ]?Q(?P<q>[1-4])|Q(?P<q2>[1-4]) (?P<y3>\d{4})[-/](?P<y4>\d{2}))$"
)
_HALF = re.compile(
    r"^(?:(?P<y1>\d{4})[-/](?P<y2>\d{2})[- ]?H(?P<h>[12])|H(?P<h2>[12]) (?P<y3>\d{4})[-/](?P<y4>\d{2}))$"
)
_FY = re.compile(r"^(?:FY(?P<y>\d{4})-|(?P<yl>\d{4})/|(?P<yb>\d{4})-)(?P<y2>\d{2})$")
_CY = re.compile(r"^(?P<y>\d{4})$")


def add_months(d: date, months: int) -> date:
    """``d`` moved by a number of calendar months, its day kept where the month has it and
    the month's last day where it has not (as ``pandas.DateOffset(months=...)``).

    >>> add_months(date(2025, 3, 31), -1), add_months(date(2024, 4, 1), -12)
    (datetime.date(2025, 2, 28), datetime.date(2023, 4, 1))
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def financial_year_start(d: date) -> int:
    """The calendar year in which the financial year containing ``d`` starts.

    >>> financial_year_start(date(2025, 3, 31)), financial_year_start(date(2025, 4, 1))
    (2024, 2025)
    """
    return d.year if d.month >= FINANCIAL_YEAR_START_MONTH else d.year - 1


def financial_year_label(start_year: int) -> str:
    """``2024`` -> ``'2024/25'``."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def _start_of(kind: PeriodKind, d: date) -> date:
    """The first day of the period of ``kind`` containing ``d``."""
    if kind == "month":
        return date(d.year, d.month, 1)
    if kind in ("quarter", "half_year"):
        offset = (d.month - FINANCIAL_YEAR_START_MONTH) % MONTHS_IN[kind]
        return add_months(date(d.year, d.month, 1), -offset)
    if kind == "financial_year":
        return date(financial_year_start(d), FINANCIAL_YEAR_START_MONTH, 1)
    if kind == "calendar_year":
        return date(d.year, 1, 1)
    raise ValueError(f"kind must be one of {PERIOD_KINDS}, not {kind!r}")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: its kind and the first day of it."""

    start: date
    kind: PeriodKind

    def __post_init__(self) -> None:
        if _start_of(self.kind, self.start) != self.start:
            raise ValueError(f"{self.start} is not the first day of a {self.kind}")

    @classmethod
    def containing(cls, kind: PeriodKind, d: date) -> Period:
        """The period of ``kind`` that contains the day ``d``.

        >>> Period.containing("quarter", date(2025, 2, 14)).label
        'Q4 2024/25'
        """
        return cls(_start_of(kind, d), kind)

    @cached_property
    def end(self) -> date:
        """The last day of the period (worked out once: prepare asks millions of times)."""
        return add_months(self.start, MONTHS_IN[self.kind]) - timedelta(days=1)

    @property
    def quarter_number(self) -> int:
        """Financial quarter 1–4 (Q1 = April–June) of the period's start."""
        return (self.start.month - FINANCIAL_YEAR_START_MONTH) % 12 // 3 + 1

    @property
    def half_number(self) -> int:
        """Financial half 1–2 (H1 = April–September) of the period's start."""
        return (self.start.month - FINANCIAL_YEAR_START_MONTH) % 12 // 6 + 1

    @property
    def id(self) -> str:
        """A path-safe identifier: ``2025-03``, ``2024-25-Q4``, ``2024-25-H2``, ``FY2024-25``, ``2024``.

        A financial year's id starts ``FY`` so it can never be read as a month
        (``2011-12`` is December 2011).
        """
        fy = financial_year_start(self.start)
        years = f"{fy}-{(fy + 1) % 100:02d}"
        return self._named(
            f"{self.start.year}-{self.start.month:02d}", years, "-Q", "-H", f"FY{years}"
        )

    @property
    def label(self) -> str:
        """The label a reader expects: ``March 2025``, ``Q4 2024/25``, ``H2 2024/25``, ``2024/25``, ``2024``."""
        fy = financial_year_label(financial_year_start(self.start))
        month = f"{calendar.month_name[self.start.month]} {self.start.year}"
        return self._named(month, fy, "Q", "H", fy, part_first=True)

    def _named(
        self,
        month: str,
        years: str,
        quarter: str,
        half: str,
        year: str,
        *,
        part_first: bool = False,
    ) -> str:
        """The period's name from its kind's pieces: a quarter is ``years`` with ``quarter`` and
        its number after it (or, ``part_first``, before it); a calendar year is its number."""
        if self.kind == "month":
            return month
        if self.kind in ("quarter", "half_year"):
            part = (
                f"{quarter}{self.quarter_number}"
                if self.kind == "quarter"
                else f"{half}{self.half_number}"
            )
            return f"{part} {years}" if part_first else f"{years}{part}"
        if self.kind == "financial_year":
            return year
        return str(self.start.year)

    @property
    def long_label(self) -> str:
        """The label with the months spelled out: ``Q4 2024/25 (January to March 2025)``."""
        if self.kind == "month":
            return self.label
        first = calendar.month_name[self.start.month]
        if self.start.year != self.end.year:
            first += f" {self.start.year}"
        last = f"{calendar.month_name[self.end.month]} {self.end.year}"
        return f"{self.label} ({first} to {last})"

    def shift(self, n: int) -> Period:
        """The period ``n`` periods later (earlier when negative)."""
        return Period.containing(self.kind, add_months(self.start, n * MONTHS_IN[self.kind]))

    def previous(self) -> Period:
        return self.shift(-1)

    def year_earlier(self) -> Period:
        """The same period one year before (same quarter last year, and so on)."""
        return Period.containing(self.kind, add_months(self.start, -12))

    def months(self) -> list[Period]:
        """The calendar months the period spans."""
        return [
            Period.containing("month", add_months(self.start, i))
            for i in range(MONTHS_IN[self.kind])
        ]

    def __str__(self) -> str:
        return self.label


def parse_period(text: str, *, what: str = "period") -> Period:
    """Read a period id or label.

    Accepted: ``2025-03`` (month), ``2024-25-Q4``, ``2024/25 Q4`` or ``Q4 2024/25`` (quarter), ``2024-25-H2`` or ``H2 2024/25`` (half year),
    ``FY2024-25`` or ``2024/25`` (financial year; also ``2024-25`` where that cannot be a month),
    ``2024`` (calendar year). ``YYYY-MM`` is always read as a month when it can be one. The
    second year is always the first plus one: ``2024/26`` is refused, and ``1999/00`` is the
    year from April 1999 to March 2000, as UK bodies write it. Whether the data reach a period
    is checked where the data are known (:func:`perfreport.build.pipeline.data_span`).

    Raises
    ------
    PerfreportError
        Naming ``what`` (the parameter or field) when the text is not a period.

    >>> parse_period("Q4 2024/25").id
    '2024-25-Q4'
    """
    try:
        period = _parse(str(text).strip())
        if period is not None:
            _ = period.end  # a period running past the year 9999 has no last day
    except ValueError:  # a year no calendar holds (0000, 9999-00)
        period = None
    if period is not None:
        return period
    raise PerfreportError(
        f"{what} {text!r} is not a period; use a month (2025-03), quarter (2024-25-Q4 or "
        "Q4 2024/25), half year (2024-25-H2), financial year (2024/25) or calendar year (2024)"
    )


def _parse(s: str) -> Period | None:
    m = _MONTH.match(s)
    if m and 1 <= int(m["m"]) <= 12:
        return Period.containing("month", date(int(m["y"]), int(m["m"]), 1))
    if (m := _QUARTER.match(s)) is not None:
        y1, y2, q = (m["y1"], m["y2"], m["q"]) if m["y1"] else (m["y3"], m["y4"], m["q2"])
        if _consecutive(y1, y2):
            start = add_months(date(int(y1), FINANCIAL_YEAR_START_MONTH, 1), 3 * (int(q) - 1))
            return Period.containing("quarter", start)
    if (m := _HALF.match(s)) is not None:
        y1, y2, h = (m["y1"], m["y2"], m["h"]) if m["y1"] else (m["y3"], m["y4"], m["h2"])
        if _consecutive(y1, y2):
            start = add_months(date(int(y1), FINANCIAL_YEAR_START_MONTH, 1), 6 * (int(h) - 1))
            return Period.containing("half_year", start)
    if (m := _FY.match(s)) is not None:
        first = m["y"] or m["yl"] or m["yb"]
        if _consecutive(first, m["y2"]):
            return Period.containing(
                "financial_year", date(int(first), FINANCIAL_YEAR_START_MONTH, 1)
            )
    if (m := _CY.match(s)) is not None:
        return Period.containing("calendar_year", date(int(m["y"]), 1, 1))
    return None


def _consecutive(first: str, second_two_digits: str) -> bool:
    return (int(first) + 1) % 100 == int(second_two_digits)


def periods_between(kind: PeriodKind, first: date, last: date) -> list[Period]:
    """Every period of ``kind`` from the one containing ``first`` to the one containing ``last``."""
    out, p = [], Period.containing(kind, first)
    stop = Period.containing(kind, last)
    while p <= stop:
        out.append(p)
        p = p.shift(1)
    return out


def period_kind_of(start: date, end: date) -> PeriodKind:
    """The kind of period running from ``start`` to ``end`` (both inclusive)."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 1:
        return "month"
    if months == 3:
        return "quarter"
    if months == 6:
        return "half_year"
    return "calendar_year" if start.month == 1 else "financial_year"
