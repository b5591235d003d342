"""The distribution functions the methods use give what ``scipy.stats`` gives (they call the
same ``scipy.special`` functions), so that reports need not import ``scipy.stats``."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from perfreport.methods.distributions import (
    binomial_quantile,
    chi2_quantile,
    normal_quantile,
    t_quantile,
    t_survival,
)

QUANTILES = [0.0005, 0.001, 0.025, 0.05, 0.5, 0.95, 0.975, 0.999, 0.9995]


@pytest.mark.parametrize("q", QUANTILES)
def test_normal_and_chi_squared_quantiles_equal_scipy_stats(q: float) -> None:
    assert normal_quantile(q) == scipy.stats.norm.ppf(q)
    df = np.arange(0, 4000, 0.5)  # 0 included: not a chi-squared distribution, nan
    assert np.array_equal(chi2_quantile(q, df), scipy.stats.chi2.ppf(q, df), equal_nan=True)
    assert chi2_quantile(q, 7.0) == scipy.stats.chi2.ppf(q, 7.0)


def test_student_t_quantiles_and_tails_equal_scipy_stats() -> None:
    for df in range(1, 400):
        for q in QUANTILES:
            assert t_quantile(q, df) == scipy.stats.t.ppf(q, df)
        for x in (0.0, 0.3, 1.96, 4.5, 40.0):
            assert t_survival(x, df) == scipy.stats.t.sf(x, df)


def test_the_run_charts_binomial_quantile_equals_scipy_stats_for_every_length() -> None:
    for n in range(1, 3001):
        assert binomial_quantile(0.05, n, 0.5) == int(scipy.stats.binom.ppf(0.05, n, 0.5))
    assert [binomial_quantile(q, 10, 0.3) for q in (0.01, 0.2, 0.9)] == [
        int(scipy.stats.binom.ppf(q, 10, 0.3)) for q in (0.01, 0.2, 0.9)
    ]
    with pytest.raises(ValueError, match="q must be between 0 and 1"):
        binomial_quantile(1.0, 10, 0.5)
