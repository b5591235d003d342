"""Build reports: one job per (cycle, period, area), executed by papermill, rendered in-process.

Each job executes the cycle's notebook with its parameters into a private staging folder,
renders ``report.html`` and ``report.pdf`` there with the worker's :class:`Renderer`, and only
then swaps the folder into ``outputs/<cycle>/<period>/<area>/``. A job that fails never
touches the published folder; its executed notebook is kept under ``outputs/failed/`` for
debugging. Jobs run in parallel worker processes.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from perfreport import __version__
from perfreport.areas import Area, Areas
from perfreport.cycles import Cycle
from perfreport.errors import PerfreportError
from perfreport.exports import write_table
from perfreport.kernels import KERNEL, Spares
from perfreport.notebook_parameters import validate_parameters
from perfreport.periods import Period
from perfreport.project import Project
from perfreport.render import Renderer, ReportMeta
from perfreport.site import (
    CACHE_FILE,
    OPEN_DATA,
    is_cached,
    manifest_entry,
    open_data,
    with_cache_keys,
    write_site,
)

STAGING = ".staging"
FAILED = "failed"


@dataclass(frozen=True)
class Job:
    """One report to build."""

    cycle: Cycle
    area: Area
    period: Period
    project: Project
    organisation: str
    areas: Areas
    """Every area: disclosure control needs each partnership's localities."""
    reads: tuple[str, ...] = ()
    cache_key: str = ""
    inputs: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.cycle.id}/{self.period.id}/{self.area.slug}"

    @property
    def out_dir(self) -> Path:
        return self.project.outputs / self.cycle.id / self.period.id / self.area.slug

    @property
    def failed_dir(self) -> Path:
        return self.project.outputs / FAILED / self.cycle.id / self.period.id / self.area.slug

    @property
    def parameters(self) -> dict[str, str]:
        return {"area": self.area.code, "period": self.period.id, "project": str(self.project.root)}

    @property
    def meta(self) -> ReportMeta:
        return ReportMeta(
            title=f"{self.cycle.title}: {self.area.name}, {self.period.label}",
            description=f"{self.cycle.title} for {self.area.name}, {self.period.long_label}.",
            organisation=self.organisation,
            footer=f"{self.organisation}. {self.cycle.title}, {self.period.long_label}. "
            f"Produced with perfreport {__version__}.",
        )


@dataclass(frozen=True)
class JobResult:
    key: str
    ok: bool
    seconds: float
    output: Path
    error: str = ""
    cached: bool = False
    manifest: dict | None = None


def plan(
    project: Project,
    cycle: Cycle,
    period: Period,
    areas: Areas,
    organisation: str,
    only: Sequence[str] = (),
) -> list[Job]:
    """The jobs of ``cycle`` for ``period``: one per area of the cycle's area types.

    ``only`` restricts them to the given area codes, each of which must be eligible.
    """
    if period.kind != cycle.period:
        raise PerfreportError(
            f"parameter '--period': {period.label} is a {period.kind}; cycle '{cycle.id}' reports a {cycle.period}"
        )
    eligible = [a for a in areas if a.type in cycle.areas]
    if only:
        chosen = [areas.get(code, what="parameter '--area':") for code in only]
        for area in chosen:
            if area not in eligible:
                raise PerfreportError(
                    f"parameter '--area': cycle '{cycle.id}' does not report on {area.type} {area.code}"
                )
        eligible = chosen
    return [
        Job(cycle, area, period, project, organisation, areas, _reads(cycle, area, areas))
        for area in eligible
    ]


def _reads(cycle: Cycle, area: Area, areas: Areas) -> tuple[str, ...]:
    """The area codes whose prepared data a report reads: its own and those the cycle declares."""
    partnership = areas.partnership_of(area.code)
    codes = [area.code]
    if "partnership" in cycle.reads:
        codes.append(partnership.code)
    if "localities" in cycle.reads:
        codes += [a.code for a in areas.children(partnership.code)]
    if "country" in cycle.reads and areas.country is not None:
        codes.append(areas.country.code)
    return tuple(dict.fromkeys(codes))


LOCK_FILE = ".perfreport-run.lock"


@contextmanager
def outputs_lock(outputs: Path) -> Iterator[None]:
    """One run at a time per outputs folder; a second refuses with a clear message."""
    outputs.mkdir(parents=True, exist_ok=True)
    path = outputs / LOCK_FILE
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise PerfreportError(
                f"{outputs}: another perfreport run is building reports here (pid {holder}); "
                "try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run(
    jobs: Sequence[Job], workers: int, on_done: Callable[[JobResult], None] | None = None
) -> list[JobResult]:
    """Run ``jobs`` in ``workers`` processes, skipping those whose inputs have not changed;
    then update ``outputs/manifest.json`` and ``outputs/index.html``. Results keep job order."""
    if not jobs:
        return []
    declared: dict[str, dict] = {}
    for job in jobs:
        validate_parameters(job, declared)
    with outputs_lock(jobs[0].project.outputs):
        recover(jobs[0].project.outputs)
        return _run(jobs, workers, on_done)


RETIRED = ".old-"
"""A published report moved aside while its replacement is swapped in (see :func:`_publish`)."""


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


def _run(
    jobs: Sequence[Job], workers: int, on_done: Callable[[JobResult], None] | None
) -> list[JobResult]:
    keyed = with_cache_keys(jobs)
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
    left = multiprocessing.Value("i", len(pending))
    if len(pending) == 1 or (pending and workers <= 1):
        _init_worker(left)
        try:
            for job in pending:
                done(run_job(job))
        finally:
            _spares.close()
    elif pending:
        with ProcessPoolExecutor(
            max_workers=min(workers, len(pending)), initializer=_init_worker, initargs=(left,)
        ) as pool:
            for future in as_completed([pool.submit(run_job, job) for job in pending]):
                done(future.result())
    ordered = [results[job.key] for job in keyed]
    staging = keyed[0].project.outputs / STAGING
    if staging.is_dir() and not any(staging.iterdir()):
        staging.rmdir()
    write_site(keyed[0].project, [r for r in ordered if r.manifest])
    return ordered


_renderer: Renderer | None = None
_spares = Spares()
_jobs_left: Any = None
"""A shared count of jobs not yet started: a worker warms a spare kernel only while some are."""


def _init_worker(counter: Any) -> None:
    global _jobs_left
    _jobs_left = counter


def _take_a_job() -> None:
    if _jobs_left is not None:
        with _jobs_left.get_lock():
            _jobs_left.value -= 1


def _jobs_remain() -> bool:
    return _jobs_left is not None and _jobs_left.value > 0


def _worker_renderer() -> Renderer:
    global _renderer
    if _renderer is None:
        _renderer = Renderer()
    return _renderer


def run_job(job: Job) -> JobResult:
    """Execute, render and publish one report; never raises for a failing notebook."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    began = _now()
    staging = job.project.outputs / STAGING / f"{job.key.replace('/', '--')}--{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    executed = staging / "notebook.ipynb"
    _take_a_job()
    try:
        km = _spares.take(job.project.root)
        try:
            papermill.execute_notebook(
                str(job.project.root / job.cycle.notebook),
                str(executed),
                parameters=job.parameters,
                kernel_name=KERNEL,
                km=km,
                progress_bar=False,
                log_output=False,
                execution_timeout=job.cycle.timeout_seconds,
            )
        finally:
            km.close()
            # the next report's kernel starts while this one renders
            _spares.prepare_next(job.project.root, _jobs_remain)
        notebook = nbformat.read(executed, as_version=4)
        renderer = _worker_renderer()
        html = renderer.html(notebook, job.meta)
        (staging / "report.html").write_text(html, encoding="utf-8")
        renderer.pdf(html, staging / "report.pdf", base=staging)
        write_table(open_data(job), staging / OPEN_DATA)
        (staging / CACHE_FILE).write_text(job.cache_key + "\n", encoding="utf-8")
    except PapermillExecutionError as exc:
        return _failed(
            job, staging, executed, started, f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
        )
    except Exception as exc:
        return _failed(job, staging, executed, started, f"{type(exc).__name__}: {_first_line(exc)}")
    _publish(staging, job.out_dir)
    shutil.rmtree(job.failed_dir, ignore_errors=True)
    entry = manifest_entry(job, began, _now())
    return JobResult(job.key, True, time.perf_counter() - started, job.out_dir, manifest=entry)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _failed(job: Job, staging: Path, executed: Path, started: float, error: str) -> JobResult:
    """Keep the executed notebook under outputs/failed/ and leave the published report alone."""
    job.failed_dir.mkdir(parents=True, exist_ok=True)
    if executed.is_file():
        shutil.copy2(executed, job.failed_dir / "notebook.ipynb")
    (job.failed_dir / "error.txt").write_text(error + "\n", encoding="utf-8")
    shutil.rmtree(staging, ignore_errors=True)
    return JobResult(job.key, False, time.perf_counter() - started, job.failed_dir, error)


def _publish(staging: Path, target: Path) -> None:
    """Swap the finished staging folder into place; the old report stays until the new one is whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    retired = target.with_name(f".{target.name}{RETIRED}{os.getpid()}")
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
