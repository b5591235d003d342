"""One fork server for a pool's workers: the report libraries are imported once per build,
not once per worker.

Each worker of a local pool needs a fork server (:mod:`perfreport.build.forkserver`) whose
imports take about 1.5 s of CPU. The parent therefore starts one *pool server* before it forks
its workers (:func:`pool_server`): it imports those libraries, then listens on a Unix socket in
a private folder. A worker connecting to it gets a server of its own, forked from the pool
server with everything imported, that serves that worker's kernels over the connection exactly
as a worker's own server does over its pipes. Each report still gets a fresh kernel that no
notebook has run in.

Lifetimes are as before: a worker's server ends, killing its kernels, when its worker's
connection closes (the worker exited, however it died); the pool server ends, ending every
worker's server, when the parent's control pipe closes (the build is over, or the parent died),
and a worker's server is killed by the system if the pool server dies (``PR_SET_PDEATHSIG``).
A worker that cannot connect starts a server of its own.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from perfreport.build import forkserver, kernel_server

SOCKET_NAME = "kernels.sock"


@contextlib.contextmanager
def pool_server() -> Iterator[str | None]:
    """Start the pool's server, and name its address in :data:`forkserver.pool_server` for the
    workers forked meanwhile; None (and nothing started) where kernels cannot be forked."""
    if not forkserver.AVAILABLE:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="perfreport-") as folder:  # only we may connect
        address = str(Path(folder) / SOCKET_NAME)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(address)  # a temporary folder's path may be too long for a socket
        except OSError:
            listener.close()
            yield None
            return
        listener.listen(64)
        control_read, control_write = os.pipe()
        process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(listener.fileno()), str(control_read)],
            stdin=subprocess.DEVNULL,
            pass_fds=(listener.fileno(), control_read),
        )
        listener.close()
        os.close(control_read)
        forkserver.pool_server = address
        try:
            yield address
        finally:
            forkserver.pool_server = None
            os.close(control_write)  # the server ends its workers' servers, then itself
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(forkserver.REPLY_SECONDS)


def main(listening: int, control: int) -> None:
    """The pool server: import, then fork a server for each worker that connects, until
    ``control`` closes."""
    kernel_server.preload()  # Ctrl-C is ignored from here on: it is the run's business, not ours
    listener = socket.socket(fileno=listening)
    servers: set[int] = set()
    waiting = selectors.DefaultSelector()
    waiting.register(listener, selectors.EVENT_READ)
    waiting.register(control, selectors.EVENT_READ)
    while True:
        for key, _ in waiting.select(timeout=1.0):
            if key.fd == control and not os.read(control, 4096):
                _end(servers)
            if key.fd == listener.fileno():
                connection, _ = listener.accept()
                servers.add(_fork_server(connection, (listener.fileno(), control)))
                connection.close()
        _reap(servers)


def _fork_server(connection: socket.socket, own: tuple[int, ...]) -> int:
    """A server for the worker on ``connection``, in a child of this process."""
    pid = os.fork()
    if pid:
        return pid
    try:
        for fd in own:
            os.close(fd)
        kernel_server.die_with(os.getppid())
        channel = connection.detach()
        kernel_server.serve(channel, channel)
    finally:
        os._exit(1)


def _reap(servers: set[int]) -> None:
    for pid in list(servers):
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0]:
                servers.discard(pid)


def _end(servers: set[int]) -> None:
    """End every worker's server (each kills its kernels first), wait for them, and leave."""
    for pid in servers:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    for pid in servers:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
