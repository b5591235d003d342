"""What lives where under ``outputs/``: the names of a build's folders and files.

- ``outputs/<cycle>/<period>/<area>/``: a published report (:data:`REPORT_FILES` and its
  provenance record, :data:`PROVENANCE`);
- ``outputs/failed/<cycle>/<period>/<area>/``: a failed job's executed notebook and
  ``error.txt`` (never listed);
- ``outputs/.staging/``: reports being built, one folder per attempt (never published
  half-written);
- ``outputs/manifest.json``, ``outputs/index.html``, ``outputs/accessibility.html``: the site,
  rebuilt from the published folders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

PROVENANCE = "provenance.json"
NOTEBOOK = "notebook.ipynb"
RUNNING = "running-cell.json"
"""Beside a notebook while it runs (:mod:`perfreport.build.papermill_engine`): ``{"cell": N,
"source": "..."}``, the code cell running (N counts code cells from 1)."""
FAILED = "failed"
"""The folder under ``outputs/`` keeping failed jobs' notebooks and errors (never listed)."""
OPEN_DATA = "data.csv"
REPORT_FILES = ("report.html", "report.pdf", OPEN_DATA, NOTEBOOK)
MANIFEST = "manifest.json"
INDEX = "index.html"
STATEMENT = "accessibility.html"
STAGING = ".staging"
ERROR_FILE = "error.txt"
RETIRED = ".old-"
"""A published report moved aside while its replacement is swapped in
(:func:`perfreport.build.swap.publish_folder`)."""


class _HasOutputs(Protocol):
    @property
    def outputs(self) -> Path: ...


class Keyed(Protocol):
    """What the folder names need of a job: its key and its project's ``outputs/``."""

    @property
    def key(self) -> str: ...

    @property
    def project(self) -> _HasOutputs: ...


def staging_folder(job: Keyed, pid: int) -> Path:
    """Where the worker ``pid`` builds ``job`` (one folder per attempt)."""
    return job.project.outputs / STAGING / f"{job.key.replace('/', '--')}--{pid}"
