"""The annual performance report (cycle ``annual``): the partnership's public report for a year.

Integration authorities must publish an annual performance report. This one shows, for a
financial year: the status of every indicator against its target; the national integration
indicators (the Core Suite) and the Ministerial Strategic Group indicators for the partnership
and Scotland over at least five years; the strategic objectives, rated from their linked
indicators and activities; the localities; and the delivery plans' activities.

Monthly and quarterly indicators are shown for the financial year (``prepare`` combines them);
calendar-year indicators sit in the financial year in which their year ends.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from perfreport.assess.rag import describe_value
from perfreport.assess.series import shown_value, value_in
from perfreport.config.activities import activity_table, load_activities, objective_rag, roll_up
from perfreport.methods.periods import Period, PeriodKind
from perfreport.methods.rounding import format_number
from perfreport.methods.status import Rag, Status
from perfreport.methods.suppressed import SUPPRESSED, Suppressed
from perfreport.present.tables import Section, Table, rag_badge
from perfreport.reports.locality import Headline, LocalityReport

NATIONAL_SETS = {
    "core_suite": "Core Suite of Integration Indicators",
    "msg": "Ministerial Strategic Group indicators",
}
YEARS_SHOWN = 6
"""Financial years in the national tables: the report's year and the five before it."""
ACTIVITY_BADGES = {"complete": "✓ Complete", "cancelled": "Cancelled"}


class AnnualReport(LocalityReport):
    """Everything the annual performance report shows, for the partnership and a financial year."""

    cycle = "annual"
    heading = "Annual performance report"
    report_kind: PeriodKind = "financial_year"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.localities = self.ctx.areas.children(self.partnership.code)
        self.local_series = self.ctx.series([a.code for a in self.localities], self.report_kind)
        self.years = [self.period.shift(-n) for n in range(YEARS_SHOWN - 1, -1, -1)]
        self.monitor = load_activities(
            self.ctx.project.params / "activities.yaml",
            self.ctx.catalogue,
            self.ctx.catalogue.framework,
        )
        self.activities = activity_table(self.monitor, self.period.end)

    # --- national indicators -----------------------------------------------------------------

    def national_tables(self) -> Section:
        """Each national set: the partnership and Scotland in each of the last six years."""
        return Section(
            "Partnership and Scotland by year",
            [self._national_table(key, name) for key, name in NATIONAL_SETS.items()],
            level=3,
            intro="Counts depend on the size of an area, so for counts the partnership and "
            f"Scotland are compared as an index ({self.years[0].label} = 100) rather than side "
            "by side. A blank year has no published figure (survey indicators are biennial).",
        )

    def national_charts(self) -> Section:
        """Small multiples of each national set: the partnership's line and Scotland's."""
        charts = [
            self.trend_chart(name, self._national(key), f"the {name}")
            for key, name in NATIONAL_SETS.items()
            if self._national(key)
        ]
        return Section("Trends", charts, level=3)

    def _national(self, key: str) -> list[Headline]:
        return [h for h in self.headlines if h.indicator.set == key]

    def _national_table(self, key: str, name: str) -> Table:
        rows, records = [], []
        for h in self._national(key):
            series = self.series[h.indicator.id]
            by_area = {
                area.code: self._by_year(series, area.code)
                for area in (self.area, self.country)
                if area is not None
            }
            shown = [(self.area, by_area[self.area.code], False)]
            if self.country and h.indicator.size_dependent:
                # counts depend on area size: compare each year with the first as an index
                shown += [(a, by_area[a.code], True) for a in (self.area, self.country)]
            elif self.country:
                shown.append((self.country, by_area[self.country.code], False))
            for area, years, index in shown:
                base = years.get(self.years[0].id)
                cells = []
                for year in self.years:
                    value = years.get(year.id)
                    if index and isinstance(base, Suppressed) and value is not None:
                        value = SUPPRESSED  # an index on a withheld base would reveal it
                    elif index and not isinstance(value, Suppressed):
                        value = None if value is None or not base else 100 * value / base
                    cells.append(
                        ""
                        if value is None
                        else format_number(value, 1)
                        if index
                        else describe_value(h.indicator, value)
                    )
                    if value is not None and not isinstance(value, Suppressed):
                        records.append(
                            {
                                "indicator_id": h.indicator.id,
                                "area_code": area.code,
                                "year": year.id,
                                "measure": f"index, {self.years[0].label} = 100"
                                if index
                                else "value",
                                "value": value,
                            }
                        )
                label = f"{h.indicator.title}: {area.name}"
                label += f" ({self.years[0].label} = 100)" if index else ""
                rows.append((label, *cells))
        return Table(
            f"{name}, {self.area.name} and Scotland, {self.years[0].label} to {self.period.label}",
            ("Indicator and area", *[y.label for y in self.years]),
            rows,
            pd.DataFrame(records),
            numeric=(False, *[True] * len(self.years)),
        )

    def _by_year(self, series: pd.DataFrame, code: str) -> dict[str, float]:
        """An area's values (``SUPPRESSED`` where withheld) keyed by the financial year each
        period ends in."""
        own = series[series["area_code"] == code]
        own = own[own["value"].notna() | own["suppressed"]]
        return {
            Period.containing("financial_year", row["period"].end).id: shown_value(row)
            for _, row in own.iterrows()
        }

    # --- strategy, localities, activities ----------------------------------------------------

    def objectives_table(self) -> Table:
        """Each strategic objective's status from its linked indicators and activities."""
        indicator_status = {h.indicator.id: h.rag.status.value for h in self.headlines}
        activity_status = dict(zip(self.activities["id"], self.activities["status"], strict=True))
        rows, records = [], []
        framework = self.ctx.catalogue.framework
        for objective in self.monitor.objectives:
            status, reason = objective_rag(objective, indicator_status, activity_status)
            rag = Rag(Status(status) if status in Status._value2member_map_ else Status.NO_DATA, "")
            theme = framework.theme_name(objective.theme)
            rows.append((objective.title, theme, rag_badge(rag), reason.capitalize()))
            records.append(
                {
                    "objective": objective.id,
                    "theme": objective.theme,
                    "status": status,
                    "reason": reason,
                }
            )
        return Table(
            f"Strategic objectives, {self.period.label}",
            ("Objective", "Strategic theme", "Status", "Why"),
            rows,
            pd.DataFrame(records),
        )

    def localities_table(self) -> Table:
        """The latest value of each indicator reported by locality, for each locality."""
        columns = ["Indicator", "Period", *[a.name for a in self.localities], self.area.name]
        rows, records = [], []
        for h in self.headlines:
            local = self.local_series.get(h.indicator.id)
            values = [value_in(local, a.code, h.period) for a in self.localities]
            if local is None or all(v is None for v in values):
                continue
            cells = [describe_value(h.indicator, v) for v in values]
            rows.append(
                (h.indicator.title, h.period.label, *cells, describe_value(h.indicator, h.value))
            )
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
            f"Indicators by locality, latest period to {self.period.label}",
            columns,
            rows,
            pd.DataFrame(records),
            numeric=(False, False, *[True] * (len(columns) - 2)),
        )

    def activity_progress(self) -> Section:
        """Activities by delivery plan (counts by status) and each activity with its reason."""
        plans = {p.id: p.name for p in self.monitor.plans}
        counts = roll_up(self.activities, "plan")
        summary = Table(
            f"Delivery plan activities by status at {self.period.end:%d %B %Y}",
            (
                "Delivery plan",
                "Activities",
                "Complete",
                "On track",
                "Behind",
                "Off track",
                "On track or complete",
            ),
            [
                (
                    plans[r.plan],
                    str(r.activities),
                    str(r.complete),
                    str(r.green),
                    str(r.amber),
                    str(r.red),
                    f"{r.percent_on_track:.0f}%",
                )
                for r in counts.itertuples()
            ],
            counts,
            numeric=(False, True, True, True, True, True, True),
        )
        detail = Table(
            f"Each delivery plan activity at {self.period.end:%d %B %Y}: progress and status",
            ("Activity", "Delivery plan", "Lead", "Due", "Progress", "Status", "Why"),
            [
                (
                    a.title,
                    plans[a.plan],
                    a.owner,
                    f"{a.due:%d %B %Y}",
                    f"{a.progress}%",
                    ACTIVITY_BADGES.get(a.status) or rag_badge(Rag(Status(a.status), "")),
                    a.reason.capitalize(),
                )
                for a in self.activities.itertuples()
            ],
            self.activities,
            numeric=(False, False, False, False, True),
        )
        return Section("Activities", [summary, detail], level=3)

    def title_block(self):
        block = super().title_block()
        note = Markup(
            "<p>This is the partnership's annual performance report for {}, published under "
            "the Public Bodies (Joint Working) (Scotland) Act 2014.</p>"
        ).format(self.period.long_label)
        return type(block)(block.markup + note)
