"""The quarterly locality report (cycle ``locality``): one area against its partnership and the country.

The notebook ``notebooks/locality.ipynb`` narrates; everything it shows comes from
:class:`LocalityReport`: the headline table (latest value, target, target RAG with its reason,
change on a year earlier), a trend chart per balanced scorecard section, and a comparison with
the partnership and the country. The parts are those of
:class:`~perfreport.reports.locality_view.LocalityView`, which other reports hold too.
"""

from __future__ import annotations

from perfreport.present.tables import Section
from perfreport.reports import funnels
from perfreport.reports.locality_parts import LocalityParts
from perfreport.reports.locality_view import Headline

__all__ = ["Headline", "LocalityReport"]  # Headline: re-exported where it lived before 0.8


class LocalityReport(LocalityParts):
    """Everything the locality report shows, for one area and quarter.

    In a prepared project, a notebook cell reads
    ``report = LocalityReport.load(area="CS-RST", period="2024-25-Q4")`` and the next shows
    ``report.headline_table()`` (``notebooks/locality.ipynb``).
    """

    cycle = "locality"
    heading = "Locality report"
    report_kind = "quarter"

    def funnel_plots(self) -> Section:
        """The localities of the area's partnership on a funnel plot, indicator by indicator
        (:func:`perfreport.reports.funnels.funnel_plots`), this one highlighted."""
        parts = self.ctx.areas.parts_of(self.view.body.code)
        series = self.ctx.series([a.code for a in parts], self.report_kind)
        return funnels.funnel_plots(self.view, parts, series, self.narrative_words)
