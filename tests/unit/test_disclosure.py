"""Statistical disclosure control: primary and secondary suppression, derived figures, rounding."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from perfreport.assess.disclosure import REASON, protect, round_count, suppress_parts
from perfreport.assess.rag import describe_value
from perfreport.assess.series import stored_xmr
from perfreport.config.cycles import load_cycles
from perfreport.config.disclosure import Disclosure
from perfreport.errors import PerfreportError
from perfreport.methods.rounding import format_number
from perfreport.methods.suppressed import SUPPRESSED
from tests.helpers import REPO, make_indicator

RULE = Disclosure()


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ([0, 1, 2, 3, 4, 5], [False, True, True, True, True, False]),  # 0 shown, 1-4 not
        ([120, 3, 40, 88], [False, True, True, False]),  # the smallest other part goes too
        ([120, 3, 4, 88], [False, True, True, False]),  # two small: nothing more to do
        ([0, 2, 9, 30], [False, True, True, False]),  # a zero hides nothing, so 9 goes
        ([7, 9, 30], [False, False, False]),
        ([2], [True]),
    ],
)
def test_suppress_parts(counts, hidden):
    assert suppress_parts(counts, RULE) == hidden


def test_threshold_is_configurable_and_control_can_be_off():
    assert suppress_parts([6, 9, 12, 40], Disclosure(threshold=10)) == [True, True, False, False]
    assert suppress_parts([1, 2, 30], Disclosure(control=False)) == [False, False, False]


def test_a_public_report_cannot_turn_control_off(tmp_path):
    with pytest.raises(ValueError, match="a public report cannot turn disclosure control off"):
        Disclosure(public=True, control=False)
    text = (REPO / "params" / "cycles.yaml").read_text()
    text = text.replace(
        "disclosure: {public: true, threshold: 5}", "disclosure: {public: true, control: false}", 1
    )
    path = tmp_path / "cycles.yaml"
    path.write_text(text)
    with pytest.raises(PerfreportError) as error:
        load_cycles(path, REPO)
    line = text[: text.index("disclosure: {public: true, control: false}")].count("\n") + 1
    assert str(error.value) == (
        f"{path}:{line}: cycle 'annual': field 'disclosure': a public report cannot turn "
        "disclosure control off (control: false)"
    )


def _results(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=["indicator_id", "area_code", "breakdown", "period_start", "period_end",
                 "numerator", "denominator", "value", "lower", "upper", "target_reason"],
    )  # fmt: skip


def test_protect_suppresses_small_counts_what_is_worked_out_from_them_and_a_sibling(areas):
    start, end = "2024-04-01", "2025-03-31"
    frame = _results(
        [
            # people delayed (a count): Clackmannanshire's 3 is small; Urban Stirling's 9 is the
            # smallest other locality, so it goes too (else 20 - 8 - 9 gives the 3 back)
            ("DD", "CS-CLK", "all", start, end, 3, np.nan, 3, np.nan, np.nan, "Red: 3 above"),
            ("DD", "CS-RST", "all", start, end, 12, np.nan, 12, np.nan, np.nan, "Green"),
            ("DD", "CS-UST", "all", start, end, 9, np.nan, 9, np.nan, np.nan, "Green"),
            ("DD", "S37000005", "all", start, end, 24, np.nan, 24, np.nan, np.nan, "Green"),
            # a percentage with a small denominator: numerator, value and interval go, and
            # Rural Stirling's (40 people, fewer than Urban Stirling's 41) goes with it
            ("PC", "CS-CLK", "all", start, end, 1, 2, 50.0, 9.5, 90.5, "Red: 30 points below"),
            ("PC", "CS-RST", "all", start, end, 0, 40, 0.0, 0.0, 8.8, "Red"),
            ("PC", "CS-UST", "all", start, end, 30, 41, 73.2, 58.1, 84.3, "Green"),
            ("PC", "S37000005", "all", start, end, 31, 83, 37.3, 27.7, 48.1, "Red"),
            # zero is not a small count
            ("ZE", "CS-CLK", "all", start, end, 0, 120, 0.0, 0.0, 3.1, "Green"),
        ]
    )
    out = protect(frame, RULE, areas)
    hidden = dict(zip(out["indicator_id"] + "@" + out["area_code"], out["suppressed"], strict=True))
    assert hidden == {
        "DD@CS-CLK": True, "DD@CS-RST": False, "DD@CS-UST": True, "DD@S37000005": False,
        "PC@CS-CLK": True, "PC@CS-RST": True, "PC@CS-UST": False, "PC@S37000005": False,
        "ZE@CS-CLK": False,
    }  # fmt: skip
    gone = out[out["suppressed"]]
    assert gone[["numerator", "denominator", "value", "lower", "upper"]].isna().all().all()
    assert (gone["target_reason"] == REASON).all()
    kept = out[~out["suppressed"]]
    assert kept["value"].tolist() == [12, 24, 73.2, 37.3, 0.0]
    assert frame.loc[0, "value"] == 3  # the input is left alone


def test_rounding_to_five_applies_to_the_counts_shown():
    assert [round_count(c, Disclosure(round_to=5)) for c in (5, 7, 7.5, 12.4, 0)] == [
        5,
        5,
        10,
        10,
        0,
    ]
    frame = _results(
        [("DD", "S37000005", "all", "2024-04-01", "2025-03-31", 23, np.nan, 23, np.nan, np.nan, "")]
    )
    out = protect(frame, Disclosure(round_to=5))
    assert out.loc[0, "numerator"] == 25 and out.loc[0, "value"] == 25


def test_suppressed_figures_show_as_c_and_anything_worked_out_from_them_is_missing():
    count = make_indicator(unit="count", method="count", target=[], tolerance=None)
    assert describe_value(count, SUPPRESSED) == "[c]"
    assert format_number(SUPPRESSED) == "[c]"
    assert math.isnan(SUPPRESSED - 1.0) and format_number(SUPPRESSED - 1.0) == "no data"


def test_a_survey_share_that_adds_some_withheld_options_is_withheld_too():
    from perfreport.config.strategy import Question, likert_summary

    summary = likert_summary(
        Question(
            id="Q5", text="I was given the information", scale="agree", responses=(41, 37, 12, 3, 0)
        )
    )
    hidden = suppress_parts(summary.counts, RULE)
    assert hidden == [False, False, True, True, False]
    text = summary.describe(hidden)
    assert text.startswith("84% agreed (44% strongly), [c] disagreed; 93 responses")
    assert "3%" not in text  # 3 of 93 would give 'tend to disagree' back
    assert summary.describe().startswith("84% agreed (44% strongly), 3% disagreed")


def test_another_periods_value_copied_onto_a_row_is_withheld_with_that_row(areas):
    rows = [
        ("DD", "CS-CLK", "all", "2024-09-01", "2024-09-30", 4, np.nan, 4, np.nan, np.nan, ""),
        ("DD", "CS-CLK", "all", "2024-10-01", "2024-10-31", 30, np.nan, 30, np.nan, np.nan, ""),
    ]
    frame = _results(rows).assign(
        period_kind="month",
        previous_value=[np.nan, 4.0],
        change_previous=[np.nan, 26.0],
        year_ago_value=np.nan,
        change_year=np.nan,
    )
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    out = protect(frame, RULE, areas)
    october = out.iloc[1]
    assert not october["suppressed"] and october["value"] == 30
    assert np.isnan(october["previous_value"]) and np.isnan(october["change_previous"])


def test_a_stored_spc_mean_and_limits_are_never_published_under_control():
    frame = pd.DataFrame(
        {
            "indicator_id": ["X"] * 3,
            "area_code": ["A"] * 3,
            "period_start": pd.to_datetime(["2024-04-01", "2024-05-01", "2024-06-01"]),
            "period_end": pd.to_datetime(["2024-04-30", "2024-05-31", "2024-06-30"]),
            "numerator": [30.0, 2.0, 40.0],
            "denominator": [50.0, 60.0, 70.0],
            "value": [60.0, 3.3, 57.1],
            "spc_mean": [40.1] * 3,
            "spc_lpl": [10.0] * 3,
            "spc_upl": [70.0] * 3,
            "spc_points": ["c0c0c0"] * 3,
        }
    )
    out = protect(frame, RULE)
    assert out["suppressed"].tolist() == [False, True, False]
    assert out[["spc_mean", "spc_lpl", "spc_upl", "spc_points"]].isna().all().all()
    assert stored_xmr(out.assign(period_kind="month"), None, "increase", "mdc") is None
    shown = protect(frame, None)
    assert shown["spc_mean"].tolist() == [40.1] * 3
    assert shown["spc_points"].tolist() == ["c0c0c0"] * 3
