"""The few distribution functions the methods use, computed as ``scipy.stats`` computes them
(the same ``scipy.special`` functions, so the same numbers) without importing ``scipy.stats``,
which costs about a second of CPU in every process that builds a report.

>>> round(float(normal_quantile(0.975)), 6), round(float(chi2_quantile(0.975, 10)), 4)
(1.959964, 20.4832)
>>> binomial_quantile(0.05, 19, 0.5), round(t_quantile(0.975, 4), 4)
(6, 2.7764)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special


def normal_quantile(q: Any) -> Any:
    """``scipy.stats.norm.ppf(q)``."""
    return special.ndtri(q)


def chi2_quantile(q: Any, df: Any) -> Any:
    """``scipy.stats.chi2.ppf(q, df)``; ``nan`` where ``df`` is not positive (a number for
    numbers, an array for arrays)."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, 2 * special.gammaincinv(df / 2, q), np.nan)[()]


def t_quantile(q: float, df: float) -> float:
    """``scipy.stats.t.ppf(q, df)``."""
    return float(special.stdtrit(df, q))


def t_survival(x: float, df: float) -> float:
    """``scipy.stats.t.sf(x, df)``: the chance of a t statistic above ``x``."""
    return float(special.stdtr(df, -x))


def binomial_quantile(q: float, n: int, p: float) -> int:
    """The smallest ``k`` whose cumulative chance ``bdtr(k, n, p)`` reaches ``q``, found by
    bisection: ``scipy.stats.binom.ppf(q, n, p)`` for every ``q`` that is not itself a
    cumulative chance of the distribution (the run chart's 0.05 with p = 0.5 is not, for any
    n; at such a tie ``scipy.stats`` may round up to the next ``k``)."""
    if not 0 < q < 1:
        raise ValueError(f"q must be between 0 and 1, not {q}")
    low, high = -1, n  # bdtr(-1) is 0 < q; bdtr(n) is 1 >= q
    while high - low > 1:
        middle = (low + high) // 2
        if special.bdtr(middle, n, p) >= q:
            high = middle
        else:
            low = middle
    return high
