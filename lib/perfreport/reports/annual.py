"""The annual performance report (cycle ``annual``): the partnership's public report for a year.

Integration authorities must publish an annual performance report. This one shows, for a
financial year: the status of every indicator against its target; the national integration
indicators (the Core Suite) and the Ministerial Strategic Group indicators for the partnership
and the country over at least five years (:mod:`~perfreport.reports.national`); the strategic
objectives, rated from their linked indicators and activities, and the delivery plans'
activities (:mod:`~perfreport.reports.delivery`); and the localities.

Monthly and quarterly indicators are shown for the financial year (``prepare`` combines them);
calendar-year indicators sit in the financial year in which their year ends.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from perfreport.assess.rag import describe_value
from perfreport.assess.series import value_in
from perfreport.config.activities import activity_table, load_activities
from perfreport.present.tables import Html, Section, Table
from perfreport.reports import delivery, funnels
from perfreport.reports.delivery import ACTIVITY_BADGES
from perfreport.reports.locality_parts import LocalityParts
from perfreport.reports.national import NATIONAL_SETS, YEARS_SHOWN, national, national_table
from perfreport.reports.standardised_tables import shown

__all__ = ["ACTIVITY_BADGES", "NATIONAL_SETS", "YEARS_SHOWN", "AnnualReport"]


class AnnualReport(LocalityParts):
    """Everything the annual performance report shows, for the partnership and a financial year."""

    cycle = "annual"
    heading = "Annual performance report"
    report_kind = "financial_year"

    def read_more(self) -> None:
        self.localities = self.ctx.areas.parts_of(self.view.body.code)
        self.local_series = self.ctx.series([a.code for a in self.localities], self.report_kind)
        self.years = [self.period.shift(-n) for n in range(YEARS_SHOWN - 1, -1, -1)]
        self.monitor = load_activities(
            self.ctx.project.params / "activities.yaml",
            self.ctx.catalogue,
            self.ctx.catalogue.framework,
        )
        self.activities = activity_table(self.monitor, self.period.end)

    def title_block(self) -> Html:
        """The report's heading, what it covers, its disclosure note and the law it answers."""
        block = super().title_block()
        note = Markup(
            "<p>This is the {}'s annual performance report for {}, published under {}.</p>"
        ).format(self.wording.body, self.period.long_label, self.wording.statute)
        return Html(block.markup + note)

    def national_tables(self) -> Section:
        """Each national set: the partnership and the country in each of the last six years."""
        country = f" and {self.view.comparator.name}" if self.view.comparator else ""
        return Section(
            f"{self.wording.body_heading}{country} by year",
            [national_table(self.view, self.years, k, name) for k, name in NATIONAL_SETS.items()],
            level=3,
            intro=f"Counts depend on the size of an area, so for counts the {self.wording.body}"
            f"{country} are compared as an index ({self.years[0].label} = 100) rather than side "
            "by side. A blank year has no published figure (survey indicators are biennial).",
        )

    def national_charts(self) -> Section:
        """Small multiples of each national set: the partnership's line and the country's."""
        charts = [
            self.trend_chart(name, national(self.view, key), f"the {name}")
            for key, name in NATIONAL_SETS.items()
            if national(self.view, key)
        ]
        return Section("Trends", charts, level=3)

    def standardised_rates(self) -> Section | Html:
        """Each age-standardised indicator's rate with its interval: every locality, the
        partnership and the country."""
        locals_ = [(a, self.local_series) for a in self.localities]
        return self._standardised([*locals_, *self.compared_areas()])

    def objectives_table(self) -> Table:
        """Each strategic objective's status from its linked indicators and activities."""
        framework = self.ctx.catalogue.framework
        return delivery.objectives_table(
            self.monitor, self.activities, self.headlines, framework, self.period
        )

    def activity_progress(self) -> Section:
        """Activities by delivery plan (counts by status) and each activity with its reason."""
        return delivery.activity_progress(self.monitor, self.activities, self.period.end)

    def localities_table(self) -> Table:
        """The latest value of each indicator reported by locality, for each locality."""
        columns = ["Indicator", "Period", *[a.name for a in self.localities], self.area.name]
        rows, records = [], []
        for h in self.headlines:
            local = self.local_series.get(h.indicator.id)
            if local is None:
                continue
            values = [value_in(local, a.code, h.period) for a in self.localities]
            if all(v is None for v in values):
                continue
            cells = [describe_value(h.indicator, v) for v in values]
            rows.append((h.indicator.title, h.period.label, *cells, shown(h)))
            records += [
                {
                    "indicator_id": h.indicator.id,
                    "period": h.period.id,
                    "area_code": a.code,
                    "value": v,
                }
                for a, v in zip([*self.localities, self.area], [*values, h.value], strict=True)
            ]
        return Table(
            f"Indicators by {self.narrative_words['part']}, latest period to {self.period.label}",
            columns,
            rows,
            pd.DataFrame(records),
            numeric=(False, False, *[True] * (len(columns) - 2)),
        )

    def funnel_plots(self) -> Section:
        """The localities on a funnel plot, indicator by indicator
        (:func:`perfreport.reports.funnels.funnel_plots`)."""
        return funnels.funnel_plots(
            self.view, self.localities, self.local_series, self.narrative_words
        )
