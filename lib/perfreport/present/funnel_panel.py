"""One panel of a funnel plot as SVG: each part of a body (a locality) at its denominator and
value, the body's average across the panel, and the 95% and 99.8% control limits as curves.

The limits are :func:`perfreport.methods.funnels.funnel_limits` over a grid of denominators,
the function ``prepare`` places each part with, so a point outside a drawn curve is a part
``prepare`` placed outside that limit. The report's own part is a filled circle with its name in
bold, the others open circles: told apart by shape and weight, not colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from perfreport.methods.funnels import FUNNEL_LEVELS, funnel_limits
from perfreport.present.axes import DIGIT, bottom_axis, left_axis, spines
from perfreport.present.svg import TEXT, attributes, fit_lines, markers, polyline, text, text_width
from perfreport.present.ticks import Scale, padded, value_ticks
from perfreport.present.trend_panel import Box, stroke

OWN, OTHER, AVERAGE = "#005EB8", "#425563", "#202124"
"""The report's own part (the trends' area blue), the other parts and the lines (dark grey)."""
LIMIT_STYLES = {0.95: ("--", 1.0), 0.998: (":", 1.3)}
"""Each limit's matplotlib line style and width: dashed at 95%, dotted at 99.8%."""
TITLE_SIZE, TICK_SIZE, LABEL_SIZE, MARKER_SIZE = 8.0, 7.0, 7.0, 6.0
GRID_POINTS = 17
"""Denominators the limit curves are computed at, spaced evenly on a log scale across the x axis
(closer where the funnel bends most); an exact Poisson limit takes a root-finding each."""
X_TITLE = "Denominator (number of people or cases)"
SEVERITY = [
    "above 99.8% limit",
    "below 99.8% limit",
    "above 95% limit",
    "below 95% limit",
    "within limits",
]
"""Positions from farthest outside the limits to within them."""


@dataclass(frozen=True)
class FunnelPoint:
    """A part on the funnel: its name, denominator, value (in the indicator's unit) and the
    position ``funnel_position`` gives it; ``own`` marks the report's own part."""

    name: str
    denominator: float
    value: float
    position: str
    own: bool = False


@dataclass(frozen=True)
class FunnelPanel:
    """One indicator's funnel: the parts' ``average`` (events per person, or a share from 0 to
    1), the kind of funnel, the ``multiplier`` from that to the indicator's unit and the y axis
    title (``unit``)."""

    title: str
    kind: Literal["proportion", "rate"]
    average: float
    multiplier: float
    unit: str
    points: tuple[FunnelPoint, ...]

    @property
    def outside(self) -> tuple[FunnelPoint, ...]:
        return tuple(p for p in self.points if p.position != "within limits")

    @property
    def severity(self) -> int:
        """How far outside the limits its farthest part is: 0 above or below the 99.8% limit,
        up to 4 with every part within the limits (:data:`SEVERITY`)."""
        return min(SEVERITY.index(p.position) for p in self.points)


def draw_panel(box: Box, panel: FunnelPanel) -> list[str]:
    """The SVG elements of ``panel`` drawn in ``box`` (its title and unit above it)."""
    dens = [p.denominator for p in panel.points]
    xs = Scale(*_x_range(dens), box.x, box.x + box.width)
    grid = np.geomspace(xs.low, xs.high, GRID_POINTS)
    limits = funnel_limits(grid, panel.average, panel.kind, FUNNEL_LEVELS, panel.multiplier)
    values = [p.value for p in panel.points] + [panel.average * panel.multiplier]
    for low, high in limits.values():
        values += [float(low.min()), float(high.max())]
    ys = Scale(*padded(values, 0.0), box.bottom, box.y)
    out = ['<g class="funnel">', *_heading(box, panel)]
    out += left_axis(box, _ticks(ys, 6), TICK_SIZE, grid=True)
    out += bottom_axis(box, _ticks(xs, 5), TICK_SIZE, grid=False)
    below = box.bottom + 10 + DIGIT * TICK_SIZE + 1.3 * TICK_SIZE
    centre = box.x + box.width / 2
    out.append(text(centre, below, X_TITLE, text_anchor="middle", font_size=TICK_SIZE, fill=TEXT))
    level = ys(panel.average * panel.multiplier)
    out.append(polyline([(box.x, level), (box.x + box.width, level)], **stroke(AVERAGE, "-", 1.0)))
    for confidence, (low, high) in limits.items():
        style = stroke(AVERAGE, *LIMIT_STYLES[confidence])
        for curve in (low, high):
            points = list(
                zip((xs(float(x)) for x in grid), (ys(float(y)) for y in curve), strict=True)
            )
            out.append(polyline(points, class_=f"limit-{confidence:g}", **style))
    return [*out, *spines(box), *_points(panel, xs, ys, box), "</g>"]


def _x_range(dens: list[float]) -> tuple[float, float]:
    """From 60% of the smallest denominator to beyond the largest (never down to 0, where the
    limits open without bound)."""
    low, high = padded(dens, 0.0)
    return max(low, 0.6 * min(dens)), high


def _ticks(scale: Scale, most: int) -> list[tuple[float, str]]:
    """Value ticks on the page, their labels with a thousands separator."""
    out = []
    for at, label in value_ticks(scale.low, scale.high, most):
        decimals = len(label.split(".")[1]) if "." in label else 0
        out.append((scale(at), f"{at:,.{decimals}f}"))
    return out


def _heading(box: Box, panel: FunnelPanel) -> list[str]:
    """The title (at most two lines) and, just above the box, the unit of the y axis."""
    left = box.x - 36
    rows = fit_lines(panel.title, TITLE_SIZE, box.width + 36, 2)
    unit_at = box.y - 5
    top = unit_at - 1.5 * TICK_SIZE
    out = [
        text(
            left,
            top - (len(rows) - 1 - i) * 1.2 * TITLE_SIZE,
            row,
            font_size=TITLE_SIZE,
            fill=TEXT,
            class_="title",
        )
        for i, row in enumerate(rows)
    ]
    return [*out, text(left, unit_at, panel.unit, font_size=TICK_SIZE, fill=TEXT, class_="unit")]


def _points(panel: FunnelPanel, xs: Scale, ys: Scale, box: Box) -> list[str]:
    """Each part's marker (filled for the report's own part, open for the others) and its name
    beside it, moved down where it would run into a name above."""
    out, taken = ['<g class="points">'], list[tuple[float, float, float]]()
    for p in sorted(panel.points, key=lambda p: -p.value):
        x, y = xs(p.denominator), ys(p.value)
        out.append(markers("o", [(x, y)], MARKER_SIZE, OWN if p.own else OTHER))
        if not p.own:
            out.append(markers("o", [(x, y)], MARKER_SIZE - 2.6, "#FFFFFF"))
        weight = "bold" if p.own else "normal"
        width = text_width(p.name, LABEL_SIZE) * (1.08 if p.own else 1)
        right = x + MARKER_SIZE / 2 + 2 + width <= box.x + box.width
        start = x + MARKER_SIZE / 2 + 2 if right else x - MARKER_SIZE / 2 - 2 - width
        baseline = y + DIGIT * LABEL_SIZE / 2
        while any(
            abs(baseline - b) < 1.1 * LABEL_SIZE and start < e and s < start + width
            for s, e, b in taken
        ):
            baseline += 1.1 * LABEL_SIZE
        taken.append((start, start + width, baseline))
        top = baseline - DIGIT * LABEL_SIZE - 1.5
        back = attributes(x=start - 1, y=top, width=width + 2, height=LABEL_SIZE + 1)
        out.append(f'<rect{back} fill="#FFFFFF" fill-opacity="0.85"/>')
        out.append(
            text(
                start,
                baseline,
                p.name,
                font_size=LABEL_SIZE,
                font_weight=weight,
                fill=TEXT,
                class_="label",
            )
        )
    return [*out, "</g>"]
