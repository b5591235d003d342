"""The disclosure auditor against sites with random small counts (perfreport.build.audit), and
complementary suppression across areas, time and derived columns (perfreport.assess.disclosure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfreport.assess.attack import attack, attack_tables
from perfreport.assess.disclosure import protect
from perfreport.build.audit import audit_site
from perfreport.build.open_data import DATA_COLUMNS
from perfreport.cli.main import main
from perfreport.config.cycles import load_cycles
from perfreport.config.disclosure import Disclosure
from perfreport.methods.periods import Period
from tests.helpers import REPO, copy_project

PARTNERSHIP, LOCALITIES, COUNTRY = "S37000005", ["CS-CLK", "CS-RST", "CS-UST"], "S92000003"
YEAR = Period(date(2024, 4, 1), "financial_year")
COLUMNS = [c.strip() for c in DATA_COLUMNS.split(",")]


def _row(indicator: str, area: str, period: Period, count: float) -> dict:
    return {
        "indicator_id": indicator,
        "area_code": area,
        "breakdown": "all",
        "period_kind": period.kind,
        "period_label": period.label,
        "period_start": period.start,
        "period_end": period.end,
        "numerator": count,
        "denominator": np.nan,
        "value": count,
    }


def results(counts: np.ndarray, last_year: np.ndarray | None = None) -> pd.DataFrame:
    """A count indicator's results as ``prepare`` makes them: ``counts[locality, month]`` for
    the twelve months of 2024/25, their quarters and year, the partnership's sums, each
    locality row quoting the partnership's value, and the change on the year before."""
    months = YEAR.months()
    rows = []
    for periods in (months, [Period(m.start, "quarter") for m in months[::3]], [YEAR]):
        for period in periods:
            inside = [i for i, m in enumerate(months) if period.start <= m.start <= period.end]
            parts = [float(counts[n, inside].sum()) for n in range(len(LOCALITIES))]
            rows.append(_row("DD", PARTNERSHIP, period, sum(parts)))
            rows += [
                {**_row("DD", code, period, part), "partnership_value": sum(parts)}
                for code, part in zip(LOCALITIES, parts, strict=True)
            ]
    if last_year is not None:
        before = YEAR.year_earlier()
        rows.append(_row("DD", PARTNERSHIP, before, float(last_year.sum())))
        rows += [
            _row("DD", code, before, float(c))
            for code, c in zip(LOCALITIES, last_year, strict=True)
        ]
    frame = pd.DataFrame(rows)
    year_ago = {
        (r["area_code"]): r["value"] for r in rows if r["period_start"] == YEAR.year_earlier().start
    }
    frame["change_year"] = [
        r["value"] - year_ago[r["area_code"]]
        if r["period_start"] == YEAR.start and r["area_code"] in year_ago
        else np.nan
        for r in rows
    ]
    for column in COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    return frame


def site(folder: Path, frame: pd.DataFrame, *, complementary: bool, areas) -> Path:  # type: ignore[no-untyped-def]
    """A published site holding ``frame`` as the annual report's open data."""
    out = protect(frame, Disclosure(public=True), areas, complementary=complementary)
    report = folder / "outputs" / "annual" / YEAR.id / "clackmannanshire-and-stirling"
    report.mkdir(parents=True, exist_ok=True)
    out[[*COLUMNS, "suppressed"]].to_csv(report / "data.csv", index=False)
    return folder / "outputs"


def _true(frame: pd.DataFrame, recovery) -> float:  # type: ignore[no-untyped-def]
    row = frame[
        (frame["indicator_id"] == recovery.indicator)
        & (frame["area_code"] == recovery.area)
        & (frame["period_label"] == recovery.period)
    ]
    return float(row[recovery.column].iloc[0])


CYCLES = load_cycles(REPO / "params" / "cycles.yaml", REPO)


def test_one_small_month_is_recovered_without_complementary_suppression_and_safe_with(
    tmp_path, areas
):
    counts = np.full((3, 12), 20.0)
    counts[0, 4] = 3  # Clackmannanshire, August 2024
    frame = results(counts)
    off = audit_site(site(tmp_path / "off", frame, complementary=False, areas=areas), CYCLES, areas)
    recovered = {(r.area, r.period, r.column): r.value for r in off.recoveries}
    assert recovered[("CS-CLK", "August 2024", "numerator")] == 3
    assert all(_true(frame, r) == r.value for r in off.recoveries)
    on = audit_site(site(tmp_path / "on", frame, complementary=True, areas=areas), CYCLES, areas)
    assert on.recoveries == [] and on.suppressed >= 4  # the month, and its complements
    assert on.skipped == ("monthly", "quarterly", "scorecard")


def test_a_change_on_the_year_before_would_give_a_suppressed_year_back(tmp_path, areas):
    counts = np.full((3, 12), 20.0)
    frame = results(counts, last_year=np.array([2.0, 300.0, 250.0]))
    attacked = attack(
        [("data.csv", protect(frame, Disclosure(), areas, complementary=False))], areas
    )
    assert any(r.period == "2023/24" and r.area == "CS-CLK" and r.value == 2 for r in attacked)
    safe = protect(frame, Disclosure(), areas)
    year = safe[(safe["area_code"] == "CS-CLK") & (safe["period_label"] == "2024/25")]
    assert year["change_year"].isna().all()  # its year-ago value is withheld
    assert attack([("data.csv", safe)], areas) == []


def test_a_quoted_partnership_value_is_withheld_where_the_partnership_is(areas):
    counts = np.zeros((3, 12))
    counts[0, 0] = 2  # the partnership's April is 2 too
    safe = protect(results(counts), Disclosure(), areas)
    april = safe[safe["period_label"] == "April 2024"]
    assert april["suppressed"][april["area_code"] == PARTNERSHIP].all()
    assert april["partnership_value"].isna().all()
    assert attack([("data.csv", safe)], areas) == []


def test_the_same_figure_shown_in_another_report_is_a_recovery(areas):
    counts = np.full((3, 12), 20.0)
    counts[1, 2] = 4
    frame = results(counts)
    safe = protect(frame, Disclosure(), areas)
    raw = protect(frame, None, areas)
    found = attack([("a/data.csv", safe), ("b/data.csv", raw)], areas)
    assert any(r.how == "shown in b/data.csv" and r.value == 4 for r in found)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9, 14, 30]), min_size=36, max_size=36),
    st.lists(st.integers(0, 12), min_size=3, max_size=3),
)
def test_random_small_counts_leak_only_without_complementary_suppression(
    tmp_path, areas, counts, before
):
    """Sites with random small counts across localities and months, audited as
    ``perfreport audit`` does (the published files, checked against the true figures)."""
    frame = results(np.array(counts, dtype=float).reshape(3, 12), np.array(before, dtype=float))
    on = audit_site(
        site(tmp_path / "on", frame, complementary=True, areas=areas), CYCLES, areas, frame
    )
    assert on.recoveries == []
    published = pd.read_csv(next((tmp_path / "on").rglob("data.csv")))
    shown = published[~published["suppressed"]]
    assert not ((shown["numerator"] > 0) & (shown["numerator"] < 5)).any()
    off = audit_site(site(tmp_path / "off", frame, complementary=False, areas=areas), CYCLES, areas)
    for recovery in off.recoveries:
        assert recovery.value == _true(frame, recovery)  # every recovery is the true figure
    small = ((frame["numerator"] > 0) & (frame["numerator"] < 5)).sum()
    if small == 1:  # one small count alone is always given back by its sums
        assert len(off.recoveries) >= 1


def test_perfreport_audit_prints_each_recovery_and_exits_1(tmp_path, areas, capsys, monkeypatch):
    counts = np.full((3, 12), 20.0)
    counts[2, 7] = 1
    project = copy_project(tmp_path / "project")
    outputs = site(project, results(counts), complementary=False, areas=areas)
    monkeypatch.chdir(project)
    assert main(["audit", str(outputs)]) == 1
    printed = capsys.readouterr().out
    assert (
        "recovered: annual/FY2024-25/clackmannanshire-and-stirling/data.csv: DD CS-UST November 2024: numerator = 1"
        in printed
    )
    assert "1 controlled reports" in printed
    site(project, results(counts), complementary=True, areas=areas)
    assert main(["audit"]) == 0
    assert ", 0 recovered" in capsys.readouterr().out


def test_a_table_whose_total_gives_a_c_back():
    page = """<table><tr><th>Indicator</th><th>A</th><th>B</th><th>C</th><th>Total</th></tr>
    <tr><th>People delayed</th><td>10</td><td>12</td><td>8</td><td>30</td></tr>
    <tr><th>Admissions</th><td>[c]</td><td>41 (44%)</td><td>7</td><td>51</td></tr></table>"""
    found = attack_tables("report.html", page)
    assert [(f.area, f.value) for f in found] == [("row 3", 3.0)]
    safe = page.replace("<td>7</td>", "<td>[c]</td>")
    assert attack_tables("report.html", safe) == []
    no_total = page.replace("<td>30</td>", "<td>31</td>")
    assert attack_tables("report.html", no_total) == []


def test_one_total_that_does_not_add_up_leaves_the_other_periods_protected(areas):
    """A partnership that is not the sum of its localities in one month (cases with no
    locality) must not switch off complementary suppression in every other month."""
    counts = np.full((3, 12), 20.0)
    counts[0, 10] = 2  # Clackmannanshire, February 2025
    frame = results(counts)
    may = (frame["area_code"] == PARTNERSHIP) & (frame["period_label"] == "May 2024")
    frame.loc[may, ["numerator", "value"]] += 7  # seven cases with no locality
    safe = protect(frame, Disclosure(), areas)
    assert attack([("data.csv", safe)], areas, truth=frame) == []
    february = safe[safe["period_label"] == "February 2025"]
    assert february["suppressed"].sum() >= 2  # the small count and a complement
    primary = protect(frame, Disclosure(), areas, complementary=False)
    found = attack([("data.csv", primary)], areas, truth=frame)
    assert ("CS-CLK", "February 2025", 2.0) in {(r.area, r.period, r.value) for r in found}
    assert all(r.value == _true(frame, r) for r in found)
