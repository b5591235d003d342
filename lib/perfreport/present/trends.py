"""Small multiples of trends: one panel per indicator, the area against its comparators.

Each line keeps its role's colour, line style and marker in every panel (the area blue and
solid with circles, its body (a locality's partnership) grey and dashed with squares, the
comparator (the country) orange and dotted with triangles), so lines are told apart without colour; a target is a green dash-dot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.typing import LineStyleType

from perfreport.present.figures import Chart, house_figure, png

COLUMNS = 4
PANEL_WIDTH_IN = 2.05
PANEL_HEIGHT_IN = 1.55
PALETTE = {"area": "#005EB8", "body": "#425563", "comparator": "#B35900", "target": "#007F3B"}
"""NHS identity blue, dark grey, a dark orange and green: each at least 4.5:1 on white."""
LINESTYLE: dict[str, LineStyleType] = {"area": "-", "body": "--", "comparator": ":"}
MARKER = {"area": "o", "body": "s", "comparator": "^"}


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
    with house_figure(PANEL_WIDTH_IN * cols, PANEL_HEIGHT_IN * rows + 0.5) as fig:
        axes = fig.subplots(rows, cols, squeeze=False).flat
        for ax in axes[len(panels) :]:
            ax.set_visible(False)
        for ax, (title, frame, target) in zip(axes, panels, strict=False):
            _panel(ax, _wrap(title), frame, target, lines)
        _legend(fig, lines)
        _margins(fig)
        return Chart(png(fig), alt, caption)


def _panel(
    ax: Axes, title: str, frame: pd.DataFrame, target: float | None, lines: list[Line]
) -> None:
    """One indicator's lines, in the order of ``lines``, and its target if it has one."""
    for line in lines:
        part = frame[frame["role"] == line.role]
        if part.empty:
            continue
        ax.plot(
            part["x"],
            part["value"],
            LINESTYLE[line.role],
            color=PALETTE[line.role],
            marker=MARKER[line.role],
            markersize=2.5,
            linewidth=1.2,
            label=line.label,
        )
    if target is not None:
        ax.axhline(target, color=PALETTE["target"], linewidth=0.9, linestyle="-.", label="Target")
    ax.set_title(title, fontsize=7, loc="left")
    ax.tick_params(axis="both", labelsize=6)
    ax.xaxis.set_major_locator(mdates.YearLocator(2, month=4, tz="UTC"))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y", tz="UTC"))


def _legend(fig: Figure, lines: list[Line]) -> None:
    """One legend for every panel, across the top."""
    handles = [
        Line2D(
            [],
            [],
            color=PALETTE[ln.role],
            linestyle=LINESTYLE[ln.role],
            marker=MARKER[ln.role],
            markersize=3,
            label=ln.label,
        )
        for ln in lines
    ]
    handles.append(Line2D([], [], color=PALETTE["target"], linestyle="-.", label="Target"))
    fig.legend(handles=handles, loc="upper center", ncol=len(handles), frameon=False, fontsize=7)


def _margins(fig: Figure) -> None:
    """Fixed margins in inches: tight_layout would measure every label and take half the time."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=0.42 / width,
        right=1 - 0.3 / width,
        bottom=0.22 / height,
        top=1 - 0.62 / height,
        hspace=0.85,
        wspace=0.42,
    )


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
