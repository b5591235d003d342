"""A report page's table of contents (:func:`with_contents`): its second- and third-level
headings, each given an ``id`` to link to, listed before the first second-level heading."""

from __future__ import annotations

import html
import re

_HEADING = re.compile(r"<h([23])(\s[^>]*)?>(.*?)</h\1>", re.S)
_ID = re.compile(r'\bid="([^"]*)"')
_TAGS = re.compile(r"<[^>]+>")
CONTENTS_ID = "contents"


def with_contents(page: str) -> str:
    """``page`` with a table of contents of its second- and third-level headings, placed
    before the first second-level heading; every listed heading gets an ``id`` to link to.

    >>> print(with_contents("<h1>R</h1><h2>A &amp; B</h2><h3>C</h3><h2 id='x'>D</h2>"))
    ... # doctest: +NORMALIZE_WHITESPACE
    <h1>R</h1><nav class="contents" aria-labelledby="contents"><h2 id="contents">Contents</h2>
    <ol><li><a href="#a-b">A &amp; B</a><ol><li><a href="#c">C</a></li></ol></li>
    <li><a href="#d">D</a></li></ol></nav>
    <h2 id="a-b">A &amp; B</h2><h3 id="c">C</h3><h2 id="d">D</h2>
    """
    used: set[str] = {CONTENTS_ID}
    entries: list[tuple[int, str, str]] = []

    def anchor(match: re.Match[str]) -> str:
        level, inner = int(match.group(1)), match.group(3)
        text = " ".join(_TAGS.sub("", inner).split())
        ident = _unique(_slug(html.unescape(text)), used)
        entries.append((level, ident, _shortened(text)))
        return f'<h{level} id="{ident}">{inner}</h{level}>'

    body = _HEADING.sub(anchor, page)
    if not entries:
        return body
    first = body.index("<h2")
    return body[:first] + _contents_nav(entries) + "\n" + body[first:]


CONTENTS_LABEL_CHARS = 80
"""A contents entry longer than this is cut at a word: one line on the page, and WeasyPrint
cannot lay out a dotted leader after an entry that wraps over several lines."""


def _shortened(text: str) -> str:
    """``text`` (escaped HTML) cut to :data:`CONTENTS_LABEL_CHARS` at a word, with an ellipsis.

    >>> _shortened("Outcome 1: " + "people supported at home " * 4)
    'Outcome 1: people supported at home people supported at home people supported…'
    """
    plain = html.unescape(text)
    if len(plain) <= CONTENTS_LABEL_CHARS:
        return text
    cut = plain[:CONTENTS_LABEL_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:")
    return html.escape(cut, quote=False) + "…"


def _contents_nav(entries: list[tuple[int, str, str]]) -> str:
    items: list[str] = []
    open_sub = False
    for level, ident, text in entries:
        link = f'<a href="#{ident}">{text}</a>'
        if level == 3 and items:
            items.append(("" if open_sub else "<ol>") + f"<li>{link}</li>")
            open_sub = True
            continue
        if open_sub:
            items.append("</ol>")
            open_sub = False
        items.append(("</li>\n" if items else "") + f"<li>{link}")
    items.append(("</ol>" if open_sub else "") + "</li>")
    return (
        f'<nav class="contents" aria-labelledby="{CONTENTS_ID}">'
        f'<h2 id="{CONTENTS_ID}">Contents</h2>\n<ol>{"".join(items)}</ol></nav>'
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _unique(slug: str, used: set[str]) -> str:
    ident, n = slug, 1
    while ident in used:
        n += 1
        ident = f"{slug}-{n}"
    used.add(ident)
    return ident
