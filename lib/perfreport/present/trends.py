"""Small multiples of trends: one panel per indicator, the area against its comparators.

Each line keeps its role's colour, line style and marker in every panel (the area blue and
solid with circles, its body (a locality's partnership) grey and dashed with squares, the
comparator (the country) orange and dotted with triangles), so lines are told apart without colour; a target is a green dash-dot.

The chart is an SVG written directly (:mod:`~perfreport.present.svg`, one panel by
:mod:`~perfreport.present.trend_panel`), in the house style of the matplotlib charts: it costs
a few milliseconds where matplotlib took half a second a figure, and stays sharp when printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from perfreport.present.figures import DPI, Chart
from perfreport.present.svg import TEXT, document, line, markers, text, text_width
from perfreport.present.trend_panel import Box, Style, panel, points, stroke

COLUMNS = 4
PANEL_WIDTH_IN = 2.05
PANEL_HEIGHT_IN = 1.55
PALETTE = {"area": "#005EB8", "body": "#425563", "comparator": "#B35900", "target": "#007F3B"}
"""NHS identity blue, dark grey, a dark orange and green: each at least 4.5:1 on white."""
LINESTYLE = {"area": "-", "body": "--", "comparator": ":", "target": "-."}
MARKER = {"area": "o", "body": "s", "comparator": "^"}
MARGINS_IN = {"left": 0.42, "right": 0.3, "bottom": 0.22, "top": 0.62}
"""The space around the panels, in inches (room for tick labels, titles and the legend)."""
GAPS = {"across": 0.42, "down": 0.85}
"""The space between panels, as a share of a panel's width and of its height."""
LEGEND_SIZE = 7.0


@dataclass(frozen=True)
class Line:
    """One line of a panel: which role it plays (area, body, comparator) and its label."""

    role: str
    label: str


def small_multiples(
    panels: list[tuple[str, pd.DataFrame, float | None]],
    lines: list[Line],
    *,
    caption: str,
    alt: str,
) -> Chart:
    """One panel per indicator: ``(title, frame with columns role, x, value, target)``.

    Each panel has its own y axis (indicators have different units); the legend is shared.
    """
    rows = max(1, math.ceil(len(panels) / COLUMNS))
    cols = min(COLUMNS, max(1, len(panels)))
    entries = [(ln.role, ln.label) for ln in lines] + [("target", "Target")]
    # as wide as the legend at least (one panel is narrower than its legend)
    width = max(PANEL_WIDTH_IN * cols * 72, _legend_width(entries) + 2 * LEGEND_SIZE)
    height = (PANEL_HEIGHT_IN * rows + 0.5) * 72
    styles = {role: Style(PALETTE[role], LINESTYLE[role], MARKER.get(role, "")) for role in PALETTE}
    body = _legend(entries, width, styles)
    for box, (title, frame, target) in zip(_boxes(rows, cols, width, height), panels, strict=False):
        drawn = points(frame, [ln.role for ln in lines])
        body += panel(box, _wrap(title), drawn, target, styles)
    return Chart(document(width, height, DPI, body), alt, caption, mime="image/svg+xml")


def _boxes(rows: int, cols: int, width: float, height: float) -> list[Box]:
    """Each panel's plotting area, row by row, with :data:`MARGINS_IN` and :data:`GAPS`."""
    left, right = MARGINS_IN["left"] * 72, MARGINS_IN["right"] * 72
    top, bottom = MARGINS_IN["top"] * 72, MARGINS_IN["bottom"] * 72
    w = (width - left - right) / (cols + GAPS["across"] * (cols - 1))
    h = (height - top - bottom) / (rows + GAPS["down"] * (rows - 1))
    return [
        Box(left + c * w * (1 + GAPS["across"]), top + r * h * (1 + GAPS["down"]), w, h)
        for r in range(rows)
        for c in range(cols)
    ]


HANDLE, PAD, SPACING = 2.0 * LEGEND_SIZE, 0.8 * LEGEND_SIZE, 2.0 * LEGEND_SIZE
"""A legend entry's sample line, the gap after it, and the gap before the next entry."""


def _entry_widths(entries: list[tuple[str, str]]) -> list[float]:
    return [HANDLE + PAD + text_width(label, LEGEND_SIZE) for _, label in entries]


def _legend_width(entries: list[tuple[str, str]]) -> float:
    return sum(_entry_widths(entries)) + SPACING * (len(entries) - 1)


def _legend(entries: list[tuple[str, str]], width: float, styles: dict[str, Style]) -> list[str]:
    """One legend for every panel, centred across the top: each line's sample and label,
    then the target's."""
    handle, pad, spacing = HANDLE, PAD, SPACING
    widths = _entry_widths(entries)
    x = (width - _legend_width(entries)) / 2
    middle = 6.3 + 0.6 * LEGEND_SIZE
    out = ['<g class="legend">']
    for (role, label), entry_width in zip(entries, widths, strict=True):
        style = styles[role]
        out.append('<g class="entry">')
        out.append(
            line(x, middle, x + handle, middle, **stroke(style.colour, style.linestyle, 1.5))
        )
        if style.marker:
            out.append(markers(style.marker, [(x + handle / 2, middle)], 3.0, style.colour))
        baseline = middle + 0.729 * LEGEND_SIZE / 2
        out += [text(x + handle + pad, baseline, label, font_size=LEGEND_SIZE, fill=TEXT), "</g>"]
        x += entry_width + spacing
    return [*out, "</g>"]


def _wrap(title: str, width: int = 27) -> str:
    """``title`` on at most three lines of ``width`` characters, with an ellipsis if cut."""
    words, lines, current = title.split(), [], ""
    for word in words:
        if len(current) + len(word) + 1 > width and current:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return "\n".join(lines[:3]) + ("…" if len(lines) > 3 else "")
