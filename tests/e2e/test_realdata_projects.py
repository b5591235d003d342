"""The four real extracts of ``../shared/realdata/``, each in a project of its own made with
``perfreport init --template blank`` (:mod:`tests.realdata`): ingest, prepare and run, with
nothing lost and figures checked against the CSV with pandas.

Every extract is ingested and prepared whole. The suite builds the reports of a sample of areas
(one board, hospital and trust; two councils and the partnership they make up), each report's
open data holding its area's whole series; ``nox -s realdata`` (``PERFREPORT_REALDATA=all``)
builds a report for every area of all four files, which takes about ten minutes on two cores
(about 270 reports).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.helpers import Completed, run_cli
from tests.realdata import (
    CLACKMANNANSHIRE,
    EXTRACTS,
    MISSING,
    PARTNERSHIP,
    REALDATA,
    STIRLING,
    make_project,
    slug,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not present"),
]
EVERY_AREA = os.environ.get("PERFREPORT_REALDATA") == "all"
SAMPLE = {
    "boards": ["S08000019"],  # NHS Forth Valley
    "councils": [CLACKMANNANSHIRE, STIRLING, PARTNERSHIP],
    "hospitals": ["A111H"],  # University Hospital Crosshouse
    "trusts": ["RAJ"],
}
"""The areas built here when not every area is (the cost is in ``nox -s realdata``)."""


@dataclass(frozen=True)
class Built:
    root: Path
    ingested: Completed
    ran: Completed

    def sql(self, query: str, *parameters: object) -> list[tuple]:
        with duckdb.connect(str(self.root / "data" / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(query, list(parameters)).fetchall()

    def open_data(self, month: str, code: str) -> pd.DataFrame:
        """The area's own rows of its report's open data (which also holds its comparator's)."""
        data = pd.read_csv(self.root / "outputs" / "performance" / month / slug(code) / "data.csv")
        return data[data.area_code == code]

    def reported(self, month: str) -> set[str]:
        folder = self.root / "outputs" / "performance" / month
        return {p.name for p in folder.iterdir() if (p / "report.pdf").is_file()}

    def skipped(self) -> set[str]:
        return set(re.findall(r"^skipped performance \S+ (\S+): no data", self.ran.stdout, re.M))


def build(name: str, folder: Path) -> Built:
    root = make_project(name, folder)
    extract = EXTRACTS[name]
    spec = re.search(r"^name: (\S+)", extract.spec, re.M)
    assert spec is not None
    ingested = run_cli("ingest", spec.group(1), str(extract.path), cwd=root)
    assert ingested.code in (0, 1), ingested.stderr  # 1: some rows were quarantined
    areas = [] if EVERY_AREA else SAMPLE[name]
    if areas:
        ran = run_cli("run", "performance", *(f"--area={a}" for a in areas), cwd=root)
    else:
        ran = run_cli("run", "--all", cwd=root)
    assert ran.code == 0, ran.stdout + ran.stderr
    return Built(root, ingested, ran)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory):
    made: dict[str, Built] = {}

    def get(name: str) -> Built:
        if name not in made:
            made[name] = build(name, tmp_path_factory.mktemp(name) / "project")
        return made[name]

    return get


def counts(built: Built) -> tuple[int, int, int, int]:
    (row,) = built.sql("SELECT rows_read, rows_accepted, rows_rejected, rows_filtered FROM loads")
    return row


def quarantined_for(built: Built, reason: str) -> int:
    """How many quarantined rows give ``reason`` among their reasons."""
    ((n,),) = built.sql("SELECT count(*) FROM quarantine WHERE contains(reasons, ?)", reason)
    return int(n)


# -- NHS boards ---------------------------------------------------------------------------


def test_boards_every_row_and_every_board(real):
    boards = real("boards")
    frame = EXTRACTS["boards"].frame()
    assert counts(boards) == (len(frame), len(frame), 0, 0) == (16_875, 16_875, 0, 0)
    areas = {slug(c) for c in set(frame["HBT"])}
    assert len(areas) == 15  # 14 boards and Scotland
    if EVERY_AREA:
        assert boards.reported("2022-09") == areas
    else:
        assert boards.reported("2022-09") == {slug(c) for c in SAMPLE["boards"]}


@pytest.mark.parametrize(("month", "label"), [(202207, "July 2022"), (202209, "September 2022")])
def test_boards_bed_days_are_the_files(real, month, label):
    frame = pd.read_csv(EXTRACTS["boards"].path)
    expected = frame.query(
        "MonthOfDelay == @month and HBT == 'S08000019' and AgeGroup == '18plus' "
        "and ReasonForDelay == 'All Delay Reasons'"
    ).NumberOfDelayedBedDays.item()
    data = real("boards").open_data("2022-09", "S08000019")
    row = data[(data.indicator_id == "DD-BEDDAYS") & (data.period_label == label)]
    assert row.value.item() == expected


def test_boards_average_beds_are_the_files(real):
    frame = pd.read_csv(EXTRACTS["boards"].path)
    expected = frame.query(
        "MonthOfDelay == 202209 and HBT == 'S08000019' and AgeGroup == '18plus' "
        "and ReasonForDelay == 'All Delay Reasons'"
    ).AverageDailyNumberOfDelayedBeds.item()
    data = real("boards").open_data("2022-09", "S08000019")
    row = data[(data.indicator_id == "DD-BEDS") & (data.period_label == "September 2022")]
    assert row.value.item() == expected


# -- council areas ------------------------------------------------------------------------


def test_councils_rows_without_a_code_are_quarantined_with_their_reason(real):
    councils = real("councils")
    frame = EXTRACTS["councils"].frame()
    no_code = int((frame["ltla_code"] == "NA").sum())
    assert no_code == 1_650
    assert counts(councils) == (56_100, 56_100 - no_code, no_code, 0)
    assert quarantined_for(councils, "missing area code (ltla_code is 'NA')") == no_code
    assert "56,100 rows read, 54,450 accepted, 1,650 quarantined, 0 filtered" in (
        councils.ingested.stdout
    )


def test_councils_every_area_has_a_report(real):
    councils = real("councils")
    codes = set(EXTRACTS["councils"].frame()["ltla_code"]) - MISSING
    assert len(codes) == 33  # 32 councils and Scotland
    every = {slug(c) for c in codes | {PARTNERSHIP}}
    built = every if EVERY_AREA else {slug(c) for c in SAMPLE["councils"]}
    assert councils.reported("2025-08") == built
    assert councils.skipped() == set()


def council_figure(code: str, day: str = "2025-08-01") -> float:
    frame = pd.read_csv(EXTRACTS["councils"].path, keep_default_na=False)
    return frame.query(
        "ltla_code == @code and date == @day and age_group == '18plus' "
        "and delay_reason == 'All Delay Reasons'"
    ).num_delayed_bed_days.item()


@pytest.mark.parametrize(
    ("code", "day", "label"),
    [
        (CLACKMANNANSHIRE, "2025-08-01", "August 2025"),
        (STIRLING, "2025-08-01", "August 2025"),
        (CLACKMANNANSHIRE, "2024-03-01", "March 2024"),
    ],
)
def test_councils_bed_days_are_the_files(real, code, day, label):
    data = real("councils").open_data("2025-08", code)
    row = data[(data.indicator_id == "DD-BEDDAYS") & (data.period_label == label)]
    assert row.value.item() == council_figure(code, day)


def test_clackmannanshire_and_stirling_make_the_partnership(real):
    data = real("councils").open_data("2025-08", PARTNERSHIP)
    row = data[(data.indicator_id == "DD-BEDDAYS") & (data.period_label == "August 2025")]
    both = council_figure(CLACKMANNANSHIRE) + council_figure(STIRLING)
    assert row.value.item() == both == 711 + 760


# -- A&E by hospital ----------------------------------------------------------------------


def test_hospitals_duplicate_rows_are_quarantined_and_nothing_lost(real):
    hospitals = real("hospitals")
    frame = EXTRACTS["hospitals"].frame()
    duplicated = frame.duplicated(["hospital_code", "date"], keep=False)
    assert int(duplicated.sum()) == 148
    assert counts(hospitals) == (17_844, 17_844 - 148, 148, 0)
    assert quarantined_for(hospitals, "(same indicator, area, period and breakdown)") == 148


@pytest.mark.parametrize(
    ("day", "label"),
    [
        ("2025-02-28", "February 2025"),
        ("2024-12-31", "December 2024"),
        ("2019-01-31", "January 2019"),
    ],
)
def test_a_hospitals_four_hour_percentage_is_the_files(real, day, label):
    frame = pd.read_csv(EXTRACTS["hospitals"].path).query(
        "hospital_code == 'A111H' and date == @day"
    )
    data = real("hospitals").open_data("2025-02", "A111H")
    row = data[data.period_label == label]
    assert row.numerator.item() == frame.within_4_hours.item()
    assert row.denominator.item() == frame.attendances.item()
    expected = 100 * frame.within_4_hours.item() / frame.attendances.item()
    assert row.value.item() == pytest.approx(expected, abs=1e-9)


def test_hospitals_areas_reported_or_said_why_not(real):
    hospitals = real("hospitals")
    codes = set(EXTRACTS["hospitals"].frame()["hospital_code"])
    assert len(codes) == 103
    if EVERY_AREA:
        assert hospitals.reported("2025-02") | hospitals.skipped() == {slug(c) for c in codes}
    else:
        assert hospitals.reported("2025-02") == {slug(c) for c in SAMPLE["hospitals"]}


# -- patients not meeting the criteria to reside, by trust (daily) ------------------------


def test_trusts_missing_codes_and_values_are_quarantined(real):
    trusts = real("trusts")
    frame = EXTRACTS["trusts"].frame()
    no_value = int((frame["do_not_meet_criteria_to_reside"] == "NA").sum())
    no_code = int((frame["nhs_trust22_code"] == "NA").sum())
    assert (no_value, no_code) == (1_517, 243)
    assert counts(trusts) == (149_482, 149_482 - no_value, no_value, 0)
    assert quarantined_for(trusts, "missing area code (nhs_trust22_code is 'NA')") == no_code
    assert quarantined_for(trusts, "is not a number; no value for NCTR on this day") == no_value


@pytest.mark.parametrize(
    ("month", "label"),
    [("2025-08", "August 2025"), ("2024-12", "December 2024"), ("2022-04", "April 2022")],
)
def test_a_trusts_monthly_mean_is_the_files(real, month, label):
    frame = pd.read_csv(EXTRACTS["trusts"].path).query(
        "nhs_trust22_code == 'RAJ' and date.str.startswith(@month)"
    )
    data = real("trusts").open_data("2025-08", "RAJ")
    row = data[data.period_label == label]
    expected = frame.do_not_meet_criteria_to_reside.dropna().mean()
    assert row.value.item() == pytest.approx(expected, abs=1e-9)


def test_trusts_areas_reported_or_said_why_not(real):
    trusts = real("trusts")
    codes = set(EXTRACTS["trusts"].frame()["nhs_trust22_code"]) - MISSING
    assert len(codes) == 121
    if EVERY_AREA:
        assert trusts.reported("2025-08") | trusts.skipped() == {slug(c) for c in codes}
    else:
        assert trusts.reported("2025-08") == {slug(c) for c in SAMPLE["trusts"]}
