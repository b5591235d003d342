"""Build reports: one job per (cycle, period, area), executed by papermill, rendered in-process.

Jobs run in worker processes. A worker executes the cycle's notebook with its parameters into
a private staging folder, checks that every code cell ran, in order and without error, renders
``report.html`` and ``report.pdf`` there with its :class:`Renderer` and writes the report's
open data and provenance record beside them. Only the parent process publishes: it swaps each
finished folder into ``outputs/<cycle>/<period>/<area>/``, or keeps a failed job's executed
notebook and full error under ``outputs/failed/``, and at the end rebuilds the site (index and
manifest) from the published folders. A failed job never touches the published report.

Interruptions: on SIGINT or SIGTERM the parent stops its workers (each kills its kernels and
exits), publishes nothing more, rebuilds the site from what is published and raises
:class:`Interrupted`. If the parent itself dies (``kill -9``), its workers notice within a
second and exit, taking their kernels with them (:func:`perfreport.kernels.die_with_parent`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import multiprocessing
import os
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from perfreport import __version__
from perfreport.areas import Area, Areas
from perfreport.cycles import Cycle
from perfreport.errors import PerfreportError
from perfreport.exports import write_table
from perfreport.kernels import KERNEL, Spares, die_with_parent
from perfreport.notebook_parameters import (
    exit_requests,
    for_publication,
    incomplete,
    strip_colour,
    validate_parameters,
)
from perfreport.periods import Period
from perfreport.project import Project
from perfreport.render import Renderer, ReportMeta
from perfreport.site import (
    FAILED,
    NOTEBOOK,
    OPEN_DATA,
    PROVENANCE,
    is_cached,
    open_data,
    provenance_record,
    with_cache_keys,
    write_site,
)

STAGING = ".staging"
ERROR_FILE = "error.txt"
log = logging.getLogger(__name__)


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
        """What papermill injects. The kernel starts in the project folder, so ``project`` is
        ``"."``: an executed notebook names no folder of the machine that built it."""
        return {"area": self.area.code, "period": self.period.id, "project": "."}

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
    """What became of one job. ``output`` is the published folder (or the one under
    ``outputs/failed/``); from a worker, before the parent publishes it, its staging folder.
    ``error`` is one line; the folder's ``error.txt`` holds the whole of it."""

    key: str
    ok: bool
    seconds: float
    output: Path
    error: str = ""
    cached: bool = False


class Interrupted(KeyboardInterrupt):
    """A run stopped by SIGINT or SIGTERM: its workers are stopped, nothing was published after
    the signal, and the site lists exactly the reports that are published. A
    :class:`KeyboardInterrupt`, so that no ``except Exception`` on the way out swallows it."""

    def __init__(self, signum: int, built: int = 0, total: int = 0) -> None:
        self.signum, self.built, self.total = signum, built, total
        message = f"interrupted by {signal.Signals(signum).name}"
        if total:
            message += (
                f": {built} of {total} reports built; the workers were stopped and the site "
                "lists every published report; run again to build the rest"
            )
        super().__init__(message)

    @property
    def exit_status(self) -> int:
        """128 + the signal number, as a shell reports a command a signal stopped: 130 for
        SIGINT (Ctrl-C), 143 for SIGTERM."""
        return 128 + self.signum


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
LEFTOVER_WAIT_SECONDS = 10.0
"""How long a run waits for a lock still held after the run that took it has died: the
workers it left behind exit by themselves within a second or two."""
_held_locks: set[int] = set()


def _drop_locks_in_child() -> None:
    """A forked worker must not keep the outputs lock alive: point its copy of the descriptor
    at /dev/null (closing the lock's open file here without closing it in the parent)."""
    for fd in _held_locks:
        with contextlib.suppress(OSError):
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, fd)
            os.close(null)
    _held_locks.clear()


os.register_at_fork(after_in_child=_drop_locks_in_child)


@contextmanager
def outputs_lock(outputs: Path, wait_seconds: float = LEFTOVER_WAIT_SECONDS) -> Iterator[None]:
    """One run at a time per outputs folder; a second refuses with a message naming the first.

    The lock is an ``flock`` on ``outputs/.perfreport-run.lock``, which records the holder's
    pid. The kernel releases it when its holder dies; a record left by a run that died (killed,
    power cut) is reported and replaced. If a dead run's pid is recorded but the lock is still
    held (processes it left behind), the run waits ``wait_seconds`` for them, then refuses,
    naming the processes that hold it.
    """
    outputs.mkdir(parents=True, exist_ok=True)
    path = outputs / LOCK_FILE
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _recorded(handle)
                if holder is not None and _alive(*holder):
                    raise PerfreportError(
                        f"{outputs}: another perfreport run is building reports here "
                        f"(pid {holder[0]}); try again when it has finished"
                    ) from None
                if time.monotonic() > deadline:
                    raise PerfreportError(_leftovers(outputs, path, holder)) from None
                time.sleep(0.1)
        previous = _recorded(handle)
        if previous is not None and previous[0] != os.getpid():
            log.warning(
                "perfreport: %s: the previous run (pid %d) stopped before it finished; "
                "tidying up after it",
                outputs,
                previous[0],
            )
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {_started(os.getpid()) or ''}\n")
        handle.flush()
        _held_locks.add(handle.fileno())
        try:
            yield
        finally:
            _held_locks.discard(handle.fileno())
            handle.seek(0)
            handle.truncate()  # a clean finish leaves no record behind
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _recorded(handle: Any) -> tuple[int, str] | None:
    """The pid (and start time) the lock file records, if it records one."""
    handle.seek(0)
    fields = handle.read().split()
    if not fields or not fields[0].isdigit():
        return None
    return int(fields[0]), fields[1] if len(fields) > 1 else ""


def _started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), None if it is gone or a zombie;
    "" where /proc cannot tell. With the pid, it names one process even after pid reuse."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def _alive(pid: int, started: str = "") -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    now = _started(pid)
    return now is not None and (not started or not now or now == started)


def _leftovers(outputs: Path, path: Path, holder: tuple[int, str] | None) -> str:
    """Why the lock cannot be had: the live processes holding it, and the dead run's pid."""
    holders = ", ".join(str(pid) for pid in _holding(path)) or "unknown"
    dead = f"the run that took it (pid {holder[0]}) has exited, but " if holder else ""
    return (
        f"{outputs}: {dead}processes still hold its lock {LOCK_FILE} (pid {holders}); "
        "stop them and try again"
    )


def _holding(path: Path) -> list[int]:
    """The processes with ``path`` open (Linux; others: none known)."""
    pids = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) == str(path) for fd in fd_dir.iterdir()):
                pids.append(int(fd_dir.parent.name))
    return sorted(pid for pid in pids if pid != os.getpid())


class _Stop:
    """While a run is on, SIGINT and SIGTERM only raise this flag (in the main thread): the
    parent then stops its workers and publishes nothing more."""

    def __init__(self) -> None:
        self.signum = 0
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Stop:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._raise)
        return self

    def _raise(self, signum: int, frame: object) -> None:
        self.signum = self.signum or signum

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def run(
    jobs: Sequence[Job], workers: int, on_done: Callable[[JobResult], None] | None = None
) -> list[JobResult]:
    """Run ``jobs`` in ``workers`` processes, skipping those whose inputs have not changed;
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
    with outputs_lock(project.outputs), _Stop() as stop:
        recover(project.outputs)
        try:
            results = _run(jobs, workers, on_done, stop)
        finally:
            # every worker has gone: what is left in staging was never published
            shutil.rmtree(project.outputs / STAGING, ignore_errors=True)
            write_site(project)
    if stop.signum:
        raise Interrupted(stop.signum, sum(r.ok for r in results), len(jobs))
    return results


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


STOP_POLL_SECONDS = 0.2
"""How often the parent looks up from waiting for workers to see whether it has been told to stop."""
WORKER_EXIT_SECONDS = 5.0
"""How long a worker told to stop (SIGTERM) has before it is killed."""


def _run(
    jobs: Sequence[Job],
    workers: int,
    on_done: Callable[[JobResult], None] | None,
    stop: _Stop,
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
    if pending and not stop.signum:
        _build(pending, workers, stop, done)
    return [results[job.key] for job in keyed if job.key in results]


def _build(
    pending: list[Job], workers: int, stop: _Stop, done: Callable[[JobResult], None]
) -> None:
    """Build ``pending`` in worker processes, publishing each report as it arrives, until all
    are done or a signal says stop."""
    left = multiprocessing.Value("i", len(pending))
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(pending))),
        initializer=_init_worker,
        initargs=(left, os.getpid()),
    )
    futures = {pool.submit(run_job, job): job for job in pending}
    waiting = set(futures)
    try:
        while waiting and not stop.signum:
            finished, waiting = wait(waiting, STOP_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                if stop.signum:  # a finished report that was not yet published stays so
                    break
                done(_settle(futures[future], future))
    finally:
        if waiting:  # told to stop, or something went wrong here: nothing more is published
            _stop_workers(pool)
        else:
            pool.shutdown()


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
    except Exception as exc:  # the worker died (killed, out of memory): no staging folder
        error = f"the worker process building this report stopped: {type(exc).__name__}: {exc}"
        result = JobResult(job.key, False, 0.0, job.failed_dir, error)
        return _keep_failure(job, result, None, "".join(traceback.format_exception(exc)))
    if not result.ok:
        return _keep_failure(job, result, result.output)
    _publish(result.output, job.out_dir)
    shutil.rmtree(job.failed_dir, ignore_errors=True)
    return replace(result, output=job.out_dir)


def _keep_failure(job: Job, result: JobResult, staging: Path | None, detail: str = "") -> JobResult:
    """Move a failed job's staging folder (executed notebook, ``error.txt``) to
    ``outputs/failed/``, or write ``error.txt`` there if it has none; the published report is
    left alone."""
    shutil.rmtree(job.failed_dir, ignore_errors=True)
    job.failed_dir.parent.mkdir(parents=True, exist_ok=True)
    if staging is not None and staging.is_dir():
        staging.rename(job.failed_dir)
    else:
        job.failed_dir.mkdir()
        (job.failed_dir / ERROR_FILE).write_text(f"{result.error}\n\n{detail}", encoding="utf-8")
    return replace(result, output=job.failed_dir)


def _publish(staging: Path, target: Path) -> None:
    """Swap the finished staging folder into place; the old report stays until the new one is whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    retired = target.with_name(f".{target.name}{RETIRED}{os.getpid()}")
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


# In the worker processes


_renderer: Renderer | None = None
_spares = Spares()
_jobs_left: Any = None
"""A shared count of jobs not yet started: a worker warms a spare kernel only while some are."""


def _init_worker(counter: Any, parent: int) -> None:
    global _jobs_left
    _jobs_left = counter
    die_with_parent(parent)


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
    """In a worker: execute, check and render one report into a staging folder of its own,
    with its open data and provenance record. Publishes nothing (the parent does) and never
    raises for a failing notebook: a failed result's folder holds the executed notebook and
    ``error.txt``."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    began = _now()
    staging = job.project.outputs / STAGING / f"{job.key.replace('/', '--')}--{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    executed = staging / NOTEBOOK
    exits: list[int] = []
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
                on_cell_executed=exit_requests(exits),
            )
        finally:
            km.close()
            # the next report's kernel starts while this one renders
            _spares.prepare_next(job.project.root, _jobs_remain)
        notebook = nbformat.read(executed, as_version=4)
        problem = incomplete(notebook, exits)
        if problem is not None:
            return _failed(job, staging, started, *problem)
        for_publication(notebook, job.project.root, job.cycle.notebook, _published_path(job))
        nbformat.write(notebook, executed)
        renderer = _worker_renderer()
        html = renderer.html(notebook, job.meta)
        (staging / "report.html").write_text(html, encoding="utf-8")
        renderer.pdf(html, staging / "report.pdf", base=staging)
        write_table(open_data(job), staging / OPEN_DATA)
        record = provenance_record(job, began, _now())
        (staging / PROVENANCE).write_text(
            json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    except PapermillExecutionError as exc:
        summary = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
        return _failed(job, staging, started, summary, strip_colour(str(exc)).strip())
    except Exception as exc:
        summary = f"{type(exc).__name__}: {_first_line(exc)}"
        return _failed(job, staging, started, summary, traceback.format_exc())
    return JobResult(job.key, True, time.perf_counter() - started, staging)


def _published_path(job: Job) -> str:
    """Where the executed notebook is published, relative to the project."""
    outputs = job.project.relative(job.project.outputs)
    return f"{outputs}/{job.key}/{NOTEBOOK}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _failed(job: Job, staging: Path, started: float, summary: str, detail: str) -> JobResult:
    """The failure's evidence in the staging folder: the executed notebook as it stopped (with
    papermill's error banner, where papermill found the error) and ``error.txt`` (the summary
    line, then the full traceback). Anything half-rendered is dropped."""
    for path in staging.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        elif path.name != NOTEBOOK:
            path.unlink()
    text = summary + ("\n\n" + detail.rstrip() if detail.strip() else "") + "\n"
    (staging / ERROR_FILE).write_text(text, encoding="utf-8")
    return JobResult(job.key, False, time.perf_counter() - started, staging, summary)
