"""Framework RAG: the Integrated Performance Framework's tables 3 and 4, applied the same way
every time and explained in plain English.

Table 3 names three risks to performance:

1. **Performance is not managed** — no target, no recent data (older than the indicator's
   frequency allows), or no breakdown by locality or demographic where one is expected.
2. **No improvement** — a target is missed and there is neither a long-term (a year or more)
   improving trend nor a projected return to target by the improvement plan's stated date.
3. **Something unexpected** — special cause of concern in the last three months (Making Data
   Count rules). Where a year of history allows, the same months last year are compared first,
   so that a change that happens every winter is seasonal, not special cause.

Table 4: *Green* "no obvious risks"; *Amber* risks "appropriately mitigated" by a current
performance improvement plan; *Red* risks "not mitigated sufficiently". And: an indicator that
was amber or red "does not return to green until it has been shown to improve at least short
term performance" — "simply having a Performance Improvement Plan is not enough to return to
Green status". A plan past its review date, or past its date for being back to green while the
indicator is still missing its target, does not mitigate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import numpy as np

from perfreport.assess.rag import target_rag
from perfreport.config.catalogue import Indicator, Target
from perfreport.config.plans import ImprovementPlan
from perfreport.config.rag_settings import RagSettings
from perfreport.methods.periods import Period
from perfreport.methods.spc import Classified, classify, improvement_for
from perfreport.methods.stats import projected_date_on_target, trend
from perfreport.methods.status import Status

DAYS_PER_MONTH = 30.44


class Risk(StrEnum):
    NOT_MANAGED = "performance not managed"
    NO_IMPROVEMENT = "no improvement"
    UNEXPECTED = "something unexpected"


@dataclass(frozen=True)
class Evidence:
    """What the rule looks at for one indicator, area and reporting period.

    ``series`` is the indicator's own-frequency values for the area, oldest first, up to the
    reporting period; ``target`` the target binding this area (None when none applies);
    ``present_breakdowns`` the breakdowns with data in the latest period.
    """

    indicator: Indicator
    as_of: date
    series: Sequence[tuple[Period, float]]
    target: Target | None
    present_breakdowns: frozenset[str] = frozenset()
    plan: ImprovementPlan | None = None
    previous_status: Status | None = None
    chart: Classified | None = None
    """The SPC chart of ``series`` when it has been classified already (None: classify it)."""


@dataclass(frozen=True)
class FrameworkRag:
    status: Status
    risks: tuple[Risk, ...]
    reasons: tuple[str, ...] = field(default=())

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "no risks to performance management"

    def __str__(self) -> str:
        return f"{self.status.label}: {self.reason}"


def framework_rag(e: Evidence, settings: RagSettings) -> FrameworkRag:
    """Apply tables 3 and 4 to ``e`` (see the module docstring)."""
    ind = e.indicator
    reasons: list[str] = []
    risks: list[Risk] = []
    latest = e.series[-1] if e.series else None
    missed = False
    if latest is not None and e.target is not None:
        against = target_rag(ind, latest[1], e.target)
        missed = against.status not in (Status.GREEN, Status.NO_TARGET, Status.NO_DATA)
        if missed:
            reasons.append(against.reason)

    managed = _not_managed(e, settings, latest)
    if managed:
        risks.append(Risk.NOT_MANAGED)
        reasons += managed
    if missed:
        improving = _improvement(e, settings)
        if improving is None:
            risks.append(Risk.NO_IMPROVEMENT)
            stated = f"by {e.plan.expected_green:%d %B %Y}" if e.plan else "by a stated date"
            reasons.append(
                f"no long-term improving trend and no projected return to target {stated}"
            )
        else:
            reasons.append(improving)
    unexpected = _unexpected(e, settings)
    if unexpected and unexpected.startswith("special cause"):
        risks.append(Risk.UNEXPECTED)
    if unexpected:
        reasons.append(unexpected)

    if not risks:
        if e.previous_status in (Status.AMBER, Status.RED) and not _short_term_improved(
            e, settings
        ):
            return FrameworkRag(
                Status.AMBER,
                (),
                (
                    *reasons,
                    f"was {e.previous_status.value} and short-term "
                    "performance has not yet improved",
                ),
            )
        return FrameworkRag(Status.GREEN, (), tuple(reasons))
    mitigation = _mitigation(e, missed)
    reasons.append(mitigation[1])
    return FrameworkRag(Status.AMBER if mitigation[0] else Status.RED, tuple(risks), tuple(reasons))


def _not_managed(e: Evidence, s: RagSettings, latest: tuple[Period, float] | None) -> list[str]:
    ind = e.indicator
    out = []
    if ind.target_on(e.as_of) is None:
        out.append("no target is set")
    allowed = s.staleness_months.get(ind.frequency, 12)
    if latest is None:
        out.append("no data")
    elif latest[0].end < e.as_of - timedelta(days=allowed * DAYS_PER_MONTH):
        out.append(
            f"latest data are for {latest[0].label}, older than the {allowed} months "
            f"a {ind.frequency.replace('_', ' ')} indicator allows"
        )
    for expected in ind.breakdowns:
        if expected not in e.present_breakdowns:
            out.append(f"no {expected.replace('_', ' ')} breakdown although one is expected")
    return out


def _values(e: Evidence) -> np.ndarray:
    return np.array([v for _, v in e.series], dtype=float)


def _improvement(e: Evidence, s: RagSettings) -> str | None:
    """Why risk 2 is absent (an improving trend or a projection), or None when it is present."""
    ind = e.indicator
    recent = _latest_year(e, s)
    if len(recent) < 3:
        return None
    values = np.array([v for _, v in recent], dtype=float)
    higher = ind.polarity == "higher_is_better"
    t = trend(values, s.trend_alpha)
    if t.significant and (t.slope > 0) == higher:
        return "a long-term trend is improving"
    if e.plan is not None and e.target is not None and e.target.kind != "band":
        when = projected_date_on_target(
            values,
            [p.end for p, _ in recent],
            e.target.value,
            higher_is_better=higher,
            alpha=s.trend_alpha,
        )
        if when is not None and when <= e.plan.expected_green:
            return f"projected back on target by {when:%B %Y}, within the plan's date"
    return None


def _latest_year(e: Evidence, s: RagSettings) -> list[tuple[Period, float]]:
    """The points of the latest ``trend_minimum_months`` (table 3's "long term (1 year plus)"),
    or the last three points when the indicator is published less often than that."""
    if not e.series:
        return []
    start = (
        Period.containing("month", e.series[-1][0].start).shift(1 - s.trend_minimum_months).start
    )
    window = [(p, v) for p, v in e.series if p.start >= start]
    return window if len(window) >= 3 else list(e.series[-3:])


def _unexpected(e: Evidence, s: RagSettings) -> str | None:
    """A special cause of concern in the last months, or a note that a change is seasonal."""
    ind = e.indicator
    if ind.polarity == "neutral" or len(e.series) < s.spc_minimum_points:
        return None
    improvement = improvement_for(ind.polarity)
    recent_from = e.as_of - timedelta(days=s.special_cause_months * DAYS_PER_MONTH)
    recent = np.array([p.end > recent_from for p, _ in e.series])
    chart = e.chart if e.chart is not None else classify(_values(e), improvement, s.spc_rules)
    flagged = np.array([t == "special_cause_concern" for t in chart.point_types])
    concern = flagged & recent
    if not concern.any():
        return None
    first = int(np.flatnonzero(concern)[0])
    while first > 0 and flagged[first - 1]:
        first -= 1  # name the start of the run, not its first recent point
    rule = str(chart.rules[first]).split("+")[0].replace("_", " ")
    detail = f"special cause of concern ({rule} since {e.series[first][0].label})"
    if ind.frequency == "monthly" and len(e.series) >= 12 + s.spc_minimum_points:
        changes = _values(e)[12:] - _values(e)[:-12]
        yoy = classify(changes, improvement, rules=s.spc_rules)
        yoy_concern = np.array([t == "special_cause_concern" for t in yoy.point_types])
        if not (yoy_concern & recent[12:]).any():
            return (
                "the change in the last months matches the same months last year "
                "(seasonal variation, not special cause)"
            )
    return detail


def _short_term_improved(e: Evidence, s: RagSettings) -> bool:
    """Whether the latest value is better than the one ``short_term_months`` earlier."""
    if len(e.series) < 2:
        return False
    last = e.series[-1][0]
    cutoff = Period.containing("month", last.start).shift(-s.short_term_months).end
    earlier = [v for p, v in e.series if p.end <= cutoff]
    if not earlier:
        return False
    change = e.series[-1][1] - earlier[-1]
    return change > 0 if e.indicator.polarity == "higher_is_better" else change < 0


def _mitigation(e: Evidence, missed: bool) -> tuple[bool, str]:
    plan = e.plan
    if plan is None:
        return False, "no improvement plan"
    if plan.overdue_review(e.as_of):
        return False, f"improvement plan {plan.id} was due for review on {plan.review:%d %B %Y}"
    if missed and plan.expected_green < e.as_of:
        return False, (
            f"improvement plan {plan.id} expected green by {plan.expected_green:%d %B %Y}, "
            "which has passed"
        )
    return (
        True,
        f"mitigated by improvement plan {plan.id} (owner {plan.owner}; review {plan.review:%d %B %Y})",
    )
