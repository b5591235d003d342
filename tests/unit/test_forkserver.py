"""Kernels forked from a worker's fork server are the kernels a fresh ``python -m
ipykernel_launcher`` would give: same command line, folder, paths, threads and parent
watching, fresh random seeds, a session of their own, default signal handling; they die with
the server, and the server with its worker's pipe."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient

from perfreport.build import forkserver, kernel_server, kernels

PROBE = (
    "import json, os, random, signal, subprocess, sys, threading\n"
    "from ipykernel.kernelapp import IPKernelApp\n"
    "print(json.dumps({'argv0': os.path.basename(sys.argv[0]), 'argv': sys.argv[1:],"
    " 'cwd': os.getcwd(), 'path': sys.path, 'pid': os.getpid(), 'ppid': os.getppid(),"
    " 'session': os.getsid(0), 'threads': sorted(t.name.split(' ')[0].rstrip('-0123456789')"
    " for t in threading.enumerate()), 'parent': IPKernelApp.instance().parent_handle,"
    " 'random': random.random(), 'sigchld': signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL,"
    " 'subprocess': subprocess.run(['true']).returncode, 'pandas': 'pandas' in sys.modules,"
    " 'backend': __import__('matplotlib').get_backend(),"
    " 'blas': os.environ.get('OPENBLAS_NUM_THREADS'),"
    " 'history': get_ipython().history_manager.enabled}))"
)


def _gone(pid: int) -> bool:
    """No such process, or only its exit status left for whoever adopted it to collect."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except FileNotFoundError:
        return True


def _probe(km: kernels.TrackedKernelManager) -> dict:
    client = BlockingKernelClient()
    client.load_connection_info(km.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        said: list[str] = []
        client.execute_interactive(
            PROBE,
            timeout=60,
            output_hook=lambda m: (
                said.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
            ),
        )
    finally:
        client.stop_channels()
    return json.loads("".join(said))


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    """Two forked kernels and one started the usual way, each probed, in one folder."""
    folder = tmp_path_factory.mktemp("kernels")
    server = forkserver.shared()
    assert server is not None
    found = {}
    for name in ("forked", "forked again", "fresh"):
        if name == "fresh":
            forkserver.AVAILABLE = False
        try:
            km = kernels.start_kernel(folder)
        finally:
            forkserver.AVAILABLE = True
        try:
            found[name] = (type(km.provisioner).__name__, _probe(km))
        finally:
            km.close()
    yield folder, server, found
    server.close()  # this process's own, so that no test after this one finds it running
    forkserver._server = None


def test_a_forked_kernel_is_what_a_fresh_one_would_be(probes):
    folder, server, found = probes
    assert found["forked"][0] == "ForkedProvisioner"
    assert found["fresh"][0] == "LocalProvisioner"
    forked, fresh = found["forked"][1], found["fresh"][1]
    same_in_both = ("argv0", "cwd", "path", "threads", "sigchld", "subprocess", "backend", "blas")
    for same in (*same_in_both, "history"):
        assert forked[same] == fresh[same], same
    assert forked["argv0"] == "ipykernel_launcher.py" and forked["argv"][0] == "-f"
    assert forked["cwd"] == str(folder)
    assert forked["blas"] == os.environ.get("OPENBLAS_NUM_THREADS", "1")  # one per process
    assert "Thread" in forked["threads"]  # ipykernel's parent poller, as in a fresh kernel
    assert forked["ppid"] == server.process.pid and forked["parent"] == server.process.pid
    assert forked["session"] == forked["pid"]  # a session and process group of its own
    assert forked["pandas"] and not fresh["pandas"]  # imported once, in the server
    assert forked["random"] != found["forked again"][1]["random"]  # reseeded in each child
    assert forked["history"] is False  # a report's cells are not written to IPython's history


def test_a_closed_kernel_is_gone_and_its_exit_status_known(probes, tmp_path):
    server = probes[1]
    km = kernels.start_kernel(tmp_path)
    pid = km.provisioner.pid
    process = km.provisioner.process
    km.close()
    assert process.wait(10) == -signal.SIGKILL
    assert _gone(pid)
    assert server.exit_status(pid) == -signal.SIGKILL


def test_the_kernels_die_with_the_server_and_the_server_with_its_pipe(tmp_path):
    server = forkserver.ForkServer()
    pid = server.fork(
        [forkserver.sys.executable, "-m", "ipykernel_launcher", "--version"], dict(os.environ),
        str(tmp_path),
    )  # fmt: skip
    assert pid > 0
    sleeper = server.fork(
        [forkserver.sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1"],
        dict(os.environ),
        str(tmp_path),
    )
    deadline = time.monotonic() + 10
    while server.exit_status(pid) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.exit_status(pid) == 0  # ran its module and left
    assert server.exit_status(sleeper) is None
    server.close()  # the request pipe closes: the server kills its children and leaves
    assert server.process.returncode == 0
    deadline = time.monotonic() + 5
    while not _gone(sleeper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(sleeper)


def test_a_command_the_server_cannot_become_starts_the_usual_way():
    server = forkserver.ForkServer()
    try:
        assert server.serves([forkserver.sys.executable, "-m", "ipykernel_launcher", "-f", "x"])
        assert not server.serves(["/usr/bin/python3", "-m", "ipykernel_launcher"])
        assert not server.serves([forkserver.sys.executable, "kernel.py"])
    finally:
        server.close()
    assert not Path(f"/proc/{server.process.pid}").exists()


def test_a_kernel_killed_before_it_made_its_session_is_killed_all_the_same():
    """The server's end, just after forking a kernel: the child has no process group of its
    own yet, so a group kill alone would miss it and the wait for it would never end."""
    child = os.fork()
    if child == 0:  # a kernel that has not reached os.setsid()
        time.sleep(30)
        os._exit(0)
    with pytest.raises(ProcessLookupError):
        os.killpg(child, 0)  # no such group
    kernel_server.kill(child)
    _, status = os.waitpid(child, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
