"""SVG primitives for charts drawn as text: numbers with a fixed number of decimals, escaped
text, lines, polylines, marker paths and text widths in DejaVu Sans.

Every coordinate is in points (the ``viewBox`` of :func:`document`) and written by
:func:`num`, so the same drawing is the same bytes in every run and on every machine.

>>> num(1 / 3), num(-0.001), num(2.0)
('0.33', '0', '2')
>>> line(0, 1.5, 10, 1.5, stroke="#000")
'<line x1="0" y1="1.5" x2="10" y2="1.5" stroke="#000"/>'
"""

from __future__ import annotations

import functools
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

FONT = "'DejaVu Sans', 'Bitstream Vera Sans', sans-serif"
TEXT = "#262626"
"""Matplotlib's ``.15`` grey, the house theme's text and tick colour."""
_WIDTHS = (
    *(651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690),
    *(1303,) * 10,
    *(690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540),
    *(604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025),
    *(1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721),
    *(1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298),
    *(1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716),
)
"""DejaVu Sans advance widths of the printable ASCII characters (space to ``~``), in
2048ths of an em, from the font's ``hmtx`` table."""
_UNCOVERED = ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))
"""Scripts DejaVu Sans has no glyph for (CJK, kana, Hangul): drawn in a fallback font."""


def num(value: float) -> str:
    """``value`` with at most two decimals and no trailing zeros (``-0`` is ``0``)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attributes(**values: str | float) -> str:
    """`` name="value"`` for each keyword (``class_`` is ``class``, ``_`` in a name is ``-``;
    numbers by :func:`num`)."""
    return "".join(
        f' {_name(name)}="{_quoted(v) if isinstance(v, str) else num(v)}"'
        for name, v in values.items()
    )


@functools.cache
def _name(keyword: str) -> str:
    return keyword.rstrip("_").replace("_", "-")


def _quoted(value: str) -> str:
    """``value`` escaped for a double-quoted attribute."""
    return escape(value, {'"': "&quot;"})


def document(width: float, height: float, pixels: float, body: Iterable[str]) -> bytes:
    """A standalone SVG ``width`` by ``height`` points, ``pixels`` per inch wide and high
    (as a PNG at that resolution would be), on white, in the chart font."""
    head = (
        '<svg xmlns="http://www.w3.org/2000/svg"'
        + attributes(
            width=num(width / 72 * pixels),
            height=num(height / 72 * pixels),
            viewBox=f"0 0 {num(width)} {num(height)}",
            font_family=FONT,
        )
        + '><rect width="100%" height="100%" fill="#FFFFFF"/>'
    )
    return "\n".join([head, *body, "</svg>\n"]).encode("utf-8")


def line(x1: float, y1: float, x2: float, y2: float, **style: str | float) -> str:
    return f"<line{attributes(x1=x1, y1=y1, x2=x2, y2=y2, **style)}/>"


def polyline(points: Sequence[tuple[float, float]], **style: str | float) -> str:
    coordinates = " ".join(f"{num(x)},{num(y)}" for x, y in points)
    return f'<polyline points="{coordinates}" fill="none"{attributes(**style)}/>'


def text(x: float, y: float, content: str, **style: str | float) -> str:
    """``content`` with its baseline at ``y`` (anchor it with ``text_anchor``)."""
    _warn_uncovered(content)
    return f"<text{attributes(x=x, y=y, **style)}>{escape(content)}</text>"


def markers(kind: str, points: Iterable[tuple[float, float]], size: float, colour: str) -> str:
    """One path with a marker at each point, ``size`` points across with a 1 point edge (as
    matplotlib draws them): ``o`` a circle, ``s`` a square, ``^`` a triangle pointing up.

    A circle is a round-capped dash and a square a butt-capped one, as wide as the marker:
    PDF and browsers draw a stroke far faster than the arcs or polygons of a filled shape.
    """
    h, w = size / 2, size + 1
    if kind == "^":
        d = "".join(f"M{num(x)} {num(y - h)}l{num(h)} {num(size)}h{num(-size)}z" for x, y in points)
        return f'<path d="{d}"{attributes(fill=colour, stroke=colour, stroke_width=1)}/>'
    if kind == "o":
        d = "".join(f"M{num(x)} {num(y)}h0.01" for x, y in points)
    else:
        d = "".join(f"M{num(x - w / 2)} {num(y)}h{num(w)}" for x, y in points)
    cap = "round" if kind == "o" else "butt"
    style = attributes(fill="none", stroke=colour, stroke_width=w, stroke_linecap=cap)
    return f'<path d="{d}"{style}/>'


def text_width(content: str, size: float) -> float:
    """The width in points of ``content`` in DejaVu Sans at ``size`` points (an accented
    letter as its base letter; a character beyond ASCII otherwise as a wide letter)."""
    units = 0
    for char in content:
        base = unicodedata.normalize("NFD", char)[:1] or char
        code = ord(base) - 32
        units += _WIDTHS[code] if 0 <= code < len(_WIDTHS) else 1400
    return units / 2048 * size


def fit_lines(content: str, size: float, width: float, most: int) -> list[str]:
    """``content`` broken between words into at most ``most`` lines, each at most ``width``
    points wide at ``size`` points; an ellipsis ends the last line if the rest did not fit.

    >>> fit_lines("Adult support and protection inquiries completed", 9, 150, 2)
    ['Adult support and protection', 'inquiries completed']
    >>> fit_lines("Adult support and protection inquiries completed", 9, 150, 1)
    ['Adult support and protection…']
    """
    lines: list[str] = []
    for word in content.split():
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(joined, size) <= width:
            lines[-1] = joined
        else:
            lines.append(word)
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    while " " in kept[-1] and text_width(kept[-1] + "…", size) > width:
        kept[-1] = kept[-1].rsplit(" ", 1)[0]
    return [*kept[:-1], kept[-1] + "…"]


def _warn_uncovered(content: str) -> None:
    """Warn, as matplotlib did, of a character the chart font has no glyph for."""
    if content.isascii():
        return
    for char in content:
        if any(low <= ord(char) <= high for low, high in _UNCOVERED):
            warnings.warn(
                f"Glyph {ord(char)} ({char}) missing from font(s) DejaVu Sans: the chart "
                "shows it in a fallback font if the viewer has one",
                UserWarning,
                stacklevel=3,
            )


def crosses(points: Iterable[tuple[float, float]], size: float, colour: str) -> str:
    """One path with an X at each point, ``size`` points across (matplotlib's filled ``X``):
    two butt-capped strokes, each a third of ``size`` wide, corner to corner."""
    h = size / 2 - size / 12
    d = "".join(
        f"M{num(x - h)} {num(y - h)}l{num(2 * h)} {num(2 * h)}m0 {num(-2 * h)}l{num(-2 * h)} {num(2 * h)}"
        for x, y in points
    )
    return f'<path d="{d}"{attributes(fill="none", stroke=colour, stroke_width=size / 3)}/>'
