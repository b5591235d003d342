"""What a report page may hold: a notebook output's or markdown cell's HTML is cleaned to
text structure, tables, figures and links (:func:`sanitise_output`), and every published page
carries a Content-Security-Policy (:data:`CSP`) under which no script of any kind runs."""

from __future__ import annotations

import re

import nh3
from markupsafe import Markup

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
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,", re.I)
"""An image's own data, base64: an SVG is allowed too, and only here, as an ``img``'s source,
where browsers and WeasyPrint show it as a picture (no script in it runs and nothing it names
is fetched); inline ``<svg>`` is not an output tag, and an SVG address anywhere else is dropped."""


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
