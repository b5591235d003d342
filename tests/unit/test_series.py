"""Combining monthly figures into quarters by each indicator's aggregation rule."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from perfreport.assess.series import display_kind, to_periods
from perfreport.methods.periods import parse_period, period_kind_of
from perfreport.store.demo import OBSERVATION_COLUMNS
from tests.helpers import make_indicator


def months(
    values: list[tuple[float | None, float | None]], start_month: int = 1, year: int = 2025
) -> pd.DataFrame:
    rows = []
    for i, (num, den) in enumerate(values):
        first = date(year, start_month + i, 1)
        last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
        value = num if den is None else (None if num is None else num / den * 100)
        rows.append(("T", "A", first, last, "all", "all", num, den, value))
    return pd.DataFrame(rows, columns=list(OBSERVATION_COLUMNS))


def test_proportions_add_numerators_and_denominators(catalogue):
    # L-COM-01: 30/40, 10/10, 20/50 -> 60/100 = 60%, not the mean of 75%, 100%, 40%.
    out = to_periods(months([(30, 40), (10, 10), (20, 50)]), catalogue["L-COM-01"], "quarter")
    assert len(out) == 1
    row = out.iloc[0]
    assert row["period"] == parse_period("2024-25-Q4")
    assert (row["numerator"], row["denominator"]) == (60, 100)
    assert row["value"] == pytest.approx(60.0)


def test_counts_add_up(catalogue):
    out = to_periods(
        months([(1200, None), (1300, None), (1250, None)]), catalogue["MSG-1a"], "quarter"
    )
    assert out.iloc[0]["value"] == 3750
    assert pd.isna(out.iloc[0]["denominator"])


def test_snapshots_take_the_last_month(catalogue):
    out = to_periods(months([(18, None), (25, None), (21, None)]), catalogue["L-DD-01"], "quarter")
    assert out.iloc[0]["value"] == 21


def test_population_rates_add_events_over_the_average_population():
    ind = make_indicator(
        unit="per_1000", method="rate", polarity="lower_is_better", target=[], tolerance=None
    )
    out = to_periods(months([(10, 1000), (20, 1000), (30, 1000)]), ind, "quarter")
    assert out.iloc[0]["value"] == pytest.approx(60.0)  # 60 events per 1,000 people in the quarter


def test_an_incomplete_quarter_is_not_shown(catalogue):
    two_months = months([(30, 40), (10, 10)])
    assert to_periods(two_months, catalogue["L-COM-01"], "quarter").empty


def test_display_kind_keeps_less_frequent_indicators(catalogue):
    assert display_kind(catalogue["MSG-4"], "quarter") == "quarter"
    assert display_kind(catalogue["L-CAR-01"], "quarter") == "quarter"
    assert display_kind(catalogue["NI-12"], "quarter") == "financial_year"
    assert display_kind(catalogue["NI-11"], "quarter") == "calendar_year"


@pytest.mark.parametrize(
    ("start", "end", "kind"),
    [
        (date(2025, 1, 1), date(2025, 1, 31), "month"),
        (date(2025, 1, 1), date(2025, 3, 31), "quarter"),
        (date(2024, 4, 1), date(2025, 3, 31), "financial_year"),
        (date(2024, 1, 1), date(2024, 12, 31), "calendar_year"),
    ],
)
def test_period_kind_from_dates(start, end, kind):
    assert period_kind_of(start, end) == kind


def test_the_stored_xmr_chart_is_the_chart_xmr_draws():
    """``prepare`` stores a row's chart as its limits and two characters a point;
    ``stored_xmr`` gives back the chart :func:`xmr` draws of the same values."""
    from perfreport.assess.series import spc_points, stored_xmr
    from perfreport.methods.spc import classify, xmr

    values = [5.0, 6, 5, 7, 6, 5, 6, 7, 6, 5, 14, 9, 9, 10, 9, 11, 10, 12, 13, 14]
    chart = classify(values, "decrease")
    codes = spc_points(chart)
    assert len(codes) == 2 * len(values) and set(codes[::2]) == {"i", "x"}
    assert any(int(d, 16) & 2 for d in codes[1::2])  # a shift is among the rules stored
    rows = pd.DataFrame(
        {
            "value": values,
            "spc_mean": chart.mean[-1],
            "spc_lpl": chart.lpl[-1],
            "spc_upl": chart.upl[-1],
            "spc_points": [None] * (len(values) - 1) + [codes],
        }
    )
    stored = stored_xmr(rows, 8.0, "decrease", "mdc")
    expected = xmr(values, "decrease", target=8.0)
    assert stored is not None
    pd.testing.assert_frame_equal(stored.points, expected.points, check_dtype=False)
    assert stored.variation == expected.variation == "special_cause_concern"
    assert stored.assurance == expected.assurance and stored.rules == expected.rules
    # a withheld point leaves the rows short of the stored chart: no chart rather than a wrong one
    assert stored_xmr(rows.drop(index=3), 8.0, "decrease", "mdc") is None
    # too few points for SPC: nothing stored on the latest row
    assert stored_xmr(rows.iloc[:-1], 8.0, "decrease", "mdc") is None


def value_only(values: list[float | None], start_month: int = 1) -> pd.DataFrame:
    """Months with a value and no numerator or denominator, as most open data come."""
    frame = months([(v, None) for v in values], start_month)
    return frame.assign(numerator=float("nan"))


VALUE_ONLY = dict(target=[], tolerance=None)


@pytest.mark.parametrize(
    ("unit", "method", "aggregation", "expected"),
    [
        ("count", "count", "sum", 36.0),  # 10 + 12 + 14
        ("count", "count", None, 36.0),  # a count's default: sum
        ("count", "count", "last", 14.0),
        ("percent", "proportion", "mean", 12.0),
        ("count", "count", "mean", 12.0),
    ],
)
def test_value_only_months_combine_by_the_declared_rule(unit, method, aggregation, expected):
    ind = make_indicator(unit=unit, method=method, aggregation=aggregation, **VALUE_ONLY)
    out = to_periods(value_only([10, 12, 14]), ind, "quarter")
    row = out.iloc[0]
    assert row["value"] == pytest.approx(expected)
    assert pd.isna(row["numerator"]) and pd.isna(row["denominator"])
    assert out["value"].dtype == float  # a float column, never objects holding None


def test_a_value_only_sum_with_a_missing_month_has_no_value():
    ind = make_indicator(unit="count", method="count", **VALUE_ONLY)
    out = to_periods(value_only([10, None, 14]), ind, "quarter")
    assert out["value"].isna().all() and out["value"].dtype == float


def test_value_only_counts_get_poisson_intervals_from_their_values():
    from perfreport.assess.totals import with_intervals
    from perfreport.methods.stats import poisson_limits

    ind = make_indicator(unit="count", method="count", **VALUE_ONLY)
    out = with_intervals(value_only([10, 12, 14]), ind)
    low, high = poisson_limits(out["value"].to_numpy(float))
    assert list(out["lower"]) == pytest.approx(list(low))
    assert list(out["upper"]) == pytest.approx(list(high))
    assert set(out["ci_method"]) == {"Poisson"}


def test_aggregation_none_has_no_quarters_or_years_and_shows_its_own_months():
    from perfreport.assess.totals import roll_ups

    ind = make_indicator(aggregation="none", **VALUE_ONLY)
    assert roll_ups(value_only([70.5, 71.5, 80.0]), ind) == []
    assert display_kind(ind, "quarter") == "month"
    assert display_kind(make_indicator(aggregation="mean"), "quarter") == "quarter"


@pytest.mark.parametrize(
    ("aggregation", "says"),
    [
        ("ratio", "aggregation 'ratio'"),
        (None, "aggregation 'ratio' (the default for method 'proportion')"),
        ("population", "aggregation 'population'"),
    ],
)
def test_ratio_rules_on_value_only_rows_are_refused_in_one_line(aggregation, says):
    from perfreport.assess.totals import roll_ups
    from perfreport.errors import PerfreportError

    ind = make_indicator(id="O-PCT", aggregation=aggregation, **VALUE_ONLY)
    with pytest.raises(PerfreportError) as caught:
        roll_ups(value_only([70.5, 71.5, 80.0]), ind)
    assert str(caught.value) == (
        f"indicator 'O-PCT': {says} needs numerators and denominators, but its rows carry "
        "values only; declare aggregation: mean, sum, last or none"
    )


def test_ratio_rules_with_numerators_and_denominators_roll_up():
    from perfreport.assess.totals import roll_ups

    (quarters,) = roll_ups(months([(30, 40), (10, 10), (20, 50)]), make_indicator())
    assert list(quarters["value"]) == [pytest.approx(60.0)]  # no whole year in three months


@pytest.mark.parametrize("aggregation", ["ratio", "population"])
def test_a_count_cannot_be_combined_over_a_denominator(tmp_path, aggregation):
    from perfreport.config.catalogue import load_catalogue
    from perfreport.errors import PerfreportError
    from tests.helpers import REPO, write_catalogue

    entry = (
        "indicators:\n  - id: T-1\n    set: local\n    title: Open data count\n"
        "    description: test\n    unit: count\n    method: count\n"
        f"    aggregation: {aggregation}\n    polarity: lower_is_better\n"
        "    frequency: monthly\n    scorecard: {section: Delivery, subsection: Service Measures}\n"
        "    source: test\n"
    )
    (tmp_path / "params" / "catalogue").mkdir(parents=True)
    path = write_catalogue(tmp_path, entry)
    with pytest.raises(PerfreportError) as caught:
        load_catalogue(path.parent, REPO / "params" / "framework.yaml")
    assert str(caught.value) == (
        f"{path}:8: entry 'T-1': field 'aggregation': '{aggregation}' combines numerators over "
        "denominators, and a count has no denominator; use sum, mean, last or none"
    )
