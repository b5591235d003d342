"""End to end: every cycle's report as a reader gets it, from the demo built by `perfreport demo`."""

from __future__ import annotations

import base64
import json
import re
from html import unescape
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pypdf import PdfReader

from perfreport.methods.rounding import format_number
from perfreport.present.funnel_chart import FunnelPanel, FunnelPoint, finding
from tests.helpers import LATEST, image_alts, run_cli

pytestmark = pytest.mark.e2e
PARTNERSHIP = "clackmannanshire-and-stirling"


def page(project: Path, cycle: str, name: str = "report.html") -> Path:
    return project / "outputs" / cycle / LATEST[cycle] / PARTNERSHIP / name


def body_html(project: Path, cycle: str) -> str:
    """The report's HTML without its table of contents (which repeats every heading)."""
    html = page(project, cycle).read_text(encoding="utf-8")
    return re.sub(r'<nav class="contents".*?</nav>', "", html, flags=re.S)


def text(project: Path, cycle: str) -> str:
    """The report's visible text (contents left out), tags removed and entities decoded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body_html(project, cycle))))


def table_rows(html: str, caption_start: str) -> list[list[str]]:
    """The rows (cells as text) of the table whose caption starts with ``caption_start``."""
    match = re.search(
        rf"<caption>{re.escape(caption_start)}.*?</caption>(.*?)</table>", html, flags=re.S
    )
    assert match, f"no table captioned {caption_start!r}"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", match.group(1), flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def results(project: Path, sql: str, params: list) -> pd.DataFrame:
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params).df()


@pytest.mark.parametrize("cycle", sorted(LATEST))
def test_every_cycle_has_html_pdf_open_data_and_real_alt_text(built, cycle):
    html = page(built, cycle).read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in html
    assert "<pre" not in html and "Traceback" not in html and "import " not in html
    for alt in image_alts(html):
        assert len(alt) > 60 and "No description has been provided" not in alt
    pdf = PdfReader(page(built, cycle, "report.pdf"))
    assert len(pdf.pages) >= 2 and pdf.metadata.title.startswith(
        json.loads((built / "outputs" / "manifest.json").read_text())["reports"][
            f"{cycle}/{LATEST[cycle]}/{PARTNERSHIP}"
        ]["title"][:20]
    )
    assert len(pd.read_csv(page(built, cycle, "data.csv"))) > 0


def test_index_lists_every_cycle(built):
    index = (built / "outputs" / "index.html").read_text()
    for cycle, period in LATEST.items():
        assert f'href="{cycle}/{period}/{PARTNERSHIP}/report.pdf"' in index
    manifest = json.loads((built / "outputs" / "manifest.json").read_text())["reports"]
    assert manifest[f"annual/FY2024-25/{PARTNERSHIP}"]["notebook"] == "notebooks/annual.ipynb"


def test_monthly_report_puts_exceptions_first_with_their_reasons(built):
    html = page(built, "monthly").read_text(encoding="utf-8")
    exceptions = table_rows(html, "Exceptions, Clackmannanshire and Stirling, March 2025")
    by_title = {row[0]: row for row in exceptions[1:]}
    # MSG-4 is amber (its plan mitigates it) but its SPC chart shows special cause of concern
    msg4 = by_title["Delayed discharge bed days"]
    assert (
        msg4[2] == "◆ Amber" and "Special cause of concern" in msg4[3] and msg4[4] == "PIP-2023-07"
    )
    # L-DD-01's plan was due for review on 31 January 2025, before the report month ended
    assert (
        "Plan PIP-2024-02 was due for review on 31 January 2025"
        in by_title["People delayed in hospital at the monthly census"][3]
    )
    # every red monthly indicator in the warehouse is listed, and nothing green is
    red = results(
        built,
        "SELECT indicator_id FROM results WHERE area_code = 'S37000005' AND breakdown = 'all' "
        "AND period_kind = 'month' AND period_start = DATE '2025-03-01' AND framework_status = 'red'",
        [],
    )
    assert len(red) == sum(row[2] == "▲ Red" for row in exceptions[1:]) > 0
    assert not any(row[2] == "● Green" for row in exceptions[1:])
    # exceptions come before the charts, and there is one SPC chart per monthly indicator
    assert html.index("Exceptions, Clackmannanshire") < html.index("<img")
    alts = image_alts(html)
    assert len(alts) == 13 and alts[0].startswith(exceptions[1][0])
    assert all(
        "variation" in a or "special cause" in a.lower() or "improvement" in a.lower() for a in alts
    )


def test_quarterly_report_carries_commentary_and_plans_for_exceptions(built):
    html = body_html(built, "quarterly")
    body = text(built, "quarterly")
    section = body[body.index("Exceptions and improvement plans") :]
    msg4 = section[section.index("Delayed discharge bed days") :][:2500]
    commentary = (built / "params/commentary/2024-25-Q4/MSG-4.md").read_text().split()
    assert " ".join(commentary[:12]) in msg4  # the analyst's words, as written
    assert "Performance improvement plan PIP-2023-07" in msg4
    assert "Discharge-to-assess pathway extended to weekends" in msg4
    assert "30 September 2025" in msg4 and "Head of Community Health and Care" in msg4
    # an exception without a plan says so
    assert "No current improvement plan." in section
    # every amber and red indicator is an exception section (h3) of its own
    statuses = re.findall(
        r'<span class="rag rag-(amber|red)">', html.split("Headline indicators")[0]
    )
    headings = re.findall(r"<h3[ >]", html.split("Headline indicators")[0])
    assert (
        len(headings) == len(re.findall(r"<p><span class=\"rag rag-(?:amber|red)\">", html))
        and statuses
    )


def test_annual_report_compares_with_scotland_over_six_years(built):
    html = page(built, "annual").read_text(encoding="utf-8")
    core = table_rows(html, "Core Suite of Integration Indicators, Clackmannanshire and Stirling")
    assert core[0] == [
        "Indicator and area",
        "2019/20",
        "2020/21",
        "2021/22",
        "2022/23",
        "2023/24",
        "2024/25",
    ]
    rows = {r[0]: r for r in core[1:]}
    partnership = rows[
        "Emergency admission rate (per 100,000 population): Clackmannanshire and Stirling"
    ]
    scotland = rows["Emergency admission rate (per 100,000 population): Scotland"]
    assert all(partnership[1:]) and all(scotland[1:])  # a value in each of the six years
    expected = results(
        built,
        "SELECT area_code, value FROM results WHERE indicator_id = 'NI-12' AND breakdown = 'all' "
        "AND period_start = DATE '2024-04-01' AND area_code IN ('S37000005', 'S92000003')",
        [],
    ).set_index("area_code")["value"]
    assert partnership[6] == format_number(expected["S37000005"], 0)
    assert scotland[6] == format_number(expected["S92000003"], 0)
    # MSG counts: the partnership's yearly totals, and an index against Scotland's
    msg = {r[0]: r for r in table_rows(html, "Ministerial Strategic Group indicators")[1:]}
    admissions = msg["Number of emergency admissions: Clackmannanshire and Stirling"]
    months = results(
        built,
        "SELECT sum(value) AS total FROM results WHERE indicator_id = 'MSG-1a' AND breakdown = 'all' "
        "AND area_code = 'S37000005' AND period_kind = 'month' "
        "AND period_start BETWEEN DATE '2024-04-01' AND DATE '2025-03-01'",
        [],
    ).total.item()
    assert admissions[6] == format_number(months, 0)
    assert msg["Number of emergency admissions: Scotland (2019/20 = 100)"][1] == "100.0"
    body = text(built, "annual")
    for heading in ("Strategic themes and objectives", "Localities", "Delivery plan progress"):
        assert heading in body
    assert "Fewer days in hospital when people are ready to go home" in body
    localities = table_rows(html, "Indicators by locality")
    assert localities[0][2:] == [
        "Clackmannanshire",
        "Rural Stirling",
        "Urban Stirling",
        "Clackmannanshire and Stirling",
    ]
    activities = {r[0]: r for r in table_rows(html, "Each delivery plan activity")[1:]}
    assert activities["Falls prevention pathway in every locality"][5] == "✓ Complete"
    assert activities["Short breaks bureau"][5] == "◆ Amber"  # on hold


def test_scorecard_counts_every_indicator_once(built):
    html = page(built, "scorecard").read_text(encoding="utf-8")
    overview = table_rows(html, "Indicators by status in each scorecard sub-section")
    assert overview[0][:3] == ["Sub-section", "Section", "Indicators"]
    sections = {r[1] for r in overview[1:]}
    assert len(sections) == 4
    for row in overview[1:]:
        assert int(row[2]) == sum(int(x) for x in row[3:])
    assert sum(int(r[2]) for r in overview[1:]) == 42
    listed = sum(
        len(table_rows(html, f"{s}: value (previous year in brackets)")) - 1
        for s in sections
        if f"<caption>{s}: value" in html
    )
    assert listed == sum(int(r[2]) - int(r[7]) for r in overview[1:])  # all but no data
    assert "Bar chart of indicator status in each scorecard section" in image_alts(html)[0]


def test_strategic_report_has_outcomes_projects_and_survey(built):
    html = page(built, "strategic").read_text(encoding="utf-8")
    body = text(built, "strategic")
    outcome = table_rows(html, "Strategic outcome 1: priorities, measures and current performance")
    assert outcome[0] == [
        "Strategic priority",
        "Strategic measure",
        "Current performance",
        "Status",
    ]
    survey_row = next(r for r in outcome if r[1].startswith("People feel supported"))
    # Q1: 402 + 611 of 1,352 agreed; margin of error with the finite population correction
    assert survey_row[2].startswith("75% agreed (30% strongly), 11% disagreed; 1,352 responses")
    assert "±2.0 points" in survey_row[2]
    refs = re.findall(r"<h4>[^<]*\((\d[a-z])\)</h4>", html)
    assert refs == ["1a", "1b", "1c", "2a", "2b", "3a", "4a"]
    assert "Status: At risk" in body and "<strong>March</strong>" in html
    survey = table_rows(html, "Customer survey: responses to agreement questions")
    assert survey[0][1:6] == [
        "Strongly agree",
        "Tend to agree",
        "Neither agree nor disagree",
        "Tend to disagree",
        "Strongly disagree",
    ]
    assert survey[1][1:7] == ["402 (30%)", "611 (45%)", "188 (14%)", "97 (7%)", "54 (4%)", "1,352"]
    satisfied = table_rows(html, "Customer survey: responses to satisfaction questions")
    assert satisfied[0][1] == "Very satisfied"


def test_run_takes_a_cycle_or_all_but_not_both(built):
    both = run_cli("run", "monthly", "--all", cwd=built)
    assert both.code == 2 and both.stderr.strip().splitlines() == [
        "perfreport: error: parameter 'cycle': give one cycle id or --all (not both)"
    ]
    neither = run_cli("run", cwd=built)
    assert neither.code == 2
    period = run_cli("run", "--all", "--period", "2025-03", cwd=built)
    assert period.code == 2 and "leave out --period and --area" in period.stderr
    wrong = run_cli("run", "strategic", "--period", "2024-25-Q4", cwd=built)
    assert wrong.code == 2 and "is a quarter; cycle 'strategic' reports a half_year" in wrong.stderr


@pytest.mark.parametrize(
    ("cycle", "area", "areas"),
    [
        ("annual", PARTNERSHIP, ["CS-CLK", "CS-RST", "CS-UST", "S37000005", "S92000003"]),
        ("locality", "clackmannanshire", ["CS-CLK", "S37000005", "S92000003"]),
    ],
)
def test_premature_mortality_is_shown_as_an_age_standardised_rate_with_its_interval(
    built, cycle, area, areas
):
    """NI-11 is the European age-standardised rate (ESP 2013) with Dobson limits, computed by
    prepare from the demo's age bands, in the report as the warehouse holds it."""
    html = (built / "outputs" / cycle / LATEST[cycle] / area / "report.html").read_text("utf-8")
    rows = table_rows(
        html,
        "Premature mortality rate per 100,000 persons: age-standardised to the 2013 European "
        "Standard Population, 2024",
    )
    assert rows[0] == [
        "Area",
        "Period",
        "Rate per 100,000",
        "95% confidence interval",
        "Deaths",
        "Population aged 0-74",
    ]
    expected = (
        results(
            built,
            "SELECT a.name, r.* FROM results r JOIN areas a ON a.code = r.area_code "
            "WHERE indicator_id = 'NI-11' AND breakdown = 'all' AND period_start = DATE '2024-01-01' "
            f"AND area_code IN ({', '.join('?' * len(areas))})",
            areas,
        )
        .set_index("area_code")
        .loc[areas]
    )
    assert set(expected["ci_method"]) == {
        "Dobson, directly standardised (2013 European Standard Population)"
    }
    assert (expected["lower"] < expected["value"]).all()
    assert (expected["value"] < expected["upper"]).all()
    assert rows[1:] == [
        [
            e["name"],
            "2024",
            format_number(e["value"], 0),
            f"{format_number(e['lower'], 0)} to {format_number(e['upper'], 0)}",
            format_number(e["numerator"], 0),
            format_number(e["denominator"], 0),
        ]
        for _, e in expected.iterrows()
    ]
    assert "No rate is calculated from fewer than 10 deaths." in html


def test_locality_and_annual_reports_show_the_localities_on_funnel_plots(built):
    """Each report's funnel figure says, for each indicator, where ``prepare`` placed each
    locality; the locality report draws its own locality filled, its name in bold."""
    rows = results(
        built,
        "SELECT area_code, funnel_position FROM results WHERE indicator_id = 'NI-13' "
        "AND breakdown = 'all' AND period_kind = 'financial_year' "
        "AND period_start = DATE '2024-04-01' AND area_code LIKE 'CS-%' ORDER BY area_code",
        [],
    )
    names = {"CS-CLK": "Clackmannanshire", "CS-RST": "Rural Stirling", "CS-UST": "Urban Stirling"}
    points = tuple(
        FunnelPoint(names[code], 1.0, 1.0, position)
        for code, position in zip(rows["area_code"], rows["funnel_position"], strict=True)
    )
    title = "Emergency bed day rate (per 100,000 population), 2024/25"
    expected = finding(FunnelPanel(title, "rate", 1.0, 1.0, "", points))
    assert "99.8% limit" in expected  # the demo has localities outside the limits here
    rural = built / "outputs" / "locality" / LATEST["locality"] / "rural-stirling" / "report.html"
    for report in (page(built, "annual"), rural):
        html = report.read_text(encoding="utf-8")
        assert '<h3 id="how-the-localities-compare">How the localities compare</h3>' in html
        alts = [
            a for a in image_alts(html) if a.startswith("Funnel plots comparing the localities")
        ]
        assert alts and expected in alts[0]
    svg = re.search(
        r'<img alt="Funnel plots[^"]*"[^>]*src="data:image/svg\+xml;base64,([^"]+)"', html
    )
    assert svg and b'font-weight="bold" fill="#262626" class="label">Rural Stirling<' in (
        base64.b64decode(svg.group(1))
    )
