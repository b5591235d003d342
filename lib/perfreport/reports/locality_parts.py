"""The reports that hold a :class:`LocalityView` (locality, quarterly, annual, scorecard): the
view built in the constructor, and the notebook methods that draw from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pandas as pd
from markupsafe import Markup

from perfreport.assess.scorecard import Family
from perfreport.config.areas import Area
from perfreport.methods.periods import Period, PeriodKind
from perfreport.present.charts import Chart
from perfreport.present.tables import Html, Section, Table
from perfreport.reports import headline_tables, standardised_tables, trends
from perfreport.reports.context import Report, ReportContext
from perfreport.reports.locality_view import Headline, LocalityView


class LocalityParts(Report):
    """A report that holds a :class:`LocalityView` of its area at its ``report_kind`` of
    period, and shows its parts: ``report.headline_table()`` and the rest.

    The report classes built on it do not inherit from one another; each adds its own parts.
    """

    report_kind: ClassVar[PeriodKind] = "quarter"
    """The period the report shows indicators at (monthly ones combined up to it)."""

    def __init__(
        self, ctx: ReportContext, area: Area, period: Period, family: Family = "target"
    ) -> None:
        super().__init__(ctx, area, period, family)
        self.view = LocalityView(ctx, area, period, family, self.report_kind, self.wording)
        self.read_more()

    def read_more(self) -> None:
        """What a report reads besides its view (called once, at the end of the constructor):
        its own parts override this rather than the constructor."""

    @property
    def headlines(self) -> list[Headline]:
        return self.view.headlines

    @property
    def body(self) -> Area:
        """The body the area belongs to (the partnership of a locality; the area itself)."""
        return self.view.body

    @property
    def comparator(self) -> Area | None:
        """The comparator area (Scotland), if ``params/areas.yaml`` has one."""
        return self.view.comparator

    partnership = body
    country = comparator

    @property
    def series(self) -> dict[str, pd.DataFrame]:
        """Each indicator's prepared totals for the area, its body and the comparator."""
        return self.view.series

    def lead(self) -> str:
        """One sentence on what the report covers."""
        return self.view.lead()

    def status_summary(self) -> Table:
        """How many indicators are red, amber, green, without a target or without data."""
        return headline_tables.status_summary(self.view)

    def exceptions(self) -> Html:
        """The indicators that are red, in words, for the summary."""
        return headline_tables.exceptions(self.view)

    def headline_table(self) -> Section:
        """One table per scorecard section: value, target, status, reason and change."""
        return headline_tables.headline_table(self.view)

    def trend_charts(self) -> Section:
        """A small-multiple trend chart for each scorecard section."""
        return trends.trend_charts(self.view)

    def trend_chart(self, name: str, headlines: list[Headline], what: str) -> Chart:
        """Small multiples of ``headlines``' series (see :func:`trends.trend_chart`)."""
        return trends.trend_chart(self.view, name, headlines, what)

    def standardised_rates(self) -> Section | Html:
        """Each age-standardised indicator's rate with its interval, for the area, its body
        and the comparator (see :mod:`~perfreport.reports.standardised_tables`)."""
        return self._standardised(self.compared_areas())

    def compared_areas(self) -> list[tuple[Area, Mapping[str, pd.DataFrame]]]:
        """The areas the report sets side by side, each with the series that hold it."""
        areas = [self.area, self.body, *([self.comparator] if self.comparator else [])]
        return [(a, self.series) for a in dict.fromkeys(areas)]

    def _standardised(self, areas: list[tuple[Area, Mapping[str, pd.DataFrame]]]) -> Section | Html:
        found = standardised_tables.standardised_rates(self.headlines, areas, self.ctx.catalogue)
        return found if found is not None else Html(Markup(""))

    def comparison_table(self) -> Table:
        """The area against its body and the comparator, for every indicator."""
        return headline_tables.comparison_table(self.view)
