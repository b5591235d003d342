"""The trend small multiples drawn as SVG: ticks, structure, scale, gaps, legend, bytes, and
the sanitiser letting an SVG through only as an image's base64 source."""

from __future__ import annotations

import base64
import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date

import pandas as pd
import pytest

from perfreport.build.sanitise import sanitise_output
from perfreport.present.charts import LINESTYLE, MARKER, PALETTE, Line, small_multiples
from perfreport.present.svg import text_width
from perfreport.present.ticks import days, padded, value_ticks, year_ticks

NS = {"s": "http://www.w3.org/2000/svg"}
YEARS = [date(y, 3, 31) for y in range(2019, 2025)]
LINES = [
    Line("area", "Rural Stirling"),
    Line("body", "Partnership"),
    Line("comparator", "Scotland"),
]


def frame(values: dict[str, list[float | None]]) -> pd.DataFrame:
    """A panel's frame: each role's values on consecutive years from 2019."""
    rows = [(role, YEARS[i], v) for role, vs in values.items() for i, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["role", "x", "value"])


FULL = frame(
    {
        "area": [1.0, 2.0, None, 3.0, 4.0, 3.5],
        "body": [2.0, 2.1, 2.2, 2.3, 2.4, 2.5],
        "comparator": [2.5, 2.4, 2.6, 2.5, 2.7, 2.6],
    }
)
PANELS = [
    ("Gap and target", FULL, 2.5),
    ("Target far below the data", frame({"area": [800.0, 1000.0, 1100.0]}), 650.0),
    ("One point", frame({"area": [5.0]}), None),
    ("All equal", frame({"area": [3.0, 3.0, 3.0]}), None),
    ("Negative", frame({"area": [-0.07, -0.02, 0.02]}), None),
    ("No values at all", frame({"area": [None, None]}), 3.0),
]


@pytest.fixture(scope="module")
def svg() -> ET.Element:
    chart = small_multiples(PANELS, LINES, caption="Trends", alt="Six panels.")
    return ET.fromstring(chart.image)


@pytest.mark.parametrize(
    ("low", "high", "labels"),
    [
        (0.0, 0.3, ["0.0", "0.1", "0.2", "0.3"]),
        (0.1, 0.4, ["0.1", "0.2", "0.3", "0.4"]),
        (-3.2, 11.0, ["0", "5", "10"]),
        (0.0, 10.0, ["0.0", "2.5", "5.0", "7.5", "10.0"]),
        (50.4, 52.3, ["50.5", "51.0", "51.5", "52.0"]),
        (95.85, 96.35, ["95.9", "96.0", "96.1", "96.2", "96.3"]),
        (105_000.0, 122_000.0, ["105000", "110000", "115000", "120000"]),
        (-0.07, 0.02, ["-0.06", "-0.04", "-0.02", "0.00", "0.02"]),
        (683.0, 1170.0, ["700", "800", "900", "1000", "1100"]),
    ],
)
def test_value_ticks_take_the_finest_nice_step_that_gives_at_most_five(low, high, labels):
    ticks = value_ticks(low, high)
    assert [label for _, label in ticks] == labels
    assert [value for value, _ in ticks] == [float(label) for label in labels]


def test_value_ticks_give_three_to_five_labels_of_one_width_for_any_range():
    for low in (-1234.5, -1.0, 0.0, 0.001, 7.3, 99.9):
        for span in (0.003, 0.07, 0.5, 1.0, 3.3, 17.0, 250.0, 99_999.0):
            labels = [label for _, label in value_ticks(*padded([low, low + span], 0.0))]
            assert 3 <= len(labels) <= 5, (low, span, labels)
            assert len({len(label.split(".")[-1]) if "." in label else 0 for label in labels}) == 1


def test_ranges_have_five_percent_margins_and_a_single_value_is_widened():
    assert padded([0.0, 10.0], 0.0) == pytest.approx((-0.5, 10.5))
    assert padded([3.0], 0.0) == pytest.approx((2.835, 3.165))
    assert padded([0.0, 0.0], 0.0) == pytest.approx((-0.055, 0.055))
    assert padded([100.0], 365.0) == pytest.approx((-301.5, 501.5))


def test_year_ticks_are_every_two_years_in_april():
    ticks = year_ticks(days(date(2019, 1, 1)), days(date(2025, 6, 1)))
    assert ticks == [(days(date(y, 4, 1)), str(y)) for y in (2020, 2022, 2024)]
    assert year_ticks(days(date(2020, 4, 2)), days(date(2022, 3, 31))) == []


def panels(svg: ET.Element) -> list[ET.Element]:
    return svg.findall("s:g[@class='panel']", NS)


def y_axis(panel: ET.Element) -> tuple[float, float]:
    """The panel's scale, ``(y of 0, points per unit)``, from its tick marks and labels."""
    ys = [float(t.get("y1", "")) for t in panel.findall("s:line[@class='ytick']", NS)]
    values = [float(t.text or "") for t in panel.findall("s:text[@class='ylabel']", NS)]
    slope = (ys[-1] - ys[0]) / (values[-1] - values[0])
    return ys[0] - slope * values[0], slope


def spine_top_bottom(panel: ET.Element) -> tuple[float, float]:
    left = panel.find("s:line[@class='spine']", NS)
    assert left is not None
    return float(left.get("y1", "")), float(left.get("y2", ""))


def test_one_panel_per_indicator_each_titled_with_its_own_axis(svg):
    found = panels(svg)
    assert len(found) == len(PANELS)
    titles = [
        " ".join(t.text or "" for t in p.findall("s:text[@class='title']", NS)) for p in found
    ]
    assert titles == [title for title, _, _ in PANELS]
    assert float(svg.get("width", "")) == pytest.approx(4 * 2.05 * 110, abs=0.01)
    assert float(svg.get("height", "")) == pytest.approx((2 * 1.55 + 0.5) * 110, abs=0.01)


def test_each_role_has_its_colour_dashes_and_markers_and_a_gap_splits_its_line(svg):
    series = {s.get("data-role"): s for s in panels(svg)[0].findall("s:g[@class='series']", NS)}
    assert list(series) == ["area", "body", "comparator"]
    for role, group in series.items():
        polylines = group.findall("s:polyline", NS)
        assert len(polylines) == (2 if role == "area" else 1)
        assert {p.get("stroke") for p in polylines} == {PALETTE[role]}
        assert all(
            (p.get("stroke-dasharray") is None) == (LINESTYLE[role] == "-") for p in polylines
        )
        marks = group.find("s:path", NS)
        assert marks is not None and marks.get("stroke") == PALETTE[role]
        assert marks.get("d", "").count("M") == (5 if role == "area" else 6)
    area = series["area"].findall("s:polyline", NS)
    assert [len(p.get("points", "").split()) for p in area] == [2, 3]
    assert set(MARKER) == {"area", "body", "comparator"}


def test_the_target_line_sits_at_its_value_on_the_axis_even_outside_the_data(svg):
    for panel, target in ((panels(svg)[0], 2.5), (panels(svg)[1], 650.0)):
        zero, slope = y_axis(panel)
        line = panel.find("s:line[@class='target']", NS)
        assert line is not None and line.get("stroke") == PALETTE["target"]
        assert float(line.get("y1", "")) == pytest.approx(zero + slope * target, abs=0.02)
        top, bottom = spine_top_bottom(panel)
        assert top < float(line.get("y1", "")) < bottom


def test_a_single_point_equal_values_negatives_and_no_values_are_all_drawn(svg):
    one, equal, negative, empty = panels(svg)[2:]
    assert one.findall(".//s:polyline", NS) == []
    assert one.find(".//s:path", NS).get("d", "").count("M") == 1  # type: ignore[union-attr]
    assert [t.text for t in equal.findall("s:text[@class='ylabel']", NS)] == ["2.9", "3.0", "3.1"]
    assert [t.text for t in negative.findall("s:text[@class='ylabel']", NS)] == [
        "-0.06",
        "-0.04",
        "-0.02",
        "0.00",
        "0.02",
    ]
    assert [t.text for t in empty.findall("s:text", NS)][-1] == "No data"
    assert empty.findall("s:g", NS) == [] and empty.find("s:line[@class='target']", NS) is None


def test_the_legend_names_each_line_and_the_target_once(svg):
    legend = svg.find("s:g[@class='legend']", NS)
    assert legend is not None
    entries = legend.findall("s:g[@class='entry']", NS)
    assert [e.find("s:text", NS).text for e in entries] == [  # type: ignore[union-attr]
        "Rural Stirling",
        "Partnership",
        "Scotland",
        "Target",
    ]
    assert [e.find("s:line", NS).get("stroke") for e in entries] == [  # type: ignore[union-attr]
        PALETTE[r] for r in ("area", "body", "comparator", "target")
    ]


def test_the_same_data_give_the_same_bytes_with_short_numbers():
    first = small_multiples(PANELS, LINES, caption="Trends", alt="Six panels.")
    again = small_multiples(PANELS, LINES, caption="Trends", alt="Six panels.")
    assert first.image == again.image and first.mime == "image/svg+xml"
    assert re.findall(r"\d\.\d{3,}", first.image.decode()) == []


def test_text_is_escaped_measured_and_a_glyph_the_font_lacks_is_warned_of():
    with pytest.warns(UserWarning, match="Glyph 20013"):
        chart = small_multiples([("A & <B> 中", FULL, None)], LINES, caption="c", alt="a")
    titles = ET.fromstring(chart.image).findall(".//s:text[@class='title']", NS)
    assert titles[0].text == "A & <B> 中"
    assert text_width("Scotland", 7) == pytest.approx(8904 / 2048 * 7)  # its hmtx widths
    assert text_width("Môn", 7) == text_width("Mon", 7)


SVG_DATA = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()


def test_the_sanitiser_lets_an_svg_through_only_as_an_images_base64_source():
    kept = f'<img src="{SVG_DATA}" alt="Chart">'
    assert str(sanitise_output(kept)) == kept
    assert str(sanitise_output(f'<a href="{SVG_DATA}">x</a>')) == "<a>x</a>"
    assert str(sanitise_output('<img src="data:image/svg+xml,<svg/>" alt="x">')) == '<img alt="x">'
    assert (
        str(sanitise_output(f'<div style="background:url({SVG_DATA})">x</div>')) == "<div>x</div>"
    )
    assert str(sanitise_output("<svg><script>alert(1)</script></svg>")) == ""


def test_one_panel_is_as_wide_as_its_legend_and_a_long_series_labels_fewer_years():
    years = [date(y, 3, 31) for y in range(2011, 2026)]
    long = pd.DataFrame({"role": "area", "x": years, "value": range(len(years))})
    lines = [Line("area", "NHS Forth Valley"), Line("comparator", "Scotland")]
    svg = ET.fromstring(small_multiples([("A&E", long, 95.0)], lines, caption="c", alt="a").image)
    width = float(svg.get("viewBox", "").split()[2])
    entries = svg.findall("s:g[@class='legend']/s:g[@class='entry']", NS)
    assert [e.find("s:text", NS).text for e in entries] == [  # type: ignore[union-attr]
        "NHS Forth Valley",
        "Scotland",
        "Target",
    ]
    starts = [float(e.find("s:line", NS).get("x1", "")) for e in entries]  # type: ignore[union-attr]
    last = entries[-1].find("s:text", NS)
    end = float(last.get("x", "")) + text_width("Target", 7.0)  # type: ignore[union-attr]
    assert starts[0] >= 0 and end <= width  # the whole legend inside the chart
    labels = [int(t.text or "") for t in svg.findall(".//s:text[@class='xlabel']", NS)]
    assert len(labels) >= 2 and {b - a for a, b in itertools.pairwise(labels)} == {5}
