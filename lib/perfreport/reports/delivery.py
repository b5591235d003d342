"""The annual report's strategy and delivery tables: each strategic objective rated from its
linked indicators and activities, and the delivery plans' activities by status."""

from __future__ import annotations

from datetime import date

import pandas as pd

from perfreport.config.activities import ActivityMonitor, objective_rag, roll_up
from perfreport.config.framework import Framework
from perfreport.methods.periods import Period
from perfreport.methods.status import Rag, Status
from perfreport.present.tables import Section, Table, rag_badge
from perfreport.reports.locality_view import Headline

ACTIVITY_BADGES = {"complete": "✓ Complete", "cancelled": "Cancelled"}
SUMMARY_COLUMNS = (
    "Delivery plan",
    "Activities",
    "Complete",
    "On track",
    "Behind",
    "Off track",
    "On track or complete",
)


def objectives_table(
    monitor: ActivityMonitor,
    activities: pd.DataFrame,
    headlines: list[Headline],
    framework: Framework,
    period: Period,
) -> Table:
    """Each strategic objective's status from its linked indicators and activities."""
    indicator_status = {h.indicator.id: h.rag.status.value for h in headlines}
    activity_status = dict(zip(activities["id"], activities["status"], strict=True))
    rows, records = [], []
    for objective in monitor.objectives:
        status, reason = objective_rag(objective, indicator_status, activity_status)
        rag = Rag(Status(status) if status in Status._value2member_map_ else Status.NO_DATA, "")
        theme = framework.theme_name(objective.theme)
        rows.append((objective.title, theme, rag_badge(rag), reason.capitalize()))
        records.append(
            {
                "objective": objective.id,
                "theme": objective.theme,
                "status": status,
                "reason": reason,
            }
        )
    return Table(
        f"Strategic objectives, {period.label}",
        ("Objective", "Strategic theme", "Status", "Why"),
        rows,
        pd.DataFrame(records),
    )


def activity_progress(monitor: ActivityMonitor, activities: pd.DataFrame, on: date) -> Section:
    """Activities by delivery plan (counts by status) and each activity with its reason."""
    plans = {p.id: p.name for p in monitor.plans}
    counts = roll_up(activities, "plan")
    summary = Table(
        f"Delivery plan activities by status at {on:%d %B %Y}",
        SUMMARY_COLUMNS,
        [
            (
                plans[str(r.plan)],
                str(r.activities),
                str(r.complete),
                str(r.green),
                str(r.amber),
                str(r.red),
                f"{r.percent_on_track:.0f}%",
            )
            for r in counts.itertuples()
        ],
        counts,
        numeric=(False, True, True, True, True, True, True),
    )
    detail = Table(
        f"Each delivery plan activity at {on:%d %B %Y}: progress and status",
        ("Activity", "Delivery plan", "Lead", "Due", "Progress", "Status", "Why"),
        [
            (
                a["title"],
                plans[a["plan"]],
                a["owner"],
                f"{a['due']:%d %B %Y}",
                f"{a['progress']}%",
                ACTIVITY_BADGES.get(a["status"]) or rag_badge(Rag(Status(a["status"]), "")),
                a["reason"].capitalize(),
            )
            for a in activities.to_dict("records")
        ],
        activities,
        numeric=(False, False, False, False, True),
    )
    return Section("Activities", [summary, detail], level=3)
