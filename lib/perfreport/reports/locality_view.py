"""What the locality, quarterly, annual and scorecard reports share: one area's headlines.

A :class:`LocalityView` reads the prepared series of an area, its partnership and the country
at the period a report speaks of, and holds one :class:`Headline` per indicator with data: its
latest value, status (in the cycle's RAG family) and change on a year earlier. The tables and
charts drawn from it are in :mod:`~perfreport.reports.headline_tables` and
:mod:`~perfreport.reports.trends`; :class:`LocalityParts` gives a report class the methods its
notebook calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from numbers import Real

import pandas as pd

from perfreport.assess.rag import rag_of
from perfreport.assess.scorecard import Family
from perfreport.assess.series import SeriesRows, shown_value
from perfreport.config.areas import Area
from perfreport.config.catalogue import Indicator
from perfreport.config.wording import Wording
from perfreport.methods.periods import Period, PeriodKind
from perfreport.methods.rounding import counted
from perfreport.methods.status import Rag
from perfreport.methods.suppressed import SUPPRESSED, Suppressed
from perfreport.reports.context import ReportContext


@dataclass(frozen=True)
class Headline:
    """One indicator's line in the report: latest value, target status and change."""

    indicator: Indicator
    period: Period
    value: float | None
    rag: Rag
    previous_period: Period | None
    previous_value: float | None
    partnership: float | None
    country: float | None
    target_text: str = "none"
    target_value: float | None = None
    lower: float | None = None
    upper: float | None = None
    not_calculated: str | None = None
    """Why an indicator with data has no value (a rate from fewer than 10 events)."""

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        if isinstance(self.value, Suppressed) or isinstance(self.previous_value, Suppressed):
            return SUPPRESSED  # a change would reveal the withheld figure
        return self.value - self.previous_value


class LocalityView:
    """An area's headlines at ``period``, with its partnership and the country to compare.

    An area with no figure at the report's period (two months of data, not a whole quarter)
    has no headlines, and :meth:`lead` says what data there are.
    """

    def __init__(
        self,
        ctx: ReportContext,
        area: Area,
        period: Period,
        family: Family,
        report_kind: PeriodKind,
        wording: Wording,
    ) -> None:
        self.ctx, self.area, self.period, self.family = ctx, area, period, family
        self.wording = wording
        self.body = ctx.areas.body_of(area.code)
        self.comparator = ctx.areas.comparator
        self.series = ctx.series(
            [a.code for a in (area, self.body, self.comparator) if a is not None],
            report_kind,
        )
        self.headlines = [
            h for h in (self._headline(ind) for ind in ctx.catalogue) if h is not None
        ]

    @property
    def is_body(self) -> bool:
        """Whether the area is its own partnership (no partnership column or line)."""
        return self.area.code == self.body.code

    @property
    def sections(self) -> list[str]:
        """The scorecard sections with a headline, in the framework's order."""
        present = {h.indicator.scorecard.section for h in self.headlines}
        return [s for s in self.ctx.catalogue.framework.sections if s in present]

    def in_section(self, section: str) -> list[Headline]:
        return [h for h in self.headlines if h.indicator.scorecard.section == section]

    def lead(self) -> str:
        """One sentence: how many indicators, for whom, when, against what (or, with none,
        what data the area has)."""
        if not self.headlines:
            return self._nothing_to_show()
        against = [] if self.is_body else [self.body.name]
        against += [self.comparator.name] if self.comparator else []
        return (
            f"Performance of {counted(len(self.headlines), 'indicator')} for {self.area.name} in "
            f"{self.period.long_label}, against their targets"
            + (f" and compared with {' and '.join(against)}" if against else "")
            + "."
        )

    def _nothing_to_show(self) -> str:
        """``'No indicator has a figure for X for Q4 2024/25 (…): its data cover February 2025
        to March 2025 (2 months), too few for the quarter, a trend or SPC.'``"""
        rows = self.ctx.results([self.area.code])
        rows = rows[rows["value"].notna() & (rows["period_end"].map(_day) <= self.period.end)]
        nothing = f"No indicator has a figure for {self.area.name} for {self.period.long_label}"
        if rows.empty:
            return f"{nothing}: no data are held for it up to then."
        months = {m for p in rows["period"] for m in p.months()}
        first, last = min(months), max(months)
        count = f"{len(months)} month{'s' if len(months) != 1 else ''}"
        return (
            f"{nothing}: its data cover {first.label} to {last.label} ({count}), too few "
            f"for a figure for the {self.period.kind.replace('_', ' ')}, a trend or SPC."
        )

    def data(self, lines: list[Headline]) -> pd.DataFrame:
        """The open data behind a table of ``lines``."""
        return pd.DataFrame(
            [
                {
                    "indicator_id": h.indicator.id,
                    "area_code": self.area.code,
                    "period": h.period.id,
                    "value": h.value,
                    "target": h.target_text,
                    "status": h.rag.status.value,
                    "reason": h.rag.reason,
                    "previous_period": h.previous_period.id if h.previous_period else None,
                    "previous_value": h.previous_value,
                }
                for h in lines
            ]
        )

    def _headline(self, ind: Indicator) -> Headline | None:
        """The indicator's latest prepared result for the area, as ``prepare`` computed it."""
        series = self.series.get(ind.id)
        if series is None or series.empty:
            return None
        rows = SeriesRows(series)
        latest = rows.latest_on_or_before(self.area.code, self.period.end)
        if latest is None:
            return None
        period: Period = latest["period"]
        value = shown_value(latest)
        previous = self._previous_period(rows, ind, period)
        target_value = None if pd.isna(latest["target_value"]) else float(latest["target_value"])
        return Headline(
            indicator=ind,
            period=period,
            value=value,
            rag=rag_of(latest, self.family),
            previous_period=previous,
            previous_value=rows.value_in(self.area.code, previous) if previous else None,
            partnership=rows.value_in(self.body.code, period),
            country=rows.value_in(self.comparator.code, period) if self.comparator else None,
            target_text=str(latest["target_text"]),
            target_value=target_value,
            lower=None if value is SUPPRESSED else _opt(latest.get("lower")),
            upper=None if value is SUPPRESSED else _opt(latest.get("upper")),
            not_calculated=_text(latest.get("not_calculated")),
        )

    def _previous_period(self, rows: SeriesRows, ind: Indicator, period: Period) -> Period | None:
        """A year earlier; for biennial surveys, the survey before."""
        if ind.frequency != "biennial":
            return period.year_earlier()
        earlier = rows.latest_on_or_before(self.area.code, period.start - pd.Timedelta(days=1))
        return None if earlier is None else earlier["period"]


def _opt(value: object) -> float | None:
    """A figure of a results row: None when missing."""
    if not isinstance(value, Real) or math.isnan(value):
        return None
    return float(value)


def _text(value: object) -> str | None:
    """A text of a results row: None when missing."""
    return value if isinstance(value, str) else None


def _day(value: object) -> date:
    return pd.Timestamp(value).date()  # type: ignore[arg-type]
