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


_IGNORED = re.compile(r"[\t\n\r]")
"""What a URL parser removes from anywhere in an address (WHATWG URL: tab and newline)."""
_AROUND = "".join(chr(c) for c in range(0x21))
"""What it strips from either end (control characters and space)."""
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)


def _allowed_url(tag: str, attribute: str, value: str) -> str | None:
    """A ``data:`` address only as an image's source, and only for an image type; any other
    address only with an allowed scheme (or none: relative). The address is judged, and kept,
    as a browser or WeasyPrint would read it: ``" data:text/html,..."`` is a ``data:``
    address, not a relative one."""
    address = _IGNORED.sub("", value).strip(_AROUND)
    scheme = _SCHEME.match(address)
    if scheme is None:
        return address
    if scheme[1].lower() == "data":
        image = tag == "img" and attribute == "src" and _IMAGE_DATA.match(address)
        return address if image else None
    return address if scheme[1].lower() in OUTPUT_URL_SCHEMES else None


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
