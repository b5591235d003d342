"""perfreport.methods.spc against NHSRplotthedots (NHS England's Making Data Count) and the Anhøj rules.

Rule cases are those of NHSRplotthedots' tests/testthat/test-ptd_calculate_point_type.R, read as
whole runs flagged (its ptd_part_of_* results). Limits and assurance follow its
R/ptd_spc_standard.R and R/ptd_calculate_assurance_type.R. Anhøj limits: the critical values
published with the rules (longest run > round(log2(n)) + 3; for 13 useful points, fewer than 3
crossings), Anhøj and Olesen 2014.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfreport.methods.spc import (
    MR_SCREEN,
    _runs,
    _trends,
    _two_of_three,
    p_chart,
    run_chart,
    u_chart,
    xmr,
)


def flags(a) -> list[int]:
    return [int(v) for v in a]


@pytest.mark.parametrize(
    ("side", "expected"),
    [
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [1] * 8 + [0]),
        ([-1] * 8 + [1], [-1] * 8 + [0]),
        ([-1] + [1] * 8 + [-1], [0] + [1] * 8 + [0]),
        ([1, 1, 1, 0, 1, 1, 1, 1], [0] * 8),  # a point on the mean breaks the run
    ],
)
def test_seven_points_one_side_of_the_mean(side, expected):
    assert flags(_runs(np.array(side), 7, [0])) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (list(range(1, 7)), [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # a tie breaks the trend
        (list(range(1, 8)), [1] * 7),
        ([2, *range(1, 8), 3], [0] + [1] * 7 + [0]),
        (list(range(7, 0, -1)), [-1] * 7),
        ([2, *range(7, 0, -1), 3], [0] + [-1] * 7 + [0]),
    ],
)
def test_seven_point_trend(values, expected):
    assert flags(_trends(np.array(values, dtype=float), 7, [0])) == expected


@pytest.mark.parametrize(
    ("close", "expected"),
    [
        ([0, 0, 0], [0, 0, 0]),
        ([1, 0, 1], [1, 0, 1]),
        ([0, 1, 1], [0, 1, 1]),
        ([0, 0, 1, 0, 1, 0, 0], [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [0, 0, 0, 1, 1]),
        ([1, -1, 1], [1, 0, 1]),  # the same side only
    ],
)
def test_two_of_three_beyond_two_sigma(close, expected):
    assert flags(_two_of_three(np.array(close), [0])) == expected


def test_limits_are_mean_plus_minus_2_66_average_moving_range():
    values = [10, 12, 11, 13, 12, 11, 12, 13, 11, 12]
    r = xmr(values)
    amr = np.mean(np.abs(np.diff(values)))
    assert r.points["mean"].iloc[0] == pytest.approx(11.7)
    assert r.points["upl"].iloc[0] == pytest.approx(11.7 + 2.66 * amr)
    assert r.points["lpl"].iloc[0] == pytest.approx(11.7 - 2.66 * amr)
    assert (
        (r.points["upl"] - r.points["mean"])
        .round(12)
        .eq((r.points["mean"] - r.points["lpl"]).round(12))
        .all()
    )
    assert r.variation == "common_cause" and r.points["rule"].isna().all()


def test_moving_ranges_of_3_267_times_the_average_are_screened_out():
    values = [10, 10.5, 10, 10.5, 10, 10.5, 10, 30, 10, 10.5]
    ranges = np.abs(np.diff(values))
    kept = ranges[ranges < MR_SCREEN * ranges.mean()]
    screened, unscreened = xmr(values), xmr(values, screen_outliers=False)
    assert screened.points["upl"].iloc[0] == pytest.approx(np.mean(values) + 2.66 * kept.mean())
    assert unscreened.points["upl"].iloc[0] == pytest.approx(np.mean(values) + 2.66 * ranges.mean())
    assert screened.points["rule"].iloc[7] == "outside_limits"


def test_zero_width_limits_after_screening():
    values = [5, 5, 5, 5, 5, 5, 5, 5, 9, 5]
    r = xmr(values)
    # Both ranges around the spike are screened out, leaving an average moving range of 0.
    assert (r.points["lpl"] == r.points["mean"]).all() and (
        r.points["upl"] == r.points["mean"]
    ).all()
    assert r.points["mean"].iloc[0] == pytest.approx(5.4)
    # With zero-width limits every point off the mean lies outside them.
    assert r.points["rule"].str.startswith("outside_limits").all()
    assert r.points["point_type"].tolist() == ["special_cause_concern"] * 8 + [
        "special_cause_improvement",
        "special_cause_concern",
    ]


def test_a_point_exactly_on_the_mean_is_common_cause():
    r = xmr([4, 6, 4, 6, 5, 4, 6])
    assert r.points["mean"].iloc[4] == 5 and r.points["value"].iloc[4] == 5
    assert r.points["point_type"].iloc[4] == "common_cause" and r.points["rule"].isna().all()


def test_point_types_follow_the_improvement_direction():
    values = [5, 6, 5, 7, 6, 5, 6, 7, 6, 5, 14]
    assert xmr(values, "increase").variation == "special_cause_improvement"
    assert xmr(values, "decrease").variation == "special_cause_concern"
    assert xmr(values, "neutral").variation == "special_cause_neutral_high"
    assert xmr([-v for v in values], "neutral").variation == "special_cause_neutral_low"


def test_a_trend_takes_its_own_direction_not_its_side_of_the_mean():
    # Six rising points, all below the mean, flagged by the trend rule alone (nhsi2017: 6-point
    # trend, 8-point shift); NHSRplotthedots would call them concern by their side of the mean.
    values = [30, 0, 30, 0, 30, 0, 30, 1, 2, 3, 4, 5, 6]
    r = xmr(values, "increase", rules="nhsi2017")
    last = r.points.iloc[-1]
    assert last["rule"] == "trend" and last["value"] < last["mean"]
    assert r.points["point_type"].tolist()[-6:] == ["special_cause_improvement"] * 6
    assert r.points["rule"].iloc[:7].isna().all()


@pytest.mark.parametrize(
    ("target", "improvement", "expected"),
    [
        (100, "increase", "consistent_fail"),
        (100, "decrease", "consistent_pass"),
        (-100, "increase", "consistent_pass"),
        (-100, "decrease", "consistent_fail"),
        (12, "increase", "inconsistent"),
        (None, "increase", None),
        (100, "neutral", None),
    ],
)
def test_assurance(target, improvement, expected):
    assert (
        xmr([10, 12, 11, 13, 12, 11, 12, 13, 11, 12], improvement, target=target).assurance
        == expected
    )


def test_fixed_baseline_and_rebasing():
    values = [10, 11, 10, 11, 10, 11, 20, 21, 20, 21, 20, 21]
    fixed = xmr(values, fix_after=6)
    assert fixed.points["mean"].iloc[-1] == pytest.approx(10.5)
    assert fixed.points["rule"].iloc[-1].startswith("outside_limits")
    rebased = xmr(values, rebase=(6,))
    assert rebased.points["mean"].tolist() == [10.5] * 6 + [20.5] * 6
    assert rebased.points["baseline"].tolist() == [0] * 6 + [1] * 6
    assert rebased.variation == "common_cause"


def test_rule_sets():
    run_of_seven = [1, 2, 1, 2, 1, 2, 1, 2, 1] + [1.6] * 7  # mean 1.5125; the 1 before is below it
    assert xmr(run_of_seven, rules="mdc").points["rule"].iloc[-1] == "shift"
    assert xmr(run_of_seven, rules="nhsi2017").points["rule"].iloc[-1] is None
    with pytest.raises(ValueError, match="rules must be one of mdc, nhsi2017"):
        xmr(run_of_seven, rules="western_electric")


ANHOJ_LONGEST_RUN = {
    10: 6,
    11: 6,
    12: 7,
    16: 7,
    19: 7,
    22: 7,
    23: 8,
    45: 8,
    46: 9,
    90: 9,
    91: 10,
    100: 10,
}


@pytest.mark.parametrize(("n", "limit"), ANHOJ_LONGEST_RUN.items())
def test_anhoj_longest_run_limits(n, limit):
    alternating = ([1, 3] * n)[:n]
    chart = run_chart(alternating, baseline=2)  # median 2: every point is useful
    assert (chart.useful, chart.longest_run_max) == (n, limit)


def test_anhoj_thresholds_exactly():
    # 13 useful points (median 0 from the first two): a run of 7 is allowed, 8 is a shift;
    # 3 crossings are allowed, 2 are too few.
    at_limits = run_chart([-1, 1] + [-1] * 7 + [1] * 4, baseline=2)
    assert (at_limits.useful, at_limits.median) == (13, 0)
    assert (at_limits.longest_run, at_limits.longest_run_max, at_limits.shift) == (7, 7, False)
    assert (at_limits.crossings, at_limits.crossings_min, at_limits.signal) == (3, 3, False)
    long_run = run_chart([-1, 1] + [-1] * 8 + [1] * 3, baseline=2)
    assert (long_run.longest_run, long_run.shift, long_run.signal) == (8, True, True)
    few = run_chart([-1, 1] + [1] * 5 + [-1] * 6, baseline=2)
    assert (few.crossings, few.too_few_crossings, few.longest_run) == (2, True, 6)
    on_median = run_chart([-1, 1, 0, 0, -1, 1], baseline=2)
    assert on_median.useful == 4  # points on the median are dropped


def test_p_and_u_charts():
    p = p_chart([10, 20, 5], [100, 100, 50])
    centre = 35 / 250
    assert p.centre == pytest.approx(centre)
    assert p.ucl[0] == pytest.approx(centre + 3 * np.sqrt(centre * (1 - centre) / 100))
    u = u_chart([4, 30], [1000, 1000])
    assert u.centre == pytest.approx(0.017)
    assert u.ucl[0] == pytest.approx(0.017 + 3 * np.sqrt(0.017 / 1000))
    assert u.outside.tolist() == [True, True]  # 0.004 is below 0.00463, 0.030 above 0.02937
    with pytest.raises(ValueError, match="need 0 <= x <= n"):
        p_chart([5], [4])


def test_points_table_has_the_documented_columns():
    r = xmr(list(range(12)))
    assert list(r.points.columns) == [
        "value",
        "mean",
        "lpl",
        "upl",
        "moving_range",
        "baseline",
        "point_type",
        "rule",
    ]
    assert isinstance(r.points, pd.DataFrame) and len(r.points) == 12
