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
from html.parser import HTMLParser
from pathlib import Path

from perfreport.config.catalogue import Indicator

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


def copy_project(target: Path) -> Path:
    """A copy of the project's params and notebooks, so tests never write into the repo."""
    for folder in ("params", "notebooks"):
        shutil.copytree(REPO / folder, target / folder)
    return target


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
