"""Shared fixtures: the repository's own project files, and throwaway copies of them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from perfreport.config.areas import Areas, load_areas
from perfreport.config.catalogue import Catalogue, Indicator, load_catalogue
from perfreport.config.demo import DemoSettings, load_demo_settings

REPO = Path(__file__).resolve().parents[1]


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


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run ``perfreport`` in this process (fast) from the folder ``cwd``."""
    from perfreport.cli.main import main

    def run(*args: str, cwd: Path) -> Completed:
        capsys.readouterr()
        monkeypatch.chdir(cwd)
        code = main(list(args))
        out, err = capsys.readouterr()
        return Completed(code, out, err)

    return run


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


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(REPO / "params" / "catalogue")


@pytest.fixture(scope="session")
def areas() -> Areas:
    return load_areas(REPO / "params" / "areas.yaml")


@pytest.fixture(scope="session")
def demo_settings(catalogue: Catalogue, areas: Areas) -> DemoSettings:
    return load_demo_settings(REPO / "params" / "demo.yaml", catalogue, areas)
