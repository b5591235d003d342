"""Building reports on a Dask cluster: the client's side (the worker's is
:mod:`perfreport.build.remote`).

``perfreport run … --scheduler tcp://HOST:8786`` (or ``PERFREPORT_SCHEDULER``) sends each job
to a running cluster; ``--cluster local:N`` starts a ``LocalCluster`` of N worker processes on
this machine for the run. Nothing else changes: the cache, progress, summary, exit status,
manifest and site are the local build's (:mod:`perfreport.build.runner`).

What a worker needs travels with the jobs, never as a path: the project's files and each area's
prepared results are sent to the cluster once per run (scattered), and each job names the ones
it reads. A worker returns the report's files; the client publishes them with the same
atomic swap as a local build (:func:`perfreport.build.swap.settle`).

Failures are contained as locally. A failing notebook fails its job only, once. A job whose
worker dies while building it is built again (Dask reschedules it); if a worker dies under it
a second time it fails (each start is counted from the job's own "started" event). An
unreachable scheduler, or one with no workers, is one line within ``connect_seconds``. Told to
stop, the client cancels the run's jobs and has the workers kill the kernel of any job of the
run they are building.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from perfreport.assess.slices import area_slices, whole_tables
from perfreport.build import remote
from perfreport.build.carry import AreaData, Returned, held, project_files
from perfreport.build.evidence import keep_failure
from perfreport.build.jobs import Job, JobResult
from perfreport.build.layout import staging_folder
from perfreport.build.pool import STOP_POLL_SECONDS, WORKER_DEATHS
from perfreport.build.swap import settle
from perfreport.errors import PerfreportError
from perfreport.store.warehouse import connect

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

    from perfreport.build.interrupt import Stop

log = logging.getLogger(__name__)
CONNECT_SECONDS = 10.0
"""How long the client waits to reach the scheduler, and for the scheduler to have a worker."""
PROBE_SECONDS = 0.5
"""How often the client tries again to reach a scheduler that refused it, until the timeout."""
HANDSHAKE_SECONDS = 1.0
"""What the client's connection is given beyond ``connect_seconds`` before it is given up."""


@dataclass(frozen=True)
class DaskCluster:
    """An executor that builds on a Dask cluster: the scheduler at ``address``, or a
    ``LocalCluster`` of ``local_workers`` processes started for the run."""

    address: str | None = None
    local_workers: int = 0
    connect_seconds: float = CONNECT_SECONDS
    option: str = "'--scheduler'"
    """What named the scheduler, for messages: the option, or :data:`SCHEDULER_VARIABLE`."""

    def build(
        self,
        pending: list[Job],
        stop: Stop,
        done: Callable[[JobResult], None],
        ready: Callable[[], None] = lambda: None,
    ) -> None:
        ready()  # before connecting: a refused build never contacts the cluster
        self.probe()
        with self._client(stop) as client, _quiet("distributed"):
            if client is None:  # told to stop while connecting
                return
            _check_versions(client)
            client.register_plugin(remote.ReportWorker(remote.installed()), name="perfreport")
            _Run(client, pending, stop, done, self.address or "").build()

    def probe(self) -> None:
        """Wait up to ``connect_seconds`` for something to listen at the scheduler's address
        (a scheduler still starting is waited for); one line if nothing does."""
        from distributed.comm import parse_address, parse_host_port

        if self.address is None:
            return
        deadline = time.monotonic() + self.connect_seconds
        while True:
            try:
                _, location = parse_address(self.address)
                left = max(0.1, deadline - time.monotonic())
                socket.create_connection(parse_host_port(location), left).close()
                return
            except (ValueError, OverflowError) as exc:
                raise self._unreachable(self.address, exc) from None
            except OSError as exc:
                if time.monotonic() + PROBE_SECONDS >= deadline:
                    raise self._unreachable(self.address, exc) from None
                time.sleep(PROBE_SECONDS)

    def _unreachable(self, address: str | None, exc: BaseException) -> PerfreportError:
        return PerfreportError(
            f"parameter {self.option}: no Dask scheduler answered at {address} within "
            f"{self.connect_seconds:g} s ({_first_line(exc)}); start one with "
            "'dask scheduler', or check the address"
        )

    @contextlib.contextmanager
    def _client(self, stop: Stop) -> Iterator[Client | None]:
        with contextlib.ExitStack() as stack:
            address = self.address
            if self.local_workers:
                cluster = stack.enter_context(_local_cluster(self.local_workers))
                address = cluster.scheduler_address
            client = self._connect(str(address), stop)
            if client is None:
                yield None
                return
            stack.enter_context(client)
            try:
                client.wait_for_workers(1, timeout=self.connect_seconds)
            except TimeoutError:
                raise PerfreportError(
                    f"parameter {self.option}: the Dask scheduler at {address} has no workers "
                    f"after {self.connect_seconds:g} s; start some with 'dask worker {address} "
                    "--nthreads 1'"
                ) from None
            yield client

    def _connect(self, address: str, stop: Stop) -> Client | None:
        """A client of the scheduler at ``address``, connected within ``connect_seconds``
        (and a second for the handshake): Dask's own timeout does not cover a server that
        accepts the connection but never answers, so the client is made on a thread of its
        own and given up on at the deadline (or when the run is told to stop)."""
        from distributed import Client

        made: dict[str, Any] = {}

        def connect() -> None:
            try:
                made["client"] = Client(address, timeout=self.connect_seconds, set_as_default=False)
            except BaseException as exc:  # handed to the caller below
                made["error"] = exc

        thread = threading.Thread(target=connect, name="perfreport-connect", daemon=True)
        thread.start()
        deadline = time.monotonic() + self.connect_seconds + HANDSHAKE_SECONDS
        while thread.is_alive() and time.monotonic() < deadline and not stop.signum:
            thread.join(STOP_POLL_SECONDS)
        if "client" in made:
            return made["client"]
        if isinstance(made.get("error"), (OSError, TimeoutError)):
            raise self._unreachable(address, made["error"])
        if "error" in made:
            raise made["error"]
        if stop.signum:
            return None
        raise self._unreachable(
            address, TimeoutError("something listens there but does not answer as a Dask scheduler")
        )


@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Logger ``name`` says nothing while the block runs: what the user sees of a build is
    perfreport's own lines (a lost worker or scheduler is reported there, in words)."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _local_cluster(workers: int) -> LocalCluster:
    """A cluster of ``workers`` processes on this machine, one thread each, on 127.0.0.1."""
    from distributed import LocalCluster

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "port 8787 is in use": not ours to say
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def _check_versions(client: Client) -> None:
    """Refuse, in one line, a worker that cannot import perfreport or runs other versions."""
    expected = remote.installed()
    for address, found in client.run(remote.installed, on_error="return").items():
        if isinstance(found, BaseException):
            raise PerfreportError(
                f"Dask worker {address} cannot run perfreport ({_first_line(found)}); install "
                "it there: pip install 'perfreport[cluster]'"
            )
        problem = remote.mismatch(expected, found, address)
        if problem is not None:
            raise PerfreportError(problem)
    threads = {a: w["nthreads"] for a, w in client.scheduler_info()["workers"].items()}
    if any(n > 1 for n in threads.values()):
        log.warning(
            "perfreport: warning: Dask workers with more than one thread build one report at a time "
            "each; start them with --nthreads 1 (and --nworkers N) to use every core"
        )


@dataclass
class _Run:
    """One run's jobs on the cluster, from sending their inputs to publishing their reports."""

    client: Client
    pending: list[Job]
    stop: Stop
    done: Callable[[JobResult], None]
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    address: str = ""
    starts: dict[str, list[str]] = field(default_factory=dict)
    """Each job's starts so far: the address of the worker that started it."""
    finishes: dict[str, int] = field(default_factory=dict)
    """How many times each job finished on a worker (a result lost with its worker after it
    finished is made again: a start that is no worker's death)."""

    def build(self) -> None:
        self.client.subscribe_topic(remote.STARTED, self._event)
        futures = self._submit()
        waiting = set(futures)
        try:
            while waiting and not self.stop.signum:
                finished = self._wait(waiting)
                if self.client.status not in ("running", "connecting") or any(
                    _cancelled_why(f) == "scheduler-connection-lost" for f in finished
                ):
                    raise self._scheduler_lost(len(futures) - len(waiting), len(futures))
                for future in finished:
                    waiting.discard(future)
                    self.done(self._settle(futures[future], future))
                for future in [f for f in waiting if self._died_too_often(futures[f].key)]:
                    waiting.discard(future)
                    future.cancel()
                    self.done(_worker_died(futures[future], self.starts[futures[future].key]))
        finally:
            self.client.unsubscribe_topic(remote.STARTED)
            if waiting and self.client.status == "running":  # told to stop, or went wrong here
                self.client.cancel(list(waiting), force=True)  # nothing more is published
                with contextlib.suppress(Exception):
                    self.client.run(remote.stop_run, self.run, wait=True)

    def _event(self, event: tuple[float, dict[str, Any]]) -> None:
        """A job of this run started or finished on a worker (the client's event thread)."""
        message = event[1]
        if message.get("run") != self.run:
            return
        key = message["job"]
        if message.get("what") == "finished":
            self.finishes[key] = self.finishes.get(key, 0) + 1
            return
        died = self._deaths(key)
        tries = self.starts.setdefault(key, [])
        tries.append(message["worker"])
        if died == 1 and not self._died_too_often(key):
            log.warning(
                "perfreport: %s: its Dask worker %s died while building it; building it "
                "again on %s",
                key,
                tries[-2],
                tries[-1],
            )

    def _deaths(self, key: str) -> int:
        """Starts of the job that neither finished nor are running now."""
        return len(self.starts.get(key, ())) - self.finishes.get(key, 0)

    def _died_too_often(self, key: str) -> bool:
        """Whether the job was started again after its workers died under it
        :data:`WORKER_DEATHS` times."""
        return self._deaths(key) - 1 >= WORKER_DEATHS

    def _scheduler_lost(self, settled: int, total: int) -> PerfreportError:
        return PerfreportError(
            f"the Dask scheduler at {self.address or 'the local cluster'} went away during the "
            f"run: {settled} of {total} reports settled before it did; start it again and run "
            "again to build the rest"
        )

    def _submit(self) -> dict[Future, Job]:
        """Send the project's files and each area's results once, then every job."""
        jobs = self.pending
        project = jobs[0].project
        files = project_files(project.root, sorted({job.cycle.notebook for job in jobs}))
        with connect(project.warehouse, read_only=True) as con:
            whole = AreaData("", whole_tables(con))
            slices = area_slices(con, sorted({code for job in jobs for code in job.reads}))
        sent_files, sent_whole = self._send("files", files), self._send("whole", whole)
        areas = {code: self._send(f"area-{code}", AreaData(code, t)) for code, t in slices.items()}
        return {
            self.client.submit(
                remote.build_remote,
                job,
                self.run,
                sent_files,
                sent_whole,
                *[areas[code] for code in job.reads],
                key=f"perfreport-{self.run}-{job.key}",
                pure=False,
            ): job
            for job in jobs
        }

    def _send(self, name: str, data: object) -> Future:
        """``data`` on the cluster, once for the run (see :func:`perfreport.build.carry.held`)."""
        return self.client.submit(held, data, key=f"perfreport-{self.run}-{name}", pure=False)

    def _wait(self, waiting: set[Future]) -> list[Future]:
        """The futures that finish within :data:`STOP_POLL_SECONDS` (perhaps none)."""
        from distributed import wait
        from distributed.client import FuturesCancelledError

        try:
            with self.client.as_current():
                finished, _ = wait(list(waiting), STOP_POLL_SECONDS, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return []
        except FuturesCancelledError:
            return [future for future in waiting if future.done()]
        return list(finished)

    def _settle(self, job: Job, future: Future) -> JobResult:
        """Publish a returned report, or keep what is known of a job that failed."""
        if future.status == "finished":
            returned: Returned = future.result()
            staging = staging_folder(job, os.getpid())
            returned.files.write(staging)
            return settle(
                job, JobResult(job.key, returned.ok, returned.seconds, staging, returned.error)
            )
        if future.status == "cancelled":
            error = f"the Dask cluster cancelled this job ({_cancelled_why(future)})"
            return keep_failure(job, JobResult(job.key, False, 0.0, job.failed_dir, error), None)
        exc = future.exception()
        if isinstance(exc, remote.WorkerMismatch):
            raise PerfreportError(str(exc))
        if type(exc).__name__ == "KilledWorker":
            return _worker_died(job, self.starts.get(job.key, []))
        error = (
            f"the Dask worker building this report failed: {type(exc).__name__}: {_first_line(exc)}"
        )
        detail = "".join(traceback.format_exception(exc))
        return keep_failure(
            job, JobResult(job.key, False, 0.0, job.failed_dir, error), None, detail
        )


def _worker_died(job: Job, workers: list[str]) -> JobResult:
    """A job whose worker died each time it was built."""
    error = "its Dask worker died while building it"
    tried = ", then ".join(workers) or "workers the scheduler named"
    detail = (
        f"The worker building this report died each time it was tried ({tried}); the run's "
        "other reports were built on the other workers. A worker dies when something kills it: "
        "a notebook cell that kills its process, the out-of-memory killer, a crash in compiled "
        "code, a machine that went away."
    )
    return keep_failure(job, JobResult(job.key, False, 0.0, job.failed_dir, error), None, detail)


def _cancelled_why(future: Future) -> str:
    """Why Dask cancelled ``future`` ("" if it was not cancelled)."""
    if future.status != "cancelled":
        return ""
    exc = getattr(getattr(future, "_state", None), "exception", None)
    return str(getattr(exc, "reason", "") or "no reason given")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
