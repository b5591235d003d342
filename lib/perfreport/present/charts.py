"""House-style charts: small multiples of trends and status bars, with alt text written from
the data.

A :class:`Chart` is an image (a PNG from matplotlib, or the trends' SVG, drawn as text) with a
caption and a one-paragraph text alternative that says what the chart shows and what it finds,
so the same figure serves sighted and screen-reader users. Its bytes are deterministic for the
same data (no timestamps or generated ids in the file). The charts live in
:mod:`~perfreport.present.trends` and :mod:`~perfreport.present.bars`, the theme and saving in
:mod:`~perfreport.present.figures`; this module gathers what the reports use.
"""

from __future__ import annotations

from typing import Any

from perfreport.present import figures
from perfreport.present.bars import STATUS_BARS, category_bars, status_bars
from perfreport.present.figures import DPI, Chart, house_figure, house_style, png
from perfreport.present.trends import (
    COLUMNS,
    LINESTYLE,
    MARKER,
    PALETTE,
    PANEL_HEIGHT_IN,
    PANEL_WIDTH_IN,
    Line,
    small_multiples,
)

__all__ = [
    "COLUMNS",
    "DPI",
    "LINESTYLE",
    "MARKER",
    "PALETTE",
    "PANEL_HEIGHT_IN",
    "PANEL_WIDTH_IN",
    "STATUS_BARS",
    "Chart",
    "Line",
    "category_bars",
    "house_figure",
    "house_style",
    "png",
    "small_multiples",
    "status_bars",
]


def __getattr__(name: str) -> Any:
    return getattr(figures, name)  # HOUSE, made on first use
