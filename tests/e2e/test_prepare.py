"""prepare: the results table every report reads, checked against independent calculations."""

from __future__ import annotations

import shutil
from datetime import date
from importlib.metadata import version
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from perfreport.errors import PerfreportError
from perfreport.methods.periods import parse_period
from perfreport.methods.stats import poisson_limits, proportion
from perfreport.reports.context import ReportContext
from tests.helpers import copy_project, run_cli

MONTHLY = [
    "MSG-1a",
    "MSG-2a",
    "MSG-3a",
    "MSG-4",
    "DD-ADB",
    "L-DD-01",
    "L-CAH-01",
    "L-CAH-02",
    "L-COM-01",
    "L-ASP-01",
    "L-REV-01",
    "L-WF-01",
    "L-FIN-01",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("prepare") / "project")
    for args in (
        ("generate-demo",),
        ("ingest", "demo_observations", "data/demo/observations.csv"),
        ("prepare",),
    ):
        result = run_cli(*args, cwd=root)
        assert result.code == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def results(project) -> pd.DataFrame:
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("SELECT * FROM results").df()


def row(results, indicator, area, start, breakdown="all", category="all"):
    found = results[
        (results.indicator_id == indicator)
        & (results.area_code == area)
        & (pd.to_datetime(results.period_start).dt.date == start)
        & (results.breakdown == breakdown)
        & (results.category == category)
    ]
    if len(found) > 1:  # a monthly indicator's month row, not the quarter or year starting then
        found = found[found.period_kind == "month"]
    assert len(found) == 1
    return found.iloc[0]


def test_one_result_per_observation(project, results):
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        observations = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
    catalogue = ReportContext.load(project).catalogue
    native_kind = results.indicator_id.map({i.id: i.period_kind for i in catalogue})
    native = results[(results.period_kind == native_kind) & results.observed & ~results.derived]
    assert len(native) == observations
    keys = ["indicator_id", "area_code", "period_start", "period_end", "breakdown", "category"]
    assert not results.duplicated(keys).any()


def test_the_demo_partnership_has_figures_of_its_own_so_none_is_summed(results):
    """An area's figure is summed from its children's only where it has none of its own
    (``derived``, :mod:`perfreport.assess.area_sums`); the demo's partnership has its own."""
    assert results.derived.dtype == bool and not results.derived.any()


def test_periods_without_data_are_shown_as_no_data(results):
    gap = results[~results.observed.astype(bool)]
    assert len(gap) > 0 and gap.value.isna().all() and (gap.target_status == "no_data").all()
    assert set(gap.indicator_id) == {"L-REA-01"}  # its return stops in June 2024 in the demo


def test_monthly_indicators_also_get_quarters(results):
    quarter = results[
        (results.indicator_id == "MSG-4")
        & (results.area_code == "S37000005")
        & (results.breakdown == "all")
        & (results.period_label == "Q4 2024/25")
    ].iloc[0]
    months = [row(results, "MSG-4", "S37000005", date(2025, m, 1)).value for m in (1, 2, 3)]
    assert quarter.value == sum(months)
    assert quarter.target_text == "at most 4,200"  # 1,400 a month over three months
    assert quarter.framework_status in ("green", "amber", "red")


def test_sub_annual_indicators_also_get_financial_years(results):
    def totals(indicator, kind, start):
        return results[
            (results.indicator_id == indicator)
            & (results.area_code == "S37000005")
            & (results.breakdown == "all")
            & (results.period_kind == kind)
            & (pd.to_datetime(results.period_start).dt.date >= start)
            & (pd.to_datetime(results.period_start).dt.date <= date(2025, 3, 1))
        ]

    year = totals("MSG-4", "financial_year", date(2024, 4, 1))
    assert len(year) == 1 and year.iloc[0].period_label == "2024/25"
    assert year.iloc[0].value == totals("MSG-4", "month", date(2024, 4, 1)).value.sum()
    assert year.iloc[0].target_text == "at most 16,800"  # 1,400 a month over twelve months
    # a quarterly percentage is recalculated from the year's numerators and denominators
    quarters = totals("L-CAR-02", "quarter", date(2024, 4, 1))
    year = totals("L-CAR-02", "financial_year", date(2024, 4, 1)).iloc[0]
    assert len(quarters) == 4
    assert year.numerator == quarters.numerator.sum()
    assert year.denominator == quarters.denominator.sum()
    assert year.value == pytest.approx(100 * year.numerator / year.denominator)
    # annual indicators are not rolled up again
    assert set(results[results.indicator_id == "NI-11"].period_kind) == {"calendar_year"}


def test_intervals_follow_the_indicator_method(results):
    complaints = row(results, "L-COM-01", "CS-RST", date(2025, 3, 1))
    wilson = proportion(complaints.numerator, complaints.denominator, multiplier=100)
    assert (complaints.lower, complaints.upper) == (
        pytest.approx(wilson.lower),
        pytest.approx(wilson.upper),
    )
    assert complaints.ci_method == "Wilson"
    admissions = row(results, "MSG-1a", "S37000005", date(2025, 3, 1))
    low, high = poisson_limits(admissions.numerator)
    assert (admissions.lower, admissions.upper) == (pytest.approx(low), pytest.approx(high))
    by_age = row(results, "MSG-1a", "CS-RST", date(2025, 3, 1), "age_group", "75+")
    assert by_age.lower <= by_age.value <= by_age.upper


def test_changes_on_the_previous_period_and_a_year_earlier(results):
    now = row(results, "MSG-4", "S37000005", date(2025, 3, 1))
    before = row(results, "MSG-4", "S37000005", date(2025, 2, 1))
    year_ago = row(results, "MSG-4", "S37000005", date(2024, 3, 1))
    assert now.change_previous == pytest.approx(now.value - before.value)
    assert now.change_year == pytest.approx(now.value - year_ago.value)
    assert now.year_ago_value == year_ago.value


def test_framework_rag_spc_and_plans_for_delayed_discharges(results):
    dd = row(results, "MSG-4", "S37000005", date(2025, 3, 1))
    assert dd.framework_status == "amber" and dd.plan_id == "PIP-2023-07"
    assert dd.framework_reason.startswith("Amber: ")
    assert "mitigated by improvement plan PIP-2023-07" in dd.framework_reason
    assert dd.spc_type == "special_cause_concern"
    assert dd.target_status == "red" and dd.target_text == "at most 1,400"
    before_plan = row(results, "MSG-4", "S37000005", date(2023, 10, 1))
    assert before_plan.plan_id is None or pd.isna(before_plan.plan_id)


def test_benchmarks_and_funnel_positions(results):
    local = row(results, "NI-12", "CS-RST", date(2024, 4, 1))
    partnership = row(results, "NI-12", "S37000005", date(2024, 4, 1))
    scotland = row(results, "NI-12", "S92000003", date(2024, 4, 1))
    assert local.partnership_value == partnership.value and local.country_value == scotland.value
    positions = set(results.loc[results.funnel_position.notna(), "funnel_position"])
    assert positions <= {
        "within limits",
        "above 95% limit",
        "above 99.8% limit",
        "below 95% limit",
        "below 99.8% limit",
    }
    assert set(results.loc[results.funnel_position.notna(), "area_code"]) == {
        "CS-CLK",
        "CS-RST",
        "CS-UST",
    }
    # every area is assessed, the comparator too; a breakdown by locality is not expected of it
    assert scotland.framework_status in {"green", "amber", "red"}
    assert "locality" not in scotland.framework_reason


def test_prepare_up_to_a_period(project, tmp_path):
    earlier = tmp_path / "earlier"
    shutil.copytree(project, earlier)  # the module's project stays prepared to the end
    result = run_cli("prepare", "--period", "2023-24-Q4", cwd=earlier)
    assert result.code == 0 and result.stdout.startswith("results: ")
    digests = "SELECT * FROM digests WHERE period_end <= DATE '2024-03-31' ORDER BY ALL"
    with duckdb.connect(str(earlier / "data" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT max(period_end) FROM results").fetchall()[0][0] == date(
            2024, 3, 31
        )
        before_later_data = con.execute(digests).fetchall()
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        with_later_data = con.execute(digests).fetchall()
    # a later period's data change no earlier period's rows: its reports' cache keys stay
    assert len(with_later_data) == 600 and with_later_data == before_later_data


BRANCHES = {
    "green": "Green: ",
    "amber by mitigation": "mitigated by improvement plan",
    "red unmitigated": "no improvement plan",
    "red with an overdue plan": "was due for review",
    "amber until short-term improvement": "short-term performance has not yet improved",
    "stale data": "older than the",
    "missing breakdown": "breakdown although one is expected",
    "no target": "no target is set",
    "special cause of concern": "special cause of concern",
    "seasonal change": "seasonal variation, not special cause",
}


@pytest.mark.parametrize("branch", BRANCHES)
def test_every_framework_branch_shows_in_the_demo(results, branch):
    reasons = results["framework_reason"].dropna()
    assert reasons.str.contains(BRANCHES[branch], regex=False).any()


def test_the_cycles_rag_family_chooses_the_status_shown(project):
    from perfreport.reports.context import ReportContext
    from perfreport.reports.locality import LocalityReport

    ctx = ReportContext.load(project)
    area = ctx.areas.get("S37000005")
    quarter = parse_period("2024-25-Q4")
    target = {h.indicator.id: h.rag for h in LocalityReport(ctx, area, quarter, "target").headlines}
    framework = {
        h.indicator.id: h.rag for h in LocalityReport(ctx, area, quarter, "framework").headlines
    }
    assert target["MSG-4"].status.value == "red" and framework["MSG-4"].status.value == "amber"
    assert "mitigated by improvement plan PIP-2023-07" in framework["MSG-4"].reason
    assert (
        LocalityReport.load(area="S37000005", period="2024-25-Q4", project=str(project)).family
        == "target"
    )


def test_reports_check_their_parameters_against_their_cycle(project):
    from perfreport.errors import PerfreportError
    from perfreport.reports.monthly import MonthlyReport
    from perfreport.reports.strategic import StrategicReport

    with pytest.raises(
        PerfreportError,
        match=r"^parameter 'area': Scotland is a country; the monthly key performance measures "
        r"covers partnership areas$",
    ):
        MonthlyReport.load(area="S92000003", period="2025-03", project=str(project))
    with pytest.raises(
        PerfreportError,
        match=r"^parameter 'period': '2024-25-Q4' is a quarter; the strategic performance report "
        r"covers a half year such as 2024-25-H2$",
    ):
        StrategicReport.load(area="S37000005", period="2024-25-Q4", project=str(project))
    report = MonthlyReport.load(area="S37000005", period="2025-03", project=str(project))
    assert (
        report.title
        == "Monthly key performance measures: Clackmannanshire and Stirling, March 2025"
    )
    assert [line.indicator.id for line in report.lines if line.exceptions][:1] == [
        report.exception_lines[0].indicator.id
    ]
    assert all(not line.exceptions for line in report.lines[len(report.exception_lines) :])


def test_each_row_stores_the_xmr_chart_it_is_the_latest_point_of(project, results):
    """What the monthly report draws (``stored_xmr``) is the XmR chart of the series up to
    the row, as :func:`xmr` draws it: limits, every point's type and rule, and assurance."""
    from perfreport.assess.series import stored_xmr
    from perfreport.methods.spc import improvement_for, xmr

    ctx = ReportContext.load(project)
    settings = ctx.rag_settings()
    months = results[
        (results.area_code == "S37000005")
        & (results.breakdown == "all")
        & (results.period_kind == "month")
    ].sort_values("period_start")
    drawn = special = 0
    for indicator in MONTHLY:
        ind = ctx.catalogue[indicator]
        improvement = improvement_for(ind.polarity)
        observed = months[months.indicator_id == indicator].dropna(subset=["value"])
        observed = observed.reset_index(drop=True)
        assert len(observed) >= 24, indicator
        for end in (
            settings.spc_minimum_points - 1,
            settings.spc_minimum_points,
            20,
            len(observed),
        ):
            upto = observed.iloc[:end]
            target = upto["target_value"].iloc[-1]
            target = None if pd.isna(target) else float(target)
            stored = stored_xmr(upto, target, improvement, settings.spc_rules)
            if end < settings.spc_minimum_points:
                assert stored is None and pd.isna(upto["spc_points"].iloc[-1])
                continue
            expected = xmr(upto["value"], improvement, target=target, rules=settings.spc_rules)
            assert stored is not None
            pd.testing.assert_frame_equal(stored.points, expected.points, check_dtype=False)
            assert (stored.variation, stored.assurance) == (expected.variation, expected.assurance)
            assert stored.variation == upto["spc_type"].iloc[-1]
            drawn += 1
            special += expected.variation != "common_cause"
    assert drawn == 3 * len(MONTHLY) and special > 0  # special cause charts are checked too


def test_the_wording_file_changes_the_words_reports_print(project, tmp_path):
    """params/wording.yaml, not the package, says what the reporting body and its framework
    and law are called (defaults: the partnership's words)."""
    import shutil

    from perfreport.reports.annual import AnnualReport
    from perfreport.reports.quarterly import QuarterlyReport
    from perfreport.reports.strategic import StrategicReport

    def printed(root: Path) -> str:
        annual = AnnualReport.load(area="S37000005", period="FY2024-25", project=str(root))
        quarterly = QuarterlyReport.load(area="S37000005", period="2024-25-Q4", project=str(root))
        strategic = StrategicReport.load(area="S37000005", period="2024-25-H2", project=str(root))
        parts = (
            annual.title_block(),
            annual.national_tables(),
            quarterly.exception_details(),
            strategic.title_block(),
        )
        return "".join(part._repr_html_() for part in parts)

    before = printed(project)
    copy = shutil.copytree(project, tmp_path / "project")
    (copy / "params" / "wording.yaml").write_text(
        "body: council\nplans_section: paragraph 4.2\nplans_table: annex B\n"
        "statute: the Care Act 2014\n",
        encoding="utf-8",
    )
    after = printed(copy)
    for words in (
        "This is the partnership's annual performance report for 2024/25 (April 2024 to "
        "March 2025), published under the Public Bodies (Joint Working) (Scotland) Act 2014.",
        "Partnership and Scotland by year",
        "so for counts the partnership and Scotland are compared",
        "The framework (section 6.4) requires a performance improvement plan for each.",
        "every amber or red indicator (table 5).",
        "Progress towards the partnership&#39;s 4 strategic outcomes",
    ):
        assert words in before and words not in after, words
    for words in (
        "This is the council's annual performance report for 2024/25 (April 2024 to "
        "March 2025), published under the Care Act 2014.",
        "Council and Scotland by year",
        "so for counts the council and Scotland are compared",
        "The framework (paragraph 4.2) requires a performance improvement plan for each.",
        "every amber or red indicator (annex B).",
        "Progress towards the council&#39;s 4 strategic outcomes",
    ):
        assert words in after, words


def test_results_prepared_by_another_version_are_refused_in_one_line(project, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    with duckdb.connect(str(copy / "data" / "warehouse.duckdb")) as con:
        con.execute("UPDATE results_info SET version = '0.7.0'")
    ctx = ReportContext.load(copy)
    with pytest.raises(PerfreportError) as caught:
        ctx.results(["S37000005"])
    assert str(caught.value) == (
        f"{copy / 'data' / 'warehouse.duckdb'}: the results were prepared by perfreport 0.7.0, "
        f"not {version('perfreport')}; run 'perfreport prepare'"
    )


def test_a_cycle_of_the_projects_own_builds_a_report_product_under_its_id(project, tmp_path):
    from perfreport.errors import PerfreportError
    from perfreport.reports.monthly import MonthlyReport

    own = tmp_path / "own"
    shutil.copytree(project, own)
    with (own / "params" / "cycles.yaml").open("a", encoding="utf-8") as cycles:
        cycles.write(
            "\n  - id: board_monthly-2\n    title: Board monthly measures\n"
            "    notebook: notebooks/monthly.ipynb\n    period: month\n    areas: [all]\n"
            "    disclosure: {control: false}\n"
        )
    report = MonthlyReport.load("S92000003", "2025-03", str(own), cycle="board_monthly-2")
    assert report.title == "Monthly key performance measures: Scotland, March 2025"
    with pytest.raises(PerfreportError, match=r"cycle 'board-monthly' is not in params/cycles"):
        MonthlyReport.load("S92000003", "2025-03", str(own), cycle="board-monthly")
