"""The runner: housekeeping after an interrupted run, whole notebooks, published notebooks
that name no folder of the build machine, errors a handler hid, the site derived from the
folders, the outputs lock, and worker processes that die."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from perfreport.build import execute, pool
from perfreport.build.completeness import KernelReplies, incomplete
from perfreport.build.hidden_errors import hidden_error
from perfreport.build.interrupt import Stop
from perfreport.build.jobs import JobResult
from perfreport.build.layout import (
    FAILED,
    PROVENANCE,
    REPORT_FILES,
    RETIRED,
    STAGING,
    staging_folder,
)
from perfreport.build.lock import LOCK_FILE, outputs_lock
from perfreport.build.provenance import published
from perfreport.build.scrub import for_publication
from perfreport.build.site import index_html
from perfreport.build.swap import recover
from perfreport.errors import PerfreportError


def _report(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "report.html").write_text(text)
    return folder


def test_recover_deletes_unfinished_reports_and_restores_one_moved_aside(tmp_path: Path):
    outputs = tmp_path / "outputs"
    _report(outputs / STAGING / "locality--2024-25-Q4--clackmannanshire--123", "half")
    period = outputs / "locality" / "2024-25-Q4"
    # killed between moving the old report aside and swapping the new one in
    _report(period / f".rural-stirling{RETIRED}123", "published")
    # killed after the swap, before the old copy was deleted
    _report(period / "urban-stirling", "new")
    _report(period / f".urban-stirling{RETIRED}456", "old")

    recover(outputs)

    assert not (outputs / STAGING).exists()
    assert (period / "rural-stirling" / "report.html").read_text() == "published"
    assert (period / "urban-stirling" / "report.html").read_text() == "new"
    assert sorted(p.name for p in period.iterdir()) == ["rural-stirling", "urban-stirling"]


def test_recover_on_a_fresh_outputs_folder_does_nothing(tmp_path: Path):
    recover(tmp_path / "outputs")
    assert not (tmp_path / "outputs").exists()


# Is an executed notebook a whole report?


def _executed(*cells: tuple[str, int | None, list[dict]], tags: dict[int, list[str]] | None = None):
    import nbformat.v4 as v4

    nb = v4.new_notebook()
    for n, (source, count, outputs) in enumerate(cells):
        cell = v4.new_code_cell(source, execution_count=count, outputs=outputs)
        cell.metadata["tags"] = (tags or {}).get(n, [])
        nb.cells.append(cell)
    nb.cells.insert(1, v4.new_markdown_cell("prose is never run"))
    return nb


def test_a_notebook_whose_every_code_cell_ran_in_order_is_whole():
    nb = _executed(
        ("a = 1", 1, []),
        ("", None, []),
        ("b = 2", 2, []),
        ("c", None, []),
        tags={3: ["skip-execution"]},
    )
    assert incomplete(nb) is None


ERROR_SYSEXIT = {"output_type": "error", "ename": "SystemExit", "evalue": "0", "traceback": []}


@pytest.mark.parametrize(
    ("cells", "exits", "message"),
    [
        (
            [("a = 1", 1, []), ("sys.exit(0)", 2, [ERROR_SYSEXIT]), ("b", None, [])],
            [],
            "cell 2: SystemExit: 0 (the notebook stopped before its end)",
        ),
        (
            [("a = 1", 1, []), ("os._exit(0)", 2, []), ("b", None, [])],
            [],
            "code cell 3 of 3 did not run: the notebook stopped before its end",
        ),
        (
            [("a = 1", 1, []), ("b = 2", 2, []), ("c = 3", 1, [])],
            [],
            "code cell 3 of 3: the kernel restarted (execution count 1 after 2)",
        ),
        (
            [("a = 1", 1, []), ("exit()", 2, []), ("c = 3", 3, [])],
            [2],  # cell index 2: the markdown cell is index 1
            "cell 2: the notebook asked its kernel to exit (exit() or quit())",
        ),
    ],
    ids=["sys-exit-0", "stopped-early", "restarted", "exit"],
)
def test_a_notebook_that_stopped_early_errored_or_restarted_is_not_whole(cells, exits, message):
    found = incomplete(_executed(*cells), exits)
    assert found is not None and found[0] == message


def test_the_detail_of_an_error_is_its_traceback_without_colour():
    error = {
        "output_type": "error",
        "ename": "ZeroDivisionError",
        "evalue": "division by zero",
        "traceback": ["\x1b[0;31mZeroDivisionError\x1b[0m  Traceback", "----> 1 1 / 0"],
    }
    line, detail = incomplete(_executed(("1 / 0", 1, [error])))
    assert line == "cell 1: ZeroDivisionError: division by zero"
    assert detail == "ZeroDivisionError  Traceback\n----> 1 1 / 0"


def test_a_published_notebook_names_no_folder_of_the_build_machine(tmp_path: Path):
    import nbformat.v4 as v4

    root = tmp_path / "project"
    image = "iVBOR" + str(root).replace("/", "+") + "=="
    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell(
                f'project = "{root}"',
                outputs=[
                    v4.new_output("stream", name="stderr", text=f"{root}/lib/x.py:1: Warning\n"),
                    v4.new_output(
                        "display_data", data={"image/png": image, "text/plain": str(Path.home())}
                    ),
                ],
            )
        ],
        metadata={
            "papermill": {
                "input_path": f"{root}/notebooks/a.ipynb",
                "output_path": f"{root}/outputs/.staging/a--1/notebook.ipynb",
            }
        },
    )
    for_publication(nb, root, "notebooks/a.ipynb", "outputs/a/notebook.ipynb")
    assert nb.metadata.papermill == {
        "input_path": "notebooks/a.ipynb",
        "output_path": "outputs/a/notebook.ipynb",
    }
    cell = nb.cells[0]
    assert cell.source == 'project = "."'
    assert cell.outputs[0].text == "./lib/x.py:1: Warning\n"
    assert cell.outputs[1].data == {"image/png": image, "text/plain": "~"}


# The site is derived from the published folders


def _published(outputs: Path, key: str, title: str = "A report", files=REPORT_FILES) -> Path:
    folder = outputs / key
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_text("x")
    cycle, period, _ = key.split("/")
    record = {
        "cycle": cycle,
        "period": period,
        "title": title,
        "cache_key": "k",
        "outputs": {"report.html": "elsewhere"},
    }
    (folder / PROVENANCE).write_text(json.dumps(record))
    return folder


def test_the_site_lists_exactly_the_whole_published_folders(tmp_path: Path):
    outputs = tmp_path / "outputs"
    _published(outputs, "locality/2024-25-Q4/rural-stirling", "Rural")
    _published(outputs, "monthly/2025-03/partnership", "Monthly")
    _published(outputs, "locality/2024-25-Q4/half-built", files=("report.html",))
    _published(outputs, "locality/2024-25-Q4/.urban-stirling.old-12")
    _published(outputs, f"{STAGING}/x/y")
    (_published(outputs, "locality/2024-25-Q4/unreadable") / PROVENANCE).write_text("{")
    (outputs / FAILED / "locality" / "2024-25-Q4").mkdir(parents=True)
    _published(outputs / FAILED, "locality/2024-25-Q4/x")

    reports = published(outputs)

    assert list(reports) == ["locality/2024-25-Q4/rural-stirling", "monthly/2025-03/partnership"]
    entry = reports["locality/2024-25-Q4/rural-stirling"]
    assert entry["outputs"]["report.html"] == "locality/2024-25-Q4/rural-stirling/report.html"
    page = index_html({"reports": reports})
    assert 'href="monthly/2025-03/partnership/report.pdf"' in page and "Rural" in page
    assert "half-built" not in page and "elsewhere" not in page


# One run at a time per outputs folder


HOLD = (
    "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); fcntl.flock(f, fcntl.LOCK_EX); "
    "f.seek(0); f.truncate(); f.write(sys.argv[2]); f.flush(); print('locked', flush=True); "
    "time.sleep(float(sys.argv[3]))"
)


def _hold_lock(outputs: Path, recorded: str, seconds: float) -> subprocess.Popen:
    outputs.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(outputs / LOCK_FILE), recorded, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _dead_pid() -> int:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def test_a_live_run_holding_the_lock_is_named(tmp_path: Path):
    outputs = tmp_path / "outputs"
    holder = _hold_lock(outputs, "", 30)
    try:
        (outputs / LOCK_FILE).write_text(f"{holder.pid}\n")
        with (
            pytest.raises(
                PerfreportError, match=rf"another perfreport run .* \(pid {holder.pid}\)"
            ),
            outputs_lock(outputs),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_kept_by_processes_a_dead_run_left_names_them(tmp_path: Path):
    outputs, dead = tmp_path / "outputs", _dead_pid()
    holder = _hold_lock(outputs, str(dead), 30)
    try:
        with pytest.raises(PerfreportError) as error, outputs_lock(outputs, wait_seconds=0.3):
            pass
        assert f"the run that took it (pid {dead}) has exited" in str(error.value)
        assert f"still hold its lock {LOCK_FILE} (pid {holder.pid})" in str(error.value)
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_dead_run_is_waited_for_then_taken_with_a_message(tmp_path: Path, caplog):
    outputs, dead = tmp_path / "outputs", _dead_pid()
    holder = _hold_lock(outputs, str(dead), 0.5)  # its leftovers exit by themselves
    try:
        with outputs_lock(outputs, wait_seconds=10):
            assert (outputs / LOCK_FILE).read_text().split()[0] == str(os.getpid())
    finally:
        holder.wait()
    assert f"the previous run (pid {dead}) stopped before it finished" in caplog.text
    assert (outputs / LOCK_FILE).read_text() == ""  # a clean finish leaves no record
    caplog.clear()
    with outputs_lock(outputs):
        pass
    assert caplog.text == ""


def test_a_worker_forked_under_the_lock_does_not_hold_it(tmp_path: Path):
    outputs = tmp_path / "outputs"
    with outputs_lock(outputs):
        child = os.fork()
        if child == 0:  # pragma: no cover - the child
            time.sleep(2)
            os._exit(0)
    try:
        with outputs_lock(outputs, wait_seconds=0):
            pass
    finally:
        os.waitpid(child, 0)


def test_a_published_notebook_names_no_python_package_or_temporary_folder(tmp_path: Path):
    """A warning from the package or a library names the folders Python is installed in."""
    import site
    import tempfile

    import nbformat.v4 as v4

    import perfreport

    package = Path(perfreport.__file__).parent
    leaks = {
        f"{package}/charts.py:141: UserWarning: Glyph 20013 missing": "[perfreport]/charts.py:141",
        f"{site.getsitepackages()[0]}/pandas/core/frame.py:1": "[site-packages]/pandas/core",
        f"{sys.prefix}/bin/python": "[python]/bin/python",
        f"{sys.base_prefix}/lib/python3.11/warnings.py": "[python]/lib/python3.11/warnings.py",
        f"{sys.exec_prefix}/include": "[python]/include",
        f"{tempfile.gettempdir()}/tmpab12/x.png": "[tmp]/tmpab12/x.png",
    }
    stderr = "\n".join(leaks)
    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell(
                "x = 1",
                outputs=[
                    v4.new_output("stream", name="stderr", text=stderr),
                    v4.new_output("display_data", data={"text/html": f"<td>{sys.prefix}</td>"}),
                ],
            )
        ]
    )
    for_publication(nb, tmp_path / "project", "notebooks/a.ipynb", "outputs/a/notebook.ipynb")
    text, html = nb.cells[0].outputs[0].text, nb.cells[0].outputs[1].data["text/html"]
    assert all(placeholder in text for placeholder in leaks.values())
    for folder in (str(package), sys.prefix, sys.base_prefix, tempfile.gettempdir()):
        assert f"{folder}/" not in text and folder not in html
    assert html == "<td>[python]</td>"


def test_a_folder_is_replaced_only_where_it_is_a_whole_path(tmp_path: Path):
    import tempfile

    import nbformat.v4 as v4

    temp = tempfile.gettempdir()
    text = f"{temp}x/a {temp}/b /opt{temp}/c ({temp})"
    nb = v4.new_notebook(cells=[v4.new_code_cell(f"print({text!r})")])
    for_publication(nb, tmp_path / "project", "a.ipynb", "b.ipynb")
    assert nb.cells[0].source == f"print('{temp}x/a [tmp]/b /opt{temp}/c ([tmp])')"


# An error an IPython custom exception handler hid


def test_the_kernels_error_reply_is_kept_by_execution_count():
    replies = KernelReplies()
    replies(None, 3, {"content": {"status": "ok", "execution_count": 2, "payload": []}})
    replies(
        None,
        5,
        {
            "content": {
                "status": "error",
                "execution_count": 4,
                "ename": "KeyError",
                "evalue": "'x'",
                "traceback": [],
            }
        },
    )
    replies(None, 6, {"content": {"payload": [{"source": "ask_exit"}]}})
    assert list(replies.errors) == [4] and replies.errors[4]["ename"] == "KeyError"
    assert replies.exits == [6]


def _hidden(outputs: list[dict]):
    import nbformat.v4 as v4

    return v4.new_notebook(
        cells=[
            v4.new_code_cell("a = 1", execution_count=4),
            v4.new_code_cell("hide_errors()\nd['x']", execution_count=5, outputs=outputs),
        ]
    )


def test_an_error_a_handler_hid_is_named_from_the_kernels_reply():
    import nbformat.v4 as v4

    replies = KernelReplies()
    replies.errors[5] = {"status": "error", "ename": "KeyError", "evalue": "'x'", "traceback": []}
    output = v4.new_output("stream", name="stdout", text="looking up x\nhandled quietly\n")
    line, detail = hidden_error(_hidden([output]), 5, replies)
    assert line == "cell 5: KeyError: 'x' (a custom exception handler hid its error output)"
    assert "set_custom_exc" in detail and "The kernel's reply: KeyError: 'x'" in detail
    assert "hide_errors()\nd['x']" in detail and "handled quietly" in detail


def test_an_error_a_handler_hid_without_a_reply_quotes_the_cells_last_output():
    import nbformat.v4 as v4

    output = v4.new_output("stream", name="stdout", text="\x1b[31mhandled\x1b[0m quietly\n")
    line, detail = hidden_error(_hidden([output]), 5, KernelReplies())
    assert (
        line
        == "cell 5: the cell raised an error its handler hid (its last output: handled quietly)"
    )
    line, detail = hidden_error(_hidden([]), 5, KernelReplies())
    assert line == "cell 5: the cell raised an error its handler hid (it printed nothing)"
    assert "It has no output." in detail


# A worker process that dies


@dataclass(frozen=True)
class _FakeJob:
    """What the runner's pool reads of a job, built by :func:`_fake_run_job` in the worker."""

    key: str
    root: Path
    action: str = "ok"

    @property
    def project(self) -> SimpleNamespace:
        return SimpleNamespace(outputs=self.root / "outputs")

    @property
    def out_dir(self) -> Path:
        return self.root / "outputs" / self.key

    @property
    def failed_dir(self) -> Path:
        return self.root / "outputs" / FAILED / self.key


RUNNING_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "source": "a = 1",
            "metadata": {"papermill": {"status": "completed"}},
        },
        {
            "cell_type": "code",
            "source": "os.kill(...)",
            "metadata": {"papermill": {"status": "running"}},
        },
    ]
}


def _fake_run_job(job: _FakeJob) -> JobResult:
    """In a worker: a report folder in staging; ``kill`` and ``term`` kill the worker instead
    (``kill-once`` only the first time), ``slow`` takes a second, as a real report would."""
    staging = staging_folder(job, os.getpid())
    staging.mkdir(parents=True)
    (staging / "notebook.ipynb").write_text(json.dumps(RUNNING_NOTEBOOK))
    first = not (job.root / f"{job.key}.tried").exists()
    (job.root / f"{job.key}.tried").touch()
    if job.action == "kill" or (job.action == "kill-once" and first):
        time.sleep(0.3)  # the other worker has its job in hand
        os.kill(os.getpid(), signal.SIGKILL)
    if job.action == "term":
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(1.0 if job.action == "slow" else 0.05)
    (staging / "report.html").write_text(job.key)
    return JobResult(job.key, True, 0.1, staging)


def _build(jobs: list[_FakeJob], workers: int, monkeypatch) -> dict[str, JobResult]:
    monkeypatch.setattr(execute, "run_job", _fake_run_job)  # the workers are forked from here
    results: dict[str, JobResult] = {}
    pool.build(jobs, workers, Stop(), lambda r: results.setdefault(r.key, r))
    assert psutil.Process().children(recursive=True) == []  # no worker left
    return results


def test_a_worker_that_dies_fails_only_its_job_and_the_others_are_built(tmp_path, monkeypatch):
    jobs = [
        _FakeJob("a", tmp_path, "slow"),  # in flight when the killer's worker dies
        _FakeJob("killer", tmp_path, "kill"),
        _FakeJob("b", tmp_path),  # not started
        _FakeJob("c", tmp_path),
    ]
    results = _build(jobs, 2, monkeypatch)
    assert sorted(results) == ["a", "b", "c", "killer"]
    assert [k for k, r in results.items() if not r.ok] == ["killer"]
    for key in "abc":
        assert (tmp_path / "outputs" / key / "report.html").read_text() == key
    failure = results["killer"]
    assert failure.error == "its worker process died (signal 9) while building it"
    assert failure.output == tmp_path / "outputs" / FAILED / "killer"
    error = (failure.output / "error.txt").read_text()
    assert error.splitlines()[0] == failure.error
    assert "died each of the 2 times it was tried" in error
    assert "running code cell 2 when its worker died:\nos.kill(...)" in error
    assert sorted(p.name for p in failure.output.iterdir()) == ["error.txt", "notebook.ipynb"]


def test_a_job_whose_worker_dies_once_is_built_on_its_second_try(tmp_path, monkeypatch):
    results = _build(
        [_FakeJob("a", tmp_path), _FakeJob("k", tmp_path, "kill-once")], 2, monkeypatch
    )
    assert all(r.ok for r in results.values()) and len(results) == 2
    assert (tmp_path / "outputs" / "k" / "report.html").read_text() == "k"


def test_a_worker_that_dies_as_the_pool_stops_the_others_blames_each_job_then_finds_it(
    tmp_path, monkeypatch
):
    """A worker killed by SIGTERM looks like one the pool stopped: both jobs in flight are
    tried again, one at a time, and only the one whose worker dies again fails."""
    jobs = [_FakeJob("a", tmp_path, "slow"), _FakeJob("t", tmp_path, "term")]
    results = _build(jobs, 2, monkeypatch)
    assert results["a"].ok and not results["t"].ok
    assert results["t"].error == "its worker process died (signal 15) while building it"
