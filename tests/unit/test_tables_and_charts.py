"""House-style tables and charts: accessible markup, RAG never by colour alone, alt text."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from datetime import date

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from perfreport.methods.spc import xmr
from perfreport.methods.status import Rag, Status
from perfreport.present.charts import (
    PALETTE,
    STATUS_BARS,
    Chart,
    Line,
    small_multiples,
    status_bars,
)
from perfreport.present.spc_chart import spc_chart
from perfreport.present.tables import Table, rag_badge
from tests.helpers import REPO


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


def test_trend_chart_is_an_svg_with_alt_text_and_same_bytes_each_time():
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
    assert first.image.startswith(b"<svg ") and first.image == second.image
    assert first.mime == "image/svg+xml"
    html = first._repr_html_()
    assert '<img src="data:image/svg+xml;base64,' in html
    assert 'alt="Rose from 1 to 3."' in html and "<figcaption>Cap</figcaption>" in html


TREND = pd.DataFrame(
    {
        "role": ["area"] * 4 + ["comparator"] * 4,
        "x": [date(2021, 3, 31), date(2022, 3, 31), date(2023, 3, 31), date(2024, 3, 31)] * 2,
        "value": [1.0, 2.0, None, 3.0, 2.0, 2.5, 2.0, 2.2],
    }
)
COUNTS = pd.DataFrame(
    {"green": [3, 1], "amber": [1, 0], "red": [0, 2], "no_target": [1, 0], "no_data": [0, 1]},
    index=pd.Index(["Outcomes", "Finance"], name="section"),
)
SPECIAL = [5, 6, 5, 7, 6, 5, 6, 7, 6, 5, 14]


def each_chart_kind() -> dict[str, Chart]:
    """One chart of every kind the package draws."""
    return {
        "trends": small_multiples(
            [("Panel", TREND, 2.5), ("Second", TREND, None)],
            [Line("area", "Area"), Line("comparator", "Country")],
            caption="Trends",
            alt="Trend text.",
        ),
        "bars": status_bars(COUNTS, caption="Status", alt="Bar text."),
        "spc": spc_chart(xmr(SPECIAL, target=20), [f"M{i}" for i in range(11)], title="SPC"),
    }


def painted(svg: bytes) -> set[str]:
    """Every colour the SVG fills or strokes with, as ``#RRGGBB``."""
    return set(re.findall(r'(?:fill|stroke)="(#[0-9A-F]{6})"', svg.decode()))


def test_charts_leave_matplotlib_as_they_found_it_and_ignore_the_analysts_settings():
    reference = {kind: chart.image for kind, chart in each_chart_kind().items()}
    with matplotlib.rc_context():
        plt.style.use("dark_background")
        plt.rcParams["lines.linewidth"] = 9
        plt.rcParams["font.size"] = 20
        plt.rcParams["axes.grid"] = False
        plt.rcParams["savefig.dpi"] = 30
        before = dict(matplotlib.rcParams)
        figures = plt.get_fignums()
        drawn = {kind: chart.image for kind, chart in each_chart_kind().items()}
        assert dict(matplotlib.rcParams) == before
        assert plt.get_fignums() == figures
    assert drawn == reference


def test_charts_are_the_same_bytes_in_a_fresh_process_which_keeps_its_backend():
    code = (
        "import hashlib, matplotlib\n"
        "backend = dict.__getitem__(matplotlib.rcParams, 'backend')\n"
        "from tests.unit.test_tables_and_charts import each_chart_kind\n"
        "charts = each_chart_kind()\n"
        "print(dict.__getitem__(matplotlib.rcParams, 'backend') is backend)\n"
        "for kind, chart in charts.items():\n"
        "    print(kind, hashlib.sha256(chart.image).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout.splitlines()
    here = [f"{k} {hashlib.sha256(c.image).hexdigest()}" for k, c in each_chart_kind().items()]
    assert out == ["True", *here]


def test_charts_keep_the_house_colours_exactly():
    charts = each_chart_kind()
    drawn = set(re.findall(r'stroke="(#[0-9A-F]{6})"', charts["trends"].image.decode()))
    assert {PALETTE["area"], PALETTE["comparator"], PALETTE["target"]} <= drawn
    assert {colour for _, colour, _ in STATUS_BARS.values()} <= painted(charts["bars"].image)
    assert {"#1F77B4", "#5F6368", "#C55A11"} <= painted(charts["spc"].image)


def test_status_bars_are_an_svg_with_alt_text_and_same_bytes_each_time():
    first = status_bars(COUNTS, caption="Cap", alt="Outcomes has 3 green.")
    assert first.image == status_bars(COUNTS, caption="Cap", alt="Outcomes has 3 green.").image
    assert first.mime == "image/svg+xml"
    assert 'src="data:image/svg+xml;base64,' in first._repr_html_()
    assert first.image.startswith(b"<svg ") and first.alt == "Outcomes has 3 green."
    assert "<figcaption>Cap</figcaption>" in first._repr_html_()
