"""Daily and weekly extracts made into months at ingest, by each indicator's aggregation."""

from __future__ import annotations

import pytest

from perfreport.errors import PerfreportError
from tests.unit.test_ingest_rows import check, reasons

DAILY = """\
name: daily
format: csv
area: {column: code}
period: {column: date, format: "%Y-%m-%d", kind: day}
suppression: ["NA", ""]
measures:
  - indicator: {id: INDICATOR}
    value: patients
"""
ROWS = (
    "code,date,patients\n"
    "CS-CLK,2025-01-01,10\n"
    "CS-CLK,2025-01-02,NA\n"
    "CS-CLK,2025-01-31,14\n"
    "CS-CLK,2025-02-01,3\n"
    "NA,2025-01-05,7\n"
    "CS-RST,2025-01-03,5\n"
    "CS-RST,2025-01-04,6\n"
)
"""Two areas' days: January's with a value are CLK 10 and 14, RST 5 and 6; one day has no
value, one row no area code."""


def months(validation) -> dict[tuple[str, str], float]:
    frame = validation.observations
    return {(row.area_code, str(row.period_start)): row.value for row in frame.itertuples()}


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        # DD-ADB: a daily census, aggregation mean (of the days with a value)
        (
            "DD-ADB",
            {
                ("CS-CLK", "2025-01-01"): 12.0,
                ("CS-CLK", "2025-02-01"): 3.0,
                ("CS-RST", "2025-01-01"): 5.5,
            },
        ),
        # MSG-1a: a count (sum)
        (
            "MSG-1a",
            {
                ("CS-CLK", "2025-01-01"): 24.0,
                ("CS-CLK", "2025-02-01"): 3.0,
                ("CS-RST", "2025-01-01"): 11.0,
            },
        ),
        # L-DD-01: a snapshot (last day's figure)
        (
            "L-DD-01",
            {
                ("CS-CLK", "2025-01-01"): 14.0,
                ("CS-CLK", "2025-02-01"): 3.0,
                ("CS-RST", "2025-01-01"): 6.0,
            },
        ),
    ],
)
def test_days_become_months_by_the_indicators_aggregation(tmp_path, indicator, expected):
    v = check(tmp_path, DAILY.replace("INDICATOR", indicator), ROWS)
    assert months(v) == expected
    assert v.aggregated_from == "daily"
    assert (v.rows_read, v.rows_accepted, v.rows_rejected, v.rows_filtered) == (7, 5, 2, 0)
    assert v.rows_read == v.rows_accepted + v.rows_rejected + v.rows_filtered
    assert reasons(v) == {
        3: f"no value for {indicator} on this day, so it cannot count towards its month",
        6: "missing area code (code is 'NA')",
    }
    january = v.observations[v.observations.area_code == "CS-CLK"].iloc[0]
    assert (str(january.period_end), january.source_row) == ("2025-01-31", 2)


def test_weeks_belong_to_the_month_holding_their_thursday(tmp_path):
    spec = DAILY.replace("INDICATOR", "MSG-1a").replace("kind: day", "kind: week")
    # weeks starting Monday 27 January 2025 (Thursday 30 January) and Monday 3 February
    v = check(tmp_path, spec, "code,date,patients\nCS-CLK,2025-01-27,4\nCS-CLK,2025-02-03,6\n")
    assert months(v) == {("CS-CLK", "2025-01-01"): 4.0, ("CS-CLK", "2025-02-01"): 6.0}
    ending = spec.replace("kind: week", "kind: week, week_date: end")
    # the week ending Sunday 2 February 2025 has its Thursday on 30 January
    v = check(tmp_path, ending, "code,date,patients\nCS-CLK,2025-02-02,4\nCS-CLK,2025-02-09,6\n")
    assert months(v) == {("CS-CLK", "2025-01-01"): 4.0, ("CS-CLK", "2025-02-01"): 6.0}
    assert v.aggregated_from == "weekly"


def test_a_ratio_indicator_without_parts_is_refused_in_one_line(tmp_path):
    with pytest.raises(PerfreportError) as caught:
        check(tmp_path, DAILY.replace("INDICATOR", "MSG-5a"), ROWS)
    assert str(caught.value) == (
        "source spec 'daily': indicator 'MSG-5a' has aggregation 'ratio', which cannot make "
        "months of daily rows without a numerator and a denominator in every row; declare "
        "'aggregation: mean', 'sum' or 'last' in its catalogue entry"
    )


def test_a_ratio_indicator_with_parts_adds_them(tmp_path):
    spec = DAILY.replace("INDICATOR", "MSG-5a").replace(
        "    value: patients\n", "    numerator: num\n    denominator: den\n"
    )
    v = check(tmp_path, spec, "code,date,num,den\nCS-CLK,2025-01-01,1,4\nCS-CLK,2025-01-02,2,4\n")
    row = v.observations.iloc[0]
    assert (row.numerator, row.denominator, row.value) == (3.0, 8.0, 37.5)


def test_the_same_day_twice_is_a_duplicate_not_a_month(tmp_path):
    v = check(
        tmp_path,
        DAILY.replace("INDICATOR", "DD-ADB"),
        "code,date,patients\nCS-CLK,2025-01-01,1\nCS-CLK,2025-01-01,2\nCS-CLK,2025-01-02,5\n",
    )
    assert sorted(reasons(v)) == [2, 3]
    assert months(v) == {("CS-CLK", "2025-01-01"): 5.0}


def test_a_day_in_the_future_is_refused(tmp_path):
    v = check(
        tmp_path, DAILY.replace("INDICATOR", "DD-ADB"), "code,date,patients\nCS-CLK,2025-07-01,1\n"
    )
    assert reasons(v) == {2: "period 1 July 2025 lies in the future (after 30 June 2025)"}
    assert v.observations.empty
