"""One fork server for a pool's workers: each worker connecting gets a server of its own,
forked from the pool's (its imports done), whose kernels are the kernels a worker's own server
would give; a worker's server ends with its connection, and every one with the pool's."""

from __future__ import annotations

import os
import time
from pathlib import Path

from perfreport.build import forkserver, zygote

SLEEPER = [forkserver.sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1"]
QUICK = [forkserver.sys.executable, "-m", "ipykernel_launcher", "--version"]


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except FileNotFoundError:
        return True


def _until(condition, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return bool(condition())


def _ppid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[1])


def test_each_worker_gets_a_server_forked_from_the_pools_and_its_kernels_run(tmp_path):
    with zygote.pool_server() as address:
        assert address is not None and forkserver.pool_server == address
        first, second = forkserver.ForkServer(address), forkserver.ForkServer(address)
        assert first.process is None and first.alive()
        done = first.fork(QUICK, dict(os.environ), str(tmp_path))
        one = first.fork(SLEEPER, dict(os.environ), str(tmp_path))
        two = second.fork(SLEEPER, dict(os.environ), str(tmp_path))
        assert _until(lambda: first.exit_status(done) is not None)
        assert first.exit_status(done) == 0  # ran its module and left
        assert first.exit_status(one) is None and second.exit_status(two) is None
        servers = _ppid(one), _ppid(two)
        assert servers[0] != servers[1]  # a server per worker
        pool = _ppid(servers[0])
        assert _ppid(servers[1]) == pool == _ppid(servers[0])  # both forks of the pool's
        assert _ppid(pool) == os.getpid()
        first.close()  # this worker's connection closes: its server kills its kernels, leaves
        assert _until(lambda: _gone(one) and _gone(servers[0]))
        assert not _gone(two)  # the other worker's kernels run on
    assert forkserver.pool_server is None
    assert _until(lambda: _gone(two) and _gone(servers[1]) and _gone(pool))  # the build is over
    second.close()


def test_a_worker_that_cannot_connect_starts_a_server_of_its_own(monkeypatch, tmp_path):
    monkeypatch.setattr(forkserver, "pool_server", str(tmp_path / "nobody-listens.sock"))
    monkeypatch.setattr(forkserver, "_server", None)
    server = forkserver.shared()
    try:
        assert server is not None and server.process is not None  # started, not connected
        pid = server.fork(QUICK, dict(os.environ), str(tmp_path))
        assert _until(lambda: server.exit_status(pid) is not None)
        assert server.exit_status(pid) == 0
    finally:
        server.close()
        forkserver._server = None
