"""Build reports: one job per (cycle, period, area), executed by papermill, rendered in-process.

:func:`run` is a build from start to end: under the outputs lock (:mod:`.lock`), after tidying
up what an interrupted run left (:func:`.swap.recover`), it skips the jobs whose cache key
(:mod:`.cache`) matches the published report, builds the others in worker processes
(:mod:`.pool`, each job by :func:`.execute.run_job`), and at the end rebuilds the site (index
and manifest, :mod:`.site`) from the published folders.

Interruptions: on SIGINT or SIGTERM the parent stops its workers (each kills its kernels and
exits), publishes nothing more, rebuilds the site from what is published and raises
:class:`~.interrupt.Interrupted`.

The names a build is made of are re-exported here, where they were first defined.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from perfreport.build.cache import is_cached, with_cache_keys
from perfreport.build.executors import Executor, LocalPool
from perfreport.build.interrupt import Interrupted, Stop
from perfreport.build.jobs import Job, JobResult, plan
from perfreport.build.layout import ERROR_FILE, RETIRED, STAGING
from perfreport.build.lock import LEFTOVER_WAIT_SECONDS, LOCK_FILE, outputs_lock
from perfreport.build.notebook_parameters import validate_parameters
from perfreport.build.provenance import git_commit
from perfreport.build.site import write_site
from perfreport.build.swap import recover

if TYPE_CHECKING:
    from perfreport.build.execute import run_job
    from perfreport.build.pool import STOP_POLL_SECONDS, WORKER_DEATHS, WORKER_EXIT_SECONDS

__all__ = [
    "ERROR_FILE",
    "LEFTOVER_WAIT_SECONDS",
    "LOCK_FILE",
    "RETIRED",
    "STAGING",
    "STOP_POLL_SECONDS",
    "WORKER_DEATHS",
    "WORKER_EXIT_SECONDS",
    "Interrupted",
    "Job",
    "JobResult",
    "outputs_lock",
    "plan",
    "recover",
    "run",
    "run_job",
]
_LAZY = {
    "run_job": "perfreport.build.execute",
    "STOP_POLL_SECONDS": "perfreport.build.pool",
    "WORKER_DEATHS": "perfreport.build.pool",
    "WORKER_EXIT_SECONDS": "perfreport.build.pool",
}
"""Names re-exported on first use: the worker side (Jupyter, papermill) is not imported by a
run whose reports are all unchanged."""


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)


def run(
    jobs: Sequence[Job],
    workers: int | Executor,
    on_done: Callable[[JobResult], None] | None = None,
    ready: Callable[[], None] = lambda: None,
) -> list[JobResult]:
    """Run ``jobs`` in ``workers`` local processes (or on the executor ``workers``, such as a
    Dask cluster), skipping those whose inputs have not changed; ``ready`` (which may refuse
    the build by raising) runs while the workers start, before any job is sent;
    then rebuild ``outputs/manifest.json`` and ``outputs/index.html`` from the published
    folders. Results keep job order.

    Raises :class:`Interrupted` if SIGINT or SIGTERM stopped the run (after rebuilding the site).
    """
    if not jobs:
        return []
    declared: dict[str, dict] = {}
    for job in jobs:
        validate_parameters(job, declared)
    project = jobs[0].project
    with outputs_lock(project.outputs), Stop() as stop:
        recover(project.outputs)
        try:
            executor = LocalPool(workers) if isinstance(workers, int) else workers
            results = _run(jobs, executor, on_done, stop, ready)
        finally:
            # every worker has gone: what is left in staging was never published
            shutil.rmtree(project.outputs / STAGING, ignore_errors=True)
            write_site(project)
    if stop.signum:
        raise Interrupted(stop.signum, sum(r.ok for r in results), len(jobs))
    return results


def _run(
    jobs: Sequence[Job],
    executor: Executor,
    on_done: Callable[[JobResult], None] | None,
    stop: Stop,
    ready: Callable[[], None],
) -> list[JobResult]:
    commit = git_commit(jobs[0].project.root)  # once per run, not once per report
    if not all(job.cache_key for job in jobs):  # keyed by the caller, as a build's are
        jobs = with_cache_keys(jobs)
    keyed = [replace(job, commit=commit) for job in jobs]
    results: dict[str, JobResult] = {}

    def done(result: JobResult) -> None:
        results[result.key] = result
        if on_done:
            on_done(result)

    pending = []
    for job in keyed:
        if is_cached(job):
            done(JobResult(job.key, True, 0.0, job.out_dir, cached=True))
        else:
            pending.append(job)
    if pending and not stop.signum:
        executor.build(pending, stop, done, ready)
    else:
        ready()
    return [results[job.key] for job in keyed if job.key in results]
