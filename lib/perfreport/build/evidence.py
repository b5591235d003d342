"""What a failed job leaves: its folder under ``outputs/failed/<cycle>/<period>/<area>/``
holds the executed notebook as far as it ran and ``error.txt`` (one line saying what went
wrong, then all that is known). The published report is left alone."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.build.layout import ERROR_FILE, NOTEBOOK

if TYPE_CHECKING:
    from perfreport.build.jobs import Job, JobResult


def keep_failure(
    job: Job, result: JobResult, staging: Path | None, detail: str | None = None
) -> JobResult:
    """Move a failed job's staging folder (executed notebook, ``error.txt``) to
    ``outputs/failed/``, writing ``error.txt`` (``result.error``, then ``detail``) if ``detail``
    is given or the folder has none; the published report is left alone."""
    shutil.rmtree(job.failed_dir, ignore_errors=True)
    job.failed_dir.parent.mkdir(parents=True, exist_ok=True)
    if staging is not None and staging.is_dir():
        staging.rename(job.failed_dir)
    else:
        job.failed_dir.mkdir()
    if detail is not None or not (job.failed_dir / ERROR_FILE).exists():
        write_evidence(job.failed_dir, result.error, detail or "")
    return replace(result, output=job.failed_dir)


def write_evidence(folder: Path, summary: str, detail: str) -> None:
    """Keep only the executed notebook in ``folder`` (anything half-rendered is dropped) and
    write ``error.txt``: the summary line, then the detail."""
    for path in folder.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        elif path.name != NOTEBOOK:
            path.unlink()
    text = summary + ("\n\n" + detail.rstrip() if detail.strip() else "") + "\n"
    (folder / ERROR_FILE).write_text(text, encoding="utf-8")
