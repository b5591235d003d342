"""The generic area report (cycle ``performance``, the ``blank`` template's): one area's
indicators for a month against their targets, with trends, SPC charts and a comparison with the
body the area is part of and the comparator, where they exist.

It writes no report logic of its own: the headline, trend and comparison parts are the locality
report's (:class:`~perfreport.reports.locality_parts.LocalityParts`, at months) and the SPC
charts the monthly report's (:class:`~perfreport.reports.monthly.MonthlyReport`).
"""

from __future__ import annotations

from perfreport.present.tables import Section
from perfreport.reports.locality_parts import LocalityParts
from perfreport.reports.monthly import MonthlyReport


class PerformanceReport(LocalityParts):
    """Everything ``notebooks/performance.ipynb`` shows, for one area and month.

    In a prepared project a cell reads
    ``report = PerformanceReport.load(area="S08000019", period="2022-09")`` and the next shows
    ``report.headline_table()``.
    """

    cycle = "performance"
    heading = "Performance report"
    report_kind = "month"

    def read_more(self) -> None:
        self.monthly = MonthlyReport(self.ctx, self.area, self.period, self.family)

    def spc_charts(self) -> Section:
        """An XmR chart for every monthly indicator with enough points, exceptions first."""
        return self.monthly.spc_charts()
