"""Monthly key performance measures (cycle ``monthly``): fully automated, no narrative.

Framework table 2 asks for a monthly report of the key measures for senior managers. It shows
exceptions first: every monthly indicator that in the report's month is red (in the cycle's
RAG family), shows special cause of concern on its SPC chart, or has an improvement-plan
exception (amber or red with no plan, a plan past its review date, or past its date for being
back to green while still red; framework section 6.4). Then one XmR chart per monthly
indicator, exceptions first, drawn from the same prepared results.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup

from perfreport.assess.rag import describe_value, rag_of
from perfreport.assess.series import stored_xmr
from perfreport.config.areas import Area
from perfreport.config.catalogue import Indicator
from perfreport.config.plans import plan_exceptions
from perfreport.methods.periods import Period
from perfreport.methods.spc import XmrResult, _rule_phrase, improvement_for
from perfreport.methods.status import Rag, Status
from perfreport.present.charts import Chart
from perfreport.present.spc_chart import LABELS, spc_chart
from perfreport.present.tables import Html, Section, Table, rag_badge
from perfreport.reports.context import Report, ReportContext

__all__ = ["MonthlyMeasure", "MonthlyReport", "rag_of", "spc_words"]  # rag_of: re-exported


@dataclass(frozen=True)
class MonthlyMeasure:
    """One monthly indicator in the report month: its row, its history up to the month, its
    status, the SPC chart ``prepare`` stored (``None`` with too few points) and why it is an
    exception, if it is one."""

    indicator: Indicator
    row: pd.Series | None
    history: pd.DataFrame
    rag: Rag
    chart: XmrResult | None = None
    exceptions: list[str] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        if self.row is None or pd.isna(self.row["value"]):
            return None
        return float(self.row["value"])


def spc_words(measure: MonthlyMeasure) -> str:
    """``'Concern: a run of 8 points above the mean'``, ``'Common cause'`` or ``'Too few points
    for SPC'``: the month's variation and every rule that flagged it (the words of
    :data:`perfreport.methods.spc.RULE_WORDS`)."""
    chart, row = measure.chart, measure.row
    if chart is None or row is None or not isinstance(row["spc_type"], str):
        return "Too few points for SPC"
    last = chart.points.iloc[-1]
    words = LABELS[str(last["point_type"])]
    if not isinstance(last["rule"], str):
        return words
    return f"{words}: {'; '.join(_rule_phrase(r, chart.points) for r in last['rule'].split('+'))}"


class MonthlyReport(Report):
    """Everything the monthly key performance measures show, for one area and month."""

    cycle = "monthly"
    heading = "Monthly key performance measures"

    def __init__(self, ctx: ReportContext, area: Area, period: Period, family: str) -> None:
        super().__init__(ctx, area, period, family)
        self.settings = ctx.rag_settings()
        rows = ctx.results([area.code])
        rows = rows[(rows["period_kind"] == "month") & (rows["period"] <= period)]
        by_indicator = {k: g.reset_index(drop=True) for k, g in rows.groupby("indicator_id")}
        lines = [
            self._measure(ind, by_indicator.get(ind.id, rows.iloc[0:0]))
            for ind in ctx.catalogue
            if ind.period_kind == "month"
        ]
        statuses = {
            (line.indicator.id, area.code): line.row["framework_status"]
            for line in lines
            if line.row is not None and isinstance(line.row["framework_status"], str)
        }
        plan_notes = defaultdict(list)
        for exc in plan_exceptions(ctx.plans(), statuses, period.end):
            if exc.kind == "no_plan" and family == "framework":
                continue  # framework red means "not mitigated by a plan"; its reason says so
            note = "No improvement plan" if exc.kind == "no_plan" else exc.text
            plan_notes[exc.indicator].append(note[0].upper() + note[1:])
        for line in lines:
            line.exceptions.extend(self._exceptions(line) + plan_notes[line.indicator.id])
        self.lines = sorted(lines, key=lambda line: not line.exceptions)

    def _measure(self, ind: Indicator, history: pd.DataFrame) -> MonthlyMeasure:
        """The indicator in the report's month, with the SPC chart ``prepare`` stored for its
        latest point up to the month, drawn against the month's target."""
        now = history[history["period"] == self.period]
        row = None if now.empty else now.iloc[0]
        target = None if row is None or pd.isna(row["target_value"]) else row["target_value"]
        chart = stored_xmr(
            history.dropna(subset=["value"]),
            None if target is None else float(target),
            improvement_for(ind.polarity),
            self.settings.spc_rules,
        )
        return MonthlyMeasure(ind, row, history, rag_of(row, self.family), chart)

    @property
    def exception_lines(self) -> list[MonthlyMeasure]:
        return [line for line in self.lines if line.exceptions]

    def _exceptions(self, line: MonthlyMeasure) -> list[str]:
        found = []
        if line.row is None or line.value is None:
            return ["No data for this month"]
        if line.rag.status is Status.RED:
            found.append(f"Red: {line.rag.reason}")
        if line.row["spc_type"] == "special_cause_concern":
            found.append(f"Special cause of concern: {spc_words(line).split(': ', 1)[-1]}")
        return found

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
                    trend.capitalize() if isinstance(trend, str) else "Not available",
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
