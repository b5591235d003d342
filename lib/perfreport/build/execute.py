"""Building one report, in a worker process: papermill executes the cycle's notebook with the
job's parameters into a private staging folder, the executed notebook is checked (every code
cell ran, in order and without error) and scrubbed of the build machine's folders, then
rendered to ``report.html`` and ``report.pdf``, with the report's open data and provenance
record beside them. Only the parent publishes (:mod:`perfreport.build.pool`)."""

from __future__ import annotations

import json
import os
import shutil
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfreport.build import worker
from perfreport.build.completeness import KernelReplies, incomplete, strip_colour
from perfreport.build.evidence import write_evidence
from perfreport.build.hidden_errors import hidden_error
from perfreport.build.jobs import Job, JobResult
from perfreport.build.kernels import KERNEL
from perfreport.build.layout import NOTEBOOK, OPEN_DATA, PROVENANCE, staging_folder
from perfreport.build.open_data import open_data
from perfreport.build.provenance import provenance_record
from perfreport.build.scrub import for_publication
from perfreport.store.exports import write_table

if TYPE_CHECKING:
    import nbformat


def run_in_worker(job: Job, slot: int) -> JobResult:
    """What a pool's worker runs: :func:`run_job`, telling the parent it took job ``slot``."""
    worker.took(slot)
    return run_job(job)


def run_job(job: Job) -> JobResult:
    """In a worker: execute, check and render one report into a staging folder of its own,
    with its open data and provenance record. Publishes nothing (the parent does) and never
    raises for a failing notebook: a failed result's folder holds the executed notebook and
    ``error.txt``."""
    from papermill.exceptions import PapermillExecutionError

    started, began = time.perf_counter(), _now()
    staging = staging_folder(job, os.getpid())
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    executed = staging / NOTEBOOK
    replies = KernelReplies()
    worker.take_a_job()
    try:
        notebook = _execute(job, executed, replies)
        problem = incomplete(notebook, replies.exits)
        if problem is not None:
            return _failed(job, staging, started, *problem)
        _write_report(job, notebook, staging, began)
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


def _execute(job: Job, executed: Path, replies: KernelReplies) -> nbformat.NotebookNode:
    """Run the cycle's notebook with the job's parameters in this worker's warm kernel, into
    ``executed``, and read it back."""
    import nbformat
    import papermill

    from perfreport.build.papermill_engine import ENGINE

    km = worker.spares.take(job.project.root)
    try:
        papermill.execute_notebook(
            str(job.project.root / job.cycle.notebook),
            str(executed),
            parameters=job.parameters,
            kernel_name=KERNEL,
            engine_name=ENGINE,
            km=km,
            progress_bar=False,
            log_output=False,
            execution_timeout=job.cycle.timeout_seconds,
            on_cell_executed=replies,
        )
    finally:
        km.close()
        # the next report's kernel starts while this one renders
        worker.spares.prepare_next(job.project.root, worker.jobs_remain)
    return nbformat.read(executed, as_version=4)


def _write_report(job: Job, notebook: nbformat.NotebookNode, staging: Path, began: str) -> None:
    """The whole report in ``staging``: the notebook as published, its HTML and PDF, its open
    data and its provenance record."""
    import nbformat

    for_publication(notebook, job.project.root, job.cycle.notebook, _published_path(job))
    nbformat.write(notebook, staging / NOTEBOOK)
    if job.renderer == "quarto":
        from perfreport.build import quarto

        quarto.render(notebook, job.meta, staging, job.cycle.timeout_seconds)
    else:
        renderer = worker.renderer()
        html = renderer.html(notebook, job.meta)
        (staging / "report.html").write_text(html, encoding="utf-8")
        renderer.pdf(html, staging / "report.pdf", base=staging)
    write_table(open_data(job), staging / OPEN_DATA)
    record = provenance_record(job, began, _now())
    (staging / PROVENANCE).write_text(
        json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def _read_or_empty(path: Path) -> Any:
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return nbformat.v4.new_notebook()


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
    write_evidence(staging, summary, detail)
    return JobResult(job.key, False, time.perf_counter() - started, staging, summary)
