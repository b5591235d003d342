"""Render an executed notebook to a report: HTML with nbconvert, PDF with WeasyPrint.

One :class:`Renderer` per worker process holds one configured exporter (no subprocess per
report). The HTML holds no code: input cells, prompts, streams and tracebacks are dropped by
the project's own template (``templates/perfreport``), and cells tagged ``notebook-only``
(analyst guidance) are removed. The PDF is made from the same HTML with the print stylesheet
(A4, page numbers, running header) as tagged PDF/UA-1.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import nh3
from markupsafe import Markup

if TYPE_CHECKING:
    import nbformat

TEMPLATES = Path(str(files("perfreport") / "templates"))
CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)
"""Every published page's Content-Security-Policy: no script of any kind runs, nothing is
fetched but its own images; inline styles only (the house style is in the page)."""
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
OUTPUT_TAGS = {
    *(f"h{n}" for n in range(1, 7)),
    *("p", "br", "hr", "div", "span", "section", "figure", "figcaption", "img", "nav"),
    *("blockquote", "ul", "ol", "li", "dl", "dt", "dd", "strong", "b", "em", "i", "small"),
    *("code", "pre", "a", "abbr", "sub", "sup", "caption", "table", "thead", "tbody"),
    *("tfoot", "tr", "th", "td", "colgroup", "col"),
}
"""What a report's outputs and narrative may hold: text structure, tables, figures, links."""
OUTPUT_ATTRIBUTES = {
    "*": {"class", "id", "lang", "title", "role", "aria-hidden", "aria-label", "aria-labelledby"},
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan", "headers"},
    "td": {"colspan", "rowspan", "headers"},
    "ol": {"start"},
}
OUTPUT_URL_SCHEMES = {"http", "https", "mailto", "data"}
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.I)
TEMPLATE_NAME = "perfreport"
NOTEBOOK_ONLY_TAG = "notebook-only"
PDF_VARIANT = "pdf/ua-1"
_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')


@dataclass(frozen=True)
class ReportMeta:
    """What the page says about itself: title, description, organisation, language."""

    title: str
    description: str
    organisation: str
    footer: str
    lang: str = "en-GB"


def _allowed_url(tag: str, attribute: str, value: str) -> str | None:
    """A ``data:`` address only as an image's source, and only for an image type."""
    if value.lower().startswith("data:"):
        return value if tag == "img" and attribute == "src" and _IMAGE_DATA.match(value) else None
    return value


def sanitise_output(html: str) -> Markup:
    """A notebook output's or markdown cell's HTML with only :data:`OUTPUT_TAGS` and
    attributes, and no link that is not ``http``, ``https``, ``mailto``, relative or an
    image's own data: nothing that runs (scripts, event handlers, ``javascript:``), styles or
    frames survives, whatever the notebook, the params or the data put there.

    >>> str(sanitise_output('<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:x()">a</a></p>'))
    '<p>Hi<a>a</a></p>'
    """
    return Markup(
        nh3.clean(
            html,
            tags=OUTPUT_TAGS,
            clean_content_tags={"script", "style"},
            attributes=OUTPUT_ATTRIBUTES,
            url_schemes=OUTPUT_URL_SCHEMES,
            attribute_filter=_allowed_url,
            strip_comments=True,
            link_rel=None,
        )
    )


class RenderError(Exception):
    """The rendered page breaks a publication rule (it fails that report's build)."""


PLACEHOLDER_ALT = re.compile(
    r"^\s*(no description has been provided.*|image|chart|figure|graph|plot|picture|"
    r"untitled|png|img|alt|\S+\.(png|jpe?g|svg|gif))?\s*$",
    re.I,
)
"""Alt text that says nothing: empty, a file name, a word like "chart", or nbconvert's default."""


class _Images(HTMLParser):
    """Every image of a page with its alt text (None where it has none), parsed as a browser
    would: an alt text may hold any character, ``>`` included."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.alts: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def check_images(page: str) -> None:
    """Refuse a page with an image whose text alternative is missing or a placeholder.

    >>> try:
    ...     check_images('<img src="a.png" alt="No description has been provided for this image">')
    ... except RenderError as error:
    ...     print(error)
    image 1 has placeholder alt text 'No description has been provided for this image'
    >>> check_images('<img src="a.png" alt="Falls in <Ward> rose">')
    """
    images = _Images()
    images.feed(page)
    for n, text in enumerate(images.alts, start=1):
        if text is None:
            raise RenderError(f"image {n} has no alt text")
        if PLACEHOLDER_ALT.match(text):
            raise RenderError(f"image {n} has placeholder alt text {text!r}")


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
    items, open_sub = [], False
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


class Renderer:
    """Turns executed notebooks into HTML and PDF, reusing one exporter."""

    def __init__(self) -> None:
        # imported here: nbconvert takes a second to load, and a run whose reports are all
        # cached never renders
        from nbconvert import HTMLExporter
        from nbconvert.preprocessors import TagRemovePreprocessor
        from traitlets.config import Config

        class Exporter(HTMLExporter):  # type: ignore[misc]
            """nbconvert's HTML exporter with Jinja's autoescape on: every text the template
            prints is escaped unless the package marked it as HTML it built (``| safe``, or
            ``| sanitise`` for outputs and narrative)."""

            def _create_environment(self):  # type: ignore[no-untyped-def]
                environment = super()._create_environment()
                environment.autoescape = True
                return environment

        config = Config()
        config.TagRemovePreprocessor.remove_cell_tags = {NOTEBOOK_ONLY_TAG}
        config.TagRemovePreprocessor.enabled = True
        self._exporter = Exporter(
            config=config, template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES)]
        )
        self._exporter.register_filter("sanitise", sanitise_output)
        self._exporter.exclude_input = True
        self._exporter.exclude_input_prompt = True
        self._exporter.exclude_output_prompt = True
        self._exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
        self._css = (TEMPLATES / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")
        self._print_css = (TEMPLATES / TEMPLATE_NAME / "print.css").read_text(encoding="utf-8")

    def html(self, notebook: nbformat.NotebookNode, meta: ReportMeta) -> str:
        """The report page for an executed notebook."""
        resources = {
            "perfreport": {
                "title": meta.title,
                "description": meta.description,
                "organisation": meta.organisation,
                "footer": meta.footer,
                "lang": meta.lang,
                "css": self._css,
                "print_css": self._print_css,
                "csp": CSP,
            }
        }
        body, _ = self._exporter.from_notebook_node(notebook, resources=resources)
        page = with_contents(_ANCHOR_LINK.sub("", body))
        check_images(page)
        return page

    def pdf(self, html: str, target: Path, base: Path) -> None:
        """Write the PDF of ``html`` (tagged PDF/UA-1) to ``target``."""
        from weasyprint import HTML  # imported late: it loads Pango, needed only for PDFs

        HTML(string=html, base_url=str(base)).write_pdf(
            target, pdf_variant=PDF_VARIANT, pdf_tags=True
        )
