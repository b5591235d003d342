"""The worker's side of a build on a Dask cluster (:mod:`perfreport.build.cluster`).

A worker shares no folder with the client. Each job arrives with what its notebook reads: the
project's files (:class:`~perfreport.build.carry.Files`) and the prepared results of the areas
it reads (:class:`~perfreport.build.carry.AreaData`), each sent to the cluster once per run.
The worker writes them into a project folder of its own, makes a warehouse of those rows
(:func:`perfreport.assess.slices.write_warehouse`), builds the report there exactly as a
local worker process does (:func:`perfreport.build.execute.run_job`) and returns the report
folder's files; the client publishes them.

:class:`ReportWorker`, a worker plugin, readies each worker once: it checks that the worker
runs what the client runs (:func:`installed`), and warms the renderer, its fonts and a spare
kernel. A worker builds one report at a time, whatever its number of threads.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import shutil
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from distributed import WorkerPlugin, get_worker

import perfreport
from perfreport.assess.slices import write_warehouse
from perfreport.build import worker as worker_state
from perfreport.build.cache import file_hash, tree_hash
from perfreport.build.carry import AreaData, Files, Returned, folder_files, replace_project
from perfreport.build.execute import run_job
from perfreport.build.kernels import kill_kernels
from perfreport.build.provenance import versions
from perfreport.build.render import REPORT_TEMPLATE
from perfreport.config.project import Project

if TYPE_CHECKING:
    from distributed import Worker

    from perfreport.build.jobs import Job

STARTED = "perfreport-job"
"""The event topic on which a job says it has started, and then finished, on a worker (the
client counts the starts that never finished: its workers' deaths)."""


class WorkerMismatch(Exception):
    """A worker that does not run what the client runs (a different perfreport, renderer or
    Python), or that was sent files different from the client's."""


def installed() -> dict[str, str]:
    """What must be the same on the client and every worker for their reports to be the same
    bytes: Python, perfreport and the packages that execute and render, and the templates."""
    return {
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        **versions(),
        "code": _code_hash(),
        "templates": tree_hash(REPORT_TEMPLATE)[:12],
    }


@functools.cache
def _code_hash() -> str:
    """One hash of perfreport's Python files: two checkouts of one version may differ."""
    package = Path(perfreport.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def mismatch(expected: dict[str, str], found: dict[str, str], where: str) -> str | None:
    """One line naming each difference between the client's ``expected`` and a worker's
    ``found`` (None: they agree)."""
    differ = [
        f"{name} {found.get(name, 'missing')} (the client has {want})"
        for name, want in expected.items()
        if found.get(name) != want
    ]
    if not differ:
        return None
    return (
        f"Dask worker {where} runs {', '.join(differ)}: install the client's versions on every "
        "worker (pip install -c constraints.txt 'perfreport[cluster]' from the same checkout)"
    )


@dataclass
class _State:
    root: Path | None = None
    files: str = ""
    run: str = ""
    problem: str | None = None
    warming: threading.Thread | None = None


_state = _State()
_one_at_a_time = threading.Lock()


class ReportWorker(WorkerPlugin):
    """Readies a worker for reports, once: checks its versions against the client's
    (``expected``) and warms the renderer, its fonts and a spare kernel."""

    name = "perfreport"

    def __init__(self, expected: dict[str, str]) -> None:
        self.expected = expected

    def setup(self, worker: Worker) -> None:
        _state.problem = mismatch(self.expected, installed(), worker.address)
        _state.root = Path(worker.local_directory) / "perfreport" / "project"
        _state.root.mkdir(parents=True, exist_ok=True)
        _state.files = ""
        worker_state.keep_warm()
        if _state.problem is None:
            _state.warming = threading.Thread(target=_warm, args=(_state.root,), daemon=True)
            _state.warming.start()

    def teardown(self, worker: Worker) -> None:
        if _state.warming is not None:
            _state.warming.join()
        worker_state.spares.close()
        kill_kernels()


def _warm(root: Path) -> None:
    """The renderer with its fonts loaded, and a kernel with the report libraries imported."""
    renderer = worker_state.renderer()
    renderer.pdf(worker_state.WARM_PAGE, root.parent / "warm.pdf", base=root.parent)
    worker_state.spares.prepare_next(root, worker_state.jobs_remain)


def build_remote(job: Job, run: str, files: Files, whole: AreaData, *areas: AreaData) -> Returned:
    """Build ``job`` on this worker from what it carries; return its report folder's files
    (or, if it failed, its executed notebook and ``error.txt``)."""
    here = get_worker()
    here.log_event(STARTED, {"run": run, "job": job.key, "worker": here.address})
    with _one_at_a_time:
        root = _ready()
        worker_state.keep_warm()
        if _state.files != files.digest:
            replace_project(files, root)
            _state.files = files.digest
        _check_inputs(job, root)
        write_warehouse(root / "data" / "warehouse.duckdb", whole.tables, [a.tables for a in areas])
        _state.run = run
        try:
            result = run_job(replace(job, project=Project(root)))
        finally:
            _state.run = ""
        returned = Returned(
            result.ok, result.seconds, result.error, Files.of(folder_files(result.output))
        )
        shutil.rmtree(result.output, ignore_errors=True)
    here.log_event(
        STARTED, {"run": run, "job": job.key, "worker": here.address, "what": "finished"}
    )
    return returned


def _ready() -> Path:
    """This worker's project folder, once it is warm; refuse if it runs the wrong versions."""
    if _state.warming is not None:
        _state.warming.join()
        _state.warming = None
    if _state.root is None:
        raise WorkerMismatch(
            f"Dask worker {get_worker().address} was not readied for perfreport (no plugin)"
        )
    if _state.problem is not None:
        raise WorkerMismatch(_state.problem)
    return _state.root


def _check_inputs(job: Job, root: Path) -> None:
    """The notebook and ``params/`` arrived as the client hashed them for the cache key."""
    inputs = dict(job.inputs)
    found = {"notebook": file_hash(root / job.cycle.notebook), "params": tree_hash(root / "params")}
    for name, digest in found.items():
        if inputs.get(name) and inputs[name] != digest:
            raise WorkerMismatch(
                f"Dask worker {get_worker().address}: the {name} of {job.key} differs from "
                "the client's (sent files were changed on the way)"
            )


def stop_run(run: str) -> bool:
    """Kill the kernel of the job of ``run`` this worker is building, if it is building one
    (the client was told to stop); True if it was."""
    if run and _state.run == run:
        worker_state.keep_warm(False)  # until the next job: no kernel for a run that stopped
        for name in ("traitlets", "papermill", "nbclient"):  # its kernel's death is no news
            logging.getLogger(name).setLevel(logging.CRITICAL)
        kill_kernels()
        return True
    return False
