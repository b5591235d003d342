"""Trend charts of a :class:`~perfreport.reports.locality_view.LocalityView`: small multiples
of each indicator's series for the area with its partnership and the country, and alt text
that says what improved and what worsened."""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfreport.assess.rag import change_direction, describe_value
from perfreport.config.catalogue import Indicator
from perfreport.present.charts import Chart, Line, small_multiples
from perfreport.present.tables import Section
from perfreport.reports.locality_view import Headline, LocalityView

Move = tuple[Indicator, float, float]
"""An indicator with the area's first and last value in the chart."""


def trend_charts(view: LocalityView) -> Section:
    """A small-multiple trend chart for each scorecard section."""
    charts = [trend_chart(view, s, view.in_section(s), f"the {s} section") for s in view.sections]
    return Section("Trends by scorecard section", charts, level=2)


def trend_chart(view: LocalityView, name: str, headlines: list[Headline], what: str) -> Chart:
    """Small multiples of ``headlines``' series: the area with its comparators.
    ``what`` names the group in the alt text ("the Outcomes section")."""
    compared = _compared(view)
    lines = [line for line, _ in compared]
    roles = {line.role: code for line, code in compared}
    panels, moves = [], []
    for h in headlines:
        frame = _panel_frame(view, h, roles)
        band = any(t.kind == "band" for t in h.indicator.targets)
        panels.append((h.indicator.title, frame, None if band else h.target_value))
        own = frame[frame["role"] == "area"].dropna(subset=["value"])
        if len(own) >= 2:
            moves.append((h.indicator, float(own["value"].iloc[0]), float(own["value"].iloc[-1])))
    alt = _alt_text(view, what, len(panels), lines, moves)
    caption = f"{name}: trends for {view.area.name} to {view.period.label}"
    return small_multiples(panels, lines, caption=caption, alt=alt)


def _panel_frame(view: LocalityView, h: Headline, roles: dict[str, str]) -> pd.DataFrame:
    """The indicator's series up to the report's period, one ``role`` per line drawn (the area
    alone for a count, which depends on the size of the area): columns role, x, value."""
    series = view.series[h.indicator.id]
    ends = series["period"].map(lambda p: p.end).to_numpy()
    before = ends <= view.period.end
    shown = {"area": roles["area"]} if h.indicator.size_dependent else roles
    codes = series["area_code"].to_numpy()
    rows = [np.flatnonzero((codes == code) & before) for code in shown.values()]
    at = np.concatenate(rows)
    return pd.DataFrame(
        {
            "role": np.repeat(list(shown), [len(r) for r in rows]),
            "x": ends[at],
            "value": series["value"].to_numpy(dtype=float, na_value=np.nan)[at],
        }
    )


def _compared(view: LocalityView) -> list[tuple[Line, str]]:
    """The chart lines: the area, its partnership (for a locality) and the country."""
    compared = [(Line("area", view.area.name), view.area.code)]
    if not view.is_body:
        compared.append((Line("body", view.body.name), view.body.code))
    if view.comparator:
        compared.append((Line("comparator", view.comparator.name), view.comparator.code))
    return compared


def _alt_text(
    view: LocalityView, what: str, count: int, lines: list[Line], moves: list[Move]
) -> str:
    improved = [m for m in moves if change_direction(m[0], m[2] - m[1]) == "improved"]
    worsened = [m for m in moves if change_direction(m[0], m[2] - m[1]) == "worsened"]
    others = [ln.label for ln in lines[1:]]
    text = (
        f"Line charts, one per indicator, of {what} "
        f"({count} indicator{'' if count == 1 else 's'}) for {view.area.name} up to "
        f"{view.period.label}"
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
