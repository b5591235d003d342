"""Status bars: how many indicators of each group are green, amber, red, without a target or
without data, as one horizontal stacked bar per group; and one bar per category.

The bars are an SVG written directly (:mod:`~perfreport.present.svg`), as the trends are, in
the house style the seaborn bars had: each status its colour and its hatch (an SVG pattern), a
dark edge round each part, the groups named on the left, a legend below.
"""

from __future__ import annotations

import math

import pandas as pd

from perfreport.present.axes import Sample, bottom_axis, left_axis, legend_row, spines
from perfreport.present.figures import DPI, Chart
from perfreport.present.svg import TEXT, attributes, document, markers, num, text, text_width
from perfreport.present.ticks import Scale, value_ticks
from perfreport.present.trend_panel import TICK_LENGTH, TICK_PAD, Box

STATUS_BARS = {
    "green": ("Green", "#00703C", ""),
    "amber": ("Amber", "#8A5300", "//"),
    "red": ("Red", "#B10E1E", "xx"),
    "no_target": ("No target", "#4C6272", ".."),
    "no_data": ("No data", "#FFFFFF", ""),
}
"""Status colours (each at least 3:1 against white) with a hatch each, so bars never rely on colour."""
EDGE, HATCH_TILE = "#202124", 8.0
DOTS = [(1.0, 1.0), (5.0, 1.0), (3.0, 5.0), (7.0, 5.0)]
"""The dots of the ``..`` hatch in its tile: staggered, four points apart."""
SIZE, LEGEND_SIZE, MARGIN = 8.0, 7.0, 8.0
"""Label and legend type sizes; the white space round the chart, in points."""
WIDTH_IN = 7.2


def status_bars(counts: pd.DataFrame, *, caption: str, alt: str) -> Chart:
    """A horizontal stacked bar per row of ``counts`` (columns: the statuses of ``STATUS_BARS``),
    the first row at the top."""
    groups = [str(name) for name in counts.index]
    frame = counts[list(STATUS_BARS)].astype(float).fillna(0)
    box, width, height = _layout(groups, 0.5 * len(groups) + 1.1, legend=True)
    xs = Scale(0.0, max(1.0, float(frame.sum(axis=1).max())), box.x, box.x + box.width)
    body = [_patterns(), *_frame(box, groups, _counts(xs), "Indicators")]
    band = box.height / max(1, len(groups))
    for row, (group, counted) in enumerate(zip(groups, frame.itertuples(index=False), strict=True)):
        left, top = 0.0, box.y + (row + 0.1) * band
        body.append(f'<g class="bar"{attributes(data_group=group)}>')
        for status, count in zip(STATUS_BARS, counted, strict=True):
            if count > 0:
                body.append(_rect(xs(left), top, xs(left + count) - xs(left), 0.8 * band, status))
            left += count
        body.append("</g>")
    body += [*spines(box), *_legend(box)]
    return Chart(document(width, height, DPI, body), alt, caption, mime="image/svg+xml")


def category_bars(
    values: pd.Series, *, label: str, caption: str, alt: str, colour: str = "#005EA5"
) -> Chart:
    """A horizontal bar per category of ``values`` (index: the categories, the first at the
    top; a missing or withheld value leaves its category without a bar), ``label`` on the
    axis of the values."""
    names = [str(name) for name in values.index]
    numbers = [float(v) if pd.notna(v) else math.nan for v in values]
    box, width, height = _layout(names, 0.32 * len(names) + 0.9, legend=False)
    shown = [v for v in numbers if math.isfinite(v)] or [0.0]
    low, high = min(0.0, *shown), max(0.0, *shown)
    extra = 0.05 * ((high - low) or 1.0)
    xs = Scale(low - extra if low < 0 else 0.0, high + extra, box.x, box.x + box.width)
    ticks = [(xs(at), name) for at, name in value_ticks(xs.low, xs.high, 8)]
    body = _frame(box, names, ticks, label)
    band = box.height / max(1, len(names))
    for row, (name, value) in enumerate(zip(names, numbers, strict=True)):
        if math.isfinite(value):
            start, end = sorted((xs(0.0), xs(value)))
            rect = attributes(x=start, y=box.y + (row + 0.1) * band, width=end - start)
            body.append(
                f'<rect class="bar"{rect}{attributes(height=0.8 * band, fill=colour, data_category=name)}/>'
            )
    body += spines(box)
    return Chart(document(width, height, DPI, body), alt, caption, mime="image/svg+xml")


def _layout(labels: list[str], height_in: float, *, legend: bool) -> tuple[Box, float, float]:
    """The plotting area and the chart's width and height, in points: room on the left for
    the longest label, below for the ticks, the axis label and (if asked) the legend."""
    width, height = WIDTH_IN * 72, height_in * 72
    left = MARGIN + max([text_width(s, SIZE) for s in labels] or [0]) + TICK_LENGTH + TICK_PAD
    bottom = MARGIN + TICK_LENGTH + TICK_PAD + 2.6 * SIZE + (2 * LEGEND_SIZE if legend else 0)
    return Box(left, MARGIN, width - left - 2 * MARGIN, height - MARGIN - bottom), width, height


def _frame(box: Box, labels: list[str], ticks: list[tuple[float, str]], label: str) -> list[str]:
    """The grid and ticks of the values, the labels of the bars and the axis label."""
    band = box.height / max(1, len(labels))
    out = bottom_axis(box, ticks, SIZE, grid=True)
    out += left_axis(
        box, [(box.y + (i + 0.5) * band, s) for i, s in enumerate(labels)], SIZE, grid=False
    )
    below = box.bottom + TICK_LENGTH + TICK_PAD + 2.3 * SIZE
    centre = box.x + box.width / 2
    out.append(
        text(
            centre,
            below,
            label,
            text_anchor="middle",
            font_size=SIZE,
            fill=TEXT,
            class_="axis-label",
        )
    )
    return out


def _counts(xs: Scale) -> list[tuple[float, str]]:
    """Whole-number ticks from 0 to the top of ``xs``: every 1, 2 or 5 times a power of ten,
    the finest that gives at most eight."""
    step = 1
    while xs.high / step > 7:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return [(xs(float(at)), str(at)) for at in range(0, math.floor(xs.high) + 1, step)]


def _patterns() -> str:
    """An SVG pattern per hatched status: its hatch in the edge colour on nothing, as
    matplotlib hatches (``//`` diagonals, ``xx`` crossed diagonals, ``..`` dots)."""
    tile, out = HATCH_TILE, ["<defs>"]
    far, near = num(tile + 1), num(tile - 1)
    lines = {
        "//": f"M0 {num(tile)}L{num(tile)} 0M-1 1L1 -1M{near} {far}L{far} {near}",
        "xx": f"M0 0L{num(tile)} {num(tile)}M0 {num(tile)}L{num(tile)} 0",
    }
    for status, (_, _, hatch) in STATUS_BARS.items():
        if not hatch:
            continue
        size = attributes(width=tile, height=tile)
        out.append(f'<pattern id="hatch-{status}" patternUnits="userSpaceOnUse"{size}>')
        if hatch == "..":
            out.append(markers("o", DOTS, 0.8, EDGE))
        else:
            out.append(f'<path d="{lines[hatch]}"{attributes(stroke=EDGE, stroke_width=0.8)}/>')
        out.append("</pattern>")
    return "".join([*out, "</defs>"])


def _rect(x: float, y: float, width: float, height: float, status: str) -> str:
    """A part of a bar in ``status``'s colour, edged in dark grey, then its hatch over it."""
    _, colour, hatch = STATUS_BARS[status]
    place = attributes(x=x, y=y, width=width, height=height)
    style = attributes(data_status=status, fill=colour, stroke=EDGE, stroke_width=0.6)
    drawn = f"<rect{place}{style}/>"
    return drawn + (f'<rect{place} fill="url(#hatch-{status})"/>' if hatch else "")


def _legend(box: Box) -> list[str]:
    """A swatch and the name of each status, below the axis label."""

    def swatch(status: str) -> Sample:
        return lambda x, y, length: [
            _rect(x, y - 0.35 * LEGEND_SIZE, length, 0.7 * LEGEND_SIZE, status)
        ]

    entries = [(swatch(status), name) for status, (name, _, _) in STATUS_BARS.items()]
    middle = box.bottom + TICK_LENGTH + TICK_PAD + 2.6 * SIZE + LEGEND_SIZE
    return legend_row(entries, box.x, middle, LEGEND_SIZE, box.x + box.width)
