"""Row checks: every row accepted or quarantined with its row number and every reason."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfreport.store.ingest import check_file, load_spec
from tests.helpers import COMPLAINTS_SPEC, LONG_SPEC, REPO

AS_OF = date(2025, 6, 30)


def check(tmp_path: Path, spec_text: str, csv_text: str):
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(spec_text)
    data = tmp_path / "extract.csv"
    data.write_text(csv_text, encoding="utf-8")
    from perfreport.config.areas import load_areas
    from perfreport.config.catalogue import load_catalogue

    return check_file(
        data,
        load_spec(spec_path),
        load_catalogue(REPO / "params" / "catalogue"),
        load_areas(REPO / "params" / "areas.yaml"),
        as_of=AS_OF,
    )


def reasons(validation) -> dict[int, str]:
    return dict(
        zip(validation.quarantine["row_number"], validation.quarantine["reasons"], strict=True)
    )


def test_good_rows_become_observations_with_values_from_their_parts(tmp_path):
    v = check(
        tmp_path,
        COMPLAINTS_SPEC,
        "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9\n2025-02,CS-CLK,10,10\n",
    )
    assert (v.rows_read, v.rows_accepted, v.rows_rejected) == (2, 2, 0)
    first = v.observations.iloc[0]
    assert (
        first.indicator_id,
        first.area_code,
        str(first.period_start),
        str(first.period_end),
    ) == ("L-COM-01", "CS-CLK", "2025-01-01", "2025-01-31")
    assert (first.breakdown, first.category, first.numerator, first.denominator) == (
        "all",
        "all",
        9,
        12,
    )
    assert first.value == pytest.approx(75.0)
    assert list(v.observations.source_row) == [2, 3]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2025-01,CS-CLK,10,12", "numerator 12 is greater than denominator 10"),
        (
            "2025-01,CS-CLK,-3,0",
            "denominator -3 is negative; numerator 0 is greater than denominator -3",
        ),
        ("2025-01,CS-CLK,10,-1", "numerator -1 is negative"),
        ("2025-01,XX-999,10,5", "unknown area code 'XX-999'"),
        ("Jan 2025,CS-CLK,10,5", "period 'Jan 2025' does not parse with format '%Y-%m'"),
        ("2031-01,CS-CLK,10,5", "period January 2031 lies in the future (after 30 June 2025)"),
        ("2025-01,CS-CLK,ten,5", "denominator (Complaints) 'ten' is not a number"),
        ("2025-01,CS-CLK,10,5%", "numerator (On time) '5%' is not a number"),
    ],
    ids=[
        "numerator-above-denominator",
        "negative-denominator",
        "negative-numerator",
        "unknown-area",
        "bad-period",
        "future-period",
        "non-numeric",
        "non-numeric-percent-sign",
    ],
)
def test_each_failure_kind_is_quarantined_with_its_reason(tmp_path, row, reason):
    v = check(
        tmp_path, COMPLAINTS_SPEC, f"Month,Locality,Complaints,On time\n2025-02,CS-RST,8,7\n{row}\n"
    )
    assert (v.rows_read, v.rows_accepted, v.rows_rejected) == (2, 1, 1)
    assert reasons(v) == {3: reason}
    assert list(v.observations.source_row) == [2]
    raw = json.loads(v.quarantine.raw.iloc[0])
    assert raw["Locality"] == row.split(",")[1]


def test_unknown_indicator_and_value_outside_unit_range(tmp_path):
    csv = (
        "indicator,area,period,sex,numerator,denominator,value\n"
        "L-COM-01,CS-CLK,2025-03,All,5,10,50\n"
        "L-XX-99,CS-CLK,2025-03,All,5,10,50\n"
        "L-COM-01,CS-RST,2025-03,All,,,120\n"
        "MSG-4,CS-RST,2025-03,All,,,-4\n"
    )
    v = check(tmp_path, LONG_SPEC, csv)
    assert reasons(v) == {
        3: "unknown indicator 'L-XX-99'",
        4: "value 120 is outside 0 to 100 for a percentage",
        5: "value -4 is negative, impossible for count",
    }


def test_every_reason_of_a_row_is_kept(tmp_path):
    v = check(tmp_path, COMPLAINTS_SPEC, "Month,Locality,Complaints,On time\n2031-13,XX,abc,-2\n")
    assert reasons(v) == {
        2: "unknown area code 'XX'; period '2031-13' does not parse with format '%Y-%m'; "
        "denominator (Complaints) 'abc' is not a number; numerator -2 is negative"
    }


def test_duplicate_keys_in_a_file_are_all_quarantined_naming_each_other(tmp_path):
    v = check(
        tmp_path,
        COMPLAINTS_SPEC,
        "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9\n2025-01,CS-RST,5,5\n2025-01,CS-CLK,12,8\n",
    )
    assert reasons(v) == {
        2: "duplicate of row 4 (same indicator, area, period and breakdown)",
        4: "duplicate of row 2 (same indicator, area, period and breakdown)",
    }
    assert v.rows_accepted == 1


@pytest.mark.parametrize("marker", ["*", ":", "c", "..", ""])
def test_suppression_markers_become_missing_never_zero(tmp_path, marker):
    v = check(
        tmp_path, COMPLAINTS_SPEC, f"Month,Locality,Complaints,On time\n2025-01,CS-CLK,4,{marker}\n"
    )
    assert v.rows_rejected == 0
    row = v.observations.iloc[0]
    assert row.numerator != row.numerator  # NaN, not 0
    assert row.value != row.value


def test_breakdown_columns_with_totals_and_crossed_categories(tmp_path):
    csv = (
        "indicator,area,period,sex,numerator,denominator,value\n"
        "L-COM-01,CS-CLK,2025-03,All,5,10,50\n"
        "L-COM-01,CS-CLK,2025-03,Female,3,6,50\n"
        "L-COM-01,CS-CLK,2025-03,,2,4,50\n"
    )
    v = check(tmp_path, LONG_SPEC, csv)
    assert list(zip(v.observations.breakdown, v.observations.category, strict=True)) == [
        ("all", "all"),
        ("sex", "Female"),
    ]
    assert reasons(v) == {4: "sex (sex) is blank"}


def test_filters_and_mappings_and_the_row_arithmetic(tmp_path):
    spec = (
        COMPLAINTS_SPEC
        + "mappings:\n  Locality: {Clackmannanshire: CS-CLK}\nfilters:\n  - {column: Locality, not_in: [Total]}\n"
    )
    v = check(
        tmp_path,
        spec,
        "Month,Locality,Complaints,On time\n2025-01,Clackmannanshire,12,9\n2025-01,Total,40,30\n"
        "\n2025-01,XX,1,1\n",
    )
    assert v.observations.area_code.tolist() == ["CS-CLK"]
    assert (v.rows_read, v.rows_filtered, v.rows_accepted, v.rows_rejected, v.blank_rows) == (
        3,
        1,
        1,
        1,
        1,
    )
    assert v.rows_read == v.rows_accepted + v.rows_rejected + v.rows_filtered
    assert reasons(v) == {5: "unknown area code 'XX'"}  # line 5: the blank line 4 keeps its place


def test_wide_extract_gives_one_observation_per_measure(tmp_path):
    spec = """\
name: wide
format: csv
area: {column: HBT}
period: {column: MonthOfDelay, format: "%Y%m", kind: month}
breakdowns:
  - {name: age_group, column: AgeGroup, total: 18plus}
  - {name: delay_reason, column: ReasonForDelay, total: All Delay Reasons}
measures:
  - indicator: {id: MSG-4}
    value: NumberOfDelayedBedDays
  - indicator: {id: DD-ADB}
    value: AverageDailyNumberOfDelayedBeds
"""
    csv = (
        "MonthOfDelay,HBT,AgeGroup,ReasonForDelay,NumberOfDelayedBedDays,AverageDailyNumberOfDelayedBeds\n"
        "202201,S08000019,18plus,All Delay Reasons,1500,48\n"
        "202201,S08000019,75plus,Code 9 AWI,200,-6\n"
    )
    v = check(tmp_path, spec, csv)
    assert reasons(v) == {3: "DD-ADB: value -6 is negative, impossible for count"}
    assert v.observations[["indicator_id", "breakdown", "category", "value"]].values.tolist() == [
        ["MSG-4", "all", "all", 1500.0],
        ["DD-ADB", "all", "all", 48.0],
    ]
    assert v.rows_read == 2 and v.rows_accepted == 1


FILTERED_SPEC = COMPLAINTS_SPEC + "filters:\n  - {column: Locality, in: [cs-clk]}\n"


def test_a_filter_value_in_the_wrong_case_warns_naming_the_value_in_the_file(tmp_path):
    v = check(
        tmp_path,
        FILTERED_SPEC,
        "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9\n2025-01,CS-RST,10,10\n",
    )
    assert (v.rows_read, v.rows_accepted, v.rows_rejected, v.rows_filtered) == (2, 0, 0, 2)
    assert v.warnings == (
        "spec 'council_complaints': filter on column 'Locality' (in): 'cs-clk' matches no value "
        "in the file; nearest value in the file: 'CS-CLK' (the case differs)",
        "spec 'council_complaints': the filter on column 'Locality' leaves out every row",
    )


def test_a_filter_value_nearly_matching_names_the_nearest(tmp_path):
    spec = COMPLAINTS_SPEC + "filters:\n  - {column: Kind, not_in: [Totl]}\n"
    v = check(
        tmp_path,
        spec,
        "Month,Locality,Complaints,On time,Kind\n2025-01,CS-CLK,12,9,Total\n2025-01,CS-RST,1,1,Part\n",
    )
    assert v.warnings == (
        "spec 'council_complaints': filter on column 'Kind' (not_in): 'Totl' matches no value in "
        "the file; nearest value in the file: 'Total'",
    )
    assert (v.rows_accepted, v.rows_filtered) == (2, 0)


def test_a_row_with_a_missing_filtered_area_code_is_quarantined_not_filtered(tmp_path):
    v = check(
        tmp_path,
        FILTERED_SPEC.replace("cs-clk", "CS-CLK"),
        "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9\n2025-01,CS-RST,10,10\n"
        "2025-01,NA,3,1\n2025-01,,3,1\n2025-01,N/A,3,1\n",
    )
    assert (v.rows_read, v.rows_accepted, v.rows_rejected, v.rows_filtered) == (5, 1, 3, 1)
    assert v.rows_read == v.rows_accepted + v.rows_rejected + v.rows_filtered
    assert reasons(v) == {
        4: "missing area code (Locality is 'NA')",
        5: "missing area code (Locality is '')",
        6: "missing area code (Locality is 'N/A')",
    }
    assert v.warnings == ()


def test_a_row_with_another_missing_filtered_column_is_quarantined_with_its_reason(tmp_path):
    spec = COMPLAINTS_SPEC + "filters:\n  - {column: Sex, in: [All]}\n"
    v = check(
        tmp_path,
        spec,
        "Month,Locality,Complaints,On time,Sex\n2025-01,CS-CLK,12,9,All\n2025-01,CS-RST,1,1,\n"
        "2025-01,CS-UST,1,1,Female\n",
    )
    assert reasons(v) == {
        3: "Sex is missing (''), so the filter on it cannot tell whether to keep the row"
    }
    assert (v.rows_accepted, v.rows_rejected, v.rows_filtered) == (1, 1, 1)


def test_a_mapping_key_no_cell_holds_warns_naming_the_nearest(tmp_path):
    spec = COMPLAINTS_SPEC + "mappings:\n  Locality: {Clackmannanshire: CS-CLK, Stirlng: CS-RST}\n"
    v = check(
        tmp_path,
        spec,
        "Month,Locality,Complaints,On time\n2025-01,Clackmannanshire,12,9\n2025-01,Stirling,1,1\n",
    )
    assert v.warnings == (
        "spec 'council_complaints': mappings for column 'Locality': 'Stirlng' matches no value "
        "in the file; nearest value in the file: 'Stirling'",
    )
    assert reasons(v) == {3: "unknown area code 'Stirling'"}


@pytest.mark.parametrize(
    ("label", "start"),
    [("Jan-Mar 2025", "2025-01-01"), ("Q4 2024/25", "2025-01-01"), ("202501", "2025-01-01")],
)
def test_period_labels_of_open_data_are_read(tmp_path, label, start):
    spec = COMPLAINTS_SPEC.replace(
        '{column: Month, format: "%Y-%m", kind: month}', "{column: Month, format: label}"
    )
    if "Q" in label or "-" in label:  # a quarter: a quarterly indicator's figure
        spec = spec.replace("{id: L-COM-01}", "{id: L-CAR-01}")
    v = check(tmp_path, spec, f"Month,Locality,Complaints,On time\n{label},CS-CLK,12,9\n")
    assert str(v.observations.iloc[0].period_start) == start


def test_a_period_label_that_does_not_parse_lists_the_formats(tmp_path):
    spec = COMPLAINTS_SPEC.replace(
        '{column: Month, format: "%Y-%m", kind: month}', "{column: Month, format: label}"
    )
    v = check(tmp_path, spec, "Month,Locality,Complaints,On time\nJan-Apr 2025,CS-CLK,12,9\n")
    assert reasons(v)[2].startswith(
        "period 'Jan-Apr 2025' is not a period label; accepted: 2024/25 (financial year); "
    )
    assert reasons(v)[2].endswith("2024 (calendar year)")


CELLS = {
    "Month": ["2025-01", "2025-02", "2030-01", "Jan", ""],
    "Locality": ["CS-CLK", "CS-RST", "cs-clk", "NA", "", "XX", "Total"],
    "Complaints": ["12", "10", "*", "", "x", "-1"],
    "On time": ["9", "10", "13", "NA", ""],
}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.fixed_dictionaries({c: st.sampled_from(v) for c, v in CELLS.items()}),
        min_size=1,
        max_size=12,
    ).filter(lambda rows: any(any(row.values()) for row in rows)),
    rule=st.sampled_from(["in: [CS-CLK, CS-RST]", "not_in: [Total]", "in: [cs-clk]"]),
)
def test_every_row_read_is_accepted_quarantined_or_filtered(tmp_path, catalogue, areas, rows, rule):
    spec = tmp_path / "spec.yaml"
    spec.write_text(COMPLAINTS_SPEC + f"filters:\n  - {{column: Locality, {rule}}}\n")
    data = tmp_path / "extract.csv"
    lines = [",".join(row[c] for c in CELLS) for row in rows]
    data.write_text("\n".join([",".join(CELLS), *lines]) + "\n")
    v = check_file(data, load_spec(spec), catalogue, areas, as_of=AS_OF)
    filled = [row for row in rows if any(row.values())]
    assert v.rows_read == len(filled)
    assert v.rows_read == v.rows_accepted + v.rows_rejected + v.rows_filtered
    assert len(v.observations) == v.rows_accepted
    missing_area = sum(row["Locality"] in ("NA", "") for row in filled)
    assert v.rows_rejected >= missing_area  # never filtered away


def test_filters_that_together_leave_out_every_row_warn(tmp_path):
    spec = COMPLAINTS_SPEC + (
        "filters:\n  - {column: Locality, in: [CS-CLK]}\n  - {column: Month, not_in: [2025-01]}\n"
    )
    v = check(
        tmp_path,
        spec,
        "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9\n2025-02,CS-RST,10,10\n",
    )
    assert v.warnings == ("spec 'council_complaints': the filters together leave out every row",)
    assert (v.rows_accepted, v.rows_filtered) == (0, 2)
