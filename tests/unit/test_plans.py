"""Improvement plans: validation against the catalogue and areas, and the exceptions."""

from __future__ import annotations

from datetime import date

import pytest

from perfreport.config.plans import load_plans, plan_exceptions
from perfreport.errors import PerfreportError
from tests.helpers import REPO

PLANS = REPO / "params" / "improvement_plans.yaml"


def test_the_demo_plans_load_and_apply_by_date(catalogue, areas):
    plans = load_plans(PLANS, catalogue, areas)
    assert len(plans) == 4
    assert plans.for_indicator("MSG-4", "CS-RST", date(2025, 3, 31)).id == "PIP-2023-07"
    assert plans.for_indicator("MSG-4", "CS-RST", date(2023, 10, 31)) is None  # not started
    assert (
        plans.for_indicator("L-CAH-02", "S37000005", date(2025, 3, 31)) is None
    )  # closed in January


def test_exceptions(catalogue, areas):
    plans = load_plans(PLANS, catalogue, areas)
    statuses = {
        ("MSG-4", "S37000005"): "amber",
        ("L-DD-01", "S37000005"): "red",
        ("L-COM-01", "CS-CLK"): "red",
        ("NI-2", "S37000005"): "green",
    }
    found = [
        (x.kind, x.indicator, x.plan) for x in plan_exceptions(plans, statuses, date(2025, 3, 31))
    ]
    assert found == [("no_plan", "L-COM-01", None), ("review_overdue", "L-DD-01", "PIP-2024-02")]
    later = [(x.kind, x.plan) for x in plan_exceptions(plans, statuses, date(2025, 4, 15))]
    assert ("green_date_passed", "PIP-2024-02") in later


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("indicator: MSG-4", "indicator: MSG-99"),
            "plan 'PIP-2023-07': field 'indicator': 'MSG-99' is not in the indicator catalogue",
        ),
        (
            lambda t: t.replace("areas: [S37000005, CS-RST]", "areas: [XX]"),
            "plan 'PIP-2025-01': field 'areas': unknown area 'XX'",
        ),
        (
            lambda t: t.replace("    owner: Commissioning Manager\n", ""),
            "plan 'PIP-2024-05': field 'owner': is required but missing",
        ),
        (
            lambda t: t.replace(
                "    not_new_because: Same pressure as delayed discharge bed days (PIP-2023-07); tracked separately for the census measure.\n",
                "",
            ),
            "plan 'PIP-2024-02': a risk that is not new needs 'not_new_because'",
        ),
        (
            lambda t: t.replace("review: 2025-08-31", "review: 2024-08-31"),
            "plan 'PIP-2025-01': 'review' is before 'started'",
        ),
    ],
)
def test_bad_plans_are_one_line_errors(tmp_path, catalogue, areas, edit, message):
    path = tmp_path / "plans.yaml"
    path.write_text(edit(PLANS.read_text()))
    with pytest.raises(PerfreportError) as caught:
        load_plans(path, catalogue, areas)
    assert message in str(caught.value) and "\n" not in str(caught.value)
