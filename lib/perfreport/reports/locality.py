"""The quarterly locality report (cycle ``locality``): one area against its partnership and Scotland.

The notebook ``notebooks/locality.ipynb`` narrates; everything it shows comes from
:class:`LocalityReport`: the headline table (latest value, target, target RAG with its reason,
change on a year earlier), a trend chart per balanced scorecard section, and a comparison with
the partnership and Scotland.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import pandas as pd
from markupsafe import Markup

from perfreport.assess.rag import change_direction, describe_value
from perfreport.assess.series import latest_on_or_before, shown_value, value_in
from perfreport.config.areas import Area
from perfreport.config.catalogue import Indicator
from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period, PeriodKind
from perfreport.methods.rounding import format_number
from perfreport.methods.status import Rag, Status
from perfreport.methods.suppressed import SUPPRESSED, SYMBOL, Suppressed
from perfreport.present.charts import Chart, Line, small_multiples
from perfreport.present.tables import Html, Section, Table, rag_badge
from perfreport.reports.context import Report, ReportContext


@dataclass(frozen=True)
class Headline:
    """One indicator's line in the report: latest value, target status and change."""

    indicator: Indicator
    period: Period
    value: float | None
    rag: Rag
    previous_period: Period | None
    previous_value: float | None
    partnership: float | None
    country: float | None
    target_text: str = "none"
    target_value: float | None = None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        if isinstance(self.value, Suppressed) or isinstance(self.previous_value, Suppressed):
            return SUPPRESSED  # a change would reveal the withheld figure
        return self.value - self.previous_value


class LocalityReport(Report):
    """Everything the locality report shows, for one area and quarter.

    >>> report = LocalityReport.load(area="CS-RST", period="2024-25-Q4")  # doctest: +SKIP
    >>> report.headline_table()  # doctest: +SKIP
    """

    cycle = "locality"
    heading = "Locality report"
    report_kind: PeriodKind = "quarter"

    def __init__(
        self, ctx: ReportContext, area: Area, period: Period, family: str = "target"
    ) -> None:
        self.ctx = ctx
        self.family = family
        self.area = area
        self.period = period
        self.partnership = ctx.areas.partnership_of(area.code)
        self.country = ctx.areas.country
        self.series = ctx.series(
            [a.code for a in (area, self.partnership, self.country) if a is not None],
            self.report_kind,
        )
        self.headlines = [
            h for h in (self._headline(ind) for ind in ctx.catalogue) if h is not None
        ]
        if not self.headlines:
            raise PerfreportError(
                f"parameter 'area': no data for {area.name} ({area.code}) up to {period.label}"
            )

    # --- what the notebook shows -------------------------------------------------------------

    def lead(self) -> str:
        """The report's heading and a one-paragraph summary of what it covers."""
        against = [self.partnership.name] if self.area.code != self.partnership.code else []
        against += [self.country.name] if self.country else []
        text = (
            f"Performance of {len(self.headlines)} indicators for {self.area.name} in "
            f"{self.period.long_label}, against their targets"
            + (f" and compared with {' and '.join(against)}" if against else "")
            + "."
        )
        return text

    def status_summary(self) -> Table:
        """How many indicators are red, amber, green, without a target or without data."""
        counts = Counter(h.rag.status for h in self.headlines)
        rows = [(rag_badge(Rag(s, "")), str(counts.get(s, 0))) for s in Status]
        data = pd.DataFrame(
            {"status": [s.value for s in Status], "indicators": [counts.get(s, 0) for s in Status]}
        )
        return Table(
            f"Indicators by target status, {self.area.name}, {self.period.label}",
            ("Status", "Indicators"),
            rows,
            data,
            numeric=(False, True),
        )

    def exceptions(self) -> Html:
        """The indicators that are red, in words, for the summary."""
        red = [h for h in self.headlines if h.rag.status is Status.RED]
        if not red:
            return Html(Markup("<p>No indicator is red against its target.</p>"))
        items = Markup("").join(
            Markup("<li><strong>{}</strong> ({}): {}</li>").format(
                h.indicator.title, h.period.label, h.rag.reason
            )
            for h in red
        )
        return Html(
            Markup("<p>{} indicators are red against their target:</p><ul>{}</ul>").format(
                len(red), items
            )
        )

    def headline_table(self) -> Section:
        """One table per scorecard section: value, target, status and reason, change on a year earlier."""
        tables = []
        for section in self.sections:
            lines = [h for h in self.headlines if h.indicator.scorecard.section == section]
            rows = [
                (
                    h.indicator.title,
                    h.period.label,
                    describe_value(h.indicator, h.value),
                    h.target_text.capitalize(),
                    rag_badge(h.rag),
                    h.rag.reason.capitalize(),
                    self._change_text(h),
                )
                for h in lines
            ]
            tables.append(
                Table(
                    f"{section}: latest value, target and status, {self.area.name}",
                    (
                        "Indicator",
                        "Period",
                        "Value",
                        "Target",
                        "Status",
                        "Why",
                        "Change on a year earlier",
                    ),
                    rows,
                    self._headline_data(lines),
                    numeric=(False, False, True, False, False, False, False),
                )
            )
        return Section(
            "Headline indicators",
            tables,
            level=2,
            intro="Status compares the latest value with the target; the reason says by how much.",
        )

    def trend_charts(self) -> Section:
        """A small-multiple trend chart for each scorecard section."""
        return Section(
            "Trends by scorecard section", [self._section_chart(s) for s in self.sections], level=2
        )

    def comparison_table(self) -> Table:
        """The area against its partnership and Scotland, for every indicator."""
        columns = ["Indicator", "Period", self.area.name]
        if self.area.code != self.partnership.code:
            columns.append(self.partnership.name)
        if self.country:
            columns += [self.country.name, f"Difference from {self.country.name}"]
        rows, records = [], []
        for h in self.headlines:
            row = [h.indicator.title, h.period.label, describe_value(h.indicator, h.value)]
            if self.area.code != self.partnership.code:
                row.append(describe_value(h.indicator, h.partnership))
            if self.country:
                gap = None if h.value is None or h.country is None else h.value - h.country
                difference = (
                    "Not comparable (depends on area size)"
                    if h.indicator.size_dependent
                    else self._signed(h.indicator, gap)
                )
                row += [describe_value(h.indicator, h.country), difference]
            rows.append(row)
            records.append(
                {
                    "indicator_id": h.indicator.id,
                    "period": h.period.id,
                    "area": h.value,
                    "partnership": h.partnership,
                    "country": h.country,
                }
            )
        return Table(
            f"{self.area.name} compared with {' and '.join(columns[3:5]) or 'its partnership'}, latest period",
            columns,
            rows,
            pd.DataFrame(records),
            numeric=(False, False, True, True, True, True),
        )

    # --- computation -------------------------------------------------------------------------

    @property
    def sections(self) -> list[str]:
        present = {h.indicator.scorecard.section for h in self.headlines}
        return [s for s in self.ctx.catalogue.framework.sections if s in present]

    def _headline(self, ind: Indicator) -> Headline | None:
        """The indicator's latest prepared result for the area, as ``prepare`` computed it."""
        series = self.series.get(ind.id)
        if series is None or series.empty:
            return None
        latest = latest_on_or_before(series, self.area.code, self.period.end)
        if latest is None:
            return None
        period: Period = latest["period"]
        value = shown_value(latest)
        previous = self._previous_period(series, ind, period)
        target_value = None if pd.isna(latest["target_value"]) else float(latest["target_value"])
        return Headline(
            indicator=ind,
            period=period,
            value=value,
            rag=self._rag(latest),
            previous_period=previous,
            previous_value=value_in(series, self.area.code, previous) if previous else None,
            partnership=value_in(series, self.partnership.code, period),
            country=value_in(series, self.country.code, period) if self.country else None,
            target_text=str(latest["target_text"]),
            target_value=target_value,
        )

    def _rag(self, row: pd.Series) -> Rag:
        """The status in the family the cycle uses (params/cycles.yaml ``rag``), with its reason."""
        if self.family == "framework" and isinstance(row["framework_status"], str):
            reason = str(row["framework_reason"]).split(": ", 1)[-1]
            return Rag(Status(row["framework_status"]), reason)
        return Rag(Status(row["target_status"]), str(row["target_reason"]))

    def _previous_period(
        self, series: pd.DataFrame, ind: Indicator, period: Period
    ) -> Period | None:
        """A year earlier; for biennial surveys, the survey before."""
        if ind.frequency != "biennial":
            return period.year_earlier()
        earlier = latest_on_or_before(series, self.area.code, period.start - pd.Timedelta(days=1))
        return None if earlier is None else earlier["period"]

    def _change_text(self, h: Headline) -> str:
        if h.change is None:
            return "Not available"
        if isinstance(h.change, Suppressed):
            return SYMBOL
        since = (
            ""
            if h.previous_period == h.period.year_earlier()
            else f" since {h.previous_period.label}"
        )  # type: ignore[union-attr]
        return f"{self._signed(h.indicator, h.change)} ({change_direction(h.indicator, h.change)}){since}"

    @staticmethod
    def _signed(ind: Indicator, amount: float | None) -> str:
        if amount is None:
            return "Not available"
        if math.isnan(amount):  # worked out from a figure withheld by disclosure control
            return SYMBOL
        text = format_number(amount, ind.decimals)
        sign = "+" if not text.startswith("-") and text.strip("0.,") else ""
        suffix = " points" if ind.unit == "percent" else ""
        return f"{sign}{text}{suffix}".replace("-", "−")

    def _headline_data(self, lines: list[Headline]) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "indicator_id": h.indicator.id,
                    "area_code": self.area.code,
                    "period": h.period.id,
                    "value": h.value,
                    "target": h.target_text,
                    "status": h.rag.status.value,
                    "reason": h.rag.reason,
                    "previous_period": h.previous_period.id if h.previous_period else None,
                    "previous_value": h.previous_value,
                }
                for h in lines
            ]
        )

    def _section_chart(self, section: str) -> Chart:
        return self.trend_chart(
            section,
            [h for h in self.headlines if h.indicator.scorecard.section == section],
            f"the {section} section",
        )

    def trend_chart(self, name: str, headlines: list[Headline], what: str) -> Chart:
        """Small multiples of ``headlines``' series: the area with its comparators.
        ``what`` names the group in the alt text ("the Outcomes section")."""
        compared = self._compared()
        lines = [line for line, _ in compared]
        roles = {line.role: code for line, code in compared}
        panels, moves = [], []
        for h in headlines:
            series = self.series[h.indicator.id]
            series = series[series["period"].map(lambda p: p.end) <= self.period.end]
            shown = {"area": roles["area"]} if h.indicator.size_dependent else roles
            frame = pd.concat(
                [
                    series[series["area_code"] == code].assign(role=role)
                    for role, code in shown.items()
                ]
            )
            frame = frame.assign(x=frame["period"].map(lambda p: p.end))
            band = any(t.kind == "band" for t in h.indicator.targets)
            panels.append((h.indicator.title, frame, None if band else h.target_value))
            own = frame[frame["role"] == "area"].dropna(subset=["value"])
            if len(own) >= 2:
                moves.append(
                    (h.indicator, float(own["value"].iloc[0]), float(own["value"].iloc[-1]))
                )
        alt = self._alt_text(what, len(panels), lines, moves)
        caption = f"{name}: trends for {self.area.name} to {self.period.label}"
        return small_multiples(panels, lines, caption=caption, alt=alt)

    def _compared(self) -> list[tuple[Line, str]]:
        """The chart lines: the area, its partnership (for a locality) and the country."""
        compared = [(Line("area", self.area.name), self.area.code)]
        if self.area.code != self.partnership.code:
            compared.append((Line("partnership", self.partnership.name), self.partnership.code))
        if self.country:
            compared.append((Line("country", self.country.name), self.country.code))
        return compared

    def _alt_text(
        self,
        what: str,
        count: int,
        lines: list[Line],
        moves: list[tuple[Indicator, float, float]],
    ) -> str:
        improved = [m for m in moves if change_direction(m[0], m[2] - m[1]) == "improved"]
        worsened = [m for m in moves if change_direction(m[0], m[2] - m[1]) == "worsened"]
        others = [ln.label for ln in lines[1:]]
        text = (
            f"Line charts, one per indicator, of {what} "
            f"({count} indicator{'' if count == 1 else 's'}) for {self.area.name} up to {self.period.label}"
            + (f", with {' and '.join(others)} for comparison" if others else "")
            + ". "
        )
        text += (
            f"Since the start of the series {len(improved)} improved and {len(worsened)} worsened"
            f" (the rest changed little or have no direction)."
        )
        if worsened:
            ind, start, end = max(worsened, key=lambda m: abs(m[2] - m[1]) / (abs(m[1]) or 1))
            text += (
                f" The largest worsening was {ind.title}, from {describe_value(ind, start)} "
                f"to {describe_value(ind, end)}."
            )
        return text
