"""The runner: housekeeping after an interrupted run, whole notebooks, the site derived from
the folders, and the outputs lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfreport.errors import PerfreportError
from perfreport.notebook_parameters import for_publication, incomplete
from perfreport.runner import LOCK_FILE, RETIRED, STAGING, outputs_lock, recover
from perfreport.site import FAILED, PROVENANCE, REPORT_FILES, index_html, published


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
