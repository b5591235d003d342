"""SVG text in the PDF drawn a line at a time (perfreport.build.svg_text): each label lands
where WeasyPrint's letter-by-letter drawing put it, and text that needs that drawing still gets
it."""

from __future__ import annotations

import base64
import subprocess

import numpy as np
import pytest
import weasyprint.svg
from PIL import Image

from perfreport.build import svg_text
from perfreport.build.render import Renderer
from tests.a11y import browser

ROW = 40
TEXTS = [  # (attributes, content): one per 40-px row of a 600 × 400 px chart
    ('x="20"', "Adults supported at home who agree"),
    ('x="300" text-anchor="middle"', "Clackmannanshire and Stirling"),
    ('x="580" text-anchor="end" font-weight="bold"', "Target 80.0%"),
    ('x="20" dominant-baseline="central" font-size="18"', "Delayed discharges (bed days)"),
    ('x="300" text-anchor="middle" font-size="9"', "2020/21 2021/22 2022/23 2023/24"),
    ('x="580" text-anchor="end" dominant-baseline="hanging"', "−1.0% to +1.0%"),
    ('x="20" fill="#005eb8"', "Emergency admissions per 100,000 — Q4 2024/25"),
]


def _svg(texts: list[tuple[str, str]]) -> str:
    rows = "".join(
        f'<text y="{ROW * (n + 1) - 12}" {attributes} font-size="14">{content}</text>'
        if "font-size" not in attributes
        else f'<text y="{ROW * (n + 1) - 12}" {attributes}>{content}</text>'
        for n, (attributes, content) in enumerate(texts)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400" viewBox="0 0 600 400"'
        f' font-family="DejaVu Sans">{rows}</svg>'
    )


def _page(svg: str) -> str:
    image = base64.b64encode(svg.encode()).decode()
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Chart</title>'
        "<style>@page { size: 600px 400px; margin: 0 } body { margin: 0 }"
        " img { display: block }</style></head><body>"
        f'<img src="data:image/svg+xml;base64,{image}" alt="A chart" width="600" height="400">'
        "</body></html>"
    )


def _ink(pdf, folder) -> np.ndarray:
    """The page as grey pixels at 96 dpi (one pixel a CSS px)."""
    subprocess.run(
        [
            browser.find_command("pdftoppm"),
            "-r",
            "96",
            "-gray",
            "-png",
            "-singlefile",
            pdf,
            folder / "page",
        ],
        check=True,
        timeout=60,
    )
    return np.asarray(Image.open(folder / "page.png").convert("L")) < 128


def _boxes(ink: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Each row's ink box (left, top, right, bottom) in pixels."""
    found = []
    for n in range(len(TEXTS)):
        band = ink[n * ROW : (n + 1) * ROW]
        rows, columns = np.nonzero(band)
        found.append((columns.min(), rows.min(), columns.max(), rows.max()))
    return found


@pytest.fixture(scope="module")
def renderer():
    return Renderer()


def _render(renderer, page, folder, letter_by_letter, monkeypatch):
    renderer.pdf("<html lang='en'><title>w</title><p>w</p></html>", folder / "w.pdf", folder)
    if letter_by_letter:  # WeasyPrint's own drawing, for comparison
        monkeypatch.setattr(weasyprint.svg, "text", svg_text._original)
        for tag in ("text", "tspan", "a"):
            monkeypatch.setitem(weasyprint.svg.TAGS, tag, svg_text._original)
    renderer.pdf(page, folder / "chart.pdf", base=folder)
    monkeypatch.undo()
    return _boxes(_ink(folder / "chart.pdf", folder))


def test_each_label_lands_where_letter_by_letter_drawing_put_it(renderer, tmp_path, monkeypatch):
    page = _page(_svg(TEXTS))
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    ours = _render(renderer, page, tmp_path / "ours", False, monkeypatch)
    theirs = _render(renderer, page, tmp_path / "theirs", True, monkeypatch)
    assert weasyprint.svg.TAGS["text"] is svg_text.text  # the fast path is back after undo
    for (attributes, content), mine, reference in zip(TEXTS, ours, theirs, strict=True):
        # the same top and bottom; the same anchor edge; the far edge within the kerning the
        # whole-string layout applies (a pixel or two on these strings)
        assert mine[1] == reference[1] and mine[3] == reference[3], (content, mine, reference)
        assert all(abs(a - b) <= 3 for a, b in zip(mine, reference, strict=False)), (
            content,
            mine,
            reference,
        )
        if "end" in attributes:
            assert abs(mine[2] - reference[2]) <= 1, (content, mine, reference)
        elif "middle" not in attributes:
            assert abs(mine[0] - reference[0]) <= 1, (content, mine, reference)
    # and the labels are where the chart put them: the start-anchored ones at x = 20, the
    # end-anchored ones ending at x = 580
    assert ours[0][0] in range(19, 24) and ours[2][2] in range(575, 581)


@pytest.mark.parametrize(
    "attributes",
    [
        'x="20 30 40"',
        'x="20" dx="0 2 2"',
        'x="20" rotate="10"',
        'x="20" letter-spacing="2"',
        'x="20" textLength="300"',
    ],
)
def test_text_that_positions_single_letters_is_drawn_letter_by_letter(
    renderer, tmp_path, monkeypatch, attributes
):
    drawn = []

    def original(svg, node, font_size):
        drawn.append(node.text)
        return svg_text._original.__wrapped__(svg, node, font_size)

    original.__wrapped__ = svg_text._original
    monkeypatch.setattr(svg_text, "_original", original)
    svg = _svg([(attributes, "Spaced out"), ('x="20"', "One run")])
    renderer.pdf(_page(svg), tmp_path / "chart.pdf", base=tmp_path)
    assert drawn == ["Spaced out"]


def test_installing_twice_changes_nothing():
    svg_text.install()
    svg_text.install()
    assert weasyprint.svg.text is svg_text.text
    assert svg_text._original is not svg_text.text
    assert svg_text._original.__module__ == "weasyprint.svg.text"
