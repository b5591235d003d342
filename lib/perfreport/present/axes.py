"""Axes and legends for the single charts drawn as SVG (SPC charts, bars): tick marks with
their labels below or left of a plotting :class:`~perfreport.present.trend_panel.Box`, a grid
line at each tick if asked, the left and bottom spines, and a row of legend entries.

Ticks are given on the page: ``(position in points, label)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from perfreport.present.svg import TEXT, line, text, text_width
from perfreport.present.trend_panel import EDGE, GRID, TICK_LENGTH, TICK_PAD, Box

Tick = tuple[float, str]
Sample = Callable[[float, float, float], list[str]]
"""Draws a legend entry's sample given its left edge, its middle and its length."""
DIGIT = 0.729
"""The height of a digit in DejaVu Sans, in ems."""
_TICK: dict[str, str | float] = {"stroke": TEXT, "stroke_width": 0.8}


def bottom_axis(box: Box, ticks: Sequence[Tick], size: float, *, grid: bool) -> list[str]:
    """A tick below the box at each of ``ticks`` with its label centred under it (``size``
    points), and a grid line up the box at each if ``grid``."""
    out = [line(at, box.y, at, box.bottom, **GRID) for at, _ in ticks] if grid else []
    below = box.bottom + TICK_LENGTH + TICK_PAD + DIGIT * size
    for at, name in ticks:
        out.append(line(at, box.bottom, at, box.bottom + TICK_LENGTH, class_="xtick", **_TICK))
        out.append(
            text(at, below, name, text_anchor="middle", class_="xlabel", font_size=size, fill=TEXT)
        )
    return out


def left_axis(box: Box, ticks: Sequence[Tick], size: float, *, grid: bool) -> list[str]:
    """A tick left of the box at each of ``ticks`` with its label right-aligned beside it
    (``size`` points), and a grid line across the box at each if ``grid``."""
    out = [line(box.x, at, box.x + box.width, at, **GRID) for at, _ in ticks] if grid else []
    left = box.x - TICK_LENGTH - TICK_PAD
    for at, name in ticks:
        out.append(line(box.x - TICK_LENGTH, at, box.x, at, class_="ytick", **_TICK))
        out.append(
            text(
                left,
                at + DIGIT * size / 2,
                name,
                text_anchor="end",
                class_="ylabel",
                font_size=size,
                fill=TEXT,
            )
        )
    return out


def spines(box: Box) -> list[str]:
    """The left and bottom axis lines."""
    return [
        line(box.x, box.y, box.x, box.bottom, **EDGE),
        line(box.x, box.bottom, box.x + box.width, box.bottom, **EDGE),
    ]


def legend_row(
    entries: Sequence[tuple[Sample, str]], x: float, middle: float, size: float, width: float
) -> list[str]:
    """Legend entries left to right from ``x`` (rows ``1.6 * size`` apart when the next entry
    would pass ``width``), each its sample (two ems long), then its label at ``size`` points,
    spaced as matplotlib spaces them."""
    handle, pad, spacing = 2.0 * size, 0.8 * size, 2.0 * size
    out, left = ['<g class="legend">'], x
    for sample, label in entries:
        entry = handle + pad + text_width(label, size)
        if left > x and left + entry > width:
            left, middle = x, middle + 1.6 * size
        out += ['<g class="entry">', *sample(left, middle, handle)]
        baseline = middle + DIGIT * size / 2
        out += [text(left + handle + pad, baseline, label, font_size=size, fill=TEXT), "</g>"]
        left += entry + spacing
    return [*out, "</g>"]
