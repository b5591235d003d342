"""SPC charts in the house style, with Making Data Count's variation and assurance icons.

Points are coloured by type in the Making Data Count palette (grey common cause, blue
improvement, orange concern, purple neutral) and told apart by marker shape as well, so the
chart never relies on colour alone. The icons are drawn by the package (circles and letters,
no downloaded images): H or L for special cause high or low, P, F or ? for a target that will be
met, missed, or hit and missed. The alt text is :func:`perfreport.methods.spc.describe`'s sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from perfreport.methods.spc import XmrResult, describe
from perfreport.present.figures import Chart, house_figure, png

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
    with house_figure(WIDTH_IN, HEIGHT_IN) as fig:
        ax = fig.subplots()
        _limits(ax, result)
        _points(ax, result)
        x = list(range(len(points)))
        step = max(1, len(x) // 8)
        ax.set_xticks(x[::step], [labels[i] for i in x[::step]], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_title(title, fontsize=9, loc="left")
        ax.grid(False, axis="x")
        ax.legend(fontsize=6.5, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.12), ncol=6)
        # fixed margins in inches (tight_layout measures every label: slow over a dozen charts)
        fig.subplots_adjust(
            left=0.6 / WIDTH_IN,
            right=1 - 0.15 / WIDTH_IN,
            bottom=0.8 / HEIGHT_IN,
            top=1 - 0.5 / HEIGHT_IN,
        )
        _icon(fig, 0.88, *variation_icon(result))
        if result.assurance:
            _icon(fig, 0.95, *ASSURANCE_ICON[result.assurance])
        data = png(fig)
    alt = describe(result, fmt)
    return Chart(data, f"{title}: {alt}", f"{title}. {alt}")


def _limits(ax: Axes, result: XmrResult) -> None:
    """The values joined in grey, each baseline's mean and process limits, and the target."""
    points = result.points
    ax.plot(range(len(points)), points["value"], color="#9AA0A6", linewidth=1, zorder=1)
    for baseline, part in points.groupby("baseline"):
        first = baseline == 0
        ax.plot(
            part.index,
            part["mean"],
            color="#202124",
            linewidth=1.2,
            label="Mean" if first else None,
        )
        for column, label in (("upl", "Process limits"), ("lpl", None)):
            ax.plot(
                part.index,
                part[column],
                color="#202124",
                linewidth=1,
                linestyle="--",
                label=label if first else None,
            )
    if result.target is not None:
        ax.axhline(result.target, color="#007F3B", linewidth=1.2, linestyle="-.", label="Target")


def _points(ax: Axes, result: XmrResult) -> None:
    """Each point coloured and shaped by its type (common cause, improvement, concern...)."""
    for kind, part in result.points.groupby("point_type"):
        ax.scatter(
            part.index,
            part["value"],
            s=26,
            color=MDC_COLOURS[str(kind)],
            marker=MARKERS[str(kind)],
            zorder=3,
            label=LABELS[str(kind)],
            edgecolors="white",
            linewidths=0.4,
        )


def _icon(fig: Figure, x: float, letter: str, colour: str) -> None:
    """A filled circle with a white letter, in figure coordinates near the top right."""
    ax = fig.add_axes((x - 0.03, 0.86, 0.06, 0.13))
    ax.set_aspect("equal")
    ax.axis("off")
    ax.add_patch(Circle((0.5, 0.5), 0.48, color=colour))
    ax.text(
        0.5, 0.47, letter, ha="center", va="center", color="white", fontsize=10, fontweight="bold"
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
