"""The quarterly key performance report (cycle ``quarterly``): narrated, for the partnership.

It is the locality report's content for the whole partnership, under the framework's RAG
rules, plus what section 6.4 of the framework asks the quarterly report to carry: for every
exception (amber or red) its reasons, the analysts' commentary and the performance
improvement plan (framework table 5), or a note that the plan the framework requires is
missing; and the analysts' commentary on the other indicators. Commentary is read from
``params/commentary/<period>/`` and rendered as sanitised markdown.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from perfreport.config.plans import ImprovementPlan, plan_exceptions
from perfreport.methods.rounding import counted
from perfreport.methods.status import Status
from perfreport.present.commentary import commentary_for, render_markdown
from perfreport.present.tables import Html, Section, Table, rag_badge
from perfreport.reports.locality_parts import LocalityParts
from perfreport.reports.locality_view import Headline

EXCEPTION = (Status.AMBER, Status.RED)


class QuarterlyReport(LocalityParts):
    """Everything the quarterly key performance report shows, for the partnership and a quarter:
    the locality report's parts (:class:`LocalityParts`) with exceptions and commentary."""

    cycle = "quarterly"
    heading = "Quarterly key performance report"

    def read_more(self) -> None:
        self.plans = self.ctx.plans()
        self.folder = self.ctx.project.params / "commentary"
        statuses = {
            (h.indicator.id, self.area.code): h.rag.status.value
            for h in self.headlines
            if h.rag.status in EXCEPTION
        }
        self.plan_notes: dict[str, list[str]] = {}
        for exc in plan_exceptions(self.plans, statuses, self.period.end):
            if exc.kind != "no_plan":
                self.plan_notes.setdefault(exc.indicator, []).append(exc.text)

    def exception_details(self) -> Section:
        """Each amber or red indicator: why, what the analysts say, and its improvement plan."""
        found = [h for h in self.headlines if h.rag.status in EXCEPTION]
        if not found:
            return Section("Exceptions and improvement plans", [Html(Markup("<p>None.</p>"))], 2)
        return Section(
            "Exceptions and improvement plans",
            [self._exception(h) for h in found],
            level=2,
            intro=f"{counted(len(found), 'indicator')} {'is' if len(found) == 1 else 'are'} "
            f"amber or red. The framework "
            f"({self.wording.plans_section}) requires a performance improvement plan for each.",
        )

    def commentary_section(self) -> Section:
        """The analysts' commentary on indicators that are not exceptions."""
        parts: list[Section | Html] = []
        for h in self.headlines:
            text = self._commentary(h)
            if text is None or h.rag.status in EXCEPTION:
                continue
            parts.append(
                Section(h.indicator.title, [Html(render_markdown(text, top_heading=4))], level=3)
            )
        if not parts:
            parts = [Html(Markup("<p>No further commentary this quarter.</p>"))]
        return Section("Commentary on other indicators", parts, level=2)

    def _commentary(self, h: Headline) -> str | None:
        return commentary_for(self.folder, self.period, h.indicator.id, self.area.code)

    def _exception(self, h: Headline) -> Section:
        status = Markup("<p>{} {}.</p>").format(rag_badge(h.rag), h.rag.reason.capitalize())
        parts: list[object] = [Html(status)]
        text = self._commentary(h)
        if text is not None:
            parts.append(Html(render_markdown(text, top_heading=4)))
        plan = self.plans.for_indicator(h.indicator.id, self.area.code, self.period.end)
        if plan is None:
            missing = Markup(
                "<p><strong>No current improvement plan.</strong> The framework requires "
                "one for every amber or red indicator ({}).</p>"
            ).format(self.wording.plans_table)
            parts.append(Html(missing))
        else:
            parts.append(self._plan_table(plan, h))
        return Section(h.indicator.title, parts, level=3)

    def _plan_table(self, plan: ImprovementPlan, h: Headline) -> Table:
        items = [
            ("Why it was flagged", plan.reason),
            (
                "New risk",
                "Yes" if plan.new_risk else f"No: {plan.not_new_because}",
            ),
            ("Mitigation", plan.mitigation),
            ("Responsible", plan.owner),
            ("Expected back to green", f"{plan.expected_green:%d %B %Y}"),
            ("Review date", f"{plan.review:%d %B %Y}"),
        ]
        items += [("Exception", note) for note in self.plan_notes.get(h.indicator.id, [])]
        return Table(
            f"Performance improvement plan {plan.id}: {h.indicator.title}",
            ("Item", "Detail"),
            items,
            pd.DataFrame(
                [
                    {"plan_id": plan.id, "indicator_id": h.indicator.id, "item": k, "detail": v}
                    for k, v in items
                ]
            ),
        )
