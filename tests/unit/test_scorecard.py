"""Balanced scorecard counts and the seed documents' benchmark formats."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from perfreport.assess.scorecard import goal_delta, latest_results, scorecard, with_previous
from tests.helpers import make_indicator


def results_frame():
    rows = [
        ("NI-2", "2023-04-01", "2024-03-31", "green", "green"),
        ("NI-3", "2023-04-01", "2024-03-31", "red", "amber"),
        ("MSG-4", "2025-02-01", "2025-02-28", "red", "red"),
        ("MSG-4", "2025-03-01", "2025-03-31", "red", "amber"),
        ("L-WF-01", "2025-03-01", "2025-03-31", "red", "red"),
        ("L-COM-01", "2025-04-01", "2025-04-30", "green", "green"),  # after the date asked for
    ]
    frame = pd.DataFrame(
        rows,
        columns=["indicator_id", "period_start", "period_end", "target_status", "framework_status"],
    )
    return frame.assign(
        area_code="S37000005",
        breakdown="all",
        period_end=pd.to_datetime(frame["period_end"]).dt.date,
    )


def test_latest_results_take_each_indicators_latest_period_up_to_the_date():
    latest = latest_results(results_frame(), "S37000005", date(2025, 3, 31))
    assert sorted(latest["indicator_id"]) == ["L-WF-01", "MSG-4", "NI-2", "NI-3"]
    assert latest.loc[latest.indicator_id == "MSG-4", "framework_status"].item() == "amber"


def test_scorecard_counts_every_section_of_table_1(catalogue):
    card = scorecard(results_frame(), catalogue, "S37000005", date(2025, 3, 31))
    assert list(card["section"].unique()) == [
        "Outcomes",
        "Delivery",
        "Management Indicators",
        "Stakeholders",
    ]
    assert len(card) == 14  # every sub-section of table 1, even those without indicators
    national = card[card.subsection == "National Outcomes"].iloc[0]
    assert (national.indicators, national.green, national.amber, national.no_data) == (17, 1, 1, 15)
    workforce = card[card.subsection == "Workforce"].iloc[0]
    assert (workforce.indicators, workforce.red, workforce.no_data) == (2, 1, 1)
    staff = card[card.subsection == "Public engagement"].iloc[0]
    assert staff.indicators == 0
    by_target = scorecard(
        results_frame(), catalogue, "S37000005", date(2025, 3, 31), family="target"
    )
    assert by_target[by_target.subsection == "National Outcomes"].iloc[0].red == 1


@pytest.mark.parametrize(
    ("value", "goal", "text"),
    [
        (69, 75.0, "69%  Goal: 75.0% (-6%)"),
        (77, 80.0, "77%  Goal: 80.0% (-3%)"),
        (77, 73.0, "77%  Goal: 73.0% (+4%)"),
        (88, 88.0, "88%  Goal: 88.0% (+0%)"),
        (80, 80.0, "80%  Goal: 80.0% (+0%)"),
    ],
)
def test_goal_delta_as_in_the_council_staff_survey(value, goal, text):
    assert goal_delta(value, goal) == text


def test_previous_year_in_brackets_as_in_the_council_report():
    ind = make_indicator()
    assert with_previous(ind, 76.9, 76.8) == "76.9% (76.8%)"
    assert with_previous(ind, 100, 100) == "100.0% (100.0%)"
    assert with_previous(ind, 93.5, None) == "93.5%"
