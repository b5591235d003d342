"""Monthly key performance measures (cycle ``monthly``): fully automated, no narrative.

Framework table 2 asks for a monthly report of the key measures for senior managers. It shows
exceptions first: every monthly indicator that in the report's month is red (in the cycle's
RAG family), shows special cause of concern on its SPC chart, or has an improvement-plan
exception (amber or red with no plan, a plan past its review date, or past its date for being
back to green while still red; framework section 6.4). Then one XmR chart per monthly
indicator, exceptions first, drawn from the same prepared results.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from perfreport.assess.rag import describe_value, rag_of
from perfreport.assess.scorecard import Family
from perfreport.config.areas import Area
from perfreport.methods.periods import Period
from perfreport.present.charts import Chart
from perfreport.present.spc_chart import spc_chart
from perfreport.present.tables import Html, Section, Table, rag_badge
from perfreport.reports.context import Report, ReportContext
from perfreport.reports.monthly_measures import MonthlyMeasure, monthly_measures, spc_words

__all__ = ["MonthlyMeasure", "MonthlyReport", "rag_of", "spc_words"]  # re-exported


class MonthlyReport(Report):
    """Everything the monthly key performance measures show, for one area and month: its
    :class:`MonthlyMeasure` lines (:func:`monthly_measures`), exceptions first."""

    cycle = "monthly"
    heading = "Monthly key performance measures"

    def __init__(self, ctx: ReportContext, area: Area, period: Period, family: Family) -> None:
        super().__init__(ctx, area, period, family)
        self.settings = ctx.rag_settings()
        self.lines = monthly_measures(ctx, area, period, family, self.settings)

    @property
    def exception_lines(self) -> list[MonthlyMeasure]:
        return [line for line in self.lines if line.exceptions]

    # --- what the notebook shows -------------------------------------------------------------

    def lead(self) -> str:
        n, k = len(self.lines), len(self.exception_lines)
        text = (
            f"{n} monthly indicators for {self.area.name} in {self.period.label}. "
            f"{k} {'is an exception' if k == 1 else 'are exceptions'}: red, showing special cause "
            "of concern, or without the improvement plan the framework requires."
        )
        return text

    def exceptions_table(self) -> Html | Table:
        """The exceptions, each with every reason it is one and the plan in force."""
        lines = self.exception_lines
        if not lines:
            return Html(Markup("<p>No indicator is an exception this month.</p>"))
        rows = [
            (
                line.indicator.title,
                describe_value(line.indicator, line.value),
                rag_badge(line.rag),
                "; ".join(line.exceptions),
                self._plan_id(line),
            )
            for line in lines
        ]
        data = pd.DataFrame(
            {
                "indicator_id": [line.indicator.id for line in lines],
                "period": self.period.id,
                "value": [line.value for line in lines],
                "status": [line.rag.status.value for line in lines],
                "exceptions": ["; ".join(line.exceptions) for line in lines],
                "plan_id": [self._plan_id(line) for line in lines],
            }
        )
        return Table(
            f"Exceptions, {self.area.name}, {self.period.label}",
            ("Indicator", "Value", "Status", "Why it is an exception", "Improvement plan"),
            rows,
            data,
            numeric=(False, True),
        )

    def measures_table(self) -> Table:
        """Every monthly indicator: value, target, status, SPC variation and trend."""
        rows, records = [], []
        for line in self.lines:
            target = "none" if line.row is None else str(line.row["target_text"])
            trend = None if line.row is None else line.row["trend"]
            rows.append(
                (
                    line.indicator.title,
                    describe_value(line.indicator, line.value),
                    target.capitalize(),
                    rag_badge(line.rag),
                    spc_words(line),
                    trend.capitalize() if isinstance(trend, str) else _no_trend(line),
                )
            )
            records.append(
                {
                    "indicator_id": line.indicator.id,
                    "period": self.period.id,
                    "value": line.value,
                    "target": target,
                    "status": line.rag.status.value,
                    "spc": spc_words(line),
                }
            )
        return Table(
            f"All monthly measures, {self.area.name}, {self.period.label}",
            ("Indicator", "Value", "Target", "Status", "Variation (SPC)", "Trend over the year"),
            rows,
            pd.DataFrame(records),
            numeric=(False, True),
        )

    def spc_charts(self) -> Section:
        """An XmR chart for every monthly indicator with enough points, exceptions first."""
        charts = [c for c in (self._chart(line) for line in self.lines) if c is not None]
        return Section(
            "Statistical process control charts",
            charts,
            level=2,
            intro="Each chart shows the monthly values, their mean and process limits "
            "(Making Data Count rules). Orange crosses are special cause of concern, blue "
            "triangles improvement, grey circles common cause variation.",
        )

    def _chart(self, line: MonthlyMeasure) -> Chart | None:
        if line.chart is None:
            return None
        observed = line.history.dropna(subset=["value"])
        labels = [p.start.strftime("%b %Y") for p in observed["period"]]
        return spc_chart(
            line.chart,
            labels,
            title=f"{line.indicator.title}, {self.area.name}",
            fmt=lambda v: describe_value(line.indicator, v),
        )

    @staticmethod
    def _plan_id(line: MonthlyMeasure) -> str:
        plan = None if line.row is None else line.row["plan_id"]
        return plan if isinstance(plan, str) else "None"


def _no_trend(line: MonthlyMeasure) -> str:
    """Why a measure has no trend: no data, or fewer points than a trend needs (three)."""
    return "No data" if line.value is None else "Too few points for a trend"
