"""Funnel plots: control limits around an average, and where each locality falls.

Proportions use the Wilson-score funnel of the Fingertips technical guidance (as
PHEindicatormethods' ``sigma_adjustment``); rates use exact Poisson limits (Spiegelhalter 2005,
as PHEindicatormethods' ``poisson_funnel``).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from perfreport.methods.confidence import confidence_level
from perfreport.methods.distributions import normal_quantile

FUNNEL_LEVELS = (0.95, 0.998)


def funnel_limits(
    denominators: Any,
    average: float,
    kind: Literal["proportion", "rate"] = "proportion",
    confidence: tuple[float, ...] = (0.95, 0.998),
    multiplier: float = 1,
) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """Funnel plot control limits at each denominator, for each confidence level.

    ``proportion``: the Wilson-score funnel of the Fingertips guidance (PHEindicatormethods
    ``sigma_adjustment``), clipped to 0 and the multiplier. ``rate``: exact Poisson limits on
    the events expected at the average rate, ``average`` being events per person.
    Returns ``{confidence: (lower, upper)}`` in units of ``multiplier``.
    """
    n = np.asarray(denominators, dtype=float)
    if np.any(n <= 0):
        raise ValueError("denominators must all be greater than zero")
    out: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    for level in confidence:
        c = confidence_level(level)
        p = 1 - (1 - c) / 2
        if kind == "proportion":
            low, high = _wilson_funnel(p, n, average)
            out[level] = (np.maximum(low, 0) * multiplier, np.minimum(high, 1) * multiplier)
        elif kind == "rate":
            low, high = _poisson_funnel(p, n, average)
            out[level] = (low * multiplier, high * multiplier)
        else:
            raise ValueError(f"kind must be 'proportion' or 'rate', not {kind!r}")
    return out


def _wilson_funnel(p: float, n: np.ndarray, av: float) -> tuple[np.ndarray, np.ndarray]:
    z2 = float(normal_quantile(p)) ** 2
    first = av * (n / z2 + 1)
    adj = np.sqrt(
        (-8 * av * (n / z2 + 1)) ** 2
        - 64 * (1 / z2 + 1 / n) * av * (n * (av * (n / z2 + 2) - 1) + z2 * (av - 1))
    )
    last = 1 / z2 + 1 / n
    return (first - adj / 8) / last / n, (first + adj / 8) / last / n


def _poisson_funnel(p: float, n: np.ndarray, av: float) -> tuple[np.ndarray, np.ndarray]:
    """The rates ``E / n`` at which ``E`` observed events lie exactly on the limit.

    The lower limit at population ``n`` is the ``E`` whose exact upper limit equals the
    expected ``av × n`` (and the mirror for the upper limit), solved continuously in ``E``:
    the exact limits of ``E`` events are ``chi2.ppf(q, df) / 2`` with ``df`` ``2(E + 1)``
    (upper) or ``2E`` (lower), so ``E`` follows from the degrees of freedom at which the
    chi-squared distribution puts ``q`` below twice the expected count (``chdtriv``): a
    closed inversion, where a root search per denominator took 20 times as long. The lower
    limit is 0 where even 0 events' upper limit reaches the expected count.
    """
    from scipy.special import chdtr, chdtriv

    twice = 2 * av * n
    lows = np.where(chdtr(2, twice) > p, (chdtriv(p, twice) / 2 - 1) / n, 0.0)
    highs = chdtriv(1 - p, twice) / 2 / n
    return lows, highs


def funnel_position(
    value: float, limits: dict[float, tuple[np.ndarray, np.ndarray]], j: int
) -> str:
    low95, high95 = limits[0.95][0][j], limits[0.95][1][j]
    low998, high998 = limits[0.998][0][j], limits[0.998][1][j]
    if value > high998:
        return "above 99.8% limit"
    if value > high95:
        return "above 95% limit"
    if value < low998:
        return "below 99.8% limit"
    if value < low95:
        return "below 95% limit"
    return "within limits"
