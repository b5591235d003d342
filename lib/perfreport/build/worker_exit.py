"""How a worker process ends: at once, killing its kernels first, when it is told to stop
(SIGTERM) or when the process that started it has gone, so that workers never outlive their
run (``PR_SET_PDEATHSIG`` on Linux, and a thread watching the parent's pid everywhere)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

from perfreport.build.kernels import kill_kernels

PARENT_POLL_SECONDS = 0.5
"""How often a worker checks that the process that started it is still there."""
PR_SET_PDEATHSIG = 1
"""prctl(2): the signal the kernel sends this process when its parent dies (Linux)."""


def exit_now(status: int = 128 + signal.SIGTERM) -> None:
    """Kill this worker's kernels and leave at once: no job is finished, nothing is written."""
    kill_kernels()
    os._exit(status)


def _on_sigterm(signum: int, frame: object) -> None:
    exit_now(128 + signum)


def die_with_parent(parent: int) -> None:
    """Make this worker exit, with its kernels, as soon as process ``parent`` has gone.

    Also: SIGTERM stops it at once (:func:`exit_now`), and SIGINT is ignored, since Ctrl-C
    reaches the whole process group and the parent decides what happens next.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before we could ask to be told
        exit_now()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """The fallback where ``PR_SET_PDEATHSIG`` is missing (or a signal handler cannot run
    because the main thread is busy in C code)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    exit_now()
