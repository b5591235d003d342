"""Warm kernels: each report still gets a fresh kernel, but never waits for one to start.

Starting a Python kernel and importing pandas, matplotlib, seaborn and the report modules
takes about 1.5 seconds of every report. A worker therefore starts the *next* report's kernel, and has it
import those libraries, while it renders the current report's HTML and PDF. The notebook then
runs in that kernel exactly as it would in a new one: no notebook has run in it, so nothing
carries over from one report to the next, and it is shut down as soon as its report is done.

A spare is only started while jobs remain to be taken (``remaining``), and is shut down when
the worker exits; a kernel also exits by itself within a second if its worker dies (ipykernel's
parent poller notices its parent process has changed).

:func:`kill_kernels` kills every kernel of the worker at once: what a worker does first when
it must end (:mod:`perfreport.build.worker_exit`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from multiprocessing import util
from pathlib import Path

from jupyter_client import AsyncKernelManager, BlockingKernelClient
from jupyter_core.utils import run_sync

from perfreport.build import forkserver
from perfreport.build.forkserver import PRELOAD
from perfreport.build.threads import one_thread_each

KERNEL = "python3"
KERNEL_QUIET = "--IPKernelApp.log_level=CRITICAL"
"""The kernel's own start-up warnings are not the report's business."""
WORKER_PID = "PERFREPORT_WORKER_PID"
"""In a report's kernel, the pid of the worker building the report: the kernel's parent is a
fork server, which may itself be a fork of the pool's (:mod:`perfreport.build.zygote`)."""
NO_HISTORY = "--HistoryManager.enabled=False"
"""A report's kernel keeps no IPython history: the cells of a batch build are not the
analyst's, and kernels running side by side would otherwise all write the one history file."""
WARM_UP = "".join(f"import {name}\n" for name in PRELOAD)
"""What every report notebook imports first; importing it early changes no result (a kernel
forked from the worker's fork server has it already)."""
READY_SECONDS = 60
KILL = getattr(signal, "SIGKILL", signal.SIGTERM)
"""What kills a kernel at once (Windows has no SIGKILL: any signal there ends the process)."""

_live: dict[int, TrackedKernelManager] = {}
"""Every kernel this process has started and not yet shut down, so that they can be killed
at once when the worker must stop."""


class TrackedKernelManager(AsyncKernelManager):
    """A kernel manager that remembers the clients it hands out, so that their channels
    (which papermill leaves open on a kernel it did not start) can be closed afterwards.

    Asynchronous, as papermill's own: nbclient awaits its client's messages, and the blocking
    client a synchronous manager hands out would stall nbclient's event loop on a dead kernel.
    """

    def client(self, **kwargs):  # type: ignore[no-untyped-def]
        made = super().client(**kwargs)
        self.__dict__.setdefault("_perfreport_clients", []).append(made)
        return made

    def close(self) -> None:
        """Close every client's channels and shut the kernel down now."""
        for client in self.__dict__.pop("_perfreport_clients", []):
            with contextlib.suppress(Exception):  # a channel already closed
                client.stop_channels()
        if self.has_kernel:
            run_sync(self.shutdown_kernel)(now=True)  # also cleans up its files and ports
        _live.pop(id(self), None)

    def alive(self) -> bool:
        return bool(self.has_kernel and run_sync(self.is_alive)())


def start_kernel(cwd: Path) -> TrackedKernelManager:
    km = TrackedKernelManager(kernel_name=KERNEL, kernel_id=str(uuid.uuid4()))
    server = forkserver.shared()
    if server is not None:
        km.provisioner = forked = forkserver.ForkedProvisioner(
            kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km
        )
        forked.server = server
    _live[id(km)] = km
    environ = one_thread_each(dict(os.environ))
    environ[WORKER_PID] = str(os.getpid())
    run_sync(km.start_kernel)(cwd=str(cwd), extra_arguments=[KERNEL_QUIET, NO_HISTORY], env=environ)
    return km


def kill_kernels() -> None:
    """Kill every kernel this process started, at once (each runs in a session of its own),
    and remove their connection files. Safe from a signal handler or any thread."""
    for km in list(_live.values()):
        provisioner = km.provisioner
        pid = getattr(provisioner, "pid", None)
        if pid:
            group = getattr(provisioner, "pgid", None)
            if group and hasattr(os, "killpg") and group != os.getpgrp():  # never our own group
                with contextlib.suppress(OSError):
                    os.killpg(group, KILL)
            with contextlib.suppress(OSError):
                os.kill(pid, KILL)
        with contextlib.suppress(OSError, TypeError):
            os.remove(km.connection_file)
    _live.clear()


class Spares:
    """At most one warm kernel per worker process, for the project it was started in."""

    def __init__(self) -> None:
        self._spare: tuple[Path, TrackedKernelManager, threading.Thread] | None = None
        self._finalizer_registered = False

    def take(self, cwd: Path) -> TrackedKernelManager:
        """A started kernel for ``cwd``: the warm spare if there is a live one, else a new one."""
        if self._spare is not None:
            where, km, warming = self._spare
            self._spare = None
            warming.join()
            if where == cwd and km.alive():
                return km
            km.close()
        return start_kernel(cwd)

    def prepare_next(self, cwd: Path, wanted: Callable[[], bool]) -> None:
        """Start and warm a spare kernel in the background, if ``wanted()`` says jobs remain."""
        if self._spare is not None or not wanted():
            return
        km = start_kernel(cwd)
        warming = threading.Thread(target=_warm, args=(km,), daemon=True)
        warming.start()
        self._spare = (cwd, km, warming)
        if not self._finalizer_registered:
            # worker processes leave through multiprocessing's exit, which skips atexit
            util.Finalize(self, self.close, exitpriority=10)
            self._finalizer_registered = True

    def close(self) -> None:
        if self._spare is not None:
            _, km, warming = self._spare
            self._spare = None
            warming.join()
            km.close()


def _ignore(message: dict) -> None:
    """Output of the warm-up (there is none unless an import fails) goes nowhere."""


def _warm(km: TrackedKernelManager) -> None:
    """Wait for the kernel and have it import the report libraries (never raises).

    A blocking client of its own, on this thread: the manager's asynchronous clients belong to
    the event loop of the thread that runs the notebook.
    """
    client = BlockingKernelClient()
    client.load_connection_info(km.get_connection_info())
    try:
        client.start_channels()
        deadline = time.monotonic() + READY_SECONDS
        while True:  # a kernel that died starting (a port taken meanwhile) is given up at once
            try:
                client.wait_for_ready(timeout=1)
                break
            except RuntimeError:
                process = getattr(km.provisioner, "process", None)
                if process is None or process.poll() is not None or time.monotonic() > deadline:
                    return
        client.execute_interactive(
            WARM_UP, store_history=False, timeout=READY_SECONDS, output_hook=_ignore
        )
    except Exception:  # the job that takes this kernel finds out whether it works
        pass
    finally:
        client.stop_channels()
