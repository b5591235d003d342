"""SPC charts in the house style, with Making Data Count's variation and assurance icons.

Points are coloured by type in the Making Data Count palette (grey common cause, blue
improvement, orange concern, purple neutral) and told apart by marker shape as well, so the
chart never relies on colour alone. The icons are drawn by the package (circles and letters,
no downloaded images): H or L for special cause high or low, P, F or ? for a target that will be
met, missed, or hit and missed. The alt text is :func:`perfreport.methods.spc.describe`'s sentence.

The chart is an SVG written directly (:mod:`~perfreport.present.svg`), as the trends are: a few
milliseconds where matplotlib took a seventh of a second a chart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from perfreport.methods.spc import XmrResult, describe
from perfreport.present.axes import DIGIT, Sample, bottom_axis, left_axis, legend_row, spines
from perfreport.present.figures import DPI, Chart
from perfreport.present.svg import (
    TEXT,
    crosses,
    document,
    fit_lines,
    line,
    markers,
    polyline,
    text,
)
from perfreport.present.ticks import Scale, padded, value_ticks
from perfreport.present.trend_panel import Box, stroke

MDC_COLOURS = {
    "common_cause": "#5F6368",
    "special_cause_improvement": "#1F77B4",
    "special_cause_concern": "#C55A11",
    "special_cause_neutral_high": "#6A3D9A",
    "special_cause_neutral_low": "#6A3D9A",
}
"""Darker than the Excel tool's shades so that every colour meets 3:1 against white."""
MARKERS = {
    "common_cause": "o",
    "special_cause_improvement": "^",
    "special_cause_concern": "X",
    "special_cause_neutral_high": "s",
    "special_cause_neutral_low": "s",
}
LABELS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Improvement",
    "special_cause_concern": "Concern",
    "special_cause_neutral_high": "Special cause (neutral)",
    "special_cause_neutral_low": "Special cause (neutral)",
}
ASSURANCE_ICON = {
    "consistent_pass": ("P", "#1F77B4"),
    "consistent_fail": ("F", "#C55A11"),
    "inconsistent": ("?", "#5F6368"),
}
WIDTH_IN, HEIGHT_IN = 7.2, 3.4
MARGINS_IN = {"left": 0.6, "right": 0.15, "bottom": 0.8, "top": 0.5}
"""Fixed margins around the plotting area, in inches."""
VALUES, LIMITS, TARGET = "#9AA0A6", "#202124", "#007F3B"
"""The grey joining the values, the dark grey of the mean and limits, the target's green."""
TITLE_SIZE, TICK_SIZE, LEGEND_SIZE, ICON_SIZE = 9.0, 7.0, 6.5, 10.0
MARKER_SIZE = 26**0.5
"""Points across a marker: matplotlib's ``s=26`` (square points)."""
ICONS_AT = (0.88, 0.95)
ICON_RADIUS = 0.48 * 0.06 * WIDTH_IN * 72
"""The centres of the variation and assurance icons, as shares of the width."""


def variation_icon(result: XmrResult) -> tuple[str, str]:
    """The letter and colour of the variation icon: H/L for special cause, blank for common."""
    kind = result.variation or "common_cause"
    if kind == "common_cause":
        return "~", MDC_COLOURS[kind]
    last = result.points.iloc[-1]
    return ("H" if last["value"] > last["mean"] else "L"), MDC_COLOURS[kind]


def spc_chart(
    result: XmrResult,
    labels: Sequence[str],
    *,
    title: str,
    fmt: Callable[[float], str] | None = None,
) -> Chart:
    """Draw ``result`` against the period ``labels``; returns a :class:`Chart` with alt text."""
    points = result.points
    if len(labels) != len(points):
        raise ValueError("labels must have one entry per point")
    width, height = WIDTH_IN * 72, HEIGHT_IN * 72
    left, top = MARGINS_IN["left"] * 72, MARGINS_IN["top"] * 72
    box = Box(
        left, top, width - left - MARGINS_IN["right"] * 72, height - top - MARGINS_IN["bottom"] * 72
    )
    n = len(points)
    xs = Scale(*padded([0.0, float(n - 1)], 1.0), box.x, box.x + box.width)
    drawn = [points[c].to_numpy(dtype=float) for c in ("value", "mean", "upl", "lpl")]
    values = np.concatenate([*drawn, [] if result.target is None else [result.target]])
    ys = Scale(*padded(values[np.isfinite(values)].tolist(), 0.0), box.bottom, box.y)
    step = max(1, n // 8)
    yticks = [(ys(at), name) for at, name in value_ticks(ys.low, ys.high, 8)]
    body = left_axis(box, yticks, TICK_SIZE, grid=True)
    body += _lines(result, xs, ys, box) + spines(box) + _points(result, xs, ys)
    body += bottom_axis(box, [(xs(i), labels[i]) for i in range(0, n, step)], TICK_SIZE, grid=False)
    room = ICONS_AT[0] * width - ICON_RADIUS - 6 - box.x  # the title stops short of the icons
    for n, part in enumerate(reversed(fit_lines(title, TITLE_SIZE, room, 2))):
        at = box.y - 6 - n * 1.2 * TITLE_SIZE
        body.append(text(box.x, at, part, font_size=TITLE_SIZE, fill=TEXT, class_="title"))
    middle = box.bottom + 0.12 * box.height + 1.1 * LEGEND_SIZE
    body += legend_row(_legend(result), box.x, middle, LEGEND_SIZE, box.x + box.width)
    body += _icon(ICONS_AT[0] * width, *variation_icon(result))
    if result.assurance:
        body += _icon(ICONS_AT[1] * width, *ASSURANCE_ICON[result.assurance])
    alt = describe(result, fmt)
    image = document(width, height, DPI, body)
    return Chart(image, f"{title}: {alt}", f"{title}. {alt}", mime="image/svg+xml")


def _lines(result: XmrResult, xs: Scale, ys: Scale, box: Box) -> list[str]:
    """The values joined in grey, each baseline's mean and process limits, and the target."""
    points = result.points
    values = points["value"].to_numpy(dtype=float)
    joined = [(xs(i), ys(v)) for i, v in enumerate(values)]
    out = [polyline(joined, class_="values", **stroke(VALUES, "-", 1.0))]
    baseline = points["baseline"].to_numpy()
    for part in np.unique(baseline):
        at = np.flatnonzero(baseline == part)
        start, end = xs(float(at[0])), xs(float(at[-1]))
        for column, kind, linestyle, width in _BASELINE:
            level = float(points[column].iloc[at[0]])
            if np.isfinite(level):
                style = stroke(LIMITS, linestyle, width)
                out.append(line(start, ys(level), end, ys(level), class_=kind, **style))
    if result.target is not None:
        level = ys(result.target)
        style = stroke(TARGET, "-.", 1.2)
        out.append(line(box.x, level, box.x + box.width, level, class_="target", **style))
    return out


_BASELINE = (("mean", "mean", "-", 1.2), ("upl", "limit", "--", 1.0), ("lpl", "limit", "--", 1.0))
"""Each baseline's lines: column, class, matplotlib line style and width."""


def _points(result: XmrResult, xs: Scale, ys: Scale) -> list[str]:
    """Each point coloured and shaped by its type (common cause, improvement, concern...),
    on a white edge."""
    values = result.points["value"].to_numpy(dtype=float)
    types = result.points["point_type"].to_numpy()
    out = []
    for kind in sorted(set(types)):
        page = [(xs(float(i)), ys(values[i])) for i in np.flatnonzero(types == kind)]
        out += [
            f'<g class="points" data-type="{kind}">',
            _marks(kind, page, MARKER_SIZE + 0.8, "#FFFFFF"),
            _marks(kind, page, MARKER_SIZE, MDC_COLOURS[kind]),
            "</g>",
        ]
    return out


def _marks(kind: str, page: list[tuple[float, float]], size: float, colour: str) -> str:
    """The markers of ``kind``'s shape, ``size`` points across."""
    shape = MARKERS[kind]
    if shape == "X":
        return crosses(page, size, colour)
    return markers(shape, page, size - 1, colour)


def _legend(result: XmrResult) -> list[tuple[Sample, str]]:
    """An entry for each thing drawn: the mean, the limits, the target, each point type."""

    def rule(colour: str, linestyle: str, width: float) -> Sample:
        return lambda x, y, length: [line(x, y, x + length, y, **stroke(colour, linestyle, width))]

    def mark(kind: str) -> Sample:
        return lambda x, y, length: [
            _marks(kind, [(x + length / 2, y)], MARKER_SIZE, MDC_COLOURS[kind])
        ]

    entries = [(rule(LIMITS, "-", 1.2), "Mean"), (rule(LIMITS, "--", 1.0), "Process limits")]
    if result.target is not None:
        entries.append((rule(TARGET, "-.", 1.2), "Target"))
    for kind in sorted(set(result.points["point_type"])):
        if LABELS[kind] not in {label for _, label in entries}:
            entries.append((mark(kind), LABELS[kind]))
    return entries


def _icon(x: float, letter: str, colour: str) -> list[str]:
    """A filled circle with a white bold letter, centred at ``x`` near the top."""
    y, radius = 0.075 * HEIGHT_IN * 72, ICON_RADIUS
    baseline = y + 0.06 * radius + DIGIT * ICON_SIZE / 2
    return [
        '<g class="icon">',
        markers("o", [(x, y)], 2 * radius - 1, colour),
        text(
            x,
            baseline,
            letter,
            text_anchor="middle",
            font_size=ICON_SIZE,
            font_weight="bold",
            fill="#FFFFFF",
        ),
        "</g>",
    ]
