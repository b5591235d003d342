"""SVG text in the PDF drawn a line at a time, not a letter at a time.

WeasyPrint draws every SVG ``<text>`` one letter at a time: it lays out the whole string, then
lays out and draws each letter again at the cursor (so that per-letter ``x``, ``dx`` or
``rotate`` lists work). The charts' text has none of those: each ``<text>`` is one line at one
point. For such text, :func:`text` lays the string out once and draws it as one run, at the
same place and with the same bounding box (which ``text-anchor`` uses), so a chart's labels
sit where they did (its glyphs keep the font's kerning, so a string can end a pixel or two
sooner). It takes about a quarter off a chart-heavy report's PDF. Any text that needs the letter-by-letter path (a list of positions, ``rotate``,
``letter-spacing``, ``textLength``, a ``textPath``) still takes WeasyPrint's own.

:func:`install` puts :func:`text` in WeasyPrint's table of SVG tags; it is idempotent.
"""

from __future__ import annotations

from math import inf
from typing import Any

_PER_LETTER = ("dx", "dy", "rotate", "letter-spacing", "textLength")
"""Attributes that position or space single letters: text with any of them is WeasyPrint's."""

_original: Any = None


def install() -> None:
    """Draw the charts' SVG text with :func:`text` in every PDF this process makes."""
    global _original
    from weasyprint import svg

    if _original is not None:
        return
    _original = svg.text
    svg.text = text  # draw_node compares a tag's function with this name (text anchors)
    for tag in ("text", "tspan", "a"):
        if svg.TAGS.get(tag) is _original:
            svg.TAGS[tag] = text


def _one_point(node: Any, name: str) -> bool:
    value = node.attrib.get(name)
    return value is None or len(value.replace(",", " ").split()) == 1


def _single_run(node: Any) -> bool:
    """Whether WeasyPrint's letter-by-letter drawing of ``node`` would put every letter just
    after the one before: one starting point, nothing that moves single letters."""
    return (
        node.tag != "textPath"
        and bool(node.text)
        and _one_point(node, "x")
        and _one_point(node, "y")
        and not any(node.get(name) for name in _PER_LETTER)
    )


def text(svg: Any, node: Any, font_size: float) -> None:
    """Draw the SVG text ``node``: as one run when it is one, else as WeasyPrint does."""
    if not _single_run(node):
        _original(svg, node, font_size)
        return
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import TextBox
    from weasyprint.svg.utils import size
    from weasyprint.text.line_break import split_first_line

    style = _style(svg, node, font_size)
    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)
    x = size(node.attrib["x"], font_size, svg.inner_width) if "x" in node.attrib else None
    y = size(node.attrib["y"], font_size, svg.inner_height) if "y" in node.attrib else None
    if x is not None:
        svg.cursor_d_position[0] = 0
    if y is not None:
        svg.cursor_d_position[1] = 0
    x = svg.cursor_position[0] if x is None else x
    y = svg.cursor_position[1] if y is None else y
    svg.cursor_position = x + width, y
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1] + _y_align(node, font_size, height)
    node.text_bounding_box = extend_bounding_box(
        node.text_bounding_box,
        ((x_position, y_position - baseline), (x_position + width, y_position - baseline + height)),
    )
    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    box = TextBox(layout, style)
    box.baseline = baseline
    emojis = draw_first_line(
        svg.stream, box, "none", "none", Matrix(a=1, d=-1, e=x_position, f=y_position)
    )
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)


def _style(svg: Any, node: Any, font_size: float) -> Any:
    """The text's style, as WeasyPrint's own SVG text builds it."""
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.svg.text import Style

    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [
        font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")
    ]
    style["font_style"] = node.get("font-style", "normal")
    style["font_size"] = font_size
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")
    weight = node.get("font-weight", 400)
    named = {"normal": 400, "bold": 700}
    try:
        style["font_weight"] = named[weight] if weight in named else int(weight)
    except ValueError:
        style["font_weight"] = 400
    return style


def _y_align(node: Any, font_size: float, height: float) -> float:
    """How far the baseline moves for ``display-anchor`` or ``dominant-baseline``, as in
    WeasyPrint's own SVG text."""
    ascent, descent = font_size * 0.8, font_size * 0.2
    anchor = node.get("display-anchor")
    baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
    if anchor == "middle":
        return -height / 2
    if anchor == "top":
        return 0.0
    if anchor == "bottom":
        return -height
    if baseline in ("central", "middle"):
        return (ascent + descent) / 2 - descent
    if baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        return ascent
    if baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        return -descent
    return 0.0
