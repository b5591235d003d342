"""SPC charts and status and category bars drawn as SVG: points shaped and coloured by type,
the mean, limits and target on the value axis, legends that name what is drawn, the icons'
letters, bars as wide as their counts with their hatches, and missing categories left out."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from perfreport.methods.spc import XmrResult, xmr
from perfreport.present.bars import STATUS_BARS, category_bars, status_bars
from perfreport.present.spc_chart import LABELS, MDC_COLOURS, spc_chart

NS = {"s": "http://www.w3.org/2000/svg"}
IMPROVING = xmr([5, 6, 5, 7, 6, 5, 6, 7, 6, 5, 14], target=20)
CONCERN = xmr([1, 2, 1, 2, 1, 2, 1, 2, 1] + [1.6] * 7, "decrease")
NEUTRAL = xmr([30, 0, 30, 0, 30, 0, 30, 1, 2, 3, 4, 5, 6, 7, 30], "neutral", target=10)
COUNTS = pd.DataFrame(
    {"green": [3, 1], "amber": [1, 0], "red": [0, 2], "no_target": [1, 0], "no_data": [0, 1]},
    index=pd.Index(["Outcomes", "Finance & resources"], name="section"),
)


def draw(result: XmrResult) -> ET.Element:
    labels = [f"Month {i}" for i in range(len(result.points))]
    return ET.fromstring(spc_chart(result, labels, title="Delayed discharges").image)


def starts(path: ET.Element) -> list[tuple[float, float]]:
    """Where each marker of a path starts (``M x y``)."""
    return [
        (float(x), float(y)) for x, y in re.findall(r"M(-?[\d.]+) (-?[\d.]+)", path.get("d", ""))
    ]


def y_scale(svg: ET.Element) -> tuple[float, float]:
    """``(y of 0, points per unit)`` from the value axis's tick marks and labels."""
    ys = [float(t.get("y1", "")) for t in svg.findall("s:line[@class='ytick']", NS)]
    values = [float(t.text or "") for t in svg.findall("s:text[@class='ylabel']", NS)]
    slope = (ys[-1] - ys[0]) / (values[-1] - values[0])
    return ys[0] - slope * values[0], slope


@pytest.mark.parametrize("result", [IMPROVING, CONCERN, NEUTRAL])
def test_points_are_coloured_and_shaped_by_type_and_counted(result):
    groups = draw(result).findall("s:g[@class='points']", NS)
    expected = result.points["point_type"].value_counts().to_dict()
    assert {g.get("data-type"): len(starts(g.findall("s:path", NS)[1])) for g in groups} == expected
    for group in groups:
        edge, marks = group.findall("s:path", NS)
        kind = group.get("data-type", "")
        assert edge.get("stroke") == "#FFFFFF" and marks.get("stroke") == MDC_COLOURS[kind]
        d, cap = marks.get("d", ""), marks.get("stroke-linecap")
        shape = {"common_cause": "circle", "special_cause_improvement": "triangle"}.get(
            kind, "cross" if kind == "special_cause_concern" else "square"
        )
        assert shape == (
            "triangle"
            if d.endswith("z")
            else "cross"
            if "m0" in d
            else "circle"
            if cap == "round"
            else "square"
        )


def test_circles_sit_on_their_values_and_ticks_on_every_step():
    svg = draw(NEUTRAL)
    zero, slope = y_scale(svg)
    xs = {t.text: float(t.get("x", "")) for t in svg.findall("s:text[@class='xlabel']", NS)}
    assert list(xs) == [f"Month {i}" for i in range(0, 15)]  # 15 points: every one (15 // 8 = 1)
    common = svg.find("s:g[@data-type='common_cause']", NS)
    assert common is not None
    at = [i for i, t in enumerate(NEUTRAL.points["point_type"]) if t == "common_cause"]
    expected = [
        c for i in at for c in (xs[f"Month {i}"], zero + slope * NEUTRAL.points["value"][i])
    ]
    found = [c for point in starts(common.findall("s:path", NS)[1]) for c in point]
    assert found == pytest.approx(expected, abs=0.02)
    svg = draw(xmr(list(range(20)) * 2))
    labels = [t.text for t in svg.findall("s:text[@class='xlabel']", NS)]
    assert labels == [f"Month {i}" for i in range(0, 40, 5)]


def test_mean_limits_and_target_are_at_their_values():
    svg = draw(IMPROVING)
    zero, slope = y_scale(svg)
    row = IMPROVING.points.iloc[0]
    mean = svg.find("s:line[@class='mean']", NS)
    assert mean is not None and float(mean.get("y1", "")) == pytest.approx(
        zero + slope * row["mean"], abs=0.01
    )
    limits = sorted(float(line.get("y1", "")) for line in svg.findall("s:line[@class='limit']", NS))
    assert limits == pytest.approx(sorted(zero + slope * row[c] for c in ("upl", "lpl")), abs=0.01)
    assert all(line.get("stroke-dasharray") for line in svg.findall("s:line[@class='limit']", NS))
    target = svg.find("s:line[@class='target']", NS)
    assert target is not None and target.get("stroke") == "#007F3B"
    assert float(target.get("y1", "")) == pytest.approx(zero + slope * 20, abs=0.01)
    assert len(svg.find("s:polyline[@class='values']", NS).get("points", "").split()) == 11  # type: ignore[union-attr]
    assert draw(CONCERN).find("s:line[@class='target']", NS) is None


def test_a_new_baseline_has_its_own_mean_and_limits():
    svg = draw(xmr([5, 6, 5, 7, 6, 5, 6, 20, 21, 20, 22, 21, 20, 21], rebase=(7,)))
    assert len(svg.findall("s:line[@class='mean']", NS)) == 2
    assert len(svg.findall("s:line[@class='limit']", NS)) == 4


@pytest.mark.parametrize(
    ("result", "entries", "icons"),
    [
        (
            IMPROVING,
            ["Mean", "Process limits", "Target", "Common cause", "Improvement"],
            ["H", "F"],
        ),
        (CONCERN, ["Mean", "Process limits", "Common cause", "Concern"], ["H"]),
        (
            NEUTRAL,
            ["Mean", "Process limits", "Target", "Common cause", "Special cause (neutral)"],
            ["H"],
        ),
    ],
)
def test_the_legend_names_each_thing_drawn_and_the_icons_carry_their_letters(
    result, entries, icons
):
    svg = draw(result)
    legend = svg.findall("s:g[@class='legend']/s:g[@class='entry']", NS)
    assert [e.find("s:text", NS).text for e in legend] == entries  # type: ignore[union-attr]
    kinds = {LABELS[k] for k in result.points["point_type"]}
    assert kinds <= set(entries)
    letters = [g.find("s:text", NS) for g in svg.findall("s:g[@class='icon']", NS)]
    assert [t.text for t in letters] == icons  # type: ignore[union-attr]
    assert {t.get("fill") for t in letters} == {"#FFFFFF"}  # type: ignore[union-attr]
    title = svg.find("s:text[@class='title']", NS)
    assert title is not None and title.text == "Delayed discharges"


def test_status_bars_have_a_rect_per_nonzero_status_as_wide_as_its_count_and_hatched():
    chart = status_bars(COUNTS, caption="Cap", alt="Alt.")
    svg = ET.fromstring(chart.image)
    bars = svg.findall("s:g[@class='bar']", NS)
    assert [b.get("data-group") for b in bars] == ["Outcomes", "Finance & resources"]
    per_point = None
    for bar, (_, row) in zip(bars, COUNTS.iterrows(), strict=True):
        parts = bar.findall("s:rect[@data-status]", NS)
        assert [p.get("data-status") for p in parts] == [s for s in STATUS_BARS if row[s]]
        for part in parts:
            status = part.get("data-status", "")
            assert part.get("fill") == STATUS_BARS[status][1] and part.get("stroke") == "#202124"
            per_point = per_point or float(part.get("width", "")) / row[status]
            assert float(part.get("width", "")) == pytest.approx(per_point * row[status], abs=0.02)
        hatched = [r.get("fill") for r in bar.findall("s:rect", NS) if not r.get("data-status")]
        assert hatched == [f"url(#hatch-{s})" for s in STATUS_BARS if row[s] and STATUS_BARS[s][2]]
    patterns = {p.get("id") for p in svg.findall("s:defs/s:pattern", NS)}
    assert patterns == {"hatch-amber", "hatch-red", "hatch-no_target"}
    legend = svg.findall("s:g[@class='legend']/s:g[@class='entry']", NS)
    assert [e.find("s:text", NS).text for e in legend] == [n for n, _, _ in STATUS_BARS.values()]  # type: ignore[union-attr]
    labels = [t.text for t in svg.findall("s:text[@class='xlabel']", NS)]
    assert labels == ["0", "1", "2", "3", "4", "5"]
    assert [t.text for t in svg.findall("s:text[@class='ylabel']", NS)] == list(COUNTS.index)
    assert svg.find("s:text[@class='axis-label']", NS).text == "Indicators"  # type: ignore[union-attr]
    assert chart.mime == "image/svg+xml" and chart.alt == "Alt." and chart.caption == "Cap"


def test_category_bars_leave_a_missing_value_without_a_bar():
    values = pd.Series(
        [3, None, 10, 4], index=["Housing", "Roads", "Schools", "Parks"], dtype="Float64"
    )
    svg = ET.fromstring(category_bars(values, label="Number", caption="c", alt="a").image)
    bars = svg.findall("s:rect[@class='bar']", NS)
    assert [b.get("data-category") for b in bars] == ["Housing", "Schools", "Parks"]
    widths = [float(b.get("width", "")) for b in bars]
    assert widths == pytest.approx([widths[1] * v / 10 for v in (3, 10, 4)], abs=0.02)
    assert {b.get("fill") for b in bars} == {"#005EA5"}
    assert [t.text for t in svg.findall("s:text[@class='ylabel']", NS)] == list(values.index)
    assert [t.text for t in svg.findall("s:text[@class='xlabel']", NS)] == [
        "0",
        "2",
        "4",
        "6",
        "8",
        "10",
    ]
    assert svg.find("s:text[@class='axis-label']", NS).text == "Number"  # type: ignore[union-attr]
    empty = category_bars(
        pd.Series([None], index=["Only"], dtype="Float64"), label="N", caption="c", alt="a"
    )
    assert ET.fromstring(empty.image).findall("s:rect[@class='bar']", NS) == []


def test_the_same_data_give_the_same_short_bytes():
    labels = [f"M{i}" for i in range(11)]
    first = spc_chart(IMPROVING, labels, title="T").image
    assert first == spc_chart(IMPROVING, labels, title="T").image
    assert (
        status_bars(COUNTS, caption="c", alt="a").image
        == status_bars(COUNTS, caption="c", alt="a").image
    )
    assert re.findall(r"\d\.\d{3,}", first.decode()) == []


def test_a_long_title_is_wrapped_to_stop_short_of_the_icons():
    from perfreport.present.spc_chart import ICON_RADIUS, ICONS_AT, TITLE_SIZE, WIDTH_IN
    from perfreport.present.svg import text_width

    title = (
        "Adult support and protection inquiries completed within 5 working days, "
        "Clackmannanshire and Stirling, with a title longer than any chart has room for, "
        "which goes on and on past the second line of the space above the chart"
    )
    labels = [f"Month {i}" for i in range(len(IMPROVING.points))]
    svg = ET.fromstring(spc_chart(IMPROVING, labels, title=title).image)
    lines = svg.findall("s:text[@class='title']", NS)
    assert len(lines) == 2
    icons = ICONS_AT[0] * WIDTH_IN * 72 - ICON_RADIUS
    for line in lines:
        assert float(line.get("x", "")) + text_width(line.text or "", TITLE_SIZE) < icons
    words = " ".join(t.text or "" for t in reversed(lines)).rstrip("…").split()
    assert words == title.split()[: len(words)] and lines[0].text.endswith("…")  # type: ignore[union-attr]
