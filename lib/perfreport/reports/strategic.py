"""The strategic performance report (cycle ``strategic``): the regulator seed's report for a half year.

For each strategic outcome in ``params/strategic.yaml``: a table of its priorities, their
measures and current performance (an indicator's latest value against its target, or a survey
question's agreeing share with its response count and margin of error), then the updates on
the operational-plan projects under it, by reference (1a, 1b …). Then the customer survey:
every question's Likert responses with counts, shares and margins of error.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from perfreport.assess.rag import describe_value, rag_of
from perfreport.assess.scorecard import Family
from perfreport.assess.series import display_kind
from perfreport.config.areas import Area
from perfreport.config.strategy import (
    PROJECT_STATUS,
    Measure,
    Outcome,
    likert_summary,
    load_strategy,
)
from perfreport.methods.periods import Period
from perfreport.methods.status import Rag, Status
from perfreport.present.commentary import render_markdown
from perfreport.present.tables import Group, Html, Section, Table, rag_badge
from perfreport.reports import survey_tables
from perfreport.reports.context import Report, ReportContext


class StrategicReport(Report):
    """Everything the strategic performance report shows, for the partnership and a half year."""

    cycle = "strategic"
    heading = "Strategic performance report"

    def __init__(self, ctx: ReportContext, area: Area, period: Period, family: Family) -> None:
        super().__init__(ctx, area, period, family)
        self.strategy = load_strategy(ctx.project.params / "strategic.yaml", ctx.catalogue)
        rows = ctx.results([area.code])
        self.rows = rows[rows["period"].map(lambda p: p.end) <= period.end]
        survey = self.strategy.survey
        self.survey = (
            {q.id: likert_summary(q, survey.population) for q in survey.questions} if survey else {}
        )

    def lead(self) -> str:
        outcomes = len(self.strategy.outcomes)
        text = (
            f"Progress towards the {self.wording.body}'s {outcomes} strategic outcomes in "
            f"{self.period.long_label}: performance against each priority's measures, updates "
            f"on {len(self.strategy.projects)} operational-plan projects, and the customer survey."
        )
        return text

    def survey_method(self) -> Html:
        """How many responded to the customer survey, of how many invited, and when."""
        return survey_tables.survey_method(self.strategy.survey, self.survey)

    def outcome_sections(self) -> Group:
        """Each outcome: its priorities' measures with current performance, then project updates."""
        return Group([self._outcome(o) for o in self.strategy.outcomes])

    def survey_table(self) -> Section:
        """Every question's responses by option (count and share), with its margin of error."""
        return survey_tables.survey_table(self.survey, self.ctx.disclosure)

    # --- computation -------------------------------------------------------------------------

    def _outcome(self, outcome: Outcome) -> Section:
        rows, records = [], []
        for priority in outcome.priorities:
            for measure in priority.measures:
                text, status = self._performance(measure)
                rows.append((priority.title, measure.text, text, rag_badge(status)))
                records.append(
                    {
                        "outcome": outcome.id,
                        "priority": priority.title,
                        "measure": measure.text,
                        "source": measure.indicator or measure.question,
                        "current_performance": text,
                        "status": status.status.value,
                    }
                )
        table = Table(
            f"Strategic outcome {outcome.id}: priorities, measures and current performance",
            ("Strategic priority", "Strategic measure", "Current performance", "Status"),
            rows,
            pd.DataFrame(records),
        )
        projects = [
            Html(
                Markup("<h4>{} ({})</h4>\n<p><strong>Status:</strong> {}</p>\n{}").format(
                    p.title, p.ref, PROJECT_STATUS[p.status], render_markdown(p.update, 5)
                )
            )
            for p in self.strategy.projects_of(outcome.id)
        ]
        parts: list[object] = [table]
        if projects:
            parts.append(Section("Project updates", projects, level=3))
        return Section(f"Strategic outcome {outcome.id}: {outcome.title}", parts, level=2)

    def _performance(self, measure: Measure) -> tuple[str, Rag]:
        if measure.question is not None:
            summary = self.survey[measure.question]
            hidden = survey_tables.withheld(summary, self.ctx.disclosure)
            return summary.describe(hidden), Rag(Status.NO_TARGET, "survey")
        ind = self.ctx.catalogue[measure.indicator]  # type: ignore[index]
        kind = display_kind(ind, "quarter")
        mine = self.rows[(self.rows["indicator_id"] == ind.id) & (self.rows["period_kind"] == kind)]
        mine = mine.dropna(subset=["value"])
        if mine.empty:
            return "No data up to this period", Rag(Status.NO_DATA, "no data")
        row = mine.iloc[-1]
        rag = rag_of(row, self.family)
        text = f"{describe_value(ind, float(row['value']))} in {row['period'].label}"
        if row["target_text"] != "none":
            text += f" against a target of {row['target_text']}"
        text += f": {rag.reason}"
        if isinstance(row["trend"], str):
            text += f"; {row['trend']} over the latest year"
        return text + ".", rag
