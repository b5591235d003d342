"""Framework RAG (framework tables 3 and 4), table-driven: each rule and combination."""

from __future__ import annotations

from datetime import date

import pytest

from perfreport.assess.framework_rag import Evidence, Risk, framework_rag
from perfreport.config.plans import ImprovementPlan
from perfreport.config.rag_settings import load_rag_settings
from perfreport.methods.periods import Period
from perfreport.methods.status import Status
from tests.helpers import REPO, make_indicator

SETTINGS = load_rag_settings(REPO / "params" / "rag.yaml")
AS_OF = date(2025, 3, 31)
MONTHS = [
    Period.containing("month", date(2022 + (3 + i) // 12, (3 + i) % 12 + 1, 1)) for i in range(36)
]
PERCENT = make_indicator(breakdowns=["locality"])  # at least 80%, tolerance 5, higher is better
WIGGLE = [0.4, -0.3, 0.2, -0.4, 0.3, -0.2] * 6


def series(values, months=MONTHS):
    return list(zip(months, values, strict=True))


STEADY = [85 + w for w in WIGGLE]
DROPPED = [85 + w for w in WIGGLE[:30]] + [70.2, 69.8, 70.4, 69.6, 70.1, 69.9]
DIP = [70.3, 69.8, 70.1, 69.7, 70.2, 69.9]  # April to September 2024
RECOVERING = (
    [85 + w for w in WIGGLE[:24]] + DIP + [84.9, 85.1, 84.8, 85.0, 85.3, 85.6]
)  # March beats December
SLIPPING_BACK = [85 + w for w in WIGGLE[:24]] + DIP + [85.9, 86.1, 85.8, 85.4, 85.2, 85.1]


def plan(**changes):
    fields = dict(
        id="PIP-1",
        indicator="T",
        areas=["S37000005"],
        reason="Below target since October",
        new_risk=True,
        mitigation="Weekly huddles",
        owner="Head of Service",
        started=date(2024, 11, 1),
        expected_green=date(2025, 9, 30),
        review=date(2025, 6, 30),
    )
    fields.update(changes)
    return ImprovementPlan.model_validate(fields)


def rag(values=STEADY, months=MONTHS, indicator=PERCENT, present=frozenset({"locality"}), **kwargs):
    target = kwargs.pop("target", indicator.target_on(AS_OF))
    e = Evidence(indicator, AS_OF, series(values, months), target, present, **kwargs)
    return framework_rag(e, SETTINGS)


def test_green_no_risk():
    result = rag()
    assert (result.status, result.risks) == (Status.GREEN, ())
    assert str(result) == "Green: no risks to performance management"


def test_red_unmitigated():
    result = rag(DROPPED)
    assert result.status is Status.RED
    assert result.risks == (Risk.NO_IMPROVEMENT, Risk.UNEXPECTED)
    assert result.reasons[0] == "10.1 points below the 80.0% target (tolerance 5.0 points)"
    assert (
        result.reasons[1]
        == "no long-term improving trend and no projected return to target by a stated date"
    )
    assert result.reasons[2].startswith(
        "special cause of concern (outside limits since October 2024)"
    )
    assert result.reasons[-1] == "no improvement plan"


def test_amber_by_mitigation():
    result = rag(DROPPED, plan=plan())
    assert result.status is Status.AMBER
    assert (
        result.reasons[-1]
        == "mitigated by improvement plan PIP-1 (owner Head of Service; review 30 June 2025)"
    )
    assert "by 30 September 2025" in result.reasons[1]


def test_red_with_an_overdue_plan():
    result = rag(DROPPED, plan=plan(review=date(2025, 2, 28)))
    assert result.status is Status.RED
    assert result.reasons[-1] == "improvement plan PIP-1 was due for review on 28 February 2025"


def test_red_when_the_plans_green_date_has_passed_while_missing_target():
    result = rag(DROPPED, plan=plan(expected_green=date(2025, 1, 31), review=date(2025, 6, 30)))
    assert result.status is Status.RED
    assert "expected green by 31 January 2025, which has passed" in result.reasons[-1]


def test_improving_back_to_green_needs_short_term_improvement():
    back = rag(RECOVERING, previous_status=Status.AMBER, plan=plan())
    assert back.status is Status.GREEN
    not_yet = rag(SLIPPING_BACK, previous_status=Status.RED, plan=plan())
    assert not_yet.status is Status.AMBER
    assert not_yet.reasons[-1] == "was red and short-term performance has not yet improved"


def test_a_plan_alone_does_not_make_a_risk_free_indicator_amber_or_green_early():
    assert rag(STEADY, plan=plan()).status is Status.GREEN
    assert (
        rag(STEADY, previous_status=Status.RED).status is Status.AMBER
    )  # 85.3 vs 85.2 three months before? no


def test_stale_data_is_performance_not_managed():
    result = rag(STEADY[:30], months=MONTHS[:30])  # ends September 2024
    assert result.status is Status.RED and result.risks == (Risk.NOT_MANAGED,)
    assert (
        result.reasons[0]
        == "latest data are for September 2024, older than the 3 months a monthly indicator allows"
    )


def test_missing_breakdown_is_performance_not_managed():
    demographic = make_indicator(breakdowns=["locality", "age_group"])
    result = rag(indicator=demographic, present=frozenset({"locality"}))
    assert result.risks == (Risk.NOT_MANAGED,)
    assert result.reasons == (
        "no age group breakdown although one is expected",
        "no improvement plan",
    )
    assert (
        rag(indicator=demographic, present=frozenset({"locality"}), plan=plan()).status
        is Status.AMBER
    )


def test_no_target_is_performance_not_managed():
    untargeted = make_indicator(target=[], tolerance=None, breakdowns=["locality"])
    result = rag(indicator=untargeted, target=None)
    assert result.risks == (Risk.NOT_MANAGED,) and result.reasons[0] == "no target is set"


WINTER = [100.0 + (30 if m.start.month in (12, 1, 2, 3) else 0) for m in MONTHS]
ADMISSIONS = make_indicator(
    unit="count",
    method="count",
    polarity="lower_is_better",
    decimals=0,
    target={"value": 200, "unit": "count", "kind": "max"},
    tolerance=10,
    breakdowns=["locality"],
)


def test_seasonal_change_is_not_special_cause():
    result = rag(WINTER, indicator=ADMISSIONS)
    assert result.status is Status.GREEN and Risk.UNEXPECTED not in result.risks
    assert result.reasons == (
        "the change in the last months matches the same months last year "
        "(seasonal variation, not special cause)",
    )


def test_a_winter_worse_than_last_year_is_special_cause():
    worse = [*WINTER[:33], 190.0, 195.0, 192.0]
    result = rag(worse, indicator=ADMISSIONS)
    assert Risk.UNEXPECTED in result.risks and result.status is Status.RED
    assert any(r.startswith("special cause of concern") for r in result.reasons)


def test_a_projection_back_on_target_within_the_plans_date_removes_the_no_improvement_risk():
    climbing = [85 + w for w in WIGGLE[:24]] + [60, 62, 64, 66, 68, 70, 72, 74, 75, 76, 77, 78]
    result = rag(climbing, plan=plan(expected_green=date(2025, 12, 31)))
    assert Risk.NO_IMPROVEMENT not in result.risks
    assert any(
        "projected back on target" in r or "long-term trend is improving" in r
        for r in result.reasons
    )


@pytest.mark.parametrize(
    ("risks_present", "plan_state", "expected"),
    [
        (False, None, Status.GREEN),
        (True, None, Status.RED),
        (True, "current", Status.AMBER),
        (True, "overdue", Status.RED),
    ],
)
def test_table_4(risks_present, plan_state, expected):
    values = DROPPED if risks_present else STEADY
    chosen = {None: None, "current": plan(), "overdue": plan(review=date(2025, 1, 1))}[plan_state]
    assert rag(values, plan=chosen).status is expected
