"""One panel of the trend small multiples as SVG: its title, grid, axes with their ticks, a
line per role (broken where a value is missing) with its markers, and the target.

A panel's y axis runs over its values and its target with 5% to spare (as matplotlib's
autoscale did, ``axhline`` included); its x axis over the dates that have a value. A panel with
no value at all says "No data".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfreport.present.figures import EDGE_COLOUR, GRID_COLOUR, GRID_WIDTH
from perfreport.present.svg import TEXT, line, markers, num, polyline, text, text_width
from perfreport.present.ticks import Scale, padded, value_ticks, year_ticks

Point = tuple[float, float]
TITLE_SIZE, TICK_SIZE = 7.0, 6.0
TICK_LENGTH, TICK_PAD = 3.5, 3.5
LINE_WIDTH, MARKER_SIZE, TARGET_WIDTH = 1.2, 2.5, 0.9
DASHES = {"-": (), "--": (3.7, 1.6), ":": (1.0, 1.65), "-.": (6.4, 1.6, 1.0, 1.6)}
"""Matplotlib's dash patterns, in line widths."""
GRID: dict[str, str | float] = {
    "stroke": GRID_COLOUR,
    "stroke_width": GRID_WIDTH,
}
EDGE: dict[str, str | float] = {
    "class_": "spine",
    "stroke": EDGE_COLOUR,
    "stroke_width": 0.8,
}
ONE_YEAR = 365.0


@dataclass(frozen=True)
class Box:
    """A panel's plotting area in points: its top left corner, width and height."""

    x: float
    y: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Style:
    """How a role is drawn: colour, matplotlib line style and marker."""

    colour: str
    linestyle: str
    marker: str


def stroke(colour: str, linestyle: str, width: float) -> dict[str, str | float]:
    """SVG stroke attributes for a matplotlib line style (dashes scaled by the width)."""
    style: dict[str, str | float] = {"stroke": colour, "stroke_width": width}
    if DASHES[linestyle]:
        style["stroke_dasharray"] = " ".join(num(d * width) for d in DASHES[linestyle])
    style["stroke_linecap"] = "butt" if DASHES[linestyle] else "round"
    style["stroke_linejoin"] = "round"
    return style


def panel(
    box: Box,
    title: str,
    series: dict[str, list[Point]],
    target: float | None,
    styles: dict[str, Style],
) -> list[str]:
    """The SVG elements of one panel: ``series`` maps each role to its ``(days, value)``
    points in order; ``target`` is drawn across the panel in ``styles["target"]``."""
    out = ['<g class="panel">', *_title(box, title)]
    finite = [p for points in series.values() for p in points if _drawn(p)]
    if target is not None and not math.isfinite(target):
        target = None
    if not finite:
        middle = box.y + box.height / 2
        note = text(
            box.x + box.width / 2,
            middle,
            "No data",
            text_anchor="middle",
            font_size=TICK_SIZE,
            fill=TEXT,
        )
        return [*out, note, *_spines(box), "</g>"]
    xs = Scale(*padded([x for x, _ in finite], ONE_YEAR), box.x, box.x + box.width)
    values = [y for _, y in finite] + ([] if target is None else [target])
    ys = Scale(*padded(values, 0.0), box.bottom, box.y)
    most = max(3, min(5, math.floor(box.height / (2 * TICK_SIZE))))
    years = year_ticks(xs.low, xs.high, _year_step(xs.high - xs.low, box.width))
    out += _axes(box, years, value_ticks(ys.low, ys.high, most), xs, ys)
    for role, points in series.items():
        out += _series(role, [(xs(x), ys(y)) for x, y in points], styles[role])
    if target is not None:
        tstyle = styles["target"]
        at = ys(target)
        style = stroke(tstyle.colour, tstyle.linestyle, TARGET_WIDTH)
        out.append(line(box.x, at, box.x + box.width, at, class_="target", **style))
    return [*out, *_spines(box), "</g>"]


def _title(box: Box, title: str) -> list[str]:
    """``title``'s lines, left aligned, the last 6 points above the panel."""
    rows = title.split("\n")
    return [
        text(
            box.x,
            box.y - 6 - (len(rows) - 1 - i) * 1.2 * TITLE_SIZE,
            row,
            font_size=TITLE_SIZE,
            fill=TEXT,
            class_="title",
        )
        for i, row in enumerate(rows)
    ]


def _axes(
    box: Box, xticks: list[tuple[float, str]], yticks: list[tuple[float, str]], xs: Scale, ys: Scale
) -> list[str]:
    """The grid at every tick, then the ticks and their labels (outside the panel)."""
    out = [line(xs(at), box.y, xs(at), box.bottom, **GRID) for at, _ in xticks]
    out += [line(box.x, ys(at), box.x + box.width, ys(at), **GRID) for at, _ in yticks]
    tick: dict[str, str | float] = {"stroke": TEXT, "stroke_width": 0.8}
    label: dict[str, str | float] = {"font_size": TICK_SIZE, "fill": TEXT}
    digits = 0.729 * TICK_SIZE  # the height of a digit in DejaVu Sans
    for at, name in xticks:
        out.append(
            line(xs(at), box.bottom, xs(at), box.bottom + TICK_LENGTH, class_="xtick", **tick)
        )
        below = box.bottom + TICK_LENGTH + TICK_PAD + digits
        out.append(text(xs(at), below, name, text_anchor="middle", class_="xlabel", **label))
    for at, name in yticks:
        out.append(line(box.x - TICK_LENGTH, ys(at), box.x, ys(at), class_="ytick", **tick))
        left = box.x - TICK_LENGTH - TICK_PAD
        out.append(
            text(left, ys(at) + digits / 2, name, text_anchor="end", class_="ylabel", **label)
        )
    return out


def _year_step(days: float, width: float) -> int:
    """Every how many years the x axis is labelled: every 2, or every 5, 10, 20... where the
    labels ("2024") would otherwise run into each other."""
    per_year = width / max(days / 365.25, 1e-9)
    room = 1.6 * text_width("2000", TICK_SIZE)
    return next((n for n in (2, 5, 10, 20, 50) if n * per_year >= room), 100)


def _series(role: str, points: list[Point], style: Style) -> list[str]:
    """A role's line, broken at each missing value, and a marker at each point."""
    out = [f'<g class="series" data-role="{role}">']
    run: list[Point] = []
    for point in [*points, (math.nan, math.nan)]:
        if _drawn(point):
            run.append(point)
            continue
        if len(run) >= 2:
            out.append(polyline(run, **stroke(style.colour, style.linestyle, LINE_WIDTH)))
        run = []
    shown = [p for p in points if _drawn(p)]
    out.append(markers(style.marker, shown, MARKER_SIZE, style.colour))
    return [*out, "</g>"]


def _drawn(point: Point) -> bool:
    return math.isfinite(point[0]) and math.isfinite(point[1])


def _spines(box: Box) -> list[str]:
    """The left and bottom axis lines, over the data as matplotlib draws them."""
    return [
        line(box.x, box.y, box.x, box.bottom, **EDGE),
        line(box.x, box.bottom, box.x + box.width, box.bottom, **EDGE),
    ]


def points(frame: pd.DataFrame, roles: list[str]) -> dict[str, list[Point]]:
    """``frame``'s ``(days since 1970, value)`` for each of ``roles`` that has a row, in the
    frame's order (a missing value is NaN)."""
    if frame.empty:
        return {}
    role = frame["role"].to_numpy()
    days = (pd.to_datetime(frame["x"]) - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    x = days.to_numpy(dtype=float)
    y = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    found = {r: np.flatnonzero(role == r) for r in roles}
    return {
        r: list(zip(x[at].tolist(), y[at].tolist(), strict=True))
        for r, at in found.items()
        if len(at)
    }
