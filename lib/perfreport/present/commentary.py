"""Analyst commentary: markdown files under ``params/commentary/<period>/``.

``<indicator>.md`` is about the partnership; ``<indicator>@<area>.md`` about one area and
preferred for it. Files are read as written; :func:`render_markdown` turns them into safe HTML.
Headings, lists, emphasis, links, tables, quotes and line breaks are kept, written in markdown
or as HTML; everything else is removed by an allow-list sanitiser (Ammonia, through ``nh3``): a
``<script>`` or ``<style>`` with its content, event handlers such as ``onerror=``, ``style``
attributes, images, forms and frames, and any link that is not ``http``, ``https``, ``mailto``
or relative (``javascript:``, ``data:``, ``vbscript:``). :func:`check_commentary` (from
:mod:`~perfreport.present.commentary_check`) checks that every file is where a report looks.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from perfreport.methods.periods import Period
from perfreport.present.commentary_check import COMMENTARY_NAMES, check_commentary

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "COMMENTARY_NAMES",
    "URL_SCHEMES",
    "check_commentary",
    "commentary_for",
    "commentary_in",
    "render_markdown",
    "sanitise",
]

ALLOWED_TAGS = {
    *(f"h{n}" for n in range(1, 7)),
    *("p", "br", "hr", "blockquote", "ul", "ol", "li", "dl", "dt", "dd"),
    *("strong", "b", "em", "i", "code", "pre", "a", "abbr", "sub", "sup"),
    *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
}
"""What commentary may hold: text structure, links and tables, nothing that runs or styles."""
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
REMOVED_WITH_CONTENT = {"script", "style"}
_HEADING = re.compile(r"<(/?)h([1-6])\b")


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    # every link becomes an <a>, so that the sanitiser decides: an unsafe one keeps its text
    # and loses its address, rather than staying behind as literal markdown with its URL
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def sanitise(html: str) -> str:
    """``html`` with only :data:`ALLOWED_TAGS`, :data:`ALLOWED_ATTRIBUTES` and safe links.

    >>> sanitise('<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x()">a</a></p>')
    '<p>Hi <a rel="noopener noreferrer">a</a></p>'
    """
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
    )


def render_markdown(text: str, top_heading: int = 4) -> Markup:
    r"""Analyst markdown as safe HTML, its headings moved down so ``#`` is ``top_heading``.

    >>> str(render_markdown("# Why\n\n<b onmouseover=x>hi</b><img src=x onerror=alert(1)>"))
    '<h4>Why</h4>\n<p><b>hi</b></p>\n'
    """
    html = sanitise(_markdown().render(text))
    shift = top_heading - 1
    html = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html)
    # a table's column headings say so (markdown cannot)
    html = re.sub(r"<thead>(.*?)</thead>", _scoped, html, flags=re.S)
    return Markup(html.replace("<table>", '<table class="report-table">'))


def _scoped(head: re.Match[str]) -> str:
    return head.group(0).replace("<th>", '<th scope="col">')


def commentary_for(
    folder: Path, period: Period, indicator: str, area: str | None = None
) -> str | None:
    """The commentary for an indicator in a period (an area's own first), or None."""
    base = folder / period.id
    for name in ([f"{indicator}@{area}.md"] if area else []) + [f"{indicator}.md"]:
        path = base / name
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    return None


def commentary_in(folder: Path, period: Period) -> dict[str, str]:
    """Every commentary file of a period, keyed by its file name without ``.md``."""
    base = folder / period.id
    if not base.is_dir():
        return {}
    return {p.stem: p.read_text(encoding="utf-8").strip() for p in sorted(base.glob("*.md"))}
