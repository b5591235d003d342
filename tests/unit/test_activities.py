"""Activity monitors, roll-ups and strategic objective RAG."""

from __future__ import annotations

from datetime import date

import pytest

from perfreport.config.activities import (
    Activity,
    activity_rag,
    activity_table,
    load_activities,
    objective_rag,
    roll_up,
)
from perfreport.errors import PerfreportError
from tests.helpers import REPO

ACTIVITIES = REPO / "params" / "activities.yaml"


def act(**changes):
    fields = dict(
        id="A",
        plan="P",
        theme="prevention",
        title="Test",
        owner="Owner",
        start=date(2024, 4, 1),
        due=date(2025, 3, 31),
        status="in_progress",
        progress=50,
    )
    fields.update(changes)
    return Activity.model_validate(fields)


@pytest.mark.parametrize(
    ("activity", "on", "status", "reason"),
    [
        (act(status="complete", progress=100), date(2025, 6, 1), "complete", "complete"),
        (act(status="cancelled"), date(2024, 6, 1), "cancelled", "cancelled"),
        (act(progress=90), date(2025, 4, 1), "red", "overdue since 31 March 2025 at 90% complete"),
        (act(status="on_hold"), date(2024, 10, 1), "amber", "on hold"),
        (
            act(progress=50),
            date(2024, 9, 30),
            "green",
            "on track: 50% complete, 50% of its time gone",
        ),
        (
            act(progress=40),
            date(2024, 9, 30),
            "green",
            "on track: 40% complete, 50% of its time gone",
        ),  # 10 behind
        (
            act(progress=30),
            date(2024, 9, 30),
            "amber",
            "behind: 30% complete, 50% of its time gone",
        ),
        (
            act(progress=25),
            date(2024, 9, 30),
            "amber",
            "behind: 25% complete, 50% of its time gone",
        ),  # 25 behind
        (
            act(progress=20),
            date(2024, 9, 30),
            "red",
            "well behind: 20% complete, 50% of its time gone",
        ),
        (
            act(status="not_started", progress=0),
            date(2024, 4, 20),
            "green",
            "on track: 0% complete, 5% of its time gone",
        ),
    ],
)
def test_activity_rag(activity, on, status, reason):
    rag = activity_rag(activity, on)
    assert (rag.status, rag.reason) == (status, reason)


def test_demo_roll_ups_by_plan_and_theme(catalogue):
    monitor = load_activities(ACTIVITIES, catalogue, catalogue.framework)
    table = activity_table(monitor, date(2025, 3, 31))
    assert len(table) == 10
    by_plan = roll_up(table, "plan").set_index("plan")
    assert by_plan.loc["WINTER", "activities"] == 2 and by_plan.loc["WINTER", "complete"] == 1
    assert by_plan.loc["WINTER", "red"] == 1  # vaccination uptake overdue
    assert by_plan.loc["SCP-DP", "activities"] == 5  # the cancelled one is left out
    carers = by_plan.loc["CARERS"]
    assert carers["percent_on_track"] == pytest.approx(
        (carers["complete"] + carers["green"]) / 2 * 100
    )
    assert set(roll_up(table, "theme")["theme"]) <= set(catalogue.framework.theme_ids)


@pytest.mark.parametrize(
    ("indicators", "activities", "expected"),
    [
        ({"X": "green", "Y": "green"}, {"A": "complete"}, "green"),
        ({"X": "green", "Y": "amber"}, {"A": "green"}, "amber"),
        ({"X": "green", "Y": "red"}, {"A": "green", "B": "green"}, "amber"),  # 1 of 4 red
        ({"X": "red", "Y": "green"}, {"A": "green"}, "red"),  # 1 of 3 red: a third
        ({}, {}, "no_measures"),
    ],
)
def test_objective_rag_rule(indicators, activities, expected):
    from perfreport.config.activities import Objective

    objective = Objective(
        id="O",
        theme="prevention",
        title="t",
        indicators=tuple(indicators),
        activities=tuple(activities),
    )
    assert objective_rag(objective, indicators, activities)[0] == expected


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace(
                "plan: WINTER, theme: prevention", "plan: SPRING, theme: prevention"
            ),
            "activity 'A-09': field 'plan': 'SPRING' is not a delivery plan",
        ),
        (
            lambda t: t.replace("indicators: [NI-7]", "indicators: [NI-77]"),
            "objective 'OBJ-5': field 'indicators': 'NI-77' is not in the indicator catalogue",
        ),
        (
            lambda t: t.replace("theme: loneliness, title: Fewer", "theme: lonely, title: Fewer"),
            "objective 'OBJ-5': field 'theme': 'lonely' is not a strategic theme",
        ),
        (
            lambda t: t.replace(
                "due: 2024-12-31, status: complete", "due: 2024-09-30, status: complete"
            ),
            "activity 'A-08': 'due' is before 'start'",
        ),
    ],
)
def test_bad_activity_files_are_one_line_errors(tmp_path, catalogue, edit, message):
    path = tmp_path / "activities.yaml"
    path.write_text(edit(ACTIVITIES.read_text()))
    with pytest.raises(PerfreportError) as caught:
        load_activities(path, catalogue, catalogue.framework)
    assert message in str(caught.value)
