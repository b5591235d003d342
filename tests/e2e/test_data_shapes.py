"""Real data shapes end to end: value-only rows, a partnership made of council areas, an area
with two months of data and one with none — ingest, prepare and ``run --all``, in one project.

The council figures are PHS's delayed discharge by council area (../shared/realdata/, see its
README), checked against the CSV read here with pandas.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.helpers import REPO, copy_project, run_cli, write_catalogue

COUNCILS = REPO.parent / "shared" / "realdata" / "phs_delayed_discharge_by_council_monthly.csv"
pytestmark = pytest.mark.e2e
CLACKMANNANSHIRE, STIRLING, PARTNERSHIP = "S12000005", "S12000030", "S37000005"

OPEN_DATA = """\
indicators:
  - id: O-CNT
    set: local
    title: Open data monthly count
    description: A monthly count published as a value only.
    unit: count
    method: count
    polarity: lower_is_better
    frequency: monthly
    decimals: 0
    scorecard: {section: Delivery, subsection: Service Measures}
    source: open data
  - id: O-PCT
    set: local
    title: Open data monthly percentage
    description: A monthly percentage published as a value only, averaged over months.
    unit: percent
    method: proportion
    aggregation: mean
    polarity: higher_is_better
    frequency: monthly
    target: {value: 80, unit: percent, kind: min}
    tolerance: 5
    scorecard: {section: Delivery, subsection: Service Measures}
    source: open data
  - id: O-NEW
    set: local
    title: Open data count first published in July 2025
    description: A monthly count with two months so far.
    unit: count
    method: count
    polarity: lower_is_better
    frequency: monthly
    decimals: 0
    scorecard: {section: Delivery, subsection: Service Measures}
    source: open data
  - id: O-NONE
    set: local
    title: Open data percentage that does not combine
    description: A monthly percentage published as a value only, not combined over months.
    unit: percent
    method: proportion
    aggregation: none
    polarity: higher_is_better
    frequency: monthly
    scorecard: {section: Delivery, subsection: Service Measures}
    source: open data
"""
OPEN_SPEC = """\
name: open
format: csv
area: {column: area}
period: {column: month, format: "%Y-%m", kind: month}
measures:
  - indicator: {column: indicator}
    value: value
"""
COUNCIL_SPEC = f"""\
name: phs_dd_council
format: csv
max_size_mb: 50
area: {{column: ltla_code}}
period: {{column: date, format: "%Y-%m-%d", kind: month}}
filters:
  - {{column: ltla_code, in: [{CLACKMANNANSHIRE}, {STIRLING}]}}
breakdowns:
  - {{name: age_group, column: age_group, total: 18plus}}
  - {{name: delay_reason, column: delay_reason, total: All Delay Reasons}}
measures:
  - indicator: {{id: MSG-4}}
    value: num_delayed_bed_days
  - indicator: {{id: DD-ADB}}
    value: average_daily_delayed_beds
"""
COUNCIL_AREAS = f"""\
  - {{code: {CLACKMANNANSHIRE}, name: Clackmannanshire council area, type: council, parent: {PARTNERSHIP}, slug: clackmannanshire-council}}
  - {{code: {STIRLING}, name: Stirling council area, type: council, parent: {PARTNERSHIP}, slug: stirling-council}}
"""
MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)]
MONTHS = [m for m in MONTHS if "2023-04" <= m <= "2025-08"]  # as far as the council extract


def open_rows() -> list[str]:
    """Value-only rows: the partnership and Rural Stirling every month, Clackmannanshire for
    May and June 2025 only (two months, not a whole quarter), Urban Stirling never; and a
    count of the partnership's first published in July 2025."""
    rows = ["area,month,indicator,value"]
    for i, month in enumerate(MONTHS):
        for area, base in ((PARTNERSHIP, 100), ("CS-RST", 30)):
            rows.append(f"{area},{month},O-CNT,{base + i % 7}")
            rows.append(f"{area},{month},O-PCT,{70 + (i * 3) % 20}.5")
        rows.append(f"{PARTNERSHIP},{month},O-NONE,{60 + i % 5}.5")
    rows += [f"{PARTNERSHIP},2025-07,O-NEW,5", f"{PARTNERSHIP},2025-08,O-NEW,6"]
    for month, count in (("2025-05", 11), ("2025-06", 13)):
        rows += [f"CS-CLK,{month},O-CNT,{count}", f"CS-CLK,{month},O-PCT,81.5"]
    return rows


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("shapes") / "project")
    write_catalogue(root, OPEN_DATA)
    (root / "params" / "sources" / "open.yaml").write_text(OPEN_SPEC, encoding="utf-8")
    (root / "params" / "sources" / "phs_dd_council.yaml").write_text(COUNCIL_SPEC, "utf-8")
    with (root / "params" / "areas.yaml").open("a", encoding="utf-8") as areas:
        areas.write(COUNCIL_AREAS)
    (root / "open.csv").write_text("\n".join(open_rows()) + "\n", encoding="utf-8")
    result = run_cli("ingest", "open", "open.csv", cwd=root)
    assert result.code == 0, result.stderr
    # The extract's 1,650 rows with the area code NA are quarantined, not filtered away by the
    # in: filter (exit status 1: some rows were quarantined).
    result = run_cli("ingest", "phs_dd_council", str(COUNCILS), cwd=root)
    assert result.code == 1, result.stderr
    assert "56,100 rows read, 3,300 accepted, 1,650 quarantined, 51,150 filtered" in result.stdout
    return root


def keep_cycles(root: Path, *ids: str) -> None:
    """Leave only the cycles ``ids`` in the project's cycles file (fewer reports to build)."""
    path = root / "params" / "cycles.yaml"
    head, *cycles = path.read_text(encoding="utf-8").split("\n  - id: ")
    kept = [c for c in cycles if c.split("\n", 1)[0] in ids]
    path.write_text("\n  - id: ".join([head, *kept]), encoding="utf-8")


@pytest.fixture(scope="module")
def run_all(project: Path) -> tuple[Path, str]:
    keep_cycles(project, "monthly", "locality", "annual")
    result = run_cli("run", "--all", "--jobs", "2", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    return project, result.stdout


@pytest.fixture(scope="module")
def results(run_all: tuple[Path, str]) -> pd.DataFrame:
    with duckdb.connect(str(run_all[0] / "data" / "warehouse.duckdb"), read_only=True) as con:
        frame = con.execute("SELECT * FROM results WHERE breakdown = 'all'").df()
    return frame.assign(period_start=pd.to_datetime(frame["period_start"]).dt.date)


def figure(results: pd.DataFrame, indicator: str, area: str, kind: str, label: str) -> pd.Series:
    found = results[
        (results.indicator_id == indicator)
        & (results.area_code == area)
        & (results.period_kind == kind)
        & (results.period_label == label)
    ]
    assert len(found) == 1, (indicator, area, kind, label)
    return found.iloc[0]


def council_totals() -> pd.DataFrame:
    """The council extract's totals (18 and over, every reason) for the two councils."""
    csv = pd.read_csv(COUNCILS)
    total = (csv.age_group == "18plus") & (csv.delay_reason == "All Delay Reasons")
    return csv[total & csv.ltla_code.isin([CLACKMANNANSHIRE, STIRLING])]


def test_value_only_counts_add_up_to_quarters_and_years(results):
    months = [
        figure(results, "O-CNT", PARTNERSHIP, "month", m).value
        for m in ("April 2025", "May 2025", "June 2025")
    ]
    quarter = figure(results, "O-CNT", PARTNERSHIP, "quarter", "Q1 2025/26")
    assert quarter.value == sum(months) and pd.isna(quarter.numerator)
    year = figure(results, "O-CNT", PARTNERSHIP, "financial_year", "2024/25")
    assert year.value == sum(
        100 + i % 7 for i, m in enumerate(MONTHS) if "2024-04" <= m <= "2025-03"
    )
    assert year.ci_method == "Poisson" and year.lower < year.value < year.upper


def test_value_only_percentages_average_and_none_does_not_combine(results):
    months = [
        figure(results, "O-PCT", "CS-RST", "month", m).value
        for m in ("April 2025", "May 2025", "June 2025")
    ]
    quarter = figure(results, "O-PCT", "CS-RST", "quarter", "Q1 2025/26")
    assert quarter.value == pytest.approx(sum(months) / 3)
    assert quarter.target_status in ("green", "amber", "red")
    none = results[results.indicator_id == "O-NONE"]
    assert set(none.period_kind) == {"month"} and len(none) == len(MONTHS)


def test_the_partnership_is_clackmannanshire_plus_stirling(results):
    councils = council_totals()
    april = councils[councils.date == "2025-04-01"]
    expected = april.num_delayed_bed_days.sum()
    assert expected == 1138  # 636 + 502: the extract's own figures
    row = figure(results, "MSG-4", PARTNERSHIP, "month", "April 2025")
    assert row.value == expected and row.derived and row.observed
    quarter = councils[councils.date.between("2025-04-01", "2025-06-01")]
    q1 = figure(results, "MSG-4", PARTNERSHIP, "quarter", "Q1 2025/26")
    assert q1.value == quarter.num_delayed_bed_days.sum() and q1.derived
    assert q1.target_status in ("green", "amber", "red")  # the partnership's target binds it
    beds = figure(results, "DD-ADB", PARTNERSHIP, "month", "April 2025")
    assert beds.value == april.average_daily_delayed_beds.sum()
    for council in (CLACKMANNANSHIRE, STIRLING):
        assert not figure(results, "MSG-4", council, "month", "April 2025").derived
    # every month of the extract, not one chosen
    derived = results[
        (results.indicator_id == "MSG-4")
        & (results.area_code == PARTNERSHIP)
        & (results.period_kind == "month")
    ]
    sums = councils.groupby("date").num_delayed_bed_days.sum()
    assert len(derived) == len(sums) and derived.derived.all()
    by_month = dict(zip(derived.period_start.astype(str), derived.value, strict=True))
    assert by_month == {day: float(v) for day, v in sums.items()}
    # value-only percentages are not summed: Rural Stirling alone makes no partnership figure
    assert not results[results.indicator_id.isin(["O-PCT", "O-CNT"])].derived.any()


def test_run_all_builds_what_there_is_and_says_what_it_skipped(run_all):
    project, stdout = run_all
    lines = stdout.splitlines()
    assert "skipped locality 2025-26-Q1 urban-stirling: no data for Q1 2025/26" in lines
    assert sum(line.startswith("skipped ") for line in lines) == 1
    assert "5 of 5 reports built" in lines
    for report in (
        "monthly/2025-08/clackmannanshire-and-stirling",
        "locality/2025-26-Q1/clackmannanshire",
        "locality/2025-26-Q1/rural-stirling",
        "annual/FY2024-25/clackmannanshire-and-stirling",
    ):
        assert (project / "outputs" / report / "report.pdf").is_file(), report
    assert not (project / "outputs" / "locality" / "2025-26-Q1" / "urban-stirling").exists()


def test_an_area_with_two_months_gets_a_report_saying_so(run_all):
    project, _ = run_all
    html = (project / "outputs/locality/2025-26-Q1/clackmannanshire/report.html").read_text()
    assert (
        "No indicator has a figure for Clackmannanshire for Q1 2025/26 (April to June 2025): "
        "its data cover May 2025 to June 2025 (2 months), too few for a figure for the "
        "quarter, a trend or SPC."
    ) in html


def test_the_partnership_reports_show_the_summed_figure(run_all):
    project, _ = run_all
    data = pd.read_csv(
        project / "outputs/locality/2025-26-Q1/clackmannanshire-and-stirling/data.csv"
    )
    q1 = data[
        (data.indicator_id == "MSG-4")
        & (data.area_code == PARTNERSHIP)
        & (data.period_label == "Q1 2025/26")
    ]
    councils = council_totals()
    assert list(q1.value) == [
        councils[councils.date.between("2025-04-01", "2025-06-01")].num_delayed_bed_days.sum()
    ]
    none = data[(data.indicator_id == "O-NONE")]
    # its own months up to the quarter's last, never combined into quarters or years
    assert list(none.period_label) == [
        pd.Period(m).strftime("%B %Y") for m in MONTHS if m <= "2025-06"
    ]


def test_a_measure_with_two_months_says_too_few_points_in_words(run_all):
    project, _ = run_all
    report = project / "outputs/monthly/2025-08/clackmannanshire-and-stirling/report.html"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", report.read_text(encoding="utf-8")))
    table = text[text.index("All monthly measures, ") :]  # after the exceptions
    row = re.search(r"Open data count first published in July 2025 6 (.*?) Open data", table)
    assert row is not None
    assert "Too few points for SPC" in row[1] and "Too few points for a trend" in row[1]


def test_ratio_on_value_only_rows_is_refused_at_prepare_in_one_line(tmp_path):
    root = copy_project(tmp_path / "project")
    write_catalogue(root, OPEN_DATA.replace("    aggregation: mean\n", ""))  # ratio by default
    (root / "params" / "sources" / "open.yaml").write_text(OPEN_SPEC, encoding="utf-8")
    (root / "open.csv").write_text("\n".join(open_rows()) + "\n", encoding="utf-8")
    assert run_cli("ingest", "open", "open.csv", cwd=root).code == 0
    result = run_cli("prepare", cwd=root)
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "perfreport: error: indicator 'O-PCT': aggregation 'ratio' (the default for method "
        "'proportion') needs numerators and denominators, but its rows carry values only; "
        "declare aggregation: mean, sum, last or none\n"
    )


def test_cycles_whose_areas_have_no_data_say_so_and_exit_0(tmp_path):
    root = copy_project(tmp_path / "project")
    write_catalogue(root, OPEN_DATA)
    (root / "params" / "sources" / "open.yaml").write_text(OPEN_SPEC, encoding="utf-8")
    rows = [r.replace(PARTNERSHIP, "S92000003") for r in open_rows() if not r.startswith("CS-")]
    (root / "open.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")  # Scotland only
    assert run_cli("ingest", "open", "open.csv", cwd=root).code == 0
    result = run_cli("run", "--all", cwd=root)
    assert (result.code, result.stderr) == (0, "")
    warehouse = root / "data" / "warehouse.duckdb"
    expected = [
        f"nothing to build for cycle '{cycle}': {warehouse}: the warehouse holds no "
        f"observations for {kinds} areas"
        for cycle, kinds in (
            ("monthly", "partnership"),
            ("quarterly", "partnership"),
            ("locality", "partnership or locality"),
            ("annual", "partnership"),
            ("scorecard", "partnership"),
            ("strategic", "partnership"),
        )
    ]
    assert result.stdout.splitlines() == [*expected, "0 of 0 reports built"]
    assert not (root / "outputs" / "monthly").exists()


def test_a_report_whose_area_has_lost_its_data_is_withdrawn(run_all):
    """A folder published before the area's data went (unloaded, or filtered out by a changed
    spec) must not stay on the site once a run finds no data for it."""
    project, _ = run_all
    stale = project / "outputs" / "locality" / "2025-26-Q1" / "urban-stirling"
    shutil.copytree(project / "outputs" / "locality" / "2025-26-Q1" / "rural-stirling", stale)
    result = run_cli("run", "locality", "--period", "2025-26-Q1", cwd=project)
    assert result.code == 0, result.stderr
    assert (
        "skipped locality 2025-26-Q1 urban-stirling: no data for Q1 2025/26; "
        "its earlier report withdrawn"
    ) in result.stdout.splitlines()
    assert not stale.exists()
    assert "urban-stirling" not in (project / "outputs" / "index.html").read_text()
