"""Building jobs in a pool of local worker processes, publishing each report as it arrives.

Only the parent process publishes: it swaps each finished folder into
``outputs/<cycle>/<period>/<area>/`` (:func:`perfreport.build.swap.publish_folder`), or keeps a
failed job's executed notebook and full error under ``outputs/failed/``. A failed job never
touches the published report.

Told to stop (:class:`perfreport.build.interrupt.Stop`), the parent SIGTERMs its workers (each
kills its kernels and exits) and publishes nothing more. If the parent itself dies
(``kill -9``), its workers notice within a second and exit, taking their kernels with them
(:func:`perfreport.build.worker_exit.die_with_parent`).

A worker that dies (a notebook that kills its process, the out-of-memory killer) breaks its
pool, but fails no other job: the parent knows which job each worker took, builds every other
job again in a fresh pool, tries the dead worker's job once more by itself, and fails it only if
its worker dies again (:func:`build`).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from perfreport.build import worker
from perfreport.build.deaths import ending, to_blame, worker_died
from perfreport.build.evidence import keep_failure
from perfreport.build.execute import run_in_worker
from perfreport.build.jobs import Job, JobResult
from perfreport.build.swap import settle
from perfreport.build.zygote import pool_server

if TYPE_CHECKING:
    from perfreport.build.interrupt import Stop

log = logging.getLogger(__name__)
STOP_POLL_SECONDS = 0.2
"""How often the parent looks up from waiting for workers to see whether it has been told to stop."""
WORKER_EXIT_SECONDS = 5.0
"""How long a worker told to stop (SIGTERM) has before it is killed."""
WORKER_DEATHS = 2
"""How many times a job's worker may die building it before the job fails."""


def _nothing() -> None:
    pass


def build(
    pending: list[Job],
    workers: int,
    stop: Stop,
    done: Callable[[JobResult], None],
    ready: Callable[[], None] = _nothing,
) -> None:
    """Build ``pending`` in worker processes, publishing each report as it arrives, until all
    are done or a signal says stop; ``ready`` first, while the first pool's workers start
    (each loads the renderer and a kernel meanwhile).

    A worker that dies (a notebook that kills its process, the out-of-memory killer, a crash)
    takes its pool down with it. Only the job it was running is to blame: every other job of
    the pool, in flight or not yet started, is built again in a fresh pool; the job to blame is
    tried again by itself once the others are done, and fails if its worker dies again.
    """
    deaths: dict[str, list[tuple[int, int]]] = {}
    """Each job's worker deaths so far: (pid, exit code)."""
    fresh: list[Job] = list(pending)
    suspects: list[Job] = []
    while (fresh or suspects) and not stop.signum:
        if fresh:
            batch, width, fresh = fresh, workers, []
        else:  # one at a time: a worker that dies now was building that job
            batch, width, suspects = suspects, 1, []
        with pool_server():  # the workers' fork servers are forks of one
            lost = _build_pool(batch, width, stop, done, ready)
        ready = _nothing  # done, while the first pool's workers started
        for job, pid, exitcode in lost:
            if exitcode is not None:
                deaths.setdefault(job.key, []).append((pid, exitcode))
            if len(deaths.get(job.key, ())) >= WORKER_DEATHS:
                done(worker_died(job, deaths[job.key]))
            elif job.key in deaths:
                if exitcode is not None:
                    log.warning(
                        "perfreport: %s: its worker process died (%s) while building it; "
                        "building it again by itself",
                        job.key,
                        ending(exitcode),
                    )
                suspects.append(job)
            else:
                fresh.append(job)


def _build_pool(
    batch: list[Job],
    workers: int,
    stop: Stop,
    done: Callable[[JobResult], None],
    ready: Callable[[], None],
) -> list[tuple[Job, int, int | None]]:
    """Build ``batch`` in one pool of worker processes. Returns the jobs lost when a worker
    died, each with the pid of the worker that took it (0: none did) and that worker's exit
    code if it is to blame (it died by itself, rather than being stopped by the pool when
    another died), else None."""
    left = multiprocessing.Value("i", len(batch))
    started_by = multiprocessing.Array("i", len(batch), lock=False)
    """The pid of the worker that took each job (0: not taken)."""
    width = max(1, min(workers, len(batch)))
    pool = ProcessPoolExecutor(
        max_workers=width,
        initializer=worker.init_worker,
        initargs=(left, started_by, os.getpid()),
    )
    processes: dict[int, Any] = getattr(pool, "_processes", {})
    """The pool's own record of its workers (filled in as it starts them), read after a death."""
    if ready is not _nothing:
        for _ in range(width):  # start them: they load the renderer and a kernel meanwhile
            pool.submit(worker.warm_up, batch[0].project.root)
        try:
            ready()
        except BaseException:
            _stop_workers(pool)
            raise
    futures = {pool.submit(run_in_worker, job, slot): slot for slot, job in enumerate(batch)}
    waiting = set(futures)
    lost: list[int] = []
    try:
        while waiting and not stop.signum:
            finished, waiting = wait(waiting, STOP_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                if stop.signum:  # a finished report that was not yet published stays so
                    break
                if isinstance(future.exception(), BrokenProcessPool):
                    lost.append(futures[future])
                else:
                    done(_settle(batch[futures[future]], future))
    finally:
        if waiting:  # told to stop, or something went wrong here: nothing more is published
            _stop_workers(pool)
        else:
            pool.shutdown()  # after a death: once the pool has stopped and reaped every worker
    if stop.signum:
        return []
    return to_blame([(batch[slot], started_by[slot]) for slot in lost], processes)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """SIGTERM every worker (each kills its kernels and exits), SIGKILL any still there after
    :data:`WORKER_EXIT_SECONDS`, and drop the jobs not yet started."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError):
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + WORKER_EXIT_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1)


def _settle(job: Job, future: Future) -> JobResult:
    """In the parent: publish a worker's finished report, or keep its failure's evidence."""
    try:
        result: JobResult = future.result()
    except Exception as exc:  # a result that could not come back (not a dead worker)
        error = f"the worker process building this report failed: {type(exc).__name__}: {exc}"
        result = JobResult(job.key, False, 0.0, job.failed_dir, error)
        return keep_failure(job, result, None, "".join(traceback.format_exception(exc)))
    return settle(job, result)
