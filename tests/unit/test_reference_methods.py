"""Conformance with the reference packages where their rules decide an edge case.

SPC: NHSRplotthedots, R/ptd_calculate_point_type.R at commit
f7891af4b8f71838f4c6fb17c8eec1a1c9bd6d7f (``ptd_special_cause_type``: outside the limits, then a
7-point trend by its direction, then 2 in 3, then 7 on one side of the mean; ``ptd_two_in_three``
needs all three points on one side) and R/ptd_spc_standard.R at
8aac3239e90ce9ebeb9c3e61f56c207dfc37b225 (a point is "close to the limits" only when not outside
them). ISR: PHEindicatormethods, R/ISRatio.R and R/ISRate.R at
093fd288d8f8949dbcfbed70049dbbf385b6141d (``observed = sum(x, na.rm = TRUE)``, ``exp_x =
na.zero(x_ref) / n_ref * na.zero(n)``, ``ref_rate = sum(x_ref, na.rm = TRUE) / sum(n_ref)``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from perfreport.methods.spc import _two_of_three, xmr
from perfreport.methods.stats import MissingBandWarning, byar_limits, isr, isratio

# A shift above the mean (8 points from index 7) whose last 7 points fall in a row, still above
# the mean; higher is better. Mean 27, average moving range 11 (limits -2.26 to 56.26, two sigma
# 7.5 to 46.5): only the shift and the trend fire.
CONFLICT = [10, 30, 10, 30, 10, 30, 10, 30, 38, 37, 36, 35, 34, 33, 32]


def test_a_falling_trend_above_the_mean_is_concern_by_nhsrplotthedots_precedence():
    r = xmr(CONFLICT, "increase")
    p = r.points
    assert (p["mean"].iloc[0], p["lpl"].iloc[0], p["upl"].iloc[0]) == (
        pytest.approx(27),
        pytest.approx(-2.26),
        pytest.approx(56.26),
    )
    assert p["rule"].tolist() == [None] * 7 + ["shift"] + ["trend+shift"] * 7
    # ptd_special_cause_type: "7 Points Above CL" for index 7, "7 Point Trend (Decreasing)"
    # (which comes before the shift in its case_when) for the 7 falling points.
    expected = ["common_cause"] * 7 + ["special_cause_improvement"] + ["special_cause_concern"] * 7
    assert p["point_type"].tolist() == expected
    assert r.variation == "special_cause_concern"


@pytest.mark.parametrize(
    ("close", "side", "expected"),
    [
        # ptd_two_in_three's tests "when points are on opposite sides of the mean"
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([-1, -1, 0], [-1, -1, -1], [-1, -1, 0]),
    ],
)
def test_two_of_three_needs_the_window_on_one_side_of_the_mean(close, side, expected):
    got = _two_of_three(np.array(close), [0], np.array(side))
    assert [int(v) for v in got] == expected


def test_a_point_outside_the_limits_does_not_count_towards_two_of_three():
    # 28 lies beyond the upper limit, 23.5 between two sigma and the limit (asserted below):
    # NHSRplotthedots' close_to_limits excludes points outside, so 23.5 is common cause.
    values = [10, 14] * 6 + [28, 23.5, 12]
    p = xmr(values).points
    assert (
        p["mean"].iloc[0] + 2 * (p["upl"].iloc[0] - p["mean"].iloc[0]) / 3 < 23.5 < p["upl"].iloc[0]
    )
    assert p["rule"].iloc[12] == "outside_limits"
    assert p["rule"].iloc[13] is None and p["point_type"].iloc[13] == "common_cause"


def test_missing_observed_counts_are_ignored_with_a_warning_naming_the_band():
    n, ref_x, ref_n = [1000, 2000, 3000], [5, 10, 30], [1000, 1000, 1000]
    with pytest.warns(MissingBandWarning, match=r"observed in band 45-64$"):
        ratio = isratio([10, float("nan"), 20], n, ref_x, ref_n, bands=["0-44", "45-64", "65+"])
    # observed 30 (the missing band left out), expected 5 + 20 + 90 = 115, as the reference does
    lo, hi = byar_limits(30)
    assert (ratio.value, ratio.lower, ratio.upper) == (
        pytest.approx(30 / 115 * 100, rel=1e-12),
        pytest.approx(float(lo) / 115 * 100, rel=1e-12),
        pytest.approx(float(hi) / 115 * 100, rel=1e-12),
    )


def test_missing_population_or_reference_count_adds_no_expected_events():
    with pytest.warns(MissingBandWarning) as caught:
        rate = isr([10, 20, 30], [1000, math.nan, 3000], [5, 10, math.nan], [1000, 1000, 1000])
    assert str(caught[0].message) == (
        "missing counts treated as zero, as PHEindicatormethods does: n (populations) in band 1; "
        "ref_x (reference events) in band 2"
    )
    # expected = 5 (band 0 only); reference rate = (5 + 10) / 3000 per 100,000, NA left out
    assert rate.value == pytest.approx(60 / 5 * 15 / 3000 * 100_000, rel=1e-12)


def test_complete_bands_raise_no_warning_and_a_missing_reference_population_stays_missing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isratio([10, 20], [1000, 2000], [5, 10], [1000, 1000]).value == pytest.approx(120)
        assert math.isnan(isratio([10, 20], [1000, 2000], [5, 10], [1000, math.nan]).value)
    with pytest.raises(ValueError, match="bands must name each of the 2 age bands, not 1"):
        isratio([10, 20], [1000, 2000], [5, 10], [1000, 1000], bands=["all"])
