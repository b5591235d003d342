"""The balanced scorecard overview (cycle ``scorecard``): framework table 1 for a year.

The four sections of the partnership's balanced scorecard (outcomes; service delivery; people;
finance and resources), each with its sub-sections, counted by status under the cycle's RAG
family (:func:`perfreport.assess.scorecard.scorecard`), drawn as a bar chart, and then listed indicator
by indicator with the previous year's value in brackets, as the council's report prints it.
"""

from __future__ import annotations

import pandas as pd

from perfreport.assess.scorecard import STATUS_COLUMNS, scorecard, with_previous
from perfreport.present.charts import Chart, status_bars
from perfreport.present.tables import Section, Table, rag_badge
from perfreport.reports.locality_parts import LocalityParts

STATUS_HEADINGS = ("Green", "Amber", "Red", "No target", "No data")


class ScorecardReport(LocalityParts):
    """Everything the balanced scorecard overview shows, for the partnership and a year."""

    cycle = "scorecard"
    heading = "Balanced scorecard overview"
    report_kind = "financial_year"

    def read_more(self) -> None:
        results = pd.concat(self.view.series.values(), ignore_index=True)
        self.counts = scorecard(
            results, self.ctx.catalogue, self.area.code, self.period.end, self.family
        )

    def overview_table(self) -> Table:
        """Counts by status for every section and sub-section of table 1."""
        rows = [
            (
                str(r.subsection),
                str(r.section),
                str(r.indicators),
                *[str(getattr(r, s)) for s in STATUS_COLUMNS],
            )
            for r in self.counts.itertuples()
        ]
        return Table(
            f"Indicators by status in each scorecard sub-section, {self.area.name}, {self.period.label}",
            ("Sub-section", "Section", "Indicators", *STATUS_HEADINGS),
            rows,
            self.counts,
            numeric=(False, False, True, True, True, True, True, True),
        )

    def status_chart(self) -> Chart:
        """A stacked bar of statuses for each of the four sections."""
        by_section = self.counts.groupby("section", sort=False)[STATUS_COLUMNS].sum()
        parts = []
        for section, row in by_section.iterrows():
            total = int(row.sum())
            named = [
                f"{int(row[s])} {h.lower()}"
                for s, h in zip(STATUS_COLUMNS, STATUS_HEADINGS, strict=True)
                if row[s]
            ]
            parts.append(f"{section}, {total} indicators: {', '.join(named) or 'none'}")
        worst = by_section["red"].idxmax() if by_section["red"].any() else None
        alt = (
            f"Bar chart of indicator status in each scorecard section for {self.area.name}, "
            f"{self.period.label}. "
            + "; ".join(parts)
            + "."
            + (
                f" {worst} has the most red indicators."
                if worst
                else " No section has a red indicator."
            )
        )
        return status_bars(
            by_section,
            caption=f"Indicator status by scorecard section, {self.period.label}",
            alt=alt,
        )

    def section_tables(self) -> Section:
        """One table per section: each indicator's value (last year's), status and why."""
        tables = []
        for section in self.ctx.catalogue.framework.sections:
            lines = self.view.in_section(section)
            if not lines:
                continue
            rows = [
                (
                    h.indicator.title,
                    h.indicator.scorecard.subsection,
                    h.period.label,
                    with_previous(h.indicator, h.value, h.previous_value),
                    rag_badge(h.rag),
                    h.rag.reason.capitalize(),
                )
                for h in lines
            ]
            tables.append(
                Table(
                    f"{section}: value (previous year in brackets) and status, {self.area.name}",
                    ("Indicator", "Sub-section", "Period", "Value (previous)", "Status", "Why"),
                    rows,
                    self.view.data(lines),
                    numeric=(False, False, False, True),
                )
            )
        return Section("The four sections", tables, level=2)
