"""Status bars: how many indicators of each group are green, amber, red, without a target or
without data, as one horizontal stacked bar per group (seaborn bars on the house theme)."""

from __future__ import annotations

import pandas as pd
import seaborn as sns

from perfreport.present.figures import Chart, house_figure, png

STATUS_BARS = {
    "green": ("Green", "#00703C", ""),
    "amber": ("Amber", "#8A5300", "//"),
    "red": ("Red", "#B10E1E", "xx"),
    "no_target": ("No target", "#4C6272", ".."),
    "no_data": ("No data", "#FFFFFF", ""),
}
"""Status colours (each at least 3:1 against white) with a hatch each, so bars never rely on colour."""


def status_bars(counts: pd.DataFrame, *, caption: str, alt: str) -> Chart:
    """A horizontal stacked bar per row of ``counts`` (columns: the statuses of ``STATUS_BARS``),
    the first row at the top."""
    groups = [str(name) for name in counts.index]
    with house_figure(7.2, 0.5 * len(counts) + 1.1) as fig:
        ax = fig.subplots()
        left = pd.Series(0.0, index=counts.index)
        for status, (label, colour, hatch) in STATUS_BARS.items():
            width = counts[status].astype(float)
            sns.barplot(
                x=width.to_numpy(),
                y=groups,
                orient="y",
                left=left.to_numpy(),
                color=colour,
                hatch=hatch,
                edgecolor="#202124",
                linewidth=0.6,
                label=label,
                errorbar=None,
                saturation=1,
                ax=ax,
            )
            left += width
        ax.set_xlabel("Indicators", fontsize=8)
        ax.tick_params(axis="both", labelsize=8)
        ax.legend(
            fontsize=7,
            frameon=False,
            ncol=len(STATUS_BARS),
            loc="upper left",
            bbox_to_anchor=(0, -0.18),
        )
        fig.tight_layout()
        return Chart(png(fig), alt, caption)


def category_bars(
    values: pd.Series, *, label: str, caption: str, alt: str, colour: str = "#005EA5"
) -> Chart:
    """A horizontal bar per category of ``values`` (index: the categories, the first at the
    top; a missing or withheld value leaves its category without a bar), ``label`` on the
    axis of the values."""
    with house_figure(7.2, 0.32 * len(values) + 0.9) as fig:
        ax = fig.subplots()
        sns.barplot(
            x=values.astype(float).fillna(0).to_numpy(),
            y=[str(name) for name in values.index],
            orient="y",
            color=colour,
            errorbar=None,
            saturation=1,
            ax=ax,
        )
        ax.set_xlabel(label, fontsize=8)
        ax.tick_params(axis="both", labelsize=8)
        fig.tight_layout()
        return Chart(png(fig), alt, caption)
