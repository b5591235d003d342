"""`perfreport audit` on the demo site: nothing recovered with disclosure control as built,
recoveries (each the true figure) once complementary suppression is taken out, and a build
that refuses to publish what the auditor would break."""

from __future__ import annotations

import shutil

import duckdb
import numpy as np
import pandas as pd
import pytest

from perfreport.assess import disclosure
from perfreport.assess.disclosure import protect
from perfreport.build import pipeline
from perfreport.build.open_data import DATA_COLUMNS
from perfreport.config.disclosure import Disclosure
from perfreport.errors import PerfreportError
from tests.helpers import run_cli

pytestmark = pytest.mark.e2e
KEY = ["indicator_id", "area_code", "period_start", "period_end"]
COLUMNS = [c.strip() for c in DATA_COLUMNS.split(",")]


def test_the_demo_site_gives_nothing_away(built):
    result = run_cli("audit", cwd=built)
    assert result.code == 0, result.stdout + result.stderr
    assert "audit: 6 controlled reports" in result.stdout
    assert ", 0 recovered; not audited (disclosure control off): monthly, quarterly, scorecard" in (
        result.stdout
    )
    suppressed = int(
        result.stdout.split("controlled reports, ")[1].split(" suppressed")[0].replace(",", "")
    )
    assert suppressed > 100


def _without_complementary_suppression(project) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Rewrite every controlled report's open data as primary suppression alone would publish
    it; returns the true figures."""
    setup = pipeline.Setup.load(project)
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        truth = con.execute("SELECT * FROM results WHERE breakdown = 'all'").df()
    primary = protect(truth, Disclosure(), setup.areas, complementary=False)
    for column in ("period_start", "period_end"):
        primary[column] = pd.to_datetime(primary[column]).dt.date.astype(str)
    for data in sorted((project / "outputs").glob("*/*/*/data.csv")):
        if data.parts[-4] not in ("annual", "locality", "strategic"):
            continue
        keys = pd.read_csv(data, dtype=str)[KEY]
        keys.merge(primary, on=KEY, how="left")[[*COLUMNS, "suppressed"]].to_csv(data, index=False)
    return truth


def test_without_complementary_suppression_the_audit_recovers_true_counts(built, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(built, project, ignore=shutil.ignore_patterns("*.pdf", "notebook.ipynb"))
    truth = _without_complementary_suppression(project)
    result = run_cli("audit", cwd=project)
    assert result.code == 1
    recovered = [line for line in result.stdout.splitlines() if line.startswith("recovered: ")]
    assert len(recovered) >= 20
    by_label = truth.set_index(["indicator_id", "area_code", "period_label"])
    checked = 0
    for line in recovered:
        _, what = line.split(".csv: ", 1)
        head, rest = what.split(": ", 1)
        indicator, area, label = head.split(" ", 2)
        column, value = rest.split(" (")[0].split(" = ")
        if column in ("numerator", "denominator", "value"):
            true = float(by_label.loc[(indicator, area, label), column])
            assert np.isclose(float(value), true), line
            checked += 1
    assert checked == len(recovered)
    # the kinds of differencing the issue names were all found
    assert any("differencing" in line for line in recovered)


def test_a_build_that_would_publish_a_recoverable_count_is_refused(built, tmp_path, monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(built, project, ignore=shutil.ignore_patterns("outputs"))
    monkeypatch.setattr(
        disclosure, "complement", lambda frame, primary, found, counts: primary.copy()
    )
    setup = pipeline.Setup.load(project)
    pipeline.prepare_results(setup)
    with pytest.raises(
        PerfreportError, match=r"^disclosure audit: a suppressed figure could be worked out"
    ):
        pipeline.build(setup, "annual", None, [], 1)
    assert not (project / "outputs" / "annual").exists()  # nothing was built


def test_management_reports_beside_the_controlled_ones_would_give_counts_back(built):
    result = run_cli("audit", "--with-management", cwd=built)
    assert result.code == 1
    assert any(
        "(shown in monthly/" in line or "(shown in quarterly/" in line
        for line in result.stdout.splitlines()
    )


def test_publish_makes_the_public_site_from_the_controlled_reports_alone(built, tmp_path):
    dest = tmp_path / "public"
    result = run_cli("publish", str(dest), cwd=built)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("published: 6 reports of locality, annual, strategic to ")
    assert sorted(p.name for p in dest.iterdir() if p.is_dir()) == [
        "annual",
        "locality",
        "strategic",
    ]
    index = (dest / "index.html").read_text(encoding="utf-8")
    assert index.count("Open data (CSV)") == 6 and "Monthly" not in index
    assert (dest / "accessibility.html").is_file() and (dest / "manifest.json").is_file()
    audit = run_cli("audit", str(dest), "--with-management", cwd=built)
    assert audit.code == 0 and ", 0 recovered" in audit.stdout
    refused = run_cli("publish", str(tmp_path / "other"), "--cycle", "monthly", cwd=built)
    assert refused.code == 2
    assert refused.stderr.strip() == (
        "perfreport: error: parameter '--cycle': monthly shows every count (disclosure control "
        "off) and cannot be published to the public site"
    )


def test_publish_refuses_a_site_the_audit_breaks_and_leaves_the_last_one(built, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(built, project)
    dest = tmp_path / "public"
    assert run_cli("publish", str(dest), cwd=project).code == 0
    before = (
        dest / "annual" / "FY2024-25" / "clackmannanshire-and-stirling" / "data.csv"
    ).read_bytes()
    _without_complementary_suppression(project)
    result = run_cli("publish", str(dest), cwd=project)
    assert result.code == 2
    assert result.stderr.startswith(
        "perfreport: error: disclosure audit: the site would give away "
    )
    assert result.stderr.strip().endswith("; nothing was published")
    after = (
        dest / "annual" / "FY2024-25" / "clackmannanshire-and-stirling" / "data.csv"
    ).read_bytes()
    assert after == before
    assert not list(tmp_path.glob(".public.*"))
