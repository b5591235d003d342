"""Projects for the four real extracts of ``../shared/realdata/`` (see its README), made as a
new user makes one: ``perfreport init DIR --template blank``, then an areas file, catalogue
entries and a source spec written into the project's ``params/``. Nothing of the package is
edited.

Each :class:`Extract` says what its project needs; :func:`make_project` writes it. The areas
are the codes the file holds (read with pandas, the way an analyst would list them), so that
every area in the file gets a report or a line saying why not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tests.helpers import REPO, run_cli

REALDATA = REPO.parent / "shared" / "realdata"
SCOTLAND = "S92000003"
PARTNERSHIP = "S37000005"
CLACKMANNANSHIRE, STIRLING = "S12000005", "S12000030"
BOARDS = {
    "S08000015": "NHS Ayrshire and Arran",
    "S08000016": "NHS Borders",
    "S08000017": "NHS Dumfries and Galloway",
    "S08000019": "NHS Forth Valley",
    "S08000020": "NHS Grampian",
    "S08000022": "NHS Highland",
    "S08000024": "NHS Lothian",
    "S08000025": "NHS Orkney",
    "S08000026": "NHS Shetland",
    "S08000028": "NHS Western Isles",
    "S08000029": "NHS Fife",
    "S08000030": "NHS Tayside",
    "S08000031": "NHS Greater Glasgow and Clyde",
    "S08000032": "NHS Lanarkshire",
}
MISSING = {"", "NA"}
"""How the extracts write a missing code or value."""


def entry(ind_id: str, title: str, **fields: str) -> str:
    """One catalogue entry in the blank template's vocabulary (scorecard Performance)."""
    lines = [
        f"  - id: {ind_id}",
        "    set: local",
        f"    title: {title}",
        f"    description: {title}.",
        *(f"    {key}: {value}" for key, value in fields.items()),
        "    scorecard: {section: Performance, subsection: Indicators}",
        "    source: Open data (../shared/realdata)",
    ]
    return "\n".join(lines)


BEDDAYS = dict(
    unit="count", method="count", polarity="lower_is_better", frequency="monthly",
    aggregation="sum", decimals="0", breakdowns="[age_group, delay_reason]",
)  # fmt: skip
AVERAGE_BEDS = dict(
    unit="count", method="count", polarity="lower_is_better", frequency="monthly",
    aggregation="mean", decimals="0", breakdowns="[age_group, delay_reason]",
)  # fmt: skip


@dataclass(frozen=True)
class Extract:
    """One real extract and what its project declares."""

    file: str
    spec: str
    area_types: str
    catalogue: str
    code_column: str

    @property
    def path(self) -> Path:
        return REALDATA / self.file

    def frame(self) -> pd.DataFrame:
        """The extract as text, missing cells kept as written (``NA`` stays ``NA``)."""
        return pd.read_csv(self.path, dtype=str, keep_default_na=False)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def area_line(code: str, name: str, kind: str, parent: str | None = None) -> str:
    up = f", parent: {parent}" if parent else ""
    return f'  - {{code: {code}, name: "{name}", type: {kind}{up}, slug: {slug(code)}}}'


COUNCILS_ETC = """\
area_types:
  - {id: partnership, name: partnership, role: body}
  - {id: council, name: council area, parent: partnership}
  - {id: country, name: country, role: comparator}
"""
BOARDS_ETC = """\
area_types:
  - {id: health_board, name: NHS board, parent: country}
  - {id: country, name: country, role: comparator}
"""
HOSPITALS_ETC = """\
area_types:
  - {id: hospital, name: hospital, role: body}
"""
TRUSTS_ETC = """\
area_types:
  - {id: trust, name: NHS trust, role: body}
"""

EXTRACTS = {
    "boards": Extract(
        "phs_delayed_discharge_beddays_hb_201607_202209.csv",
        """\
name: beddays
format: csv
max_size_mb: 50
area: {column: HBT}
period: {column: MonthOfDelay, format: "%Y%m", kind: month}
breakdowns:
  - {name: age_group, column: AgeGroup, total: 18plus}
  - {name: delay_reason, column: ReasonForDelay, total: All Delay Reasons}
measures:
  - indicator: {id: DD-BEDDAYS}
    value: NumberOfDelayedBedDays
  - indicator: {id: DD-BEDS}
    value: AverageDailyNumberOfDelayedBeds
""",
        BOARDS_ETC,
        entry("DD-BEDDAYS", "Bed days lost to delayed discharge", **BEDDAYS)
        + "\n"
        + entry("DD-BEDS", "Average daily delayed beds", **AVERAGE_BEDS),
        "HBT",
    ),
    "councils": Extract(
        "phs_delayed_discharge_by_council_monthly.csv",
        """\
name: council_beddays
format: csv
max_size_mb: 50
area: {column: ltla_code}
period: {column: date, format: "%Y-%m-%d", kind: month}
breakdowns:
  - {name: age_group, column: age_group, total: 18plus}
  - {name: delay_reason, column: delay_reason, total: All Delay Reasons}
measures:
  - indicator: {id: DD-BEDDAYS}
    value: num_delayed_bed_days
  - indicator: {id: DD-BEDS}
    value: average_daily_delayed_beds
""",
        COUNCILS_ETC,
        entry("DD-BEDDAYS", "Bed days lost to delayed discharge", **BEDDAYS)
        + "\n"
        + entry("DD-BEDS", "Average daily delayed beds", **AVERAGE_BEDS),
        "ltla_code",
    ),
    "hospitals": Extract(
        "phs_ae_attendance_by_hospital_monthly.csv",
        """\
name: ae_waits
format: csv
max_size_mb: 50
area: {column: hospital_code}
period: {column: date, format: "%Y-%m-%d", kind: month}
measures:
  - indicator: {id: AE-4H}
    numerator: within_4_hours
    denominator: attendances
""",
        HOSPITALS_ETC,
        entry(
            "AE-4H",
            "A&E attendances seen within 4 hours",
            unit="percent",
            method="proportion",
            polarity="higher_is_better",
            frequency="monthly",
            target="{value: 95, unit: percent, kind: min, source: Scottish Government standard}",
            tolerance="5",
        ),
        "hospital_code",
    ),
    "trusts": Extract(
        "nhse_trust_not_meeting_criteria_to_reside_daily.csv",
        """\
name: criteria_to_reside
format: csv
max_size_mb: 50
max_rows: 1000000
area: {column: nhs_trust22_code}
period: {column: date, format: "%Y-%m-%d", kind: day}
measures:
  - indicator: {id: NCTR}
    value: do_not_meet_criteria_to_reside
""",
        TRUSTS_ETC,
        entry(
            "NCTR",
            "Patients who no longer meet the criteria to reside",
            unit="count",
            method="count",
            polarity="lower_is_better",
            frequency="monthly",
            aggregation="mean",
            decimals="1",
        ),
        "nhs_trust22_code",
    ),
}


def areas_of(name: str, frame: pd.DataFrame) -> list[str]:
    """The areas file's lines for the codes the extract holds (and a partnership above
    Clackmannanshire and Stirling for the council extract)."""
    codes = sorted(set(frame[EXTRACTS[name].code_column]) - MISSING)
    if name == "hospitals":
        latest = frame.sort_values("date").groupby("hospital_code")["hospital_name"].last()
        return [area_line(c, latest[c], "hospital") for c in codes]
    if name == "trusts":
        return [area_line(c, f"NHS trust {c}", "trust") for c in codes]
    lines = [area_line(SCOTLAND, "Scotland", "country")]
    if name == "boards":
        return lines + [area_line(c, BOARDS[c], "health_board") for c in codes if c in BOARDS]
    lines.append(area_line(PARTNERSHIP, "Clackmannanshire and Stirling", "partnership"))
    parent = {CLACKMANNANSHIRE: PARTNERSHIP, STIRLING: PARTNERSHIP}
    councils = [c for c in codes if c != SCOTLAND]
    return lines + [area_line(c, f"Council area {c}", "council", parent.get(c)) for c in councils]


def make_project(name: str, folder: Path) -> Path:
    """``perfreport init folder --template blank``, then the extract's params."""
    made = run_cli("init", str(folder), "--template", "blank", cwd=folder.parent)
    assert made.code == 0, made.stderr
    extract = EXTRACTS[name]
    params = folder / "params"
    areas = "\n".join(areas_of(name, extract.frame()))
    (params / "areas.yaml").write_text(f"{extract.area_types}\nareas:\n{areas}\n", "utf-8")
    (params / "catalogue" / "indicators.yaml").write_text(
        f"indicators:\n{extract.catalogue}\n", "utf-8"
    )
    spec = re.search(r"^name: (\S+)", extract.spec, re.M)
    assert spec is not None
    (params / "sources" / f"{spec.group(1)}.yaml").write_text(extract.spec, "utf-8")
    return folder
