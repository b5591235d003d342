"""Funnel plots drawn as SVG: a panel per indicator with its average and both limits as
curves, each locality named beside its point (the report's own filled and in bold), alt text
that says which localities are outside which limit, and panels whose positions are the ones
``prepare`` gives the same figures."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfreport.assess.funnels import with_funnel_positions
from perfreport.config.context import Context
from perfreport.methods.funnels import FUNNEL_LEVELS, funnel_limits
from perfreport.methods.periods import Period
from perfreport.present.funnel_chart import (
    MOST_PANELS,
    FunnelPanel,
    FunnelPoint,
    finding,
    funnel_chart,
)
from perfreport.reports.funnels import WITHHELD, _panel
from perfreport.reports.locality_view import Headline

NS = {"s": "http://www.w3.org/2000/svg"}
ROOT = Path(__file__).resolve().parents[2]
POINTS = (
    FunnelPoint("North", 400, 70.0, "below 99.8% limit", own=True),
    FunnelPoint("South", 300, 86.0, "above 95% limit"),
    FunnelPoint("West", 200, 80.0, "within limits"),
)
PANEL = FunnelPanel("Reviews on time, 2024/25", "proportion", 0.8, 100, "Percentage (%)", POINTS)


def chart(panels: list[FunnelPanel]) -> tuple[ET.Element, str]:
    drawn = funnel_chart(panels, body="Forth", part="localities", caption="c", intro="Plots.")
    return ET.fromstring(drawn.image), drawn.alt


def test_the_alt_text_names_each_locality_by_where_it_falls_farthest_first():
    _, alt = chart([PANEL])
    assert alt == (
        "Plots. Reviews on time, 2024/25: North is below the 99.8% limit; South is above "
        "the 95% limit; West is within the limits."
    )
    assert PANEL.severity == 1 and [p.name for p in PANEL.outside] == ["North", "South"]
    inside = FunnelPanel("T", "rate", 0.01, 1000, "Rate per 1,000", POINTS[2:])
    assert finding(inside) == "T: West is within the limits." and inside.severity == 4


def test_each_panel_has_its_average_both_limits_and_a_named_point_per_locality():
    svg, _ = chart([PANEL, PANEL])
    assert len(svg.findall(".//s:g[@class='funnel']", NS)) == 2
    for level in ("0.95", "0.998"):
        assert len(svg.findall(f".//s:polyline[@class='limit-{level}']", NS)) == 4
    labels = svg.findall(".//s:text[@class='label']", NS)
    assert sorted(t.text or "" for t in labels) == [
        "North",
        "North",
        "South",
        "South",
        "West",
        "West",
    ]
    assert {t.get("font-weight") for t in labels if t.text == "North"} == {"bold"}
    assert {t.get("font-weight") for t in labels if t.text != "North"} == {"normal"}
    titles = [t.text for t in svg.findall(".//s:text[@class='title']", NS)]
    assert titles == ["Reviews on time, 2024/25"] * 2
    legend = [t.text for t in svg.findall(".//s:g[@class='legend']//s:text", NS)]
    assert legend == [
        "Average of Forth",
        "95% limits",
        "99.8% limits",
        "North (filled)",
        "Other localities (open)",
    ]
    units = {t.text for t in svg.findall(".//s:text[@class='unit']", NS)}
    assert units == {"Percentage (%)"}


def test_a_point_outside_a_limit_is_outside_its_drawn_curve():
    """The page y of the 99.8% lower curve at North's denominator is above North's point."""
    svg, _ = chart([PANEL])
    lower, _ = svg.findall(".//s:polyline[@class='limit-0.998']", NS)
    curve = [tuple(map(float, p.split(","))) for p in lower.get("points", "").split()]
    marks = svg.findall(".//s:g[@class='points']/s:path", NS)
    north = marks[[m.get("stroke") for m in marks].index("#005EB8")]
    x, y = map(float, (north.get("d") or "").lstrip("M").split("h")[0].split())
    xs, ys = zip(*curve, strict=True)
    assert y > np.interp(x, xs, ys)  # lower on the page: a smaller value


def test_a_figure_holds_one_to_six_panels():
    with pytest.raises(ValueError, match="1 to 6 panels, not 7"):
        chart([PANEL] * (MOST_PANELS + 1))
    with pytest.raises(ValueError, match="not 0"):
        chart([])


@pytest.fixture(scope="module")
def context() -> Context:
    return Context.load(ROOT)


def _totals(numerators: list[float], denominators: list[float]) -> pd.DataFrame:
    codes = ["CS-CLK", "CS-RST", "CS-UST"]
    return pd.DataFrame(
        {
            "indicator_id": "NI-13",
            "area_code": codes,
            "period_start": date(2024, 4, 1),
            "numerator": numerators,
            "denominator": denominators,
            "suppressed": False,
            "period": [Period(date(2024, 4, 1), "financial_year")] * 3,
        }
    )


def test_the_report_places_each_locality_where_prepare_does(context: Context):
    ind = next(i for i in context.catalogue if i.id == "NI-13")  # a rate per 100,000
    totals = _totals([18436, 7716, 20030], [14458, 7101, 17988])
    prepared = with_funnel_positions(ind, totals.copy(), totals, context.areas)
    parts = context.areas.parts_of("S37000005")
    period = Period(date(2024, 4, 1), "financial_year")
    h = Headline(ind, period, 1.0, None, None, None, None, None)  # type: ignore[arg-type]
    panel = _panel(h, parts, totals, "CS-RST")
    assert isinstance(panel, FunnelPanel)
    assert [p.position for p in panel.points] == list(prepared["funnel_position"])
    assert [p.name for p in panel.points if p.own] == ["Rural Stirling"]
    assert panel.points[0].value == pytest.approx(18436 / 14458 * 100_000)
    assert panel.average == pytest.approx(sum([18436, 7716, 20030]) / sum([14458, 7101, 17988]))
    limits = funnel_limits([14458], panel.average, "rate", FUNNEL_LEVELS, 100_000)
    assert panel.points[0].value > limits[0.998][1][0]  # above the upper 99.8% limit
    withheld = totals.assign(suppressed=[False, True, False])
    assert _panel(h, parts, withheld, "CS-RST") == WITHHELD
    assert _panel(h, parts, totals.iloc[:2], "CS-RST") is None  # a locality without a figure


def test_the_chart_is_the_same_bytes_each_time():
    one = funnel_chart([PANEL], body="Forth", part="localities", caption="c", intro="Plots.")
    two = funnel_chart([PANEL], body="Forth", part="localities", caption="c", intro="Plots.")
    assert one.image == two.image and one.mime == "image/svg+xml"
    assert base64.b64encode(one.image).decode() in one._repr_html_()
