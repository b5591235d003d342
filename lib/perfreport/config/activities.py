"""Activity monitors (framework 5.6) and strategic objectives (framework 5.2).

"Activities will be coded for current status and this will be used as the basis for higher
level performance measures." Delivery-plan actions live in ``params/activities.yaml`` with
their plan, strategic theme, owner, start and due dates, status and progress.

**Activity RAG** on a date, the rule stated:

- *complete*: green (complete);
- *cancelled*: not rated, and left out of roll-ups;
- past its due date and not complete: red (overdue);
- *on hold*: amber;
- otherwise progress is compared with the share of the time from start to due that has
  passed: green (on track) when progress is no more than 10 points behind it, amber when no
  more than 25 points behind, red beyond that.

**Roll-ups** give, per plan and per theme, the count by status and the percentage on track
(green or complete, of the activities not cancelled).

**Strategic objective RAG**, from its linked indicators' framework RAG and its activities:
red when a third or more of them are red; amber when any is red or amber; green when all are
green; "no measures" when nothing is linked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field, model_validator

from perfreport.config.catalogue import Catalogue
from perfreport.config.framework import Framework
from perfreport.config.located import Located
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import entries, read_yaml
from perfreport.errors import PerfreportError, located

ON_TRACK_POINTS = 10
AT_RISK_POINTS = 25
RED_SHARE = 1 / 3


class DeliveryPlan(Params):
    id: str
    name: str


class Activity(Params):
    id: str
    plan: str
    theme: str
    title: str
    owner: str
    start: date
    due: date
    status: Literal["not_started", "in_progress", "on_hold", "complete", "cancelled"]
    progress: int = Field(0, ge=0, le=100)

    @model_validator(mode="after")
    def _dates(self) -> Activity:
        if self.due < self.start:
            raise ValueError("'due' is before 'start'")
        if self.status == "complete" and self.progress != 100:
            raise ValueError("a complete activity has progress 100")
        return self


class Objective(Params):
    id: str
    theme: str
    title: str
    indicators: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActivityMonitor:
    plans: tuple[DeliveryPlan, ...]
    activities: tuple[Activity, ...]
    objectives: tuple[Objective, ...]


@dataclass(frozen=True)
class ActivityRag:
    status: Literal["green", "amber", "red", "complete", "cancelled"]
    reason: str


def activity_rag(a: Activity, on: date) -> ActivityRag:
    """RAG of one activity on a date (see the module docstring for the rule)."""
    if a.status == "complete":
        return ActivityRag("complete", "complete")
    if a.status == "cancelled":
        return ActivityRag("cancelled", "cancelled")
    if on > a.due:
        return ActivityRag("red", f"overdue since {a.due:%d %B %Y} at {a.progress}% complete")
    if a.status == "on_hold":
        return ActivityRag("amber", "on hold")
    span = max((a.due - a.start).days, 1)
    expected = min(max((on - a.start).days / span, 0.0), 1.0) * 100
    behind = expected - a.progress
    text = f"{a.progress}% complete, {expected:.0f}% of its time gone"
    if behind <= ON_TRACK_POINTS:
        return ActivityRag("green", f"on track: {text}")
    if behind <= AT_RISK_POINTS:
        return ActivityRag("amber", f"behind: {text}")
    return ActivityRag("red", f"well behind: {text}")


def activity_table(monitor: ActivityMonitor, on: date) -> pd.DataFrame:
    rows = []
    for a in monitor.activities:
        rag = activity_rag(a, on)
        rows.append(
            {
                "id": a.id,
                "plan": a.plan,
                "theme": a.theme,
                "title": a.title,
                "owner": a.owner,
                "due": a.due,
                "progress": a.progress,
                "status": rag.status,
                "reason": rag.reason,
            }
        )
    return pd.DataFrame(rows)


def roll_up(table: pd.DataFrame, by: Literal["plan", "theme"]) -> pd.DataFrame:
    """Counts by status and the percentage on track, per plan or theme."""
    rated = table[table["status"] != "cancelled"]
    counts = pd.crosstab(rated[by], rated["status"]).reindex(
        columns=["complete", "green", "amber", "red"], fill_value=0
    )
    counts["activities"] = counts.sum(axis=1)
    counts["percent_on_track"] = (counts["complete"] + counts["green"]) / counts["activities"] * 100
    return counts.reset_index()


def objective_rag(
    objective: Objective, indicator_status: Mapping[str, str], activity_status: Mapping[str, str]
) -> tuple[str, str]:
    """An objective's status and the rule's reason, from its linked items' statuses."""
    statuses = [indicator_status.get(i, "no_data") for i in objective.indicators]
    statuses += [
        "green" if activity_status.get(a) == "complete" else activity_status.get(a, "no_data")
        for a in objective.activities
    ]
    statuses = [s for s in statuses if s != "cancelled"]
    if not statuses:
        return "no_measures", "no indicators or activities are linked"
    red = sum(s == "red" for s in statuses)
    amber = sum(s == "amber" for s in statuses)
    summary = f"{red} red and {amber} amber of {len(statuses)} linked indicators and activities"
    if red / len(statuses) >= RED_SHARE:
        return "red", f"{summary} (a third or more red)"
    if red or amber:
        return "amber", summary
    if all(s == "green" for s in statuses):
        return "green", f"all {len(statuses)} linked indicators and activities green"
    return "amber", f"{summary}; some have no data or no target"


def load_activities(path: Path, catalogue: Catalogue, framework: Framework) -> ActivityMonitor:
    """Read and validate ``params/activities.yaml`` against the catalogue and themes."""
    doc = read_yaml(path)
    plans = tuple(
        validate(DeliveryPlan, item, entry=f"plan {n}")
        for n, item in enumerate(entries(doc, "plans"), 1)
    )
    plan_ids = {p.id for p in plans}
    activities: list[Activity] = []
    for item in entries(doc, "activities"):
        name = f"activity '{item.value.get('id')}'" if isinstance(item.value, dict) else "activity"
        a = validate(Activity, item, entry=name)
        _check(
            a.plan in plan_ids,
            item,
            name,
            "plan",
            f"{a.plan!r} is not a delivery plan in this file",
        )
        _check(
            a.theme in framework.theme_ids,
            item,
            name,
            "theme",
            f"{a.theme!r} is not a strategic theme",
        )
        activities.append(a)
    activity_ids = {a.id for a in activities}
    objectives: list[Objective] = []
    for item in entries(doc, "objectives"):
        name = (
            f"objective '{item.value.get('id')}'" if isinstance(item.value, dict) else "objective"
        )
        o = validate(Objective, item, entry=name)
        _check(
            o.theme in framework.theme_ids,
            item,
            name,
            "theme",
            f"{o.theme!r} is not a strategic theme",
        )
        for ident in o.indicators:
            _check(
                ident in catalogue,
                item,
                name,
                "indicators",
                f"{ident!r} is not in the indicator catalogue",
            )
        for ident in o.activities:
            _check(
                ident in activity_ids,
                item,
                name,
                "activities",
                f"{ident!r} is not an activity in this file",
            )
        objectives.append(o)
    return ActivityMonitor(plans, tuple(activities), tuple(objectives))


def _check(ok: bool, item: Located, name: str, field: str, message: str) -> None:
    if not ok:
        raise PerfreportError(
            located(item.path, f"{name}: field '{field}': {message}", line=item.line_of((field,)))
        )
