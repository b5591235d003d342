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
second and exit, taking their kernels with them (:func:`perfreport.build.kernels.die_with_parent`).

A worker that dies (a notebook that kills its process, the out-of-memory killer) breaks its
pool, but fails no other job: the parent knows which job each worker took, builds every other
job again in a fresh pool, tries the dead worker's job once more by itself, and fails it only if
its worker dies again (:func:`_build`).
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
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from perfreport import __version__
from perfreport.config.areas import Area, Areas
from perfreport.config.cycles import Cycle
from perfreport.errors import PerfreportError
from perfreport.store.exports import write_table
from perfreport.build.kernels import KERNEL, Spares, die_with_parent
from perfreport.build.notebook_parameters import (
    KernelReplies,
    for_publication,
    hidden_error,
    incomplete,
    strip_colour,
    validate_parameters,
)
from perfreport.methods.periods import Period
from perfreport.config.project import Project
from perfreport.build.render import Renderer, ReportMeta
from perfreport.build.site import (
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


WORKER_DEATHS = 2
"""How many times a job's worker may die building it before the job fails."""


def _build(
    pending: list[Job], workers: int, stop: _Stop, done: Callable[[JobResult], None]
) -> None:
    """Build ``pending`` in worker processes, publishing each report as it arrives, until all
    are done or a signal says stop.

    A worker that dies (a notebook that kills its process, the out-of-memory killer, a crash)
    takes its pool down with it. Only the job it was running is to blame: every other job of
    the pool, in flight or not yet started, is built again in a fresh pool; the job to blame is
    tried again by itself once the others are done, and fails if its worker dies again.
    """
    deaths: dict[str, list[tuple[int, int]]] = {}
    """Each job's worker deaths so far: (pid, exit code)."""
    fresh, suspects = list(pending), []
    while (fresh or suspects) and not stop.signum:
        if fresh:
            batch, width, fresh = fresh, workers, []
        else:  # one at a time: a worker that dies now was building that job
            batch, width, suspects = suspects, 1, []
        for job, pid, exitcode in _build_pool(batch, width, stop, done):
            if exitcode is not None:
                deaths.setdefault(job.key, []).append((pid, exitcode))
            if len(deaths.get(job.key, ())) >= WORKER_DEATHS:
                done(_worker_died(job, deaths[job.key]))
            elif job.key in deaths:
                if exitcode is not None:
                    log.warning(
                        "perfreport: %s: its worker process died (%s) while building it; "
                        "building it again by itself",
                        job.key,
                        _ending(exitcode),
                    )
                suspects.append(job)
            else:
                fresh.append(job)


def _build_pool(
    batch: list[Job], workers: int, stop: _Stop, done: Callable[[JobResult], None]
) -> list[tuple[Job, int, int | None]]:
    """Build ``batch`` in one pool of worker processes. Returns the jobs lost when a worker
    died, each with the pid of the worker that took it (0: none did) and that worker's exit
    code if it is to blame (it died by itself, rather than being stopped by the pool when
    another died), else None."""
    left = multiprocessing.Value("i", len(batch))
    started_by = multiprocessing.Array("i", len(batch), lock=False)
    """The pid of the worker that took each job (0: not taken)."""
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(batch))),
        initializer=_init_worker,
        initargs=(left, started_by, os.getpid()),
    )
    processes: dict[int, Any] = getattr(pool, "_processes", {})
    """The pool's own record of its workers (filled in as it starts them), read after a death."""
    futures = {pool.submit(_run_in_worker, job, slot): slot for slot, job in enumerate(batch)}
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
    return _to_blame([(batch[slot], started_by[slot]) for slot in lost], processes)


STOPPED_BY_POOL = (-signal.SIGTERM, 128 + signal.SIGTERM)
"""How a worker the pool stopped ends (``terminate()``, which :func:`die_with_parent`'s
handler turns into an exit with status 143)."""


def _to_blame(
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


def _ending(exitcode: int) -> str:
    """How a worker process ended, in a few words: ``signal 9``, ``exit status 1``."""
    if exitcode < 0:
        return f"signal {-exitcode}"
    if exitcode > 128 and exitcode - 128 in signal.valid_signals():
        return f"signal {exitcode - 128}"  # exit_now's way of dying of a signal
    return f"exit status {exitcode}"


def _worker_died(job: Job, deaths: list[tuple[int, int]]) -> JobResult:
    """Fail a job whose worker died each time it was built, keeping what the last attempt left
    (the notebook as far as it ran) and an ``error.txt`` saying what is known."""
    error = f"its worker process died ({_ending(deaths[-1][1])}) while building it"
    attempts = ", then ".join(f"pid {pid}: {_ending(code)}" for pid, code in deaths)
    staging = _staging(job, deaths[-1][0])
    detail = [
        f"The worker process building this report died each of the {len(deaths)} times it "
        f"was tried ({attempts}), the last time by itself; the run's other reports were built "
        "in fresh worker processes. A worker dies when something kills it: a notebook cell "
        "that kills its parent process, the out-of-memory killer, a crash in compiled code."
    ]
    running = _running_cell(staging / NOTEBOOK)
    if running is not None:
        detail.append(
            f"The notebook was running code cell {running[0]} when its worker died:\n{running[1]}"
        )
    if (staging / NOTEBOOK).is_file():
        detail.append(f"{NOTEBOOK} here is the notebook as far as it ran.")
    result = JobResult(job.key, False, 0.0, job.failed_dir, error)
    return _keep_failure(job, result, staging, "\n\n".join(detail))


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
        return _keep_failure(job, result, None, "".join(traceback.format_exception(exc)))
    if not result.ok:
        return _keep_failure(job, result, result.output)
    _publish(result.output, job.out_dir)
    shutil.rmtree(job.failed_dir, ignore_errors=True)
    return replace(result, output=job.out_dir)


def _keep_failure(
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
        _write_evidence(job.failed_dir, result.error, detail or "")
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
_started_by: Any = None
"""Shared with the parent: the pid of the worker that took each job of the pool, so that the
parent knows which job a worker that died was building."""


def _init_worker(counter: Any, started_by: Any, parent: int) -> None:
    global _jobs_left, _started_by
    _jobs_left, _started_by = counter, started_by
    die_with_parent(parent)


def _run_in_worker(job: Job, slot: int) -> JobResult:
    if _started_by is not None:
        _started_by[slot] = os.getpid()
    return run_job(job)


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
    staging = _staging(job, os.getpid())
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    executed = staging / NOTEBOOK
    replies = KernelReplies()
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
                on_cell_executed=replies,
            )
        finally:
            km.close()
            # the next report's kernel starts while this one renders
            _spares.prepare_next(job.project.root, _jobs_remain)
        notebook = nbformat.read(executed, as_version=4)
        problem = incomplete(notebook, replies.exits)
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
        detail = strip_colour(str(exc)).strip()
        if exc.ename == "CellExecutionError" and not exc.evalue:  # no error output to quote
            summary, evidence = hidden_error(_read_or_empty(executed), exc.exec_count, replies)
            return _failed(job, staging, started, summary, f"{evidence}\n\n{detail}")
        summary = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
        return _failed(job, staging, started, summary, detail)
    except Exception as exc:
        summary = f"{type(exc).__name__}: {_first_line(exc)}"
        return _failed(job, staging, started, summary, traceback.format_exc())
    return JobResult(job.key, True, time.perf_counter() - started, staging)


def _read_or_empty(path: Path) -> Any:
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return nbformat.v4.new_notebook()


def _staging(job: Job, pid: int) -> Path:
    """Where the worker ``pid`` builds ``job`` (one folder per attempt)."""
    return job.project.outputs / STAGING / f"{job.key.replace('/', '--')}--{pid}"


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
    _write_evidence(staging, summary, detail)
    return JobResult(job.key, False, time.perf_counter() - started, staging, summary)


def _write_evidence(folder: Path, summary: str, detail: str) -> None:
    """Keep only the executed notebook in ``folder`` (anything half-rendered is dropped) and
    write ``error.txt``: the summary line, then the detail."""
    for path in folder.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        elif path.name != NOTEBOOK:
            path.unlink()
    text = summary + ("\n\n" + detail.rstrip() if detail.strip() else "") + "\n"
    (folder / ERROR_FILE).write_text(text, encoding="utf-8")
