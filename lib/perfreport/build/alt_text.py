"""Every image of a published page has a text alternative that says something
(:func:`check_images`): a report whose chart has none, or a placeholder, is not published."""

from __future__ import annotations

import re
from html.parser import HTMLParser


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
