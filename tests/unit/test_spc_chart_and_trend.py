"""SPC chart descriptions and icons, and trend projections."""

from __future__ import annotations

from datetime import date

import pytest

from perfreport.methods.spc import describe, xmr
from perfreport.methods.stats import projected_date_on_target, trend
from perfreport.present.spc_chart import spc_chart, variation_icon

STABLE = [78, 82, 80, 79, 81, 80, 82, 78, 80, 81]


def percent(v: float) -> str:
    return f"{v:g}%"


def test_the_issues_example_sentence():
    assert describe(xmr(STABLE, target=80), percent) == (
        "Common cause variation; the target of 80% lies inside the process limits, so it will be hit and missed."
    )


@pytest.mark.parametrize(
    ("values", "improvement", "target", "sentence"),
    [
        (
            [5, 6, 5, 7, 6, 5, 6, 7, 6, 5, 14],
            "increase",
            20,
            "Special cause variation of an improving nature (the latest point lies outside the process limits); "
            "the target of 20 lies outside the process limits, so it will not be met without a change to the process.",
        ),
        (
            [1, 2, 1, 2, 1, 2, 1, 2, 1] + [1.6] * 7,
            "decrease",
            None,
            "Special cause variation of a concerning nature (a run of 7 points above the mean).",
        ),
        (
            STABLE,
            "increase",
            60,
            "Common cause variation; the process limits lie beyond the target of 60, so it will be met consistently.",
        ),
        (
            [30, 0, 30, 0, 30, 0, 30, 1, 2, 3, 4, 5, 6, 7],
            "neutral",
            None,
            # 7 points below the mean and rising: the trend decides (NHSRplotthedots' precedence)
            "Special cause variation, higher than expected (7 points in a row rising).",
        ),
    ],
)
def test_descriptions(values, improvement, target, sentence):
    assert describe(xmr(values, improvement, target=target)) == sentence


def test_icons_and_chart():
    special = xmr([5, 6, 5, 7, 6, 5, 6, 7, 6, 5, 14], target=20)
    assert variation_icon(special) == ("H", "#1F77B4")
    assert variation_icon(xmr(STABLE)) == ("~", "#5F6368")
    chart = spc_chart(special, [f"M{i}" for i in range(11)], title="Test measure")
    assert chart.image.startswith(b"<svg ") and chart.mime == "image/svg+xml"
    assert '<img src="data:image/svg+xml;base64,' in chart._repr_html_()
    assert chart.alt == "Test measure: " + describe(special)
    assert chart.caption == "Test measure. " + describe(special)
    assert (
        chart.image == spc_chart(special, [f"M{i}" for i in range(11)], title="Test measure").image
    )
    with pytest.raises(ValueError, match="one entry per point"):
        spc_chart(special, ["M0"], title="x")


def test_trend_direction_and_significance():
    assert trend([10, 12, 13, 15, 16, 18, 19, 21]).direction == "increasing"
    assert trend([21, 19, 18, 16, 15, 13, 12, 10]).direction == "decreasing"
    flat = trend([10, 11, 10, 11, 10, 11, 10, 11])
    assert flat.direction == "no significant trend" and not flat.significant
    assert trend([5, 5, 5, 5]).p_value == 1.0
    with pytest.raises(ValueError, match="at least three"):
        trend([1, 2])


def test_projected_date_on_target():
    months = [date(2024, m, 1) for m in range(1, 9)]
    rising = [60, 62, 64, 66, 68, 70, 72, 74]  # 2 points a month; 80 is 3 months after August
    projected = projected_date_on_target(rising, months, 80)
    assert date(2024, 10, 25) <= projected <= date(2024, 11, 5)
    assert projected_date_on_target(rising, months, 70) == date(2024, 8, 1)  # already met
    assert projected_date_on_target(list(reversed(rising)), months, 80) is None  # moving away
    assert (
        projected_date_on_target([70, 71, 70, 71, 70, 71, 70, 71], months, 80) is None
    )  # no trend
    falling = [30, 28, 26, 24, 22, 20, 18, 16]
    assert projected_date_on_target(falling, months, 10, higher_is_better=False) > date(2024, 8, 1)
