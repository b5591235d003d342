"""Target RAG, table-driven: every status, both polarities, bands and the exact thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from perfreport.assess.rag import applicable_target, change_direction, target_rag
from perfreport.methods.periods import parse_period
from perfreport.methods.status import Status
from tests.helpers import make_indicator

ON = date(2025, 3, 31)


HIGHER = make_indicator()
LOWER = make_indicator(
    polarity="lower_is_better",
    unit="count",
    method="count",
    decimals=0,
    target={"value": 20, "unit": "count", "kind": "max"},
    tolerance=3,
)
BAND = make_indicator(
    polarity="neutral",
    method="ratio",
    decimals=2,
    target={"value": -1.0, "upper": 1.0, "unit": "percent", "kind": "band"},
    tolerance=1.0,
)


@pytest.mark.parametrize(
    ("ind", "value", "status", "reason"),
    [
        (HIGHER, 85.0, Status.GREEN, "meets the 80.0% target; 5.0 points above it"),
        (HIGHER, 80.0, Status.GREEN, "meets the 80.0% target"),  # exactly on target
        (HIGHER, 79.96, Status.GREEN, "meets the 80.0% target"),  # shows as 80.0
        (HIGHER, 79.9, Status.AMBER, "0.1 points below the 80.0% target (tolerance 5.0 points)"),
        (
            HIGHER,
            75.0,
            Status.AMBER,
            "5.0 points below the 80.0% target (tolerance 5.0 points)",
        ),  # edge
        (HIGHER, 74.9, Status.RED, "5.1 points below the 80.0% target (tolerance 5.0 points)"),
        (HIGHER, 73.8, Status.RED, "6.2 points below the 80.0% target (tolerance 5.0 points)"),
        (LOWER, 20, Status.GREEN, "meets the 20 target"),
        (LOWER, 12, Status.GREEN, "meets the 20 target; 8 below it"),
        (LOWER, 23, Status.AMBER, "3 above the 20 target (tolerance 3)"),
        (LOWER, 24, Status.RED, "4 above the 20 target (tolerance 3)"),
        (BAND, 0.4, Status.GREEN, "within the target range of -1.00% and 1.00%"),
        (BAND, 1.0, Status.GREEN, "within the target range of -1.00% and 1.00%"),
        (
            BAND,
            1.8,
            Status.AMBER,
            "0.80 points above the target range of -1.00% and 1.00% (tolerance 1.00 points)",
        ),
        (
            BAND,
            -2.5,
            Status.RED,
            "1.50 points below the target range of -1.00% and 1.00% (tolerance 1.00 points)",
        ),
        (HIGHER, None, Status.NO_DATA, "no data for this period"),
    ],
)
def test_target_rag(ind, value, status, reason):
    rag = target_rag(ind, value, ind.target_on(ON))
    assert (rag.status, rag.reason) == (status, reason)


def test_no_target_is_shown_not_guessed():
    ind = make_indicator(target=[], tolerance=None)
    rag = target_rag(ind, 50.0, ind.target_on(ON))
    assert rag.status is Status.NO_TARGET
    assert str(rag) == "No target: no target is set for this indicator and area"


def test_without_tolerance_a_miss_is_red():
    ind = make_indicator(tolerance=None)
    assert target_rag(ind, 79.9, ind.target_on(ON)).status is Status.RED


def test_latest_target_in_force_applies():
    ind = make_indicator(
        target=[
            {"value": 70, "unit": "percent", "kind": "min"},
            {"value": 80, "unit": "percent", "kind": "min", "from": "2024-04-01"},
        ]
    )
    assert ind.target_on(date(2024, 3, 31)).value == 70
    assert ind.target_on(date(2024, 4, 1)).value == 80


def test_count_targets_bind_the_partnership_and_scale_to_the_quarter():
    monthly_count = make_indicator(
        polarity="lower_is_better",
        unit="count",
        method="count",
        target={"value": 1350, "unit": "count", "kind": "max"},
        tolerance=50,
    )
    quarter = parse_period("2024-25-Q4")
    assert applicable_target(monthly_count, quarter, "body").value == 4050
    assert applicable_target(monthly_count, quarter, "part") is None
    assert applicable_target(monthly_count, parse_period("2025-03"), "body").value == 1350
    # Percentages bind every area and are not scaled.
    assert applicable_target(HIGHER, quarter, "part").value == 80
    snapshot = make_indicator(
        polarity="lower_is_better",
        unit="count",
        method="count",
        aggregation="last",
        target={"value": 20, "unit": "count", "kind": "max", "applies_to": "all_areas"},
    )
    assert applicable_target(snapshot, quarter, "part").value == 20


@pytest.mark.parametrize(
    ("ind", "change", "word"),
    [
        (HIGHER, 2.0, "improved"),
        (HIGHER, -2.0, "worsened"),
        (LOWER, -3, "improved"),
        (LOWER, 3, "worsened"),
        (HIGHER, 0.04, "no change"),
        (BAND, 0.5, "higher"),
        (HIGHER, None, "not available"),
    ],
)
def test_change_direction_follows_polarity(ind, change, word):
    assert change_direction(ind, change) == word


def test_rag_of_a_row_reads_the_cycles_family():
    import pandas as pd

    from perfreport.assess.rag import rag_of

    row = pd.Series(
        {
            "target_status": "red",
            "target_reason": "6.2 points below the 80.0% target",
            "framework_status": "amber",
            "framework_reason": "Amber: mitigated by improvement plan PIP-1",
        }
    )
    assert (rag_of(row, "target").status, rag_of(row, "target").reason) == (
        Status.RED,
        "6.2 points below the 80.0% target",
    )
    framework = rag_of(row, "framework")
    assert (framework.status, framework.reason) == (
        Status.AMBER,
        "mitigated by improvement plan PIP-1",
    )
    # an area the framework does not assess (the country) shows its target status
    unassessed = row.copy()
    unassessed["framework_status"] = None
    assert rag_of(unassessed, "framework").status is Status.RED
    no_row = rag_of(None, "framework")
    assert (no_row.status, no_row.reason) == (Status.NO_DATA, "no data for this period")
