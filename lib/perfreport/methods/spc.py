"""Statistical process control: XmR charts by NHS England's Making Data Count rules, run charts
by the Anhøj rules, and p and u charts for varying denominators.

XmR limits are ``mean ± 2.66 × average moving range``; moving ranges of at least 3.267 times the
average are screened out before the average is taken again (Making Data Count; Wheeler 1995).
The ``mdc`` rule set flags special cause when a point lies outside the limits, when 7 points in
a row lie on one side of the mean (a point on the mean breaks the run), when 7 points in a row
rise or fall, and when 2 of 3 points lie beyond two sigma on the same side. ``nhsi2017`` uses 8
points for a shift and 6 for a trend, as NHS Improvement's 2017 tool did.

A 2-of-3 point lies between two sigma and the process limits (a point outside the limits is
flagged by that rule instead), and all three points of the window lie on the same side of the
mean. When a point belongs to patterns of opposite meaning (say the last points of a shift above
the mean that also fall for 7 points in a row), the first rule in :data:`PRECEDENCE` decides its
type: outside the limits (its side of the mean), then a trend (its direction), then 2 of 3, then a
shift (their side of the mean). This is NHSRplotthedots' ``ptd_special_cause_type``
(R/ptd_calculate_point_type.R at f7891af), so perfreport's point types match its charts; the
``rule`` column lists every rule that fired, the deciding one first. One deliberate difference: a
point ending one trend and followed by a tie and a new trend keeps its own trend's direction,
where NHSRplotthedots reads the tie as "decreasing".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from perfreport.methods.run_chart import (  # re-exported: part of the SPC API
    AttributeChart,
    RunChart,
    p_chart,
    run_chart,
    u_chart,
)

__all__ = [
    "CLOSE_SIGMAS",
    "IMPROVEMENT",
    "LIMIT_SIGMAS",
    "MR_SCREEN",
    "PRECEDENCE",
    "RULE_SETS",
    "RULE_WORDS",
    "VARIATION_WORDS",
    "Assurance",
    "AttributeChart",
    "Classified",
    "Improvement",
    "PointType",
    "RuleSet",
    "RunChart",
    "XmrResult",
    "assurance",
    "classify",
    "describe",
    "improvement_for",
    "p_chart",
    "rule_phrase",
    "run_chart",
    "u_chart",
    "xmr",
]

Improvement = Literal["increase", "decrease", "neutral"]
PointType = Literal[
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
    "common_cause",
]
Assurance = Literal["consistent_pass", "consistent_fail", "inconsistent"]

IMPROVEMENT = {"higher_is_better": "increase", "lower_is_better": "decrease"}


def improvement_for(polarity: str) -> Improvement:
    """The direction of improvement for an indicator's polarity (``neutral`` when it has none)."""
    return IMPROVEMENT.get(polarity, "neutral")  # type: ignore[return-value]


LIMIT_SIGMAS = 2.66
"""3 sigma of individual values in moving-range units: 3 / d2, d2 = 1.128 for ranges of two."""
CLOSE_SIGMAS = 2 * LIMIT_SIGMAS / 3
"""Two sigma, for the 2-of-3 rule."""
MR_SCREEN = 3.267
"""D4 for ranges of two: a moving range this many times the average is an outlier."""


PRECEDENCE = ("outside_limits", "trend", "two_of_three", "shift")
"""The order in which the rules decide a point's type when several fire (NHSRplotthedots)."""


@dataclass(frozen=True)
class RuleSet:
    name: str
    shift: int
    trend: int
    two_of_three: bool = True


RULE_SETS = {
    "mdc": RuleSet("mdc", shift=7, trend=7),
    "nhsi2017": RuleSet("nhsi2017", shift=8, trend=6),
}


@dataclass(frozen=True)
class XmrResult:
    """An XmR chart: one row per point, the latest point's variation, and target assurance."""

    points: pd.DataFrame
    variation: PointType | None
    assurance: Assurance | None
    rules: RuleSet
    improvement: Improvement
    target: float | None


def xmr(
    values: object,
    improvement: Improvement = "increase",
    target: float | None = None,
    screen_outliers: bool = True,
    fix_after: int | None = None,
    rebase: tuple[int, ...] = (),
    rules: str = "mdc",
) -> XmrResult:
    """XmR chart of ``values`` (in time order) with Making Data Count special-cause rules.

    ``fix_after`` fixes the mean and limits on the first points of each baseline; ``rebase``
    lists positions where a new baseline starts (after a known change in the process).

    >>> r = xmr([5, 6, 5, 7, 6, 5, 6, 7, 6, 5, 14])
    >>> r.variation, r.points["rule"].iloc[-1]
    ('special_cause_improvement', 'outside_limits')
    """
    if rules not in RULE_SETS:
        raise ValueError(f"rules must be one of {', '.join(RULE_SETS)}, not {rules!r}")
    if improvement not in ("increase", "decrease", "neutral"):
        raise ValueError(
            f"improvement must be 'increase', 'decrease' or 'neutral', not {improvement!r}"
        )
    y = np.asarray(values, dtype=float)
    if y.ndim != 1 or y.size < 2:
        raise ValueError("values must be a sequence of at least two numbers")
    if np.isnan(y).any():
        raise ValueError("values must not contain missing values; remove or fill them first")
    if fix_after is not None and fix_after < 2:
        raise ValueError("fix_after must be at least 2 points")
    starts = sorted({0, *rebase})
    if any(not 0 < s < y.size for s in starts[1:]):
        raise ValueError(f"rebase positions must lie between 1 and {y.size - 1}")
    c = _classify(y, improvement, screen_outliers, fix_after, starts, RULE_SETS[rules])
    point_type, lpl, upl = c.point_types, c.lpl, c.upl
    points = pd.DataFrame(
        {
            "value": y,
            "mean": c.mean,
            "lpl": lpl,
            "upl": upl,
            "moving_range": np.r_[np.nan, np.abs(np.diff(y))],
            "baseline": np.searchsorted(starts, np.arange(y.size), side="right") - 1,
            "point_type": point_type,
            "rule": pd.Series(c.rules, dtype=object),
        }
    )
    rule_set = RULE_SETS[rules]
    return XmrResult(
        points,
        point_type[-1],
        assurance(target, improvement, lpl[-1], upl[-1]),
        rule_set,
        improvement,
        target,
    )


@dataclass(frozen=True)
class Classified:
    """XmR limits and point classification as plain arrays (no DataFrame), for bulk use."""

    mean: np.ndarray
    lpl: np.ndarray
    upl: np.ndarray
    point_types: list[PointType]
    rules: list[str | None]


def classify(
    values: object, improvement: Improvement = "increase", rules: str = "mdc"
) -> Classified:
    """The XmR classification of ``values`` without building a table (see :func:`xmr`)."""
    y = np.asarray(values, dtype=float)
    return _classify(y, improvement, True, None, [0], RULE_SETS[rules])


def _classify(
    y: np.ndarray,
    improvement: Improvement,
    screen_outliers: bool,
    fix_after: int | None,
    starts: list[int],
    rule_set: RuleSet,
) -> Classified:
    mean = np.empty_like(y)
    amr = np.empty_like(y)
    for begin, end in zip(starts, [*starts[1:], y.size], strict=True):
        base = y[begin:end][: fix_after or None]
        mean[begin:end], amr[begin:end] = _centre_and_spread(base, screen_outliers)
    upl, lpl = mean + LIMIT_SIGMAS * amr, mean - LIMIT_SIGMAS * amr
    side = np.sign(y - mean).astype(int)
    outside = np.where(y > upl, 1, np.where(y < lpl, -1, 0))
    beyond_two = np.where(
        y > mean + CLOSE_SIGMAS * amr, 1, np.where(y < mean - CLOSE_SIGMAS * amr, -1, 0)
    )
    close = np.where(outside != 0, 0, beyond_two)
    flags = {
        "outside_limits": outside,
        "shift": _runs(side, rule_set.shift, starts),
        "trend": _trends(y, rule_set.trend, starts),
        "two_of_three": _two_of_three(close, starts, side)
        if rule_set.two_of_three
        else np.zeros(y.size, int),
    }
    direction = np.zeros(y.size, dtype=int)
    fired = [""] * y.size
    for name in PRECEDENCE:
        flag = flags[name]
        for i in np.flatnonzero(flag):
            fired[i] = f"{fired[i]}+{name}" if fired[i] else name
            if direction[i] == 0:
                direction[i] = flag[i]
    types = [_point_type(d, improvement) for d in direction]
    return Classified(mean, lpl, upl, types, [f or None for f in fired])


def _centre_and_spread(base: np.ndarray, screen: bool) -> tuple[float, float]:
    mean = float(base.mean())
    ranges = np.abs(np.diff(base))
    if ranges.size == 0:
        return mean, 0.0
    average = float(ranges.mean())
    if screen:
        kept = ranges[ranges < MR_SCREEN * average]
        average = float(kept.mean()) if kept.size else 0.0
    return mean, average


def _segments(n: int, starts: list[int]) -> list[tuple[int, int]]:
    return list(zip(starts, [*starts[1:], n], strict=True))


def _runs(side: np.ndarray, length: int, starts: list[int]) -> np.ndarray:
    """+1/-1 on every point of a run of at least ``length`` on one side; 0 (on the mean) breaks."""
    out = np.zeros(side.size, dtype=int)
    for begin, end in _segments(side.size, starts):
        i = begin
        while i < end:
            j = i
            while j + 1 < end and side[j + 1] == side[i] and side[i] != 0:
                j += 1
            if side[i] != 0 and j - i + 1 >= length:
                out[i : j + 1] = side[i]
            i = j + 1
    return out


def _trends(y: np.ndarray, length: int, starts: list[int]) -> np.ndarray:
    """+1/-1 on every point of ``length`` or more points each above (below) the one before."""
    out = np.zeros(y.size, dtype=int)
    for begin, end in _segments(y.size, starts):
        step = np.sign(np.diff(y[begin:end]))
        i = 0
        while i < step.size:
            j = i
            while j + 1 < step.size and step[j + 1] == step[i] and step[i] != 0:
                j += 1
            if step[i] != 0 and j - i + 2 >= length:
                out[begin + i : begin + j + 2] = int(step[i])
            i = j + 1
    return out


def _two_of_three(
    close: np.ndarray, starts: list[int], side: np.ndarray | None = None
) -> np.ndarray:
    """Points beyond two sigma that are 2 of any 3 in a row beyond it on the same side.

    With ``side`` (each point's side of the mean), a window counts only when all three of its
    points lie on that side, as NHSRplotthedots requires.
    """
    out = np.zeros(close.size, dtype=int)
    three = np.ones(3, dtype=int)
    for begin, end in _segments(close.size, starts):
        part = close[begin:end]
        if part.size < 3:
            continue
        for sign in (1, -1):
            hits = (part == sign).astype(int)
            windows = np.convolve(hits, three, mode="valid") >= 2
            if side is not None:
                windows &= np.convolve(side[begin:end] == sign, three, mode="valid") == 3
            marked = np.zeros(part.size, dtype=bool)
            for offset in range(3):
                marked[offset : offset + windows.size] |= windows & (
                    hits[offset : offset + windows.size] == 1
                )
            out[begin:end][marked] = sign
    return out


def _point_type(direction: int, improvement: Improvement) -> PointType:
    if direction == 0:
        return "common_cause"
    if improvement == "neutral":
        return "special_cause_neutral_high" if direction > 0 else "special_cause_neutral_low"
    good = 1 if improvement == "increase" else -1
    return "special_cause_improvement" if direction == good else "special_cause_concern"


def assurance(
    target: float | None, improvement: Improvement, lpl: float, upl: float
) -> Assurance | None:
    """Whether the process will consistently pass, fail, or hit and miss the target."""
    if target is None or improvement == "neutral":
        return None
    if target > upl:
        return "consistent_fail" if improvement == "increase" else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if improvement == "increase" else "consistent_fail"
    return "inconsistent"


RULE_WORDS = {
    "outside_limits": "the latest point lies outside the process limits",
    "shift": "a run of {n} points {side} the mean",
    "trend": "{n} points in a row {direction}",
    "two_of_three": "2 of the last 3 points lie close to the {side_limit} limit",
}
VARIATION_WORDS = {
    "common_cause": "Common cause variation",
    "special_cause_improvement": "Special cause variation of an improving nature",
    "special_cause_concern": "Special cause variation of a concerning nature",
    "special_cause_neutral_high": "Special cause variation, higher than expected",
    "special_cause_neutral_low": "Special cause variation, lower than expected",
}


def describe(result: XmrResult, fmt: object = None) -> str:
    """One sentence saying what the chart shows, usable as alt text.

    >>> describe(xmr([78, 82, 80, 79, 81, 80, 82, 78, 80, 81], target=80), lambda v: f"{v:g}%")
    'Common cause variation; the target of 80% lies inside the process limits, so it will be hit and missed.'
    """
    show = fmt if callable(fmt) else (lambda v: f"{v:,.4g}")
    p = result.points
    last = p.iloc[-1]
    text = VARIATION_WORDS[result.variation or "common_cause"]
    if isinstance(last["rule"], str):
        first_rule = str(last["rule"]).split("+")[0]
        text += f" ({rule_phrase(first_rule, p)})"
    if result.target is None or result.assurance is None:
        return text + "."
    target = show(result.target)
    if result.assurance == "inconsistent":
        ending = (
            f"the target of {target} lies inside the process limits, so it will be hit and missed"
        )
    elif result.assurance == "consistent_pass":
        ending = (
            f"the process limits lie beyond the target of {target}, so it will be met consistently"
        )
    else:
        ending = (
            f"the target of {target} lies outside the process limits, so it will not be met "
            "without a change to the process"
        )
    return f"{text}; {ending}."


def rule_phrase(rule: str, p: pd.DataFrame) -> str:
    flagged = p["rule"].fillna("").str.contains(rule).to_numpy()
    n = 0
    for f in flagged[::-1]:
        if not f:
            break
        n += 1
    last = p.iloc[-1]
    above = last["value"] > last["mean"]
    rising = len(p) > 1 and last["value"] > p["value"].iloc[-2]
    return RULE_WORDS[rule].format(
        n=n,
        side="above" if above else "below",
        direction="rising" if rising else "falling",
        side_limit="upper" if above else "lower",
    )
