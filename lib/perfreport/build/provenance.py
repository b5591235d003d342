"""Each published report folder's own record, ``provenance.json``: its notebook, input hashes
and cache key, parameters, package versions, git commit and build times (the build time lives
here, never in the HTML); and the published reports, read back from those records."""

from __future__ import annotations

import json
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.build.layout import FAILED, PROVENANCE, REPORT_FILES

if TYPE_CHECKING:
    from perfreport.build.jobs import Job

PACKAGES = (
    "perfreport",
    "papermill",
    "nbconvert",
    "nbclient",
    "weasyprint",
    "pandas",
    "duckdb",
    "matplotlib",
)


def provenance_record(job: Job, started: str, ended: str) -> dict:
    """What ``provenance.json`` holds for a report built from ``job``."""
    return {
        "cycle": job.cycle.id,
        "period": job.period.id,
        "area": job.area.code,
        "title": job.meta.title,
        "notebook": job.cycle.notebook,
        "outputs": _outputs(job.key),
        "inputs": dict(job.inputs),
        "cache_key": job.cache_key,
        "parameters": {k: v for k, v in job.parameters.items() if k != "project"},
        "packages": versions(),
        "git_commit": job.commit or git_commit(job.project.root),
        "started": started,
        "ended": ended,
    }


def versions() -> dict[str, str]:
    """The installed version of each of :data:`PACKAGES`."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - every one is a dependency
            out[name] = "not installed"
    return out


def git_commit(root: Path) -> str:
    """The commit checked out in the git repository holding ``root`` ("unknown" outside one)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def _outputs(key: str) -> dict[str, str]:
    """A report's files, relative to ``outputs/``."""
    return {name: f"{key}/{name}" for name in REPORT_FILES}


RECORD_FIELDS = ("cycle", "period", "title", "cache_key")


def read_record(folder: Path) -> dict | None:
    """A published folder's provenance record, or None unless the folder holds a whole report
    (every file, and a record that can be read)."""
    try:
        record = json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    whole = isinstance(record, dict) and all(field in record for field in RECORD_FIELDS)
    return record if whole and all((folder / n).is_file() for n in REPORT_FILES) else None


def published(outputs: Path) -> dict[str, dict]:
    """Every report published under ``outputs/<cycle>/<period>/<area>/``, by key, from the
    records in the folders themselves (staging, moved-aside and failed folders excluded).
    The key and file links come from where the folder is, not from what its record says."""
    reports = {}
    for path in sorted(outputs.glob(f"*/*/*/{PROVENANCE}")):
        parts = path.parent.relative_to(outputs).parts
        if parts[0] == FAILED or any(part.startswith(".") for part in parts):
            continue
        record = read_record(path.parent)
        if record is not None:
            key = "/".join(parts)
            reports[key] = {**record, "outputs": _outputs(key)}
    return reports
