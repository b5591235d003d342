"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from perfreport.methods.spc import xmr
from perfreport.methods.stats import dsr, mean, proportion, rate

counts = st.integers(min_value=0, max_value=100_000)
confidences = st.sampled_from([0.9, 0.95, 0.99, 0.998])


@given(x=counts, extra=st.integers(min_value=1, max_value=100_000), confidence=confidences)
def test_proportion_interval_contains_the_value_and_stays_in_0_1(x, extra, confidence):
    e = proportion(x, x + extra, confidence=confidence)
    assert 0 <= e.lower <= e.value <= e.upper <= 1


@given(x=counts, n=st.integers(min_value=1, max_value=10_000_000), confidence=confidences)
def test_rate_interval_contains_the_value(x, n, confidence):
    e = rate(x, n, confidence=confidence)
    assert 0 <= e.lower <= e.value <= e.upper


@given(x=st.integers(min_value=1, max_value=5000), extra=st.integers(min_value=1, max_value=5000))
def test_intervals_widen_with_confidence(x, extra):
    narrow, wide = proportion(x, x + extra, 0.95), proportion(x, x + extra, 0.998)
    assert wide.lower <= narrow.lower and wide.upper >= narrow.upper
    r95, r998 = rate(x, 10_000, confidence=0.95), rate(x, 10_000, confidence=0.998)
    assert r998.lower <= r95.lower and r998.upper >= r95.upper


@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=3, max_size=10),
    st.lists(st.integers(min_value=1000, max_value=100_000), min_size=10, max_size=10),
)
def test_dsr_interval_contains_the_value_when_published(events, populations):
    populations = populations[: len(events)]
    e = dsr(events, populations, [1.0] * len(events))
    if sum(events) < 10:
        assert math.isnan(e.value)
    else:
        assert e.lower <= e.value <= e.upper


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=40))
def test_mean_interval_contains_the_mean(values):
    e = mean(values)
    assert e.lower <= e.value + 1e-6 and e.value <= e.upper + 1e-6


@settings(max_examples=60)
@given(st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=2, max_size=60))
def test_xmr_limits_are_symmetric_about_the_mean_and_deterministic(values):
    first, second = xmr(values), xmr(values)
    p = first.points
    assert np.allclose(p["upl"] - p["mean"], p["mean"] - p["lpl"])
    assert (p["upl"] >= p["lpl"]).all()
    assert first.points.equals(second.points) and first.variation == second.variation
