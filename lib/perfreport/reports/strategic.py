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

from perfreport.assess.disclosure import suppress_parts
from perfreport.assess.rag import describe_value, rag_of
from perfreport.assess.series import display_kind
from perfreport.config.areas import Area
from perfreport.config.strategy import (
    LIKERT,
    PROJECT_STATUS,
    LikertSummary,
    Measure,
    Outcome,
    likert_summary,
    load_strategy,
)
from perfreport.methods.periods import Period
from perfreport.methods.rounding import format_number
from perfreport.methods.status import Rag, Status
from perfreport.methods.suppressed import SYMBOL
from perfreport.present.commentary import render_markdown
from perfreport.present.tables import Group, Html, Section, Table, rag_badge
from perfreport.reports.context import Report, ReportContext


class StrategicReport(Report):
    """Everything the strategic performance report shows, for the partnership and a half year."""

    cycle = "strategic"
    heading = "Strategic performance report"

    def __init__(self, ctx: ReportContext, area: Area, period: Period, family: str) -> None:
        super().__init__(ctx, area, period, family)
        self.strategy = load_strategy(ctx.project.params / "strategic.yaml", ctx.catalogue)
        rows = ctx.results([area.code])
        self.rows = rows[rows["period"].map(lambda p: p.end) <= period.end]
        survey = self.strategy.survey
        self.survey = {
            q.id: likert_summary(q, survey.population) for q in (survey.questions if survey else ())
        }

    def lead(self) -> str:
        outcomes = len(self.strategy.outcomes)
        text = (
            f"Progress towards the {self.wording.body}'s {outcomes} strategic outcomes in "
            f"{self.period.long_label}: performance against each priority's measures, updates "
            f"on {len(self.strategy.projects)} operational-plan projects, and the customer survey."
        )
        return text

    def survey_method(self) -> Html:
        survey = self.strategy.survey
        if survey is None:
            return Html(Markup("<p>No customer survey is recorded for this period.</p>"))
        most = max(s.total for s in self.survey.values())
        invited = f" of the {survey.population:,} people invited" if survey.population else ""
        return Html(
            Markup("<p>{}: up to {} responses per question{}, fieldwork ending {}.</p>").format(
                survey.title, f"{most:,}", invited, f"{survey.fieldwork_end:%d %B %Y}"
            )
        )

    def outcome_sections(self) -> Group:
        """Each outcome: its priorities' measures with current performance, then project updates."""
        return Group([self._outcome(o) for o in self.strategy.outcomes])

    def survey_table(self) -> Section:
        """Every question's responses by option (count and share), with its margin of error."""
        tables = []
        for scale, options in LIKERT.items():
            summaries = [s for s in self.survey.values() if s.question.scale == scale]
            if not summaries:
                continue
            rows = [self._survey_row(s) for s in summaries]
            yes = "Agreed" if scale == "agree" else "Satisfied"
            tables.append(
                Table(
                    f"Customer survey: responses to {'agreement' if scale == 'agree' else 'satisfaction'} "
                    "questions, count (percentage)",
                    ("Question", *options, "Responses", yes, "Margin of error (95%)"),
                    rows,
                    _survey_data(summaries),
                    numeric=(False, *[True] * (len(options) + 3)),
                )
            )
        return Section("Responses by question", tables, level=3)

    # --- computation -------------------------------------------------------------------------

    def _withheld(self, s: LikertSummary) -> list[bool]:
        """Which of a question's options disclosure control withholds (small ones, and a
        second where one alone would be given back by the total)."""
        rule = self.ctx.disclosure
        return suppress_parts(s.counts, rule) if rule else [False] * len(s.counts)

    def _survey_row(self, s: LikertSummary) -> tuple[str, ...]:
        """A question's counts and shares, with small counts withheld (disclosure control):
        the options add up to the responses, so a second option goes with a small one, and the
        share agreeing goes when only one of its two options is withheld."""
        hidden = self._withheld(s)
        cells = [
            SYMBOL if gone else f"{n:,} ({_pct(share)})"
            for n, share, gone in zip(s.counts, s.shares, hidden, strict=True)
        ]
        agreed = SYMBOL if hidden[0] != hidden[1] else _pct(s.positive)
        return (s.question.text, *cells, f"{s.total:,}", agreed, f"±{s.margin:.1f} points")

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
            return summary.describe(self._withheld(summary)), Rag(Status.NO_TARGET, "survey")
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


def _pct(value: float) -> str:
    return f"{format_number(value, 0)}%"


def _survey_data(summaries: list[LikertSummary]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "question": s.question.id,
                "option": option,
                "count": n,
                "percent": share,
                "responses": s.total,
                "margin_of_error_points": s.margin,
            }
            for s in summaries
            for option, n, share in zip(s.options, s.counts, s.shares, strict=True)
        ]
    )
