"""House-style tables and charts: accessible markup, RAG never by colour alone, alt text."""

from __future__ import annotations

import pandas as pd

from perfreport.methods.status import Rag, Status
from perfreport.present.charts import Line, small_multiples
from perfreport.present.tables import Table, rag_badge


def test_table_has_caption_and_header_scopes_and_escapes_data():
    table = Table(
        "Caption <here>", ("Indicator", "Value"), [("A & B", "80.0%")], numeric=(False, True)
    )
    html = table._repr_html_()
    assert "<caption>Caption &lt;here&gt;</caption>" in html
    assert '<th scope="col">Indicator</th>' in html
    assert '<th scope="row">A &amp; B</th><td class="num">80.0%</td>' in html


def test_rag_badge_has_word_and_shape_as_well_as_colour():
    badges = {s: str(rag_badge(Rag(s, ""))) for s in Status}
    assert badges[Status.RED] == (
        '<span class="rag rag-red"><span class="rag-icon" aria-hidden="true">▲</span> Red</span>'
    )
    assert "◆</span> Amber" in badges[Status.AMBER]
    assert "●</span> Green" in badges[Status.GREEN]
    assert "No target" in badges[Status.NO_TARGET]
    shapes = [b.split('aria-hidden="true">')[1][0] for b in badges.values()]
    assert len(set(shapes)) == len(shapes)


def test_chart_is_a_png_with_alt_text_and_same_bytes_each_time():
    frame = pd.DataFrame(
        {
            "role": ["area"] * 3,
            "x": pd.to_datetime(["2023-03-31", "2024-03-31", "2025-03-31"]),
            "value": [1.0, 2.0, 3.0],
        }
    )

    def make():
        return small_multiples(
            [("Panel", frame, 2.5)], [Line("area", "Area")], caption="Cap", alt="Rose from 1 to 3."
        )

    first, second = make(), make()
    assert first.png.startswith(b"\x89PNG") and first.png == second.png
    html = first._repr_html_()
    assert 'alt="Rose from 1 to 3."' in html and "<figcaption>Cap</figcaption>" in html
