"""Indicator statistics with confidence intervals, as UK public health practice computes them.

The methods and their edge cases follow UKHSA's PHEindicatormethods R package and the Fingertips
technical guidance ("Confidence intervals", APHO 2008), so figures agree with published ones:

- proportions: Wilson score interval (Wilson 1927; Newcombe 1998);
- crude rates and counts: exact Poisson limits (chi-square form) below 10 events, Byar's
  approximation from 10 (Breslow and Day 1987);
- directly standardised rates: Dobson et al. (1991), missing when the total count is under 10;
- indirectly standardised ratios and rates: observed / expected with the limits of the observed
  count;
- means: Student's t;
- survey margins of error with a finite population correction (Cochran 1977);
- funnel plot limits: Wilson-score funnels for proportions, exact Poisson for rates (Spiegelhalter
  2005, as implemented by PHEindicatormethods);
- trend: least-squares slope with its t test.

Every function accepts scalars or array-likes; confidence may be written 0.95 or 95.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, cast

import numpy as np

from perfreport.methods.confidence import confidence_level
from perfreport.methods.distributions import chi2_quantile, normal_quantile, t_quantile, t_survival
from perfreport.methods.funnels import funnel_limits  # re-exported: part of the stats API
from perfreport.methods.rounding import round_half_up

BYAR_THRESHOLD = 10
"""Counts from 10 use Byar's approximation; below it, exact Poisson limits."""
DSR_MINIMUM_EVENTS = 10
"""A directly standardised rate is not published from fewer than 10 events (Fingertips guidance)."""

__all__ = [
    "Estimate",
    "MissingBandWarning",
    "Trend",
    "dsr",
    "funnel_limits",
    "isr",
    "isratio",
    "margin_of_error",
    "mean",
    "projected_date_on_target",
    "proportion",
    "rate",
    "round_half_up",
    "trend",
]


@dataclass(frozen=True)
class Estimate:
    """A value with its confidence interval; arrays when the inputs were arrays."""

    value: Any
    lower: Any
    upper: Any
    method: str
    confidence: float


def _z(confidence: float) -> float:
    return float(normal_quantile(1 - (1 - confidence) / 2))


def _arrays(**named: Any) -> tuple[bool, dict[str, np.ndarray]]:
    scalar = all(np.ndim(v) == 0 for v in named.values())
    return scalar, {k: np.asarray(v, dtype=float) for k, v in named.items()}


def _out(
    scalar: bool, value: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[Any, Any, Any]:
    if scalar:
        return float(value), float(lower), float(upper)
    return value, lower, upper


def _check_counts(name: str, x: np.ndarray) -> None:
    if np.any(x < 0):
        raise ValueError(f"{name} must all be greater than or equal to zero")


def _check_denominators(name: str, n: np.ndarray) -> None:
    if np.any(n <= 0):
        raise ValueError(f"{name} must all be greater than zero")


def _events(
    x: Any, n: Any, confidence: float, denominators: str, *, counts: bool = True
) -> tuple[float, bool, np.ndarray, np.ndarray]:
    """The confidence level, whether ``x`` and ``n`` were scalars, and both as checked arrays."""
    scalar, a = _arrays(x=x, n=n)
    if counts:
        _check_counts("x (observed events)", a["x"])
    _check_denominators(denominators, a["n"])
    return confidence_level(confidence), scalar, a["x"], a["n"]


def proportion(x: Any, n: Any, confidence: float = 0.95, multiplier: float = 1) -> Estimate:
    """Proportion ``x / n`` with the Wilson score interval (Wilson 1927).

    >>> e = proportion(65, 100, multiplier=100)
    >>> round(e.value, 1), round(e.lower, 4), round(e.upper, 4)
    (65.0, 55.2544, 73.6358)
    """
    c, scalar, x_, n_ = _events(x, n, confidence, "n (sample sizes)")
    if np.any(x_ > n_):
        raise ValueError(
            "x must be less than or equal to n (numerators cannot exceed denominators)"
        )
    z = _z(c)
    root = z * np.sqrt(z**2 + 4 * x_ * (1 - x_ / n_))
    lower = (2 * x_ + z**2 - root) / (2 * (n_ + z**2))
    upper = (2 * x_ + z**2 + root) / (2 * (n_ + z**2))
    if c == 1:
        lower, upper = np.zeros_like(x_), np.ones_like(x_)
    value = x_ / n_
    return Estimate(
        *_out(scalar, value * multiplier, lower * multiplier, upper * multiplier),
        method="Wilson",
        confidence=c,
    )


def poisson_limits(x: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Limits of a Poisson count: exact (chi-square) below 10, Byar's approximation from 10."""
    c = confidence_level(confidence)
    x_ = np.asarray(x, dtype=float)
    _check_counts("x (observed events)", x_)
    exact_low, exact_high = exact_poisson_limits(x_, c)
    byar_low, byar_high = byar_limits(x_, c)
    small = x_ < BYAR_THRESHOLD
    return np.where(small, exact_low, byar_low), np.where(small, exact_high, byar_high)


def exact_poisson_limits(x: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits of a Poisson mean given ``x`` events: chi-square quantiles over two."""
    x_ = np.asarray(x, dtype=float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        lower = np.where(x_ > 0, chi2_quantile(alpha / 2, 2 * x_) / 2, 0.0)
    upper = chi2_quantile(1 - alpha / 2, 2 * (x_ + 1)) / 2
    return lower, cast(np.ndarray, upper)  # an array, since x_ is one


def byar_limits(x: Any, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the Poisson limits (Breslow and Day 1987, p69)."""
    x_ = np.asarray(x, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x_ * (1 - 1 / (9 * x_) - z / (3 * np.sqrt(x_))) ** 3
    upper = (x_ + 1) * (1 - 1 / (9 * (x_ + 1)) + z / (3 * np.sqrt(x_ + 1))) ** 3
    return np.where(x_ > 0, lower, 0.0), upper


def rate(x: Any, n: Any, multiplier: float = 100_000, confidence: float = 0.95) -> Estimate:
    """Crude rate ``x / n × multiplier``: exact Poisson limits below 10 events, Byar from 10.

    >>> e = rate(65, 100_000)
    >>> round(e.value, 1), round(e.lower, 4), round(e.upper, 4)
    (65.0, 50.1632, 82.8491)
    """
    c, scalar, x_, n_ = _events(x, n, confidence, "n (populations)", counts=False)
    low, high = poisson_limits(x_, c)
    method = (
        "Byar"
        if np.all(x_ >= BYAR_THRESHOLD)
        else "Exact"
        if np.all(x_ < BYAR_THRESHOLD)
        else "Byar, exact below 10"
    )
    return Estimate(
        *_out(scalar, x_ / n_ * multiplier, low / n_ * multiplier, high / n_ * multiplier),
        method=method,
        confidence=c,
    )


def dsr(
    x: Any, n: Any, standard_population: Any, multiplier: float = 100_000, confidence: float = 0.95
) -> Estimate:
    """Directly standardised rate with Dobson limits (Dobson et al. 1991).

    ``x``, ``n`` and ``standard_population`` are age-specific (one value per age band). Value
    and limits are missing when the total count is under 10, as Fingertips publishes them.
    """
    c = confidence_level(confidence)
    x_, n_, w = (np.asarray(v, dtype=float) for v in (x, n, standard_population))
    if not (x_.shape == n_.shape == w.shape):
        raise ValueError("x, n and standard_population must have one value per age band each")
    _check_counts("x (observed events)", x_)
    _check_denominators("n (populations)", n_)
    total = x_.sum()
    if total < DSR_MINIMUM_EVENTS:
        return Estimate(math.nan, math.nan, math.nan, method="Dobson", confidence=c)
    value = np.sum(w * x_ / n_) / w.sum()
    variance = np.sum((w / n_) ** 2 * x_) / w.sum() ** 2
    low, high = poisson_limits(total, c)
    scale = math.sqrt(variance / total)
    lower = value + scale * (float(low) - total)
    upper = value + scale * (float(high) - total)
    return Estimate(
        float(value * multiplier),
        float(lower * multiplier),
        float(upper * multiplier),
        method="Dobson",
        confidence=c,
    )


class MissingBandWarning(UserWarning):
    """Some age bands of an indirectly standardised ratio or rate had missing counts."""


def _missing_bands(name: str, values: np.ndarray, bands: Any) -> str | None:
    """``"x (observed) in bands 0-4, 85+"``: where ``values`` is missing, or None."""
    if values.ndim == 0 or not np.isnan(values).any():
        return None
    where = np.flatnonzero(np.isnan(values))
    labels = [str(bands[i]) for i in where] if bands is not None else [str(i) for i in where]
    return f"{name} in band{'s' if len(labels) > 1 else ''} {', '.join(labels)}"


def _observed_and_expected(
    observed: Any, n: Any, ref_x: Any, ref_n: Any, bands: Any
) -> tuple[float, float]:
    """Total observed and expected events, ignoring missing counts as PHEindicatormethods does."""
    x_, n_, rx, rn = (np.asarray(v, dtype=float) for v in (observed, n, ref_x, ref_n))
    if bands is not None and len(bands) != n_.size:
        raise ValueError(f"bands must name each of the {n_.size} age bands, not {len(bands)}")
    gaps = [
        g
        for g in (
            _missing_bands("observed", x_, bands),
            _missing_bands("n (populations)", n_, bands),
            _missing_bands("ref_x (reference events)", rx, bands),
        )
        if g
    ]
    if gaps:
        warnings.warn(
            f"missing counts treated as zero, as PHEindicatormethods does: {'; '.join(gaps)}",
            MissingBandWarning,
            stacklevel=3,
        )
    obs = float(x_) if x_.ndim == 0 else float(np.nansum(x_))  # a missing total stays missing
    if obs < 0 or np.any(x_ < 0):
        raise ValueError("observed must be greater than or equal to zero")
    expected = float(np.sum(np.nan_to_num(rx) / rn * np.nan_to_num(n_)))
    return obs, expected


def isratio(
    observed: Any,
    n: Any,
    ref_x: Any,
    ref_n: Any,
    multiplier: float = 100,
    confidence: float = 0.95,
    *,
    bands: Any = None,
) -> Estimate:
    """Indirectly standardised ratio (observed / expected × 100, an SMR) with the count's limits.

    ``n`` are the area's age-specific populations; ``ref_x`` / ``ref_n`` the reference rates;
    ``observed`` the area's age-specific events, or their total. As PHEindicatormethods'
    ``calculate_ISRatio`` does, a missing observed count is left out of the total and a band
    with a missing population or reference count adds no expected events (a missing reference
    population leaves the result missing); a :class:`MissingBandWarning` names the bands, by
    their labels in ``bands`` when given, else by position from 0.
    """
    c = confidence_level(confidence)
    obs, expected = _observed_and_expected(observed, n, ref_x, ref_n, bands)
    if expected <= 0:
        raise ValueError("expected events (from n, ref_x and ref_n) must be greater than zero")
    low, high = poisson_limits(obs, c)
    return Estimate(
        obs / expected * multiplier,
        float(low) / expected * multiplier,
        float(high) / expected * multiplier,
        method="Byar" if obs >= BYAR_THRESHOLD else "Exact",
        confidence=c,
    )


def isr(
    observed: Any,
    n: Any,
    ref_x: Any,
    ref_n: Any,
    multiplier: float = 100_000,
    confidence: float = 0.95,
    *,
    bands: Any = None,
) -> Estimate:
    """Indirectly standardised rate: the ratio applied to the reference population's crude rate.

    Missing counts are treated as in :func:`isratio`; the reference crude rate leaves out
    missing reference counts, as PHEindicatormethods' ``calculate_ISRate`` does.
    """
    ratio = isratio(observed, n, ref_x, ref_n, multiplier=1, confidence=confidence, bands=bands)
    reference = float(np.nansum(np.asarray(ref_x, dtype=float))) / float(np.sum(ref_n)) * multiplier
    return Estimate(
        ratio.value * reference,
        ratio.lower * reference,
        ratio.upper * reference,
        method=ratio.method,
        confidence=ratio.confidence,
    )


def mean(values: Any, confidence: float = 0.95) -> Estimate:
    """Mean with Student's t interval.

    >>> e = mean([20, 30, 40])
    >>> e.value, round(e.lower, 4), round(e.upper, 4)
    (30.0, 5.1586, 54.8414)
    """
    c = confidence_level(confidence)
    v = np.asarray(values, dtype=float)
    if v.size < 2:
        raise ValueError("values must hold at least two numbers for a confidence interval")
    m = float(v.mean())
    half = float(t_quantile(1 - (1 - c) / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return Estimate(m, m - half, m + half, method="Student's t", confidence=c)


def margin_of_error(
    n: int, population: int | None = None, p: float = 0.5, confidence: float = 0.95
) -> float:
    """Survey margin of error (a proportion) with the finite population correction.

    The regulator's 2017 survey: 3,053 responses from about 31,000 workers is a margin of
    about 1.7 points at 95%, which it reported as 2% (section 2.5):

    >>> round(margin_of_error(3053, 31000) * 100, 2)
    1.68
    """
    c = confidence_level(confidence)
    if n <= 0:
        raise ValueError("n (responses) must be greater than zero")
    if population is not None and population < n:
        raise ValueError("population must be at least n (responses)")
    if not 0 <= p <= 1:
        raise ValueError("p must be between 0 and 1")
    moe = _z(c) * math.sqrt(p * (1 - p) / n)
    if population is not None and population > 1:
        moe *= math.sqrt((population - n) / (population - 1))
    return moe


@dataclass(frozen=True)
class Trend:
    """A least-squares trend: slope per period, its p-value, and its direction at ``alpha``."""

    slope: float
    intercept: float
    p_value: float
    significant: bool
    direction: Literal["increasing", "decreasing", "no significant trend"]


def trend(values: Any, alpha: float = 0.05) -> Trend:
    """Long-term direction: ordinary least-squares slope over equally spaced periods, t test.

    >>> t = trend([10, 12, 13, 15, 16, 18, 19, 21])
    >>> t.direction, round(t.slope, 3)
    ('increasing', 1.524)
    """
    v = np.asarray(values, dtype=float)
    keep = ~np.isnan(v)
    x = np.arange(v.size)[keep]
    y = v[keep]
    if y.size < 3:
        raise ValueError("values must hold at least three non-missing points for a trend")
    if np.all(y == y[0]):
        return Trend(0.0, float(y[0]), 1.0, False, "no significant trend")
    slope, intercept, p_value = _least_squares(x.astype(float), y)
    significant = bool(p_value < alpha)
    direction: Literal["increasing", "decreasing", "no significant trend"] = (
        ("increasing" if slope > 0 else "decreasing") if significant else "no significant trend"
    )
    return Trend(slope, intercept, p_value, significant, direction)


def _least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Slope, intercept and the two-sided p-value of the slope's t test (n - 2 df)."""
    dx, dy = x - x.mean(), y - y.mean()
    sxx = float(dx @ dx)
    slope = float(dx @ dy) / sxx
    intercept = float(y.mean() - slope * x.mean())
    residual = y - (intercept + slope * x)
    dof = x.size - 2
    if dof <= 0:
        return slope, intercept, 1.0
    se = math.sqrt(float(residual @ residual) / dof / sxx)
    if se == 0:
        return slope, intercept, 0.0 if slope != 0 else 1.0
    return slope, intercept, 2 * t_survival(abs(slope / se), dof)


def projected_date_on_target(
    values: Any, dates: Any, target: float, *, higher_is_better: bool = True, alpha: float = 0.05
) -> date | None:
    """The date the fitted trend reaches ``target``, or None if it never will.

    None when the trend is not significant or runs away from the target. When the latest
    value already meets the target, that value's date.
    """
    v = np.asarray(values, dtype=float)
    days = [d if isinstance(d, date) else date.fromisoformat(str(d)) for d in dates]
    if len(days) != v.size:
        raise ValueError("values and dates must have the same length")
    meets = v[-1] >= target if higher_is_better else v[-1] <= target
    if meets:
        return days[-1]
    t = trend(v, alpha)
    toward = t.slope > 0 if higher_is_better else t.slope < 0
    if not t.significant or not toward:
        return None
    steps = (target - t.intercept) / t.slope
    spacing = (days[-1] - days[0]).days / max(len(days) - 1, 1)
    return days[0] + timedelta(days=round(steps * spacing))
