"""The fork server's own process (``python -m perfreport.build.kernel_server``): it imports
the report libraries once, with no thread, no event loop and no ZeroMQ context, and then forks
a kernel for each request (:mod:`perfreport.build.forkserver` is the worker's side). Each child
becomes exactly what ``python -m ipykernel_launcher -f CONNECTION_FILE`` would be (the same
``sys.argv``, ``sys.path``, working folder, environment and ``__main__``), with fresh random
seeds, a session and process group of its own, and the default signal handlers.

It ends, killing its kernels, as soon as the worker's end of the request channel closes; each
kernel is killed by the system if the server dies (``PR_SET_PDEATHSIG`` on Linux).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import json
import os
import random
import runpy
import selectors
import signal
import sys
import traceback
from typing import Any

from perfreport.build.threads import one_thread_each

PRELOAD = (
    "pandas",
    "duckdb",
    "scipy.special",  # the funnel plots' limits (locality and annual reports)
    "perfreport.reports.annual",
    "perfreport.reports.locality",
    "perfreport.reports.monthly",
    "perfreport.reports.quarterly",
    "perfreport.reports.scorecard_overview",
    "perfreport.reports.strategic",
)
"""What every report notebook imports first (the package draws its charts as SVG: neither
matplotlib nor seaborn is among them)."""
KERNEL_MODULES = ("ipykernel.ipkernel", "ipykernel.zmqshell")
"""What the kernel itself imports before it runs a cell, but for ``ipykernel.kernelapp``
(4 ms): that reads its parent's pid from the environment into a class default, so it is
imported in each kernel, from the kernel's own environment."""
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
"""The matplotlib backend ipykernel chooses when the environment names none: chosen here
too, before matplotlib is imported, as the kernel would."""
PR_SET_PDEATHSIG = 1


def main(requests: int, replies: int) -> None:
    """The server: import the libraries, then fork a kernel for each request until the
    request pipe closes."""
    preload()
    serve(requests, replies)


def preload() -> None:
    """Import what every kernel imports, then freeze the objects (exit 3 if an import fails:
    a kernel started the usual way will show the notebook the error)."""
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    one_thread_each()  # as its kernels' environment will say, before numpy is imported
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's business, not ours
    try:
        for name in (*PRELOAD, *KERNEL_MODULES):
            importlib.import_module(name)
    except Exception:  # a kernel started the usual way will show the notebook this error
        os._exit(3)
    gc.collect()
    gc.freeze()  # the children's copies of these objects stay shared with this process


def serve(requests: int, replies: int) -> None:
    """Fork a kernel for each request read from ``requests`` (its pid, then its exit status,
    written to ``replies``; the two may be one socket) until ``requests`` closes."""
    children: set[int] = set()
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the selector below
    signal.signal(signal.SIGTERM, lambda *_: _end(children))
    waiting = selectors.DefaultSelector()
    waiting.register(requests, selectors.EVENT_READ)
    waiting.register(wakeup_read, selectors.EVENT_READ)
    pending = b""
    while True:
        for key, _ in waiting.select():
            if key.fd == wakeup_read:
                os.read(wakeup_read, 4096)
                continue
            data = os.read(requests, 65536)
            if not data:
                _end(children)
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                pid = _fork(json.loads(line), (requests, replies, wakeup_read, wakeup_write))
                children.add(pid)
                _say(replies, {"pid": pid})
        _reap(children, replies)


def _reap(children: set[int], replies: int) -> None:
    for pid in list(children):
        with contextlib.suppress(ChildProcessError):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                _say(replies, {"exit": pid, "status": _returncode(status)})


def _returncode(status: int) -> int:
    """As :attr:`subprocess.Popen.returncode`: the exit status, or minus the signal."""
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _say(replies: int, message: dict[str, int]) -> None:
    with contextlib.suppress(OSError):  # the worker has gone: the next read says so
        os.write(replies, (json.dumps(message) + "\n").encode())


def _end(children: set[int]) -> None:
    """Kill every kernel (each leads a process group of its own) and leave, once they have
    gone (so that the CPU time they used is counted to the worker that waits for us)."""
    for pid in children:
        kill(pid)
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    os._exit(0)


def kill(pid: int) -> None:
    """Kill a kernel and its process group. A kernel forked a moment ago may not have made its
    session yet (it has no group of its own to kill): the kernel itself is killed too, or the
    wait for it would never end."""
    for send in (os.killpg, os.kill):
        with contextlib.suppress(OSError):
            send(pid, signal.SIGKILL)


def _fork(request: dict[str, Any], own: tuple[int, ...]) -> int:
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        status = _become_kernel(request, own)
    finally:
        os._exit(status)


def _become_kernel(request: dict[str, Any], own: tuple[int, ...]) -> int:
    """In the child: turn into ``python -m <module> <args>`` as the request gives it."""
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a new Python's own handler
    server = os.getppid()
    os.setsid()
    die_with(server)
    for fd in set(own):
        os.close(fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"], JPY_PARENT_PID=str(server))
    _reseed()
    module, args = request["argv"][2], request["argv"][3:]
    sys.path[0] = os.getcwd()  # what ``python -m`` puts first
    sys.argv = [module, *args]  # runpy puts the module's file first
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except BaseException:  # as Python would say it, leaving
        traceback.print_exc()
        return 1
    finally:
        import atexit

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
    return 0


def die_with(server: int) -> None:
    """Be killed when ``server`` (this process's parent) dies; exit now if it has."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != server:  # it died before we could ask to be told
        os._exit(1)


def _reseed() -> None:
    """Fresh seeds, as a new process would have: a fork inherits its parent's."""
    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
