"""End to end, with real processes and real signals: a run that is killed or interrupted stops
all of its processes within seconds, publishes nothing after the signal, leaves the site true
to the folders, and the next run completes it.

One cold build (the demo's warehouse, no outputs) is taken through three runs: ``kill -9`` of
the parent, then Ctrl-C (SIGINT to the whole process group, as a terminal sends it), then a run
to the end. A fourth, short run is stopped by SIGTERM to the parent alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.helpers import run_cli, start_cli

pytestmark = pytest.mark.e2e

PUBLISH_TIMEOUT = 300
"""Seconds to wait for a cold run to publish a report (a 2-core machine, shared)."""
SETTLE_SECONDS = 15
"""Every process of a stopped run must be gone within this."""
REPORTS = 9


def _start(project: Path, *args: str) -> subprocess.Popen:
    return start_cli(
        "run",
        *(args or ("--all", "--jobs", "2")),
        cwd=project,
        start_new_session=True,  # its own process group, as a command started from a shell
    )


def _published(project: Path) -> dict[str, int]:
    """Each published report folder with its provenance record's modification time."""
    outputs = project / "outputs"
    found = {}
    for record in outputs.glob("*/*/*/provenance.json"):
        parts = record.parent.relative_to(outputs).parts
        if parts[0] != "failed" and not any(p.startswith(".") for p in parts):
            found["/".join(parts)] = record.stat().st_mtime_ns
    return found


def _wait_until(run: subprocess.Popen, ready, what: str) -> None:
    deadline = time.monotonic() + PUBLISH_TIMEOUT
    while not ready():
        if run.poll() is not None:
            raise AssertionError(f"the run ended before {what}: {run.stderr.read()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.05)


def _tree(run: subprocess.Popen) -> list[psutil.Process]:
    parent = psutil.Process(run.pid)
    return [parent, *parent.children(recursive=True)]


def _is_kernel(process: psutil.Process) -> bool:
    """A kernel started the usual way, or forked from a fork server (a worker's own, or one
    forked from the pool's): a forked kernel leads a session of its own, its servers do not."""
    forked = ("perfreport.build.kernel_server", "perfreport.build.zygote")
    with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError):
        command = " ".join(process.cmdline())
        return "ipykernel" in command or (
            any(f in command for f in forked) and os.getsid(process.pid) == process.pid
        )
    return False


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _in_project(project: Path) -> list[psutil.Process]:
    """Live processes working in the project folder (workers and kernels start there)."""
    where = os.path.realpath(project)
    found = []
    for process in psutil.process_iter(["cwd"]):
        cwd = process.info["cwd"]
        if cwd and os.path.realpath(cwd) == where and process.pid != os.getpid():
            found += [process] if _running(process) else []
    return found


def _survivors(processes: list[psutil.Process], project: Path) -> list[psutil.Process]:
    """What is still running of ``processes`` (or in the project) after :data:`SETTLE_SECONDS`."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        left = {p.pid: p for p in processes if _running(p)}
        left.update({p.pid: p for p in _in_project(project)})
        if not left or time.monotonic() > deadline:
            return list(left.values())
        time.sleep(0.2)


def _kill(processes: list[psutil.Process]) -> None:
    """Tidy up after a failed assertion: only processes this test started."""
    for process in processes:
        if _running(process):
            process.kill()


def _site(project: Path) -> tuple[set[str], str]:
    outputs = project / "outputs"
    manifest = json.loads((outputs / "manifest.json").read_text())["reports"]
    return set(manifest), (outputs / "index.html").read_text()


def _listed(index: str, key: str) -> bool:
    return all(
        f'href="{key}/{name}"' in index for name in ("report.html", "report.pdf", "data.csv")
    )


@dataclass
class Stopped:
    project: Path
    processes: list[psutil.Process]
    at_signal: dict[str, int]
    after: dict[str, int]
    survivors: list[psutil.Process]
    seconds: float
    code: int
    stderr: str


def _stop(project: Path, run: subprocess.Popen, send) -> Stopped:
    processes = _tree(run)
    at_signal = _published(project)
    started = time.monotonic()
    send(run)
    try:
        _, stderr = run.communicate(timeout=SETTLE_SECONDS)
    except subprocess.TimeoutExpired:
        run.kill()
        _, stderr = run.communicate()
    seconds = time.monotonic() - started
    survivors = _survivors(processes, project)
    _kill(survivors)
    after = _published(project)
    return Stopped(project, processes, at_signal, after, survivors, seconds, run.returncode, stderr)


@pytest.fixture(scope="module")
def killed(built, tmp_path_factory) -> Stopped:
    """A cold run whose parent is killed (SIGKILL) once it has published a report."""
    project = tmp_path_factory.mktemp("interrupts") / "project"
    shutil.copytree(built, project, ignore=shutil.ignore_patterns("outputs"))
    run = _start(project)
    try:
        _wait_until(run, lambda: _published(project), "a report was published")
    except BaseException:
        _kill(_tree(run))
        raise
    return _stop(project, run, lambda r: os.kill(r.pid, signal.SIGKILL))


def test_kill_9_of_the_parent_leaves_no_worker_or_kernel_running(killed):
    assert killed.code == -signal.SIGKILL
    assert len(killed.processes) >= 4, killed.processes  # the parent, two workers, kernels
    assert killed.survivors == []


def test_nothing_is_published_after_kill_9(killed):
    assert killed.after == killed.at_signal
    assert not (killed.project / "outputs" / "failed").exists()


@pytest.fixture(scope="module")
def interrupted(killed) -> Stopped:
    """The next run (after the kill), interrupted by Ctrl-C once it has published one more."""
    project, before = killed.project, len(killed.after)
    run = _start(project)
    try:
        _wait_until(run, lambda: len(_published(project)) > before, "one more report was published")
    except BaseException:
        _kill(_tree(run))
        raise
    return _stop(project, run, lambda r: os.killpg(r.pid, signal.SIGINT))


def test_ctrl_c_stops_every_process_within_seconds_with_status_130_and_one_line(interrupted):
    assert interrupted.code == 130, interrupted.stderr
    assert interrupted.seconds < SETTLE_SECONDS
    assert interrupted.survivors == []
    # the command's own lines (a kernel that failed to start may have written its traceback)
    notice, *lines = [x for x in interrupted.stderr.splitlines() if x.startswith("perfreport: ")]
    # the run before was killed: this one said so when it took the outputs lock
    assert notice.endswith("stopped before it finished; tidying up after it"), notice
    assert len(lines) == 1, interrupted.stderr
    assert lines[0].startswith("perfreport: interrupted by SIGINT: ")
    assert f" of {REPORTS} reports built;" in lines[0]


def test_nothing_is_published_after_ctrl_c_and_the_site_lists_what_is(interrupted):
    assert interrupted.after == interrupted.at_signal
    outputs = interrupted.project / "outputs"
    assert not (outputs / ".staging").exists() and not (outputs / "failed").exists()
    listed, index = _site(interrupted.project)
    assert listed == set(interrupted.after)  # including what the killed run published
    assert all(_listed(index, key) for key in listed)


def test_after_any_interruption_the_next_run_gives_a_complete_site(interrupted):
    done = run_cli("run", "--all", "--jobs", "2", cwd=interrupted.project)
    assert done.code == 0, done.stderr
    unchanged = len(interrupted.after)
    assert (
        f"{REPORTS} of {REPORTS} reports built ({unchanged} unchanged, not rebuilt)" in done.stdout
    )
    listed, index = _site(interrupted.project)
    assert len(listed) == REPORTS and listed == set(_published(interrupted.project))
    assert all(_listed(index, key) for key in listed)
    assert not (interrupted.project / "outputs" / ".staging").exists()


def test_sigterm_to_the_parent_stops_a_running_report_and_publishes_nothing(built, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(built, project)
    notebook = project / "notebooks" / "locality.ipynb"
    nb = json.loads(notebook.read_text())
    nb["cells"].insert(
        3,
        {
            "cell_type": "code",
            "id": "sleeps",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["import time\ntime.sleep(120)"],
        },
    )
    notebook.write_text(json.dumps(nb))
    published = (project / "outputs" / "locality" / "2024-25-Q4" / "clackmannanshire").stat()
    run = _start(project, "locality", "--area", "CS-CLK", "--jobs", "1")

    def kernel_running() -> bool:
        return any(_is_kernel(p) for p in _tree(run)[1:] if _running(p))

    try:
        _wait_until(run, kernel_running, "the report's kernel started")
        time.sleep(2)  # into the notebook
    except BaseException:
        _kill(_tree(run))
        raise
    stopped = _stop(project, run, lambda r: os.kill(r.pid, signal.SIGTERM))
    assert stopped.code == 143, stopped.stderr
    assert stopped.survivors == []
    assert [x for x in stopped.stderr.splitlines() if x.startswith("perfreport: ")] == [
        "perfreport: interrupted by SIGTERM: 0 of 1 reports built; the workers were stopped and "
        "the site lists every published report; run again to build the rest"
    ]
    assert stopped.after == stopped.at_signal
    folder = project / "outputs" / "locality" / "2024-25-Q4" / "clackmannanshire"
    assert folder.stat().st_ino == published.st_ino  # the published report was not replaced
    assert not (project / "outputs" / "failed").exists()
    listed, _ = _site(project)
    assert len(listed) == REPORTS
