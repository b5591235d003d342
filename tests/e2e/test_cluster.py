"""Building on a real Dask cluster on 127.0.0.1: a scheduler and two workers started with the
``dask scheduler`` and ``dask worker`` commands, as the README's recipe does. The workers are
given nothing but the scheduler's address: every job carries its project files and data."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.helpers import FIND_WORKER, QUARTER, insert_cell, run_cli, start_cli

DASK = Path(sys.executable).parent / "dask"
STARTUP_SECONDS = 60
TIMES = ("started", "ended")
"""What a provenance record holds of when the report was built (the only difference allowed)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    address: str
    folder: Path
    processes: list[subprocess.Popen]


def _workers(address: str) -> int:
    from distributed import Client

    with Client(address, timeout=2, set_as_default=False) as client:
        return len(client.scheduler_info()["workers"])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("cluster")
    address = f"tcp://127.0.0.1:{_free_port()}"
    log = (folder / "cluster.log").open("w")
    common = {"stdout": log, "stderr": subprocess.STDOUT, "cwd": folder}
    processes = [
        subprocess.Popen(
            [
                DASK,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                address.rsplit(":", 1)[1],
                "--no-dashboard",
            ],
            **common,
        )
    ]
    for n in (1, 2):
        processes.append(
            subprocess.Popen(
                [
                    DASK,
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--name",
                    f"w{n}",
                    "--local-directory",
                    folder / f"w{n}",
                ],
                **common,
            )
        )
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            if _workers(address) == 2:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, (folder / "cluster.log").read_text()[-2000:]
        time.sleep(0.5)
    yield Cluster(address, folder, processes)
    for process in reversed(processes):
        process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()


def _copy_without_outputs(built: Path, target: Path) -> Path:
    shutil.copytree(built, target, ignore=shutil.ignore_patterns("outputs"))
    return target


def _files(outputs: Path) -> dict[str, Path]:
    return {p.relative_to(outputs).as_posix(): p for p in sorted(outputs.rglob("*")) if p.is_file()}


def _without_times(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in TIMES}


def test_a_cluster_build_is_byte_identical_to_a_local_one(built, cluster, tmp_path):
    project = _copy_without_outputs(built, tmp_path / "p")

    result = run_cli("run", "--all", "--scheduler", cluster.address, cwd=project)

    assert result.code == 0, result.stderr
    assert "9 of 9 reports built" in result.stdout
    local, remote = _files(built / "outputs"), _files(project / "outputs")
    assert sorted(remote) == sorted(local)
    compared = 0
    for name, path in local.items():
        if name.endswith("provenance.json"):
            mine, theirs = json.loads(path.read_text()), json.loads(remote[name].read_text())
            assert _without_times(theirs) == _without_times(mine), name
        elif name == "manifest.json":
            mine, theirs = json.loads(path.read_text()), json.loads(remote[name].read_text())
            for manifest in (mine, theirs):
                manifest["reports"] = {k: _without_times(r) for k, r in manifest["reports"].items()}
            assert theirs == mine
        else:
            assert remote[name].read_bytes() == path.read_bytes(), name
            compared += 1
    assert compared >= 9 * 4  # every report's HTML, PDF, open data and notebook
    # each worker built in a project folder of its own, from a warehouse of what it was sent
    built_there = [
        p for n in (1, 2) for p in (cluster.folder / f"w{n}").rglob("perfreport/project")
    ]
    assert len(built_there) == 2, built_there  # under each worker's own local directory
    assert all((b / "params" / "areas.yaml").is_file() for b in built_there)
    count = "SELECT count(*) FROM results WHERE list_contains(?, area_code)"
    with duckdb.connect(str(built_there[0] / "data" / "warehouse.duckdb"), read_only=True) as con:
        sent = sorted(
            r[0] for r in con.execute("SELECT DISTINCT area_code FROM results").fetchall()
        )
        rows = con.execute(count, [sent]).fetchone()[0]
        observations = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(count, [sent]).fetchone()[0] == rows > 0  # every row of its areas
    assert set(sent) <= {"S37000005", "CS-CLK", "CS-RST", "CS-UST", "S92000003"}
    assert observations == 0  # the prepared results it reads, not the warehouse


SLEEP_ONCE = (
    FIND_WORKER
    + """import pathlib, time
marker = pathlib.Path({marker!r})
if area == 'CS-RST' and not marker.exists():
    marker.write_text(str(worker.pid))
    time.sleep(120)
"""
)
FAIL = """if area == 'CS-UST':
    with open({counter!r}, 'a') as tries:
        tries.write('tried\\n')
    raise RuntimeError('broken on purpose')
"""


def test_a_job_whose_worker_is_killed_is_built_on_another_and_a_failure_is_tried_once(
    built, cluster, tmp_path
):
    project = _copy_without_outputs(built, tmp_path / "p")
    marker, counter = tmp_path / "worker.pid", tmp_path / "tries.txt"
    insert_cell(project, SLEEP_ONCE.format(marker=str(marker)))
    insert_cell(project, FAIL.format(counter=str(counter)), position=4)
    run = start_cli(
        "run",
        "locality",
        "--period",
        QUARTER,
        "--area",
        "CS-RST",
        "--area",
        "CS-UST",
        "--scheduler",
        cluster.address,
        cwd=project,
    )
    deadline = time.monotonic() + 90
    while not marker.exists() or not marker.read_text():
        assert time.monotonic() < deadline and run.poll() is None, run.communicate()
        time.sleep(0.2)
    victim = int(marker.read_text())
    os.kill(victim, signal.SIGKILL)  # in the middle of the job: its notebook is sleeping
    stdout, stderr = run.communicate(timeout=180)

    assert run.returncode == 1, stdout + stderr
    assert "1 of 2 reports built" in stdout, stdout + stderr
    assert (project / "outputs" / "locality" / QUARTER / "rural-stirling" / "report.pdf").is_file()
    assert "died while building it; building it again on tcp://" in stderr
    assert f"failed: locality/{QUARTER}/urban-stirling: cell" in stderr
    assert "RuntimeError: broken on purpose" in stderr
    assert counter.read_text() == "tried\n"  # a failing notebook is not tried again
    kept = project / "outputs" / "failed" / "locality" / QUARTER / "urban-stirling"
    assert (kept / "error.txt").read_text().count("broken on purpose") >= 1
    assert (kept / "notebook.ipynb").is_file()


SLEEP = """import os, pathlib, time
if area == 'CS-RST':
    pathlib.Path({marker!r}).write_text(str(os.getpid()))  # the kernel's own pid
    time.sleep(120)
"""


def test_ctrl_c_cancels_the_run_on_the_cluster_and_kills_its_kernel(built, cluster, tmp_path):
    import psutil

    project = _copy_without_outputs(built, tmp_path / "p")
    marker = tmp_path / "kernel.pid"
    insert_cell(project, SLEEP.format(marker=str(marker)))
    run = start_cli(
        "run", "locality", "--period", QUARTER, "--area", "CS-RST", "--scheduler",
        cluster.address, cwd=project,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while not marker.exists() or not marker.read_text():
        assert time.monotonic() < deadline and run.poll() is None, run.communicate()
        time.sleep(0.2)
    kernel = psutil.Process(int(marker.read_text()))  # on the worker, in the middle of a cell

    run.send_signal(signal.SIGINT)
    stdout, stderr = run.communicate(timeout=60)

    assert run.returncode == 130, stdout + stderr
    ours = [line for line in stderr.splitlines() if line.startswith("perfreport: ")]
    assert len(ours) == 1, stderr
    assert ours[0].startswith("perfreport: interrupted by SIGINT: 0 of 1 reports built;")
    assert not (project / "outputs" / "locality").exists()  # nothing published
    assert not (project / "outputs" / ".staging").exists()
    kernel.wait(10)  # the worker killed the kernel of the cancelled job
    assert _workers(cluster.address) == 2  # and the workers stay, for the next run


def test_an_unreachable_scheduler_is_one_line_and_status_2_within_the_timeout(built, tmp_path):
    project = _copy_without_outputs(built, tmp_path / "p")
    nobody = f"tcp://127.0.0.1:{_free_port()}"
    started = time.monotonic()

    result = run_cli("run", "--all", "--scheduler", nobody, "--connect-timeout", "3", cwd=project)

    assert 3 <= time.monotonic() - started < 3 + 10  # tried for the timeout; starting Python
    assert result.code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        f"perfreport: error: parameter '--scheduler': no Dask scheduler answered at {nobody} "
        "within 3 s ("
    ), line
    assert line.endswith("start one with 'dask scheduler', or check the address")
    assert not (project / "outputs" / "locality").exists()


def test_a_worker_running_other_versions_is_refused_in_one_line(cluster, monkeypatch):
    from perfreport.build import remote
    from perfreport.build.cluster import DaskCluster
    from perfreport.build.interrupt import Stop
    from perfreport.errors import PerfreportError

    theirs = remote.installed()  # what the workers run (their own process, unpatched)
    monkeypatch.setattr(remote, "versions", lambda: {**theirs, "perfreport": "9.9.9"})

    with pytest.raises(PerfreportError) as caught:
        DaskCluster(address=cluster.address).build([], Stop(), print)

    message = str(caught.value)
    assert message.startswith("Dask worker tcp://127.0.0.1:"), message
    assert f"runs perfreport {theirs['perfreport']} (the client has 9.9.9)" in message
    assert "\n" not in message


def test_a_scheduler_with_no_workers_is_one_line(tmp_path):
    from perfreport.build.cluster import DaskCluster
    from perfreport.build.interrupt import Stop
    from perfreport.errors import PerfreportError

    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    lonely = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while _workers_or_none(address) is None:
            assert time.monotonic() < deadline
            time.sleep(0.3)
        started = time.monotonic()
        with pytest.raises(PerfreportError) as caught:
            DaskCluster(address=address, connect_seconds=2).build([], Stop(), print)
        waited = time.monotonic() - started
    finally:
        lonely.kill()
        lonely.wait(15)
    assert str(caught.value) == (
        f"parameter '--scheduler': the Dask scheduler at {address} has no workers after 2 s; "
        f"start some with 'dask worker {address} --nthreads 1'"
    )
    assert 2 <= waited < 2 + 5


def _workers_or_none(address: str) -> int | None:
    try:
        return _workers(address)
    except OSError:
        return None


def test_a_server_that_accepts_but_never_answers_is_one_line_within_the_timeout(built, tmp_path):
    project = _copy_without_outputs(built, tmp_path / "p")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    listener = threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True)
    listener.start()  # it takes the connection and says nothing, as a web server would
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    started = time.monotonic()
    try:
        result = run_cli(
            "run", "--all", "--scheduler", address, "--connect-timeout", "2", cwd=project
        )
    finally:
        server.close()
        for connection in held:
            connection.close()
    assert time.monotonic() - started < 2 + 15  # the timeout, starting Python and planning
    assert result.code == 2
    [line] = result.stderr.strip().splitlines()
    assert line == (
        f"perfreport: error: parameter '--scheduler': no Dask scheduler answered at {address} "
        "within 2 s (something listens there but does not answer as a Dask scheduler); start "
        "one with 'dask scheduler', or check the address"
    )


def test_a_run_with_nothing_to_build_never_needs_the_cluster(built, tmp_path):
    project = tmp_path / "p"
    shutil.copytree(built, project)
    nobody = f"tcp://127.0.0.1:{_free_port()}"

    result = run_cli("run", "--all", "--scheduler", nobody, cwd=project)

    assert result.code == 0, result.stderr
    assert "9 of 9 reports built (9 unchanged, not rebuilt)" in result.stdout
