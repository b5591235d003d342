"""Funnel plots in the house style: the parts of a body (the localities of a partnership), one
panel per indicator, each part's value against its denominator inside control limits around the
body's average, with alt text that says which parts are outside which limit.

Drawn as SVG (:mod:`~perfreport.present.svg`, a panel by :mod:`~perfreport.present.funnel_panel`)
like the other charts: two panels across, at most :data:`MOST_PANELS` in one figure, one legend
across the top.

>>> from perfreport.present.funnel_panel import FunnelPanel, FunnelPoint
>>> panel = FunnelPanel("Reviews on time", "proportion", 0.8, 100, "Percentage (%)", (
...     FunnelPoint("North", 400, 70.0, "below 99.8% limit", own=True),
...     FunnelPoint("South", 300, 82.0, "within limits")))
>>> finding(panel)
'Reviews on time: North is below the 99.8% limit; South is within the limits.'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from perfreport.present.axes import Sample, legend_row
from perfreport.present.figures import DPI, Chart
from perfreport.present.funnel_panel import (
    AVERAGE,
    LIMIT_STYLES,
    MARKER_SIZE,
    OTHER,
    OWN,
    SEVERITY,
    FunnelPanel,
    FunnelPoint,
    draw_panel,
)
from perfreport.present.svg import document, line, markers
from perfreport.present.trend_panel import Box, stroke

__all__ = ["MOST_PANELS", "FunnelPanel", "FunnelPoint", "finding", "funnel_chart"]

MOST_PANELS, COLUMNS = 6, 2
WIDTH_IN, PANEL_HEIGHT_IN, LEGEND_IN = 7.2, 2.45, 0.5
MARGINS = {"left": 50.0, "right": 14.0, "top": 44.0, "bottom": 34.0}
"""Around each panel's plotting area in points: y tick labels and the title, x tick labels
and the x axis title."""
LEGEND_SIZE = 7.5


def funnel_chart(
    panels: Sequence[FunnelPanel], *, body: str, part: str, caption: str, intro: str
) -> Chart:
    """A figure of ``panels`` (at most :data:`MOST_PANELS`), each a funnel of ``body``'s
    parts (``part`` names them: "localities"); ``intro`` opens the alt text."""
    if not 0 < len(panels) <= MOST_PANELS:
        raise ValueError(f"a funnel figure has 1 to {MOST_PANELS} panels, not {len(panels)}")
    width = WIDTH_IN * 72
    rows = math.ceil(len(panels) / COLUMNS)
    height = LEGEND_IN * 72 + rows * PANEL_HEIGHT_IN * 72
    own = next((p.name for panel in panels for p in panel.points if p.own), None)
    body_svg = legend_row(_legend(body, part, own), MARGINS["left"] - 36, 12, LEGEND_SIZE, width)
    for i, panel in enumerate(panels):
        body_svg += draw_panel(_box(i, width), panel)
    alt = " ".join([intro, *(finding(p) for p in panels)])
    return Chart(document(width, height, DPI, body_svg), alt, caption, mime="image/svg+xml")


def _box(i: int, width: float) -> Box:
    """The plotting area of panel ``i``, row by row, two across."""
    cell_w, cell_h = width / COLUMNS, PANEL_HEIGHT_IN * 72
    x = (i % COLUMNS) * cell_w + MARGINS["left"]
    y = LEGEND_IN * 72 + (i // COLUMNS) * cell_h + MARGINS["top"]
    return Box(
        x,
        y,
        cell_w - MARGINS["left"] - MARGINS["right"],
        cell_h - MARGINS["top"] - MARGINS["bottom"],
    )


def _legend(body: str, part: str, own: str | None) -> list[tuple[Sample, str]]:
    """The average, each limit, the report's own part and the others."""

    def rule(linestyle: str, width: float) -> Sample:
        return lambda x, y, n: [line(x, y, x + n, y, **stroke(AVERAGE, linestyle, width))]

    def dot(colour: str, hollow: bool) -> Sample:
        def draw(x: float, y: float, n: float) -> list[str]:
            out = [markers("o", [(x + n / 2, y)], MARKER_SIZE, colour)]
            return out + (
                [markers("o", [(x + n / 2, y)], MARKER_SIZE - 2.6, "#FFFFFF")] if hollow else []
            )

        return draw

    entries = [(rule("-", 1.0), f"Average of {body}")]
    entries += [
        (rule(*style), f"{level:.1%} limits".replace(".0%", "%"))
        for level, style in LIMIT_STYLES.items()
    ]
    if own is not None:
        entries.append((dot(OWN, False), f"{own} (filled)"))
        return [*entries, (dot(OTHER, True), f"Other {part} (open)")]
    return [*entries, (dot(OTHER, True), part[:1].upper() + part[1:])]


def finding(panel: FunnelPanel) -> str:
    """Which parts are outside which limit, in words: ``'Title: A is above the 99.8% limit;
    B and C are within the limits.'``"""
    groups: dict[str, list[str]] = {}
    for p in panel.points:
        groups.setdefault(p.position, []).append(p.name)
    order = sorted(groups, key=SEVERITY.index)
    said = []
    for position in order:
        names = groups[position]
        verb = "is" if len(names) == 1 else "are"
        said.append(f"{_and(names)} {verb} {_where(position)}")
    return f"{panel.title}: {'; '.join(said)}."


def _where(position: str) -> str:
    if position == "within limits":
        return "within the limits"
    side, level, _ = position.split(" ")
    return f"{side} the {level} limit"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
