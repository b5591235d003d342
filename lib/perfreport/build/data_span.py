"""Which periods the warehouse's data cover (:class:`DataSpan`): a ``--period`` is checked
against them, and a cycle's default period is the latest complete one in its own areas' data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period, parse_period
from perfreport.store.warehouse import connect, latest_month, scalar

if TYPE_CHECKING:
    from perfreport.config.context import Setup

PERIOD_PARAMETER = "parameter '--period':"


class NoData(PerfreportError):
    """The warehouse holds nothing a cycle could report on: no observations for its areas, or
    not one whole period of its kind."""


@dataclass(frozen=True)
class DataSpan:
    """The days the warehouse's observations cover: the first day of the earliest period and
    the last day of the latest."""

    first: date
    last: date

    @property
    def description(self) -> str:
        """``'April 2019 to March 2025'``."""
        return f"{_month_of(self.first)} to {_month_of(self.last)}"

    def check(self, period: Period, text: str, what: str = PERIOD_PARAMETER) -> Period:
        """``period`` if the data cover it whole; otherwise a one-line user error naming the range.

        >>> span = DataSpan(date(2019, 4, 1), date(2025, 3, 31))
        >>> span.check(parse_period("2019-01"), "2019-01")
        Traceback (most recent call last):
        perfreport.errors.PerfreportError: parameter '--period': 2019-01 is before the first data (April 2019); the data cover April 2019 to March 2025
        """
        if period.start < self.first:
            where = "is before" if period.end < self.first else "starts before"
            problem = f"{where} the first data ({_month_of(self.first)})"
        elif period.end > self.last:
            where = "is after" if period.start > self.last else "ends after"
            problem = f"{where} the latest data ({_month_of(self.last)})"
        else:
            return period
        raise PerfreportError(f"{what} {text} {problem}; the data cover {self.description}")


def _month_of(day: date) -> str:
    return Period.containing("month", day).label


def data_span(setup: Setup, area_types: Sequence[str] = ()) -> DataSpan:
    """The span of the warehouse's observations (a user error when it holds none): of the
    areas of ``area_types`` where given (a cycle reports on its own areas' data, whatever
    later figures Scotland's extract carries). An area's figures include those its child areas
    add up to (:mod:`perfreport.assess.area_sums`), so their data count as its own."""
    codes = _with_descendants(
        setup, [a.code for a in setup.areas if a.type in area_types or "all" in area_types]
    )
    with connect(setup.project.warehouse, read_only=True) as con:
        if area_types:
            marks = ", ".join("?" * len(codes)) or "NULL"
            first, last = con.execute(
                "SELECT min(period_start), max(period_end) FROM observations "
                f"WHERE area_code IN ({marks})",
                codes,
            ).fetchone() or (None, None)
        else:
            first = scalar(con, "SELECT min(period_start) FROM observations")
            last = latest_month(con)
    if first is None or last is None:
        whose = f" for {' or '.join(area_types)} areas" if area_types else ""
        raise NoData(f"{setup.project.warehouse}: the warehouse holds no observations{whose}")
    return DataSpan(first, last)


def _with_descendants(setup: Setup, codes: list[str]) -> list[str]:
    out = list(codes)
    for code in out:  # grows as it goes: children, then theirs
        out += [c.code for c in setup.areas.children(code) if c.code not in out]
    return out


def areas_with_data(setup: Setup, period: Period) -> frozenset[str]:
    """The areas with a prepared figure (their own, or summed from their child areas) for a
    period that overlaps ``period``."""
    with connect(setup.project.warehouse, read_only=True) as con:
        rows = con.execute(
            "SELECT DISTINCT area_code FROM results WHERE value IS NOT NULL "
            "AND period_start <= ? AND period_end >= ?",
            [period.end, period.start],
        ).fetchall()
    return frozenset(code for (code,) in rows)


def period_in_data(setup: Setup, text: str, span: DataSpan | None = None) -> Period:
    """Parse ``--period`` and check that the data cover it (see :meth:`DataSpan.check`)."""
    period = parse_period(text, what=PERIOD_PARAMETER)
    return (span or data_span(setup)).check(period, text.strip())


def latest_complete(setup: Setup, kind: str, span: DataSpan | None = None) -> Period:
    """The latest period of ``kind`` whose last day the warehouse's data reach; a user error
    when the data do not cover a whole period of that kind."""
    span = span or data_span(setup)
    period = Period.containing(kind, span.last)  # type: ignore[arg-type]
    period = period if period.end <= span.last else period.previous()
    if period.start < span.first:
        raise NoData(f"the data cover {span.description}: no whole {kind.replace('_', ' ')} yet")
    return period
