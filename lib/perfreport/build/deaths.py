"""A worker process that died (a notebook that kills its process, the out-of-memory killer,
a crash in compiled code): which of the jobs its pool lost is to blame, how it ended, and the
failure of a job whose worker died each time it was built."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfreport.build.evidence import keep_failure
from perfreport.build.jobs import JobResult
from perfreport.build.layout import NOTEBOOK, RUNNING, staging_folder

if TYPE_CHECKING:
    from perfreport.build.jobs import Job

STOPPED_BY_POOL = (-signal.SIGTERM, 128 + signal.SIGTERM)
"""How a worker the pool stopped ends (``terminate()``, which :func:`perfreport.build.worker_exit.die_with_parent`'s
handler turns into an exit with status 143)."""


def to_blame(
    lost: list[tuple[Job, int]], processes: dict[int, Any]
) -> list[tuple[Job, int, int | None]]:
    """Each lost job with the pid of its worker and, if that worker died by itself, its exit
    code (else None). If no worker did (one that died of SIGTERM looks stopped by the pool), every job that was being
    built is to blame, so that each round blames at least one job and the retries end."""
    ended = {pid: getattr(process, "exitcode", None) for pid, process in processes.items()}
    culprits = {
        job.key
        for job, pid in lost
        if pid and ended.get(pid) is not None and ended[pid] not in STOPPED_BY_POOL
    }
    if not culprits:
        culprits = {job.key for job, pid in lost if pid} or {job.key for job, _ in lost}
    return [
        (job, pid, (ended.get(pid) or -signal.SIGTERM) if job.key in culprits else None)
        for job, pid in lost
    ]


def ending(exitcode: int) -> str:
    """How a worker process ended, in a few words: ``signal 9``, ``exit status 1``."""
    if exitcode < 0:
        return f"signal {-exitcode}"
    if exitcode > 128 and exitcode - 128 in signal.valid_signals():
        return f"signal {exitcode - 128}"  # exit_now's way of dying of a signal
    return f"exit status {exitcode}"


def worker_died(job: Job, deaths: list[tuple[int, int]]) -> JobResult:
    """Fail a job whose worker died each time it was built, keeping what the last attempt left
    (the notebook as far as it ran) and an ``error.txt`` saying what is known."""
    error = f"its worker process died ({ending(deaths[-1][1])}) while building it"
    attempts = ", then ".join(f"pid {pid}: {ending(code)}" for pid, code in deaths)
    staging = staging_folder(job, deaths[-1][0])
    detail = [
        f"The worker process building this report died each of the {len(deaths)} times it "
        f"was tried ({attempts}), the last time by itself; the run's other reports were built "
        "in fresh worker processes. A worker dies when something kills it: a notebook cell "
        "that kills its parent process, the out-of-memory killer, a crash in compiled code."
    ]
    running = running_cell(staging) or _running_cell(staging / NOTEBOOK)
    if running is not None:
        detail.append(
            f"The notebook was running code cell {running[0]} when its worker died:\n{running[1]}"
        )
    if (staging / NOTEBOOK).is_file():
        detail.append(
            f"{NOTEBOOK} here is the notebook as last saved: when it started, and every 30 "
            "seconds of a long cell."
        )
    result = JobResult(job.key, False, 0.0, job.failed_dir, error)
    return keep_failure(job, result, staging, "\n\n".join(detail))


def running_cell(folder: Path) -> tuple[int, str] | None:
    """The code cell a notebook run in ``folder`` was running when it stopped (its number
    among the code cells, and its source), from :data:`~perfreport.build.layout.RUNNING`."""
    try:
        running = json.loads((folder / RUNNING).read_text(encoding="utf-8"))
        return int(running["cell"]), str(running["source"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _running_cell(notebook: Path) -> tuple[int, str] | None:
    """The code cell papermill marked as running in a notebook it was writing (its number
    among the code cells, and its source), if it marked one."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    code = [cell for cell in cells if cell.get("cell_type") == "code"]
    for n, cell in enumerate(code, start=1):
        if cell.get("metadata", {}).get("papermill", {}).get("status") == "running":
            source = cell.get("source", "")
            return n, source if isinstance(source, str) else "".join(source)
    return None
