"""Analyst commentary: markdown files under ``params/commentary/<period>/``.

``<indicator>.md`` is about the partnership; ``<indicator>@<area>.md`` about one area and
preferred for it. Files are read as written; :func:`render_markdown` turns them into safe HTML:
raw HTML in the markdown is shown as text (a ``<script>`` or ``onerror=`` never reaches a
report) and links other than web, mail and relative ones are not made, while headings, lists,
emphasis, links and tables are.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from perfreport.periods import Period


@cache
def _markdown() -> MarkdownIt:
    # html=False escapes raw HTML; markdown-it's validateLink refuses javascript:, vbscript:,
    # file: and data: (other than images) URLs.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str, top_heading: int = 4) -> Markup:
    r"""Analyst markdown as safe HTML, its headings moved down so ``#`` is ``top_heading``.

    >>> str(render_markdown("# Why\n\n<b onmouseover=x>hi</b>"))
    '<h4>Why</h4>\n<p>&lt;b onmouseover=x&gt;hi&lt;/b&gt;</p>\n'
    """
    md = _markdown()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + top_heading - 1)}"
    return Markup(md.renderer.render(tokens, md.options, {}))


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
