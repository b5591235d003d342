"""The national template: every Scottish partnership (31, real names and codes) and its
invented localities, demo data drawn for them all, and a locality report built from it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from perfreport.config.areas import Areas, load_areas
from perfreport.config.catalogue import load_catalogue
from perfreport.config.demo import load_demo_settings, population
from perfreport.store.demo import generate
from tests.helpers import REPO, run_cli

pytestmark = pytest.mark.e2e

PARTNERSHIPS = {
    "S37000001": "Aberdeen City",
    "S37000002": "Aberdeenshire",
    "S37000003": "Angus",
    "S37000004": "Argyll and Bute",
    "S37000005": "Clackmannanshire and Stirling",
    "S37000006": "Dumfries and Galloway",
    "S37000007": "Dundee City",
    "S37000008": "East Ayrshire",
    "S37000009": "East Dunbartonshire",
    "S37000010": "East Lothian",
    "S37000011": "East Renfrewshire",
    "S37000012": "Edinburgh",
    "S37000013": "Falkirk",
    "S37000016": "Highland",
    "S37000017": "Inverclyde",
    "S37000018": "Midlothian",
    "S37000019": "Moray",
    "S37000020": "North Ayrshire",
    "S37000022": "Orkney Islands",
    "S37000024": "Renfrewshire",
    "S37000025": "Scottish Borders",
    "S37000026": "Shetland Islands",
    "S37000027": "South Ayrshire",
    "S37000028": "South Lanarkshire",
    "S37000029": "West Dunbartonshire",
    "S37000030": "West Lothian",
    "S37000031": "Western Isles",
    "S37000032": "Fife",
    "S37000033": "Perth and Kinross",
    "S37000034": "Glasgow City",
    "S37000035": "North Lanarkshire",
}
"""The 2019 HSCP codes, as Public Health Scotland's source-linkage-files lists them
(R/convert_codes_to_name.R); the template's areas.yaml cites it."""


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("national") / "nat"
    result = run_cli("init", str(folder), "--template", "national", cwd=folder.parent)
    assert result.code == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def nat_areas(national) -> Areas:
    return load_areas(national / "params" / "areas.yaml")


@pytest.fixture(scope="module")
def drawn(national, nat_areas) -> str:
    catalogue = load_catalogue(national / "params" / "catalogue")
    settings = load_demo_settings(national / "params" / "demo.yaml", catalogue, nat_areas)
    return generate(settings, catalogue, nat_areas)


def test_every_partnership_with_its_real_name_and_code(nat_areas):
    partnerships = nat_areas.of_type("partnership")
    assert {a.code: a.name for a in partnerships} == PARTNERSHIPS
    assert {a.parent for a in partnerships} == {"S92000003"}
    assert [a.name for a in nat_areas.of_type("country")] == ["Scotland"]
    assert nat_areas.comparator is not None and nat_areas.comparator.code == "S92000003"


def test_localities_two_to_nine_per_partnership_by_population(national, nat_areas):
    catalogue = load_catalogue(national / "params" / "catalogue")
    settings = load_demo_settings(national / "params" / "demo.yaml", catalogue, nat_areas)
    localities = nat_areas.of_type("locality")
    assert len(localities) == 132
    assert {a.parent for a in localities} == set(PARTNERSHIPS)
    for body in nat_areas.of_type("partnership"):
        people = population(settings, nat_areas, body)
        count = len(nat_areas.children(body.code))
        assert count == min(9, max(2, round(people / 40_000))), body.name
    assert len({a.slug for a in nat_areas}) == len(nat_areas) == 164


def test_the_national_project_passes_check(national):
    result = run_cli("check", "--project", str(national), cwd=national.parent)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("ok: params/ checked: 10 indicators, 164 areas, 1 cycle, ")
    cycles = (national / "params" / "cycles.yaml").read_text()
    assert "  - id: locality\n" in cycles and "    areas: [partnership, locality]\n" in cycles
    assert (national / "notebooks" / "locality.ipynb").read_bytes() == (
        REPO / "notebooks" / "locality.ipynb"
    ).read_bytes()


def test_its_indicators_are_the_hscp_catalogues_as_they_are_there(national):
    mine = load_catalogue(national / "params" / "catalogue")
    hscp = load_catalogue(REPO / "params" / "catalogue")
    assert len(mine) == 10
    for ind in mine:
        assert ind == hscp[ind.id], ind.id


def test_the_demo_covers_every_partnership_and_locality(drawn, nat_areas):
    frame = pd.read_csv(io.StringIO(drawn), dtype={"category": str})
    reported = {a.code for a in nat_areas if a.type != "country"}
    assert set(frame.area_code) == reported  # Scotland is the sum of the partnerships
    assert frame.period_start.min() == "2022-04-01" and frame.period_end.max() == "2025-03-31"
    keys = ["indicator_id", "period_start", "breakdown", "category"]
    parents = frame.area_code.map({a.code: a.parent for a in nat_areas})
    summed = (
        frame[parents.isin(PARTNERSHIPS)]
        .assign(area_code=parents)
        .groupby(["area_code", *keys])["numerator"]
        .sum()
    )
    own = frame[frame.area_code.isin(PARTNERSHIPS)].set_index(["area_code", *keys])["numerator"]
    assert len(own) > 10_000
    assert (own - summed.reindex(own.index)).abs().max() < 1e-6


def test_the_same_bytes_in_another_process(national, drawn):
    out = national.parent / "generated"
    result = run_cli("generate-demo", "--out", str(out), "--project", str(national), cwd=REPO)
    assert result.code == 0, result.stderr
    assert (out / "observations.csv").read_bytes() == drawn.encode("utf-8")


KEPT = ("S37000005", "S37000026")
"""The partnerships the build test keeps: the one the levels describe, and Shetland (2
localities), drawn at its own scale; prepare for all 164 areas takes about a minute."""


def trimmed(national: Path, folder: Path) -> Path:
    """A copy of the national project with only the :data:`KEPT` partnerships (and Scotland)."""
    shutil.copytree(national, folder)
    params = folder / "params"
    for name, keep in (
        ("areas.yaml", lambda line: "code: S92000003" in line or "code: S37" not in line),
        ("demo.yaml", lambda line: not line.startswith("  S37")),
    ):
        lines = (params / name).read_text().splitlines(keepends=True)
        kept = [line for line in lines if keep(line) or any(c in line for c in KEPT)]
        (params / name).write_text("".join(kept))
    return folder


def test_a_locality_and_a_partnership_report_from_the_national_demo(national, tmp_path):
    project = trimmed(national, tmp_path / "nat")
    generated = run_cli("generate-demo", cwd=project)
    assert generated.code == 0, generated.stderr
    loaded = run_cli("ingest", "demo_observations", "data/demo/observations.csv", cwd=project)
    assert loaded.code == 0 and ", 0 quarantined," in loaded.stdout, loaded.stderr
    built = run_cli(
        "run",
        "locality",
        "--area",
        "S37000026-L2",
        "--area",
        "S37000026",
        "--jobs",
        "2",
        cwd=project,
    )
    assert built.code == 0, built.stderr
    assert "2 of 2 reports built" in built.stdout
    drawn = pd.read_csv(project / "data" / "demo" / "observations.csv", dtype={"category": str})
    quarter = drawn[
        (drawn.indicator_id == "L-COM-01")
        & (drawn.breakdown == "all")
        & drawn.period_start.between("2025-01-01", "2025-03-01")
    ]
    folder = project / "outputs" / "locality" / "2024-25-Q4"
    for slug, code in (
        ("shetland-islands-south", "S37000026-L2"),
        ("shetland-islands", "S37000026"),
    ):
        data = pd.read_csv(folder / slug / "data.csv")
        # its area, its partnership, the comparator and the partnership's localities (the
        # funnel plots), and no other partnership's
        localities = {f"S37000026-L{n}" for n in range(1, 10)}
        assert {code, "S37000026", "S92000003"} <= set(data.area_code)
        assert set(data.area_code) <= {code, "S37000026", "S92000003", *localities}
        row = data[(data.indicator_id == "L-COM-01") & (data.period_label == "Q4 2024/25")]
        mine = quarter[quarter.area_code == code]
        assert row[row.area_code == code].value.item() == pytest.approx(
            mine.numerator.sum() / mine.denominator.sum() * 100
        )
        bodies = quarter[quarter.area_code.isin(KEPT)]  # Scotland: the partnerships added up
        assert row[row.area_code == code].country_value.item() == pytest.approx(
            bodies.numerator.sum() / bodies.denominator.sum() * 100
        )
        assert "Shetland Islands" in (folder / slug / "report.html").read_text(encoding="utf-8")
