"""perfreport.methods.stats against published values of the UK reference implementations.

Sources (public test fixtures of UKHSA's PHEindicatormethods, tests/testthat/):
- testdata_funnel_prop_outputs.csv: Wilson-score funnel limits for proportions (baseline 80.642448%);
- testdata_funnel_rate_outputs.csv: exact Poisson funnel limits for rates (baseline 116.1720835
  per 100,000), which give the exact Poisson limits of each event count.
PHEindicatormethods' point-estimate fixtures (Wilson, Byar, DSR) are spreadsheets; where their
values cannot be read here, the methods are checked against independent implementations
(SciPy's Wilson interval) and exact mathematical identities instead, as each test says.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from perfreport.methods.stats import (
    byar_limits,
    dsr,
    exact_poisson_limits,
    funnel_limits,
    isr,
    isratio,
    margin_of_error,
    mean,
    proportion,
    rate,
)

REL = 1e-6

# testdata_funnel_prop_outputs.csv: Population, Lower2s0025limit, Upper2s0025limit,
# Lower3s0001limit, Upper3s0001limit (percent), baseline 80.642448
PROP_FUNNEL = [
    (1, 3.204264, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (10, 56.154344, 100, 42.03259, 100),
    (18, 62.390093, 98.894803, 51.864359, 100),
    (41, 68.548635, 92.73626, 61.574398, 99.710497),
    (102, 72.974925, 88.309971, 68.553233, 92.731663),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (9998, 79.867989, 81.416907, 79.421375, 81.863521),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


@pytest.mark.parametrize(("n", "low2", "high2", "low3", "high3"), PROP_FUNNEL)
def test_proportion_funnel_matches_phe(n, low2, high2, low3, high3):
    limits = funnel_limits([n], 0.80642448, "proportion", confidence=(0.95, 0.998), multiplier=100)
    got = [limits[0.95][0][0], limits[0.95][1][0], limits[0.998][0][0], limits[0.998][1][0]]
    # The fixture is rounded to 6 decimals: compare to that precision or 1e-6 relative.
    for value, expected in zip(got, (low2, high2, low3, high3), strict=True):
        assert value == pytest.approx(expected, rel=REL, abs=5e-7)


# testdata_funnel_rate_outputs.csv: Events, lower_2s_limit, upper_2s_limit, lower_3s_limit,
# upper_3s_limit (per 100,000), baseline 116.1720835. A lower limit is E x baseline / U(E) with U
# the exact upper Poisson limit of E; an upper limit is E x baseline / L(E).
BASELINE = 116.1720835
RATE_FUNNEL = [
    (2, 32.15975314, 959.2695538, 20.69168143, 5117.48863),
    (5, 49.78092521, 357.7858395, 35.30048174, 785.6132963),
    (9, 61.19760093, 254.0592274, 46.14605812, 426.3325728),
    (10, 63.17010446, 242.2579623, 48.13632908, 392.4043292),
    (11, 64.92685529, 232.7182102, 49.93856755, 366.0028477),
    (30, 81.37793899, 172.1843853, 68.22532023, 219.6184891),
    (104, 95.87787415, 142.1808715, 86.58805154, 160.4288333),
    (1360, 110.158048, 122.6021934, 106.9073359, 126.5084525),
]


@pytest.mark.parametrize(("events", "low2", "high2", "low3", "high3"), RATE_FUNNEL)
def test_exact_poisson_limits_match_phe_rate_funnels(events, low2, high2, low3, high3):
    lo95, hi95 = exact_poisson_limits(events, 0.95)
    lo998, hi998 = exact_poisson_limits(events, 0.998)
    assert events * BASELINE / hi95 == pytest.approx(low2, rel=REL)
    assert events * BASELINE / lo95 == pytest.approx(high2, rel=REL)
    assert events * BASELINE / hi998 == pytest.approx(low3, rel=REL)
    assert events * BASELINE / lo998 == pytest.approx(high3, rel=REL)


def test_one_event_uses_the_closed_form():
    """For E = 1 the fixture's bisection (step 1e-7 on a transformed scale) is only good to ~5e-5;
    the exact limits are closed-form: lower = -ln(1 - alpha/2), upper from chi-square with 4 df."""
    lo, hi = exact_poisson_limits(1, 0.95)
    assert lo == pytest.approx(-math.log(0.975), rel=1e-12)
    assert 1 * BASELINE / hi == pytest.approx(20.85059119, rel=REL)  # the fixture's lower_2s_limit
    assert 1 * BASELINE / lo == pytest.approx(4588.535848, rel=1e-5)


def test_rate_funnel_limits_pass_through_the_phe_points():
    """Our funnel at the population where PHE puts E events on the limit gives E / population."""
    av = BASELINE / 100_000
    for events, low2, high2, *_ in RATE_FUNNEL:
        population = events * 100_000 / low2
        limits = funnel_limits([population], av, "rate", confidence=(0.95,), multiplier=100_000)
        assert limits[0.95][0][0] == pytest.approx(low2, rel=REL)
        population = events * 100_000 / high2
        limits = funnel_limits([population], av, "rate", confidence=(0.95,), multiplier=100_000)
        assert limits[0.95][1][0] == pytest.approx(high2, rel=REL)


@pytest.mark.parametrize(("x", "n"), [(0, 10), (1, 10), (65, 100), (1045, 5000), (10, 10), (3, 7)])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_wilson_agrees_with_scipy(x, n, confidence):
    ci = sps.binomtest(x, n).proportion_ci(confidence_level=confidence, method="wilson")
    e = proportion(x, n, confidence=confidence)
    assert (e.lower, e.upper) == (
        pytest.approx(ci.low, rel=REL, abs=1e-12),
        pytest.approx(ci.high, rel=REL),
    )


def test_rates_switch_from_exact_to_byar_at_ten():
    below, at = rate(9, 1000, multiplier=1), rate(10, 1000, multiplier=1)
    assert below.method == "Exact" and at.method == "Byar"
    lo, hi = exact_poisson_limits(9)
    assert (below.lower, below.upper) == (pytest.approx(lo / 1000), pytest.approx(hi / 1000))
    z = sps.norm.ppf(0.975)
    assert at.lower == pytest.approx(
        10 * (1 - 1 / 90 - z / (3 * math.sqrt(10))) ** 3 / 1000, rel=1e-12
    )
    assert at.upper == pytest.approx(
        11 * (1 - 1 / 99 + z / (3 * math.sqrt(11))) ** 3 / 1000, rel=1e-12
    )
    # Byar converges on the exact limits as counts grow.
    b_lo, b_hi = byar_limits(10_000)
    e_lo, e_hi = exact_poisson_limits(10_000)
    assert b_lo == pytest.approx(e_lo, rel=1e-5) and b_hi == pytest.approx(e_hi, rel=1e-5)


def test_zero_counts():
    assert proportion(0, 50).lower == 0
    zero = rate(0, 1000, multiplier=1)
    assert zero.value == 0 and zero.lower == 0
    assert zero.upper == pytest.approx(-math.log(0.025) / 1000, rel=1e-12)


def test_dsr_reduces_to_the_crude_rate_in_one_band_and_is_missing_under_ten_events():
    one_band = dsr([40], [20_000], [1])
    crude = rate(40, 20_000)
    assert (one_band.value, one_band.lower, one_band.upper) == (
        pytest.approx(crude.value),
        pytest.approx(crude.lower),
        pytest.approx(crude.upper),
    )
    missing = dsr([2, 3, 4], [1000, 1000, 1000], [1, 1, 1])
    assert math.isnan(missing.value) and math.isnan(missing.lower)
    equal_rates = dsr([10, 20, 30], [1000, 2000, 3000], [5, 3, 2])
    assert equal_rates.value == pytest.approx(1000.0)  # every band's rate is 1,000 per 100,000


def test_indirect_standardisation():
    # Reference rates of 5 and 10 per 1,000 in two age bands; expected = 5 + 20 = 25; observed 30.
    ratio = isratio([10, 20], [1000, 2000], [5, 10], [1000, 1000])
    assert ratio.value == pytest.approx(120.0)
    lo, hi = byar_limits(30)
    assert (ratio.lower, ratio.upper) == (
        pytest.approx(lo / 25 * 100),
        pytest.approx(hi / 25 * 100),
    )
    standardised = isr([10, 20], [1000, 2000], [5, 10], [1000, 1000], multiplier=1000)
    assert standardised.value == pytest.approx(1.2 * 7.5)  # ratio x reference crude rate (15/2000)


def test_mean_and_margin_of_error():
    e = mean([20, 30, 40])
    assert e.lower == pytest.approx(30 - sps.t.ppf(0.975, 2) * 10 / math.sqrt(3), rel=1e-12)
    # The regulator's survey: 3,053 responses from about 31,000 workers, "a 2% margin of error".
    assert round(margin_of_error(3053, 31000) * 100) == 2
    assert margin_of_error(3053, 31000) < margin_of_error(3053)  # the finite population correction


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: proportion(11, 10), "x must be less than or equal to n"),
        (
            lambda: proportion(-1, 10),
            "x \\(observed events\\) must all be greater than or equal to zero",
        ),
        (lambda: rate(5, 0), "n \\(populations\\) must all be greater than zero"),
        (lambda: proportion(5, 10, confidence=0.8), "confidence must be between 0.9 and 1"),
        (lambda: proportion(5, 10, confidence=125), "confidence must be between 0.9 and 1"),
        (lambda: mean([1]), "at least two numbers"),
    ],
)
def test_invalid_inputs_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_confidence_as_percent_and_arrays():
    a = proportion(np.array([65, 1045]), np.array([100, 5000]), confidence=99.8)
    b = proportion(np.array([65, 1045]), np.array([100, 5000]), confidence=0.998)
    assert np.allclose(a.lower, b.lower) and a.confidence == 0.998


def test_trend_matches_scipy_linregress():
    from perfreport.methods.stats import trend

    rng = np.random.default_rng(3)
    for _ in range(50):
        y = rng.normal(0, 1, 12) + np.arange(12) * rng.normal(0, 0.2)
        ours, theirs = trend(y), sps.linregress(np.arange(12), y)
        assert ours.slope == pytest.approx(theirs.slope, rel=1e-9)
        assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-7)
