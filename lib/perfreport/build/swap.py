"""Publishing a finished report: its staging folder swapped into place whole, and the
housekeeping after a run that was interrupted part-way through a swap.

Only the parent process publishes, under the outputs lock: the old report stays in place
until the new one is whole (:func:`publish_folder`), and :func:`recover` puts back a report
that was moved aside but never replaced.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.build.evidence import keep_failure
from perfreport.build.layout import RETIRED, STAGING

if TYPE_CHECKING:
    from perfreport.build.jobs import Job, JobResult


def publish_folder(staging: Path, target: Path) -> None:
    """Swap the finished staging folder into place; the old report stays until the new one is whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    retired = target.with_name(f".{target.name}{RETIRED}{os.getpid()}")
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def settle(job: Job, result: JobResult) -> JobResult:
    """In the parent, a worker's finished job (``result.output`` its staging folder): publish
    the report, or keep the failure's evidence under ``outputs/failed/``."""
    if not result.ok:
        return keep_failure(job, result, result.output)
    publish_folder(result.output, job.out_dir)
    shutil.rmtree(job.failed_dir, ignore_errors=True)
    return replace(result, output=job.out_dir)


def recover(outputs: Path) -> None:
    """Tidy up after a run that was interrupted (killed, power cut): called under the outputs
    lock, so no other run is using any of this.

    Unfinished reports in the staging folder are deleted (never published half-written); a
    published report that was moved aside but not yet replaced is put back. The next run then
    rebuilds only what the cache says is missing or stale.
    """
    shutil.rmtree(outputs / STAGING, ignore_errors=True)
    for retired in outputs.glob(f"*/*/.*{RETIRED}*"):
        target = retired.with_name(retired.name[1:].split(RETIRED)[0])
        if target.exists():
            shutil.rmtree(retired, ignore_errors=True)
        else:
            retired.rename(target)
