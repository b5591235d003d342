"""Run charts by the Anhøj rules (Anhøj and Olesen 2014; Anhøj 2015), and p and u charts for
proportions and rates with varying denominators (3-sigma limits per point)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from perfreport.methods.distributions import binomial_quantile


@dataclass(frozen=True)
class RunChart:
    """Anhøj's run chart analysis (Anhøj and Olesen 2014; Anhøj 2015)."""

    median: float
    useful: int
    longest_run: int
    longest_run_max: int
    crossings: int
    crossings_min: int

    @property
    def shift(self) -> bool:
        return self.longest_run > self.longest_run_max

    @property
    def too_few_crossings(self) -> bool:
        return self.crossings < self.crossings_min

    @property
    def signal(self) -> bool:
        return self.shift or self.too_few_crossings


def run_chart(values: object, baseline: int | None = None) -> RunChart:
    """Longest run and crossings against the median, with the Anhøj limits.

    Points on the median are not useful observations and are dropped. A shift is a longest run
    above ``round(log2(n)) + 3``; too few crossings is below the 5th percentile of
    Binomial(n − 1, 0.5), n being the useful observations.

    >>> r = run_chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
    >>> r.longest_run, r.longest_run_max, r.crossings, r.crossings_min, r.signal
    (7, 7, 1, 4, True)
    """
    y = np.asarray(values, dtype=float)
    if y.size < 2 or np.isnan(y).any():
        raise ValueError("values must be at least two numbers with none missing")
    median = float(np.median(y[: baseline or None]))
    side = np.sign(y - median)
    useful = side[side != 0]
    n = int(useful.size)
    if n == 0:
        return RunChart(median, 0, 0, 0, 0, 0)
    changes = np.flatnonzero(np.diff(useful) != 0)
    crossings = int(changes.size)
    bounds = np.r_[-1, changes, n - 1]
    longest = int(np.max(np.diff(bounds)))
    longest_max = int(round(math.log2(n)) + 3) if n > 0 else 0
    crossings_min = binomial_quantile(0.05, n - 1, 0.5) if n > 1 else 0
    return RunChart(median, n, longest, longest_max, crossings, crossings_min)


@dataclass(frozen=True)
class AttributeChart:
    """A p or u chart: centre line and per-point 3-sigma limits for varying denominators."""

    value: np.ndarray
    centre: float
    lcl: np.ndarray
    ucl: np.ndarray

    @property
    def outside(self) -> np.ndarray:
        return (self.value > self.ucl) | (self.value < self.lcl)


def p_chart(x: object, n: object) -> AttributeChart:
    """p chart: proportions ``x / n`` with limits ``p̄ ± 3 √(p̄(1 − p̄)/n)``, clipped to [0, 1]."""
    x_, n_ = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    if np.any(n_ <= 0) or np.any(x_ < 0) or np.any(x_ > n_):
        raise ValueError("need 0 <= x <= n and n > 0 for every point")
    centre = float(x_.sum() / n_.sum())
    sigma = np.sqrt(centre * (1 - centre) / n_)
    return AttributeChart(
        x_ / n_, centre, np.maximum(centre - 3 * sigma, 0), np.minimum(centre + 3 * sigma, 1)
    )


def u_chart(x: object, n: object) -> AttributeChart:
    """u chart: rates ``x / n`` (events per unit of exposure) with limits ``ū ± 3 √(ū/n)``."""
    x_, n_ = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    if np.any(n_ <= 0) or np.any(x_ < 0):
        raise ValueError("need x >= 0 and n > 0 for every point")
    centre = float(x_.sum() / n_.sum())
    sigma = np.sqrt(centre / n_)
    return AttributeChart(x_ / n_, centre, np.maximum(centre - 3 * sigma, 0), centre + 3 * sigma)
