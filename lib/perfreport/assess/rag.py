"""Target RAG: red, amber or green against the indicator's target, with the reason in words.

Polarity-aware. For a ``min`` target (higher is better) the status is

- **green** when the value meets the target (``value >= target``: exactly on target is green);
- **amber** when it misses by no more than the tolerance (``value >= target - tolerance``:
  exactly at the edge of the tolerance is amber);
- **red** otherwise.

``max`` targets mirror this; a ``band`` target is green inside ``[value, upper]`` and amber
within the tolerance outside either edge. An indicator with no target in force, or neutral
polarity without a band, is "no target" — shown, never guessed. No value is "no data".
Values are compared after rounding to the indicator's published decimals, so the status always
agrees with the figure a reader sees.

The framework RAG of the Integrated Performance Framework (tables 3 and 4) builds on this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perfreport.config.catalogue import Indicator, Target
from perfreport.methods.periods import MONTHS_IN, Period
from perfreport.methods.rounding import format_number, round_half_up
from perfreport.methods.status import Rag, Status
from perfreport.methods.suppressed import Suppressed

if TYPE_CHECKING:
    import pandas as pd


def describe_value(ind: Indicator, value: float | None) -> str:
    """``value`` formatted in the indicator's unit and decimals: ``'80.0%'``, ``'1,234'``."""
    text = format_number(value, ind.decimals)
    if value is None or isinstance(value, Suppressed):
        return text
    if ind.unit == "percent":
        return f"{text}%"
    if ind.unit == "currency":
        return f"£{text}"
    label = ind.unit_label
    return f"{text} {label}" if label and ind.unit in ("days", "hours") else text


def describe_target(ind: Indicator, target: Target | None) -> str:
    """``'at least 80.0%'``, ``'at most 1,350'``, ``'between -1.00% and 1.00%'`` or ``'none'``."""
    if target is None:
        return "none"
    if target.kind == "band":
        return f"between {_range(ind, target)}"
    word = "at least" if target.kind == "min" else "at most"
    return f"{word} {describe_value(ind, target.value)}"


def _range(ind: Indicator, target: Target) -> str:
    return f"{describe_value(ind, target.value)} and {describe_value(ind, target.upper)}"


def _gap(ind: Indicator, amount: float) -> str:
    """A difference in the indicator's unit: percentages differ by points."""
    text = format_number(abs(amount), ind.decimals)
    if ind.unit == "percent":
        return f"{text} {'point' if text == '1' else 'points'}"
    return describe_value(ind, abs(amount))


def applicable_target(ind: Indicator, period: Period, role: str | None) -> Target | None:
    """The target that binds ``period`` for an area whose type has ``role``, scaled to the
    period.

    The target in force on the period's last day is used. A target set per month for a count
    is multiplied up when the figure covers a quarter or a year (the figure adds the months).
    Targets binding only the body (the partnership) give ``None`` for other areas (a locality).
    """
    target = ind.target_on(period.end)
    if target is None:
        return None
    scope = target.applies_to or ("body" if ind.size_dependent else "all_areas")
    if scope == "body" and role != "body":
        return None
    native = MONTHS_IN[ind.period_kind]
    factor = len(period.months()) / native if ind.time_aggregation in ("sum", "population") else 1.0
    if factor == 1.0:
        return target
    upper = None if target.upper is None else target.upper * factor
    return target.model_copy(update={"value": target.value * factor, "upper": upper})


def target_rag(ind: Indicator, value: float | None, target: Target | None) -> Rag:
    """RAG of ``value`` against ``target`` (see the module docstring and :func:`applicable_target`).

    >>> from datetime import date
    >>> ind = Indicator.model_validate(dict(id="X", set="local", title="Answered on time",
    ...     description="", unit="percent", method="proportion", polarity="higher_is_better",
    ...     frequency="monthly", target=dict(value=80, unit="percent", kind="min"), tolerance=5,
    ...     scorecard=dict(section="Delivery", subsection="Service Measures"), source="test"))
    >>> str(target_rag(ind, 73.8, ind.target_on(date(2025, 3, 31))))
    'Red: 6.2 points below the 80.0% target (tolerance 5.0 points)'
    """
    if value is None:
        return Rag(Status.NO_DATA, "no data for this period")
    if target is None:
        return Rag(Status.NO_TARGET, "no target is set for this indicator and area")
    shown = round_half_up(value, ind.decimals)
    assert shown is not None
    tolerance = ind.tolerance or 0.0
    tolerance_text = f" (tolerance {_gap(ind, tolerance)})" if tolerance else ""
    if target.kind == "band":
        assert target.upper is not None
        if target.value <= shown <= target.upper:
            return Rag(Status.GREEN, f"within the target range of {_range(ind, target)}")
        edge, side = (target.value, "below") if shown < target.value else (target.upper, "above")
        miss = abs(shown - edge)
        status = Status.AMBER if miss <= tolerance else Status.RED
        return Rag(
            status,
            f"{_gap(ind, miss)} {side} the target range of {_range(ind, target)}{tolerance_text}",
        )
    miss = target.value - shown if target.kind == "min" else shown - target.value
    side = "below" if target.kind == "min" else "above"
    what = f"the {describe_value(ind, target.value)} target"
    if miss <= 0:
        beat = (
            f"; {_gap(ind, -miss)} {'above' if side == 'below' else 'below'} it" if miss < 0 else ""
        )
        return Rag(Status.GREEN, f"meets {what}{beat}")
    status = Status.AMBER if miss <= tolerance else Status.RED
    return Rag(status, f"{_gap(ind, miss)} {side} {what}{tolerance_text}")


def change_direction(ind: Indicator, change: float | None) -> str:
    """Whether a change is an improvement for this indicator: improved, worse, no change."""
    if change is None:
        return "not available"
    if round_half_up(change, ind.decimals) == 0:
        return "no change"
    if ind.polarity == "neutral":
        return "higher" if change > 0 else "lower"
    better = change > 0 if ind.polarity == "higher_is_better" else change < 0
    return "improved" if better else "worsened"


def rag_of(row: pd.Series | None, family: str) -> Rag:
    """A prepared results row's status in the RAG family a cycle uses (``target`` or
    ``framework``, ``params/cycles.yaml`` ``rag``), with its reason; no row is "no data".

    The framework reason is stored with its status in front (``'Amber: ...'``); the reason
    returned is the words after it. A row without a framework status (an area the framework
    does not assess) falls back to its target status.
    """
    if row is None:
        return Rag(Status.NO_DATA, "no data for this period")
    if family == "framework" and isinstance(row["framework_status"], str):
        reason = str(row["framework_reason"]).split(": ", 1)[-1]
        return Rag(Status(row["framework_status"]), reason)
    return Rag(Status(row["target_status"]), str(row["target_reason"]))
