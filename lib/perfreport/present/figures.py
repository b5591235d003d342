"""The :class:`Chart` a report shows, and, for an analyst's own matplotlib charts, the house
theme, one way to make a figure in it and one way to save it as a PNG.

The package draws its own charts as SVG (:mod:`perfreport.present.svg`); matplotlib and
seaborn are imported only when :func:`house_figure`, :func:`house_theme` or :data:`HOUSE` is
used, so a report's kernel never loads them for the package's charts.

Every matplotlib chart is drawn on its own :class:`matplotlib.figure.Figure`, not through pyplot, inside
:func:`house_figure`: nothing global changes (not the backend, not ``rcParams``, not pyplot's
list of open figures), and what an analyst has set in their kernel (a style, a line width)
does not change a chart's look, because the theme starts from matplotlib's defaults.

>>> import matplotlib
>>> before = dict(matplotlib.rcParams)
>>> with house_figure(1, 1) as fig:
...     _ = fig.subplots().plot([1, 2])
...     data = png(fig)
>>> data.startswith(b"\\x89PNG") and dict(matplotlib.rcParams) == before
True
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import escape

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 110
GRID_COLOUR, GRID_WIDTH, EDGE_COLOUR = "#E8EAED", 0.6, "#BDC1C6"
"""The house grid (pale, thin) and axes (grey), in every chart, SVG or matplotlib."""


@functools.cache
def house_style() -> dict[str, Any]:
    """Seaborn's white grid, lighter (a pale grid, grey axes, no top or right spine), small
    type: matplotlib settings (:data:`HOUSE`)."""
    import seaborn as sns

    return {
        **sns.axes_style("whitegrid"),
        "grid.color": GRID_COLOUR,
        "grid.linewidth": GRID_WIDTH,
        "axes.edgecolor": EDGE_COLOUR,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.bottom": True,
        "ytick.left": True,
        "font.size": 7,
        # matplotlib's own font first, wherever the report is built (seaborn would take Arial)
        "font.sans-serif": ["DejaVu Sans", "Bitstream Vera Sans", "sans-serif"],
        "figure.dpi": DPI,
    }


def __getattr__(name: str) -> Any:
    if name == "HOUSE":  # made on first use: it needs seaborn
        return house_style()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def house_theme() -> AbstractContextManager[None]:
    """A context with matplotlib's defaults and :data:`HOUSE` on top, undone on leaving."""
    import matplotlib.style

    return matplotlib.style.context(["default", house_style()])


@contextmanager
def house_figure(width: float, height: float) -> Iterator[Figure]:
    """A new figure ``width`` by ``height`` inches, drawn and saved in the house theme.

    Call :func:`png` inside the ``with`` block: matplotlib reads some settings only when it
    draws. The figure belongs to no pyplot window, so it goes when the last reference does.
    """
    from matplotlib.figure import Figure

    with house_theme():
        yield Figure(figsize=(width, height), dpi=DPI)


def png(fig: Figure) -> bytes:
    """``fig`` as PNG bytes with no software name or date in them, so that the same drawing
    gives the same bytes in every run."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its image's bytes, its text alternative, its caption and the image's
    media type (``image/png`` from matplotlib, ``image/svg+xml`` for a chart drawn as SVG).

    Its plain-text form (what a notebook keeps beside the HTML) leaves the image out: the
    page has it once, as the HTML's ``data:`` address.
    """

    image: bytes = field(repr=False)
    alt: str
    caption: str
    mime: str = "image/png"

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.image).decode("ascii")
        return (
            f'<figure class="chart"><img src="data:{self.mime};base64,{data}" alt="{escape(self.alt)}">'
            f"<figcaption>{escape(self.caption)}</figcaption></figure>"
        )
