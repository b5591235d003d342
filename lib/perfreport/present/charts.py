"""House-style charts: matplotlib small multiples with alt text written from the data.

A :class:`Chart` is a PNG with a caption and a one-paragraph text alternative that says what
the chart shows and what it finds, so the same figure serves sighted and screen-reader users.
PNG bytes are deterministic for the same data (no timestamps in the file).
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from markupsafe import escape

STYLE = {
    "axes.grid": True,
    "grid.color": "#E8EAED",
    "grid.linewidth": 0.6,
    "axes.edgecolor": "#BDC1C6",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 7,
}
"""A light grid on white, as the reports print; matplotlib alone (seaborn takes half a second to load)."""
COLUMNS = 4
PANEL_WIDTH_IN = 2.05
PANEL_HEIGHT_IN = 1.55
DPI = 110
PALETTE = {"area": "#005EB8", "partnership": "#425563", "country": "#B35900", "target": "#007F3B"}
"""NHS identity blue, dark grey, a dark orange and green: each at least 4.5:1 on white."""
LINESTYLE = {"area": "-", "partnership": "--", "country": ":"}
MARKER = {"area": "o", "partnership": "s", "country": "^"}


@dataclass(frozen=True)
class Chart:
    """A rendered chart: PNG bytes, its text alternative and its caption."""

    png: bytes
    alt: str
    caption: str

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (
            f'<figure class="chart"><img src="data:image/png;base64,{data}" alt="{escape(self.alt)}">'
            f"<figcaption>{escape(self.caption)}</figcaption></figure>"
        )


@dataclass(frozen=True)
class Line:
    """One line of a panel: which role it plays (area, partnership, country) and its label."""

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
    plt.rcParams.update(STYLE)
    rows = max(1, math.ceil(len(panels) / COLUMNS))
    cols = min(COLUMNS, max(1, len(panels)))
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(PANEL_WIDTH_IN * cols, PANEL_HEIGHT_IN * rows + 0.5),
        squeeze=False,
        sharex=False,
    )
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (title, frame, target) in zip(axes.flat, panels, strict=False):
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
            ax.axhline(
                target, color=PALETTE["target"], linewidth=0.9, linestyle="-.", label="Target"
            )
        ax.set_title(_wrap(title), fontsize=7, loc="left")
        ax.tick_params(axis="both", labelsize=6)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.xaxis.set_major_locator(mdates.YearLocator(2, month=4))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    handles = [
        plt.Line2D(
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
    handles.append(plt.Line2D([], [], color=PALETTE["target"], linestyle="-.", label="Target"))
    fig.legend(handles=handles, loc="upper center", ncol=len(handles), frameon=False, fontsize=7)
    # fixed margins in inches: tight_layout would measure every label and take half the time
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=0.42 / width,
        right=1 - 0.3 / width,
        bottom=0.22 / height,
        top=1 - 0.62 / height,
        hspace=0.85,
        wspace=0.42,
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return Chart(buffer.getvalue(), alt, caption)


def _wrap(title: str, width: int = 27) -> str:
    words, lines, current = title.split(), [], ""
    for word in words:
        if len(current) + len(word) + 1 > width and current:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return "\n".join(lines[:3]) + ("…" if len(lines) > 3 else "")


STATUS_BARS = {
    "green": ("Green", "#00703C", ""),
    "amber": ("Amber", "#8A5300", "//"),
    "red": ("Red", "#B10E1E", "xx"),
    "no_target": ("No target", "#4C6272", ".."),
    "no_data": ("No data", "#FFFFFF", ""),
}
"""Status colours (each at least 3:1 against white) with a hatch each, so bars never rely on colour."""


def status_bars(counts: pd.DataFrame, *, caption: str, alt: str) -> Chart:
    """A horizontal stacked bar per row of ``counts`` (columns: the statuses of ``STATUS_BARS``)."""
    fig, ax = plt.subplots(figsize=(7.2, 0.5 * len(counts) + 1.1))
    left = pd.Series(0, index=counts.index, dtype=float)
    for status, (label, colour, hatch) in STATUS_BARS.items():
        width = counts[status].astype(float)
        ax.barh(
            counts.index,
            width,
            left=left,
            color=colour,
            hatch=hatch,
            edgecolor="#202124",
            linewidth=0.6,
            label=label,
        )
        left += width
    ax.invert_yaxis()
    ax.set_xlabel("Indicators", fontsize=8)
    ax.tick_params(axis="both", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(
        fontsize=7,
        frameon=False,
        ncol=len(STATUS_BARS),
        loc="upper left",
        bbox_to_anchor=(0, -0.18),
    )
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return Chart(buffer.getvalue(), alt, caption)
