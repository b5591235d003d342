"""A fork server for report kernels: every report still runs in a process of its own that no
notebook has run in, but that process starts with the report libraries already imported.

Starting a Python kernel and importing pandas, matplotlib, seaborn, DuckDB and the report
modules costs about 1.5 seconds of CPU per report; on a machine with a core per worker that is
time no other report can use. A worker therefore starts one *server* process (``python -m
perfreport.build.kernel_server``) that imports those libraries once, with no thread, no event
loop and no ZeroMQ context, and then waits. Each kernel is a ``fork`` of it: the child becomes
exactly what ``python -m ipykernel_launcher -f CONNECTION_FILE`` would be (the same
``sys.argv``, ``sys.path``, working folder, environment and ``__main__``), with fresh random
seeds, a session and process group of its own, and the default signal handlers.

The worker talks to the server over two pipes, one JSON object per line: a request names the
kernel's command line, environment and folder; the server answers with the child's pid, and
later with its exit status when it ends (``{"exit": pid, "status": code}``, ``code`` as
:attr:`subprocess.Popen.returncode` gives it). :class:`ForkedProvisioner` makes such a child
look like any kernel to ``jupyter_client`` (poll, wait, signals, kill).

The server ends, killing its kernels, as soon as the worker's end of the request pipe closes
(the worker exited, however it died); each kernel is killed by the system if the server dies
(``PR_SET_PDEATHSIG`` on Linux), and notices it within a second anywhere else (ipykernel's
parent poller). Where ``fork`` is missing (Windows) kernels start as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing import util
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from perfreport.build import kernel_server
from perfreport.build.kernel_server import PRELOAD

__all__ = ["AVAILABLE", "PRELOAD", "ForkServer", "ForkedProvisioner", "ServerGone", "shared"]

REPLY_SECONDS = 60.0
"""How long a worker waits for the server to answer (its imports included)."""
AVAILABLE = hasattr(os, "fork") and sys.platform != "win32"


class ServerGone(RuntimeError):
    """The fork server has exited (or never started): kernels start the usual way."""


class ForkServer:
    """A worker's handle on its fork server: started at once, its imports run meanwhile; or,
    given the ``address`` of a pool's server (:mod:`perfreport.build.zygote`), connected to
    the server it forks for this worker, its imports already done."""

    def __init__(self, address: str | None = None) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        if address is not None:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                connection.connect(address)
            except OSError:
                connection.close()
                raise ServerGone("the pool's fork server does not answer") from None
            self._requests = connection.detach()
            self._replies = os.dup(self._requests)
        else:
            requests_read, self._requests = os.pipe()
            self._replies, replies_write = os.pipe()
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    kernel_server.__name__,
                    str(requests_read),
                    str(replies_write),
                ],
                stdin=subprocess.DEVNULL,
                pass_fds=(requests_read, replies_write),
            )
            os.close(requests_read)
            os.close(replies_write)
        self._lock = threading.Lock()
        self._pending = b""
        self._started: list[int] = []
        self._exits: dict[int, int] = {}
        self.gone = False

    def serves(self, cmd: list[str]) -> bool:
        """Whether a kernel command line is one this server can become: ``python -m X``
        with this worker's Python."""
        return not self.gone and len(cmd) >= 3 and cmd[0] == sys.executable and cmd[1] == "-m"

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str) -> int:
        """Start a kernel as ``cmd`` (in ``cwd``, with ``env``); its pid."""
        request = {"argv": cmd, "env": env, "cwd": cwd}
        with self._lock:
            try:
                os.write(self._requests, (json.dumps(request) + "\n").encode())
            except OSError:
                self.gone = True
                raise ServerGone("the kernel fork server has exited") from None
            deadline = time.monotonic() + REPLY_SECONDS
            while not self._started:
                self._read(deadline - time.monotonic())
                if self.gone or time.monotonic() > deadline:
                    raise ServerGone("the kernel fork server did not answer")
            return self._started.pop(0)

    def exit_status(self, pid: int) -> int | None:
        """The kernel's exit status once it has ended (None while it runs)."""
        with self._lock:
            self._read(0)
            if pid not in self._exits and self.gone:  # the system killed it with the server
                return -signal.SIGKILL
            return self._exits.get(pid)

    def _read(self, timeout: float) -> None:
        """Take in whatever the server has said, waiting up to ``timeout`` for something."""
        with selectors.DefaultSelector() as ready:
            ready.register(self._replies, selectors.EVENT_READ)
            if not ready.select(max(timeout, 0)):
                return
        data = os.read(self._replies, 65536)
        if not data:
            self.gone = True
            return
        self._pending += data
        while b"\n" in self._pending:
            line, self._pending = self._pending.split(b"\n", 1)
            message = json.loads(line)
            if "pid" in message:
                self._started.append(message["pid"])
            else:
                self._exits[message["exit"]] = message["status"]

    def alive(self) -> bool:
        return not self.gone and (self.process is None or self.process.poll() is None)

    def close(self) -> None:
        """Stop the server (it kills its kernels first)."""
        with contextlib.suppress(OSError):
            os.close(self._requests)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(REPLY_SECONDS)
        with contextlib.suppress(OSError):
            os.close(self._replies)


class ForkedProcess:
    """What a provisioner needs of a :class:`subprocess.Popen`, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server, self.pid = server, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.exit_status(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        """As :meth:`subprocess.Popen.send_signal`: nothing once the kernel has ended."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # ended since: the same
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkedProvisioner(LocalProvisioner):  # type: ignore[misc]
    """jupyter_client's local provisioner, with kernels forked from :attr:`server`."""

    server: ForkServer | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        server = self.server
        if server is None or not server.serves(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        try:
            pid = server.fork(cmd, env, str(kwargs.get("cwd") or os.getcwd()))
        except ServerGone:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(server, pid)  # type: ignore[assignment]  # as a Popen
        self.pid = self.pgid = pid  # the kernel leads a session of its own
        return self.connection_info


_server: ForkServer | None = None
pool_server: str | None = None
"""The address of the pool's fork server (:mod:`perfreport.build.zygote`), set in the parent
before it forks its workers: each worker's server is then a fork of that one."""


def shared() -> ForkServer | None:
    """This process's fork server, started on first use (and again if it has gone), forked
    from the pool's server where there is one; None where kernels cannot be forked."""
    global _server
    if not AVAILABLE:
        return None
    if _server is None or not _server.alive():
        _server = None
        if pool_server is not None:
            with contextlib.suppress(ServerGone):
                _server = ForkServer(pool_server)
        if _server is None:
            _server = ForkServer()
        # a pool's worker leaves through multiprocessing's exit, which skips atexit
        util.Finalize(_server, _server.close, exitpriority=5)
    return _server
