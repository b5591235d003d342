"""``perfreport init --template council`` then ``perfreport demo``: the council's learning and
performance report is built from the template's own demo figures and reads like the seed."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import REPO, image_alts, run_cli

REPORT = Path("outputs") / "learning" / "FY2023-24" / "west-sussex"


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("council") / "project"
    made = run_cli("init", str(project), "--template", "council", cwd=REPO)
    assert made.code == 0, made.stderr
    demo = run_cli("demo", "--project", str(project), cwd=REPO)
    assert demo.code == 0, demo.stderr
    return project


def test_the_ascof_table_reads_like_the_seed(council: Path):
    html = (council / REPORT / "report.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    control = [r for r in rows if "have control over their daily lives" in r]
    assert len(control) == 1
    assert re.search(r"76\.9% \(76\.8%\)</td>\s*<td[^>]*>77\.2% \(76\.8%\)</td>", control[0])
    younger = next(r for r in rows if "younger adults (18-64)" in r)
    assert re.search(r">18\.5 \(13\.1\)</td>\s*<td[^>]*>14\.6 \(13\.9\)</td>", younger)
    assert "Figures for 2021/22 are given in brackets." in html
    assert "People receiving direct payments (see note 1)" in html


def test_the_staff_survey_and_feedback_sections(council: Path):
    html = (council / REPORT / "report.html").read_text(encoding="utf-8")
    assert "69%  Goal: 75.0% (-6%)" in html
    assert "Goal refers to target performance in Our Council Plan 2022-25." in html
    assert "<li>Consideration of the person’s culture</li>" in html
    alts = image_alts(html)
    assert any("Quality of service 164" in alt for alt in alts)
    assert (council / REPORT / "report.pdf").stat().st_size > 0


def test_the_open_data_carry_the_published_figures(council: Path):
    data = pd.read_csv(council / REPORT / "data.csv")
    control = data[(data["indicator_id"] == "ASCOF-1B") & (data["period_label"] == "2022/23")]
    assert dict(zip(control["area_code"], control["value"], strict=True)) == {
        "E10000032": 76.9,
        "E92000001": 77.2,
    }
