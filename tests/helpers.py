"""What several test modules share: the repository's path, running the CLI, throwaway copies of
the project, a valid indicator, the demo's areas and periods, source specs and notebook edits.

Test modules import these from here (never from a conftest or another test module); the
fixtures are in ``tests/conftest.py`` and ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from perfreport.assess.disclosure import protect
from perfreport.build.open_data import DATA_COLUMNS
from perfreport.config.areas import Areas
from perfreport.config.catalogue import Indicator
from perfreport.config.disclosure import Disclosure
from perfreport.methods.periods import Period

REPO = Path(__file__).resolve().parents[1]

SLUGS = ["clackmannanshire-and-stirling", "clackmannanshire", "rural-stirling", "urban-stirling"]
"""The demo's areas: the partnership and its three localities."""
QUARTER = "2024-25-Q4"
LATEST = {
    "monthly": "2025-03",
    "quarterly": "2024-25-Q4",
    "locality": "2024-25-Q4",
    "annual": "FY2024-25",
    "scorecard": "FY2024-25",
    "strategic": "2024-25-H2",
}
"""The latest complete period of each cycle in the demo data (which ends in March 2025)."""

COMPLAINTS_SPEC = """\
name: council_complaints
format: csv
area: {column: Locality}
period: {column: Month, format: "%Y-%m", kind: month}
measures:
  - indicator: {id: L-COM-01}
    numerator: On time
    denominator: Complaints
"""
"""A wide source spec: one indicator's numerator and denominator per row."""
LONG_SPEC = """\
name: long_extract
format: csv
area: {column: area}
period: {column: period, format: label}
breakdowns:
  - {name: sex, column: sex, total: All}
measures:
  - indicator: {column: indicator}
    numerator: numerator
    denominator: denominator
    value: value
"""
"""A long source spec: the indicator named in a column, with a breakdown."""

README = (REPO / "README.md").read_text(encoding="utf-8")
RANGE = "the data cover April 2019 to March 2025"
"""How the command line names the demo data's span when it refuses a period."""

GOOD_ENTRY = """\
indicators:
  - id: T-1
    set: local
    title: Complaints answered on time
    description: test entry
    unit: percent
    method: proportion
    polarity: higher_is_better
    frequency: monthly
    target: {value: 80, unit: percent, kind: min}
    tolerance: 5
    scorecard: {section: Stakeholders, subsection: Complaints and enquiries}
    source: test
"""
"""One valid catalogue entry, as a params file holds it."""


@dataclass(frozen=True)
class Completed:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Completed:
    """Run the installed ``perfreport`` command as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "perfreport", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=900,
    )
    return Completed(proc.returncode, proc.stdout, proc.stderr)


def make_indicator(**changes: object) -> Indicator:
    """A valid percentage indicator (target at least 80%, tolerance 5) with ``changes`` applied."""
    fields: dict[str, object] = dict(
        id="T",
        set="local",
        title="Test",
        description="",
        unit="percent",
        method="proportion",
        polarity="higher_is_better",
        frequency="monthly",
        target={"value": 80, "unit": "percent", "kind": "min"},
        tolerance=5,
        scorecard={"section": "Delivery", "subsection": "Service Measures"},
        source="test",
    )
    fields.update(changes)
    return Indicator.model_validate(fields)


def start_cli(*args: str, cwd: Path, **popen: object) -> subprocess.Popen:
    """Start the ``perfreport`` command in the background (``popen``: more of Popen's keyword
    arguments; by default its output is captured as text)."""
    options: dict = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, **popen}
    return subprocess.Popen([sys.executable, "-m", "perfreport", *args], cwd=cwd, **options)


def copy_project(target: Path) -> Path:
    """A copy of the project's params and notebooks, so tests never write into the repo."""
    for folder in ("params", "notebooks"):
        shutil.copytree(REPO / folder, target / folder)
    return target


def file_states(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and modification time."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in root.rglob("*")
        if path.is_file()
    }


def changed_files(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
) -> list[str]:
    """The files written, added or deleted between two :func:`file_states`."""
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.alts.append(dict(attrs).get("alt") or "")


def image_alts(html: str) -> list[str]:
    """The alt text of every image in ``html``, in order."""
    parser = _Images()
    parser.feed(html)
    return parser.alts


FIND_WORKER = """import os, psutil
worker = psutil.Process(int(os.environ['PERFREPORT_WORKER_PID']))  # the worker building it
"""
"""Notebook code that names the worker process building the report ``worker``."""


def insert_cell(project: Path, source: str, position: int = 3) -> None:
    """Put a code cell into the project's locality notebook (to make it fail on purpose)."""
    notebook = project / "notebooks" / "locality.ipynb"
    nb = json.loads(notebook.read_text())
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": [source],
    }
    nb["cells"].insert(position, cell)
    notebook.write_text(json.dumps(nb))


def write_catalogue(project: Path, text: str, name: str = "zz_test.yaml") -> Path:
    """Add a catalogue file holding ``text`` to the project."""
    path = project / "params" / "catalogue" / name
    path.write_text(text, encoding="utf-8")
    return path


# A count indicator's results and site, for the disclosure auditor's tests.

PARTNERSHIP, LOCALITIES, COUNTRY = "S37000005", ["CS-CLK", "CS-RST", "CS-UST"], "S92000003"
YEAR = Period(date(2024, 4, 1), "financial_year")
COLUMNS = [c.strip() for c in DATA_COLUMNS.split(",")]
"""The open data's columns."""


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


def count_results(counts: np.ndarray, last_year: np.ndarray | None = None) -> pd.DataFrame:
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


def count_site(folder: Path, frame: pd.DataFrame, *, complementary: bool, areas: Areas) -> Path:
    """A published site holding ``frame`` as the annual report's open data."""
    out = protect(frame, Disclosure(public=True), areas, complementary=complementary)
    report = folder / "outputs" / "annual" / YEAR.id / "clackmannanshire-and-stirling"
    report.mkdir(parents=True, exist_ok=True)
    out[[*COLUMNS, "suppressed"]].to_csv(report / "data.csv", index=False)
    return folder / "outputs"


FAKE_QUARTO = """#!{python}
'''A stand-in for Quarto, which cannot be installed here: records its arguments, answers
--version, and writes the two files `quarto render FOLDER` would (or fails).'''
import json, pathlib, sys
here = pathlib.Path(__file__)
if sys.argv[1:] == ["--version"]:
    print("9.9.9-fake")
    sys.exit(0)
with open(here.with_name("quarto-calls.jsonl"), "a") as log:
    log.write(json.dumps(sys.argv) + "\\n")
if {status}:
    print("ERROR: typst compile failed", file=sys.stderr)
    sys.exit({status})
out = pathlib.Path(sys.argv[2]) / "_output"
out.mkdir()
(out / "report.html").write_text("<!DOCTYPE html><html lang='en-GB'><title>fake</title></html>")
(out / "report.pdf").write_bytes(b"%PDF-1.7 fake")
"""


def fake_quarto(folder: Path, status: int = 0) -> Path:
    """A fake ``quarto`` executable in ``folder`` (put it first on PATH); it appends each
    call's argv to ``folder/quarto-calls.jsonl`` and exits with ``status``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "quarto"
    path.write_text(FAKE_QUARTO.format(python=sys.executable, status=status), encoding="utf-8")
    path.chmod(0o755)
    return path


def quarto_calls(folder: Path) -> list[list[str]]:
    """The argv of each call of the fake ``quarto`` in ``folder`` (:func:`fake_quarto`)."""
    log = folder / "quarto-calls.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines() if log.is_file() else []
    return [json.loads(line) for line in lines]
