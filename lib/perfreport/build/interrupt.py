"""Stopping a run: on SIGINT or SIGTERM a run stops its workers, publishes nothing more,
rebuilds the site from what is published and raises :class:`Interrupted`."""

from __future__ import annotations

import signal
import threading
from typing import Any


class Interrupted(KeyboardInterrupt):
    """A run stopped by SIGINT or SIGTERM: its workers are stopped, nothing was published after
    the signal, and the site lists exactly the reports that are published. A
    :class:`KeyboardInterrupt`, so that no ``except Exception`` on the way out swallows it."""

    def __init__(self, signum: int, built: int = 0, total: int = 0) -> None:
        self.signum, self.built, self.total = signum, built, total
        message = f"interrupted by {signal.Signals(signum).name}"
        if total:
            message += (
                f": {built} of {total} reports built; the workers were stopped and the site "
                "lists every published report; run again to build the rest"
            )
        super().__init__(message)

    @property
    def exit_status(self) -> int:
        """128 + the signal number, as a shell reports a command a signal stopped: 130 for
        SIGINT (Ctrl-C), 143 for SIGTERM."""
        return 128 + self.signum


class Stop:
    """While a run is on, SIGINT and SIGTERM only raise this flag (in the main thread): the
    parent then stops its workers and publishes nothing more."""

    def __init__(self) -> None:
        self.signum = 0
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Stop:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._raise)
        return self

    def _raise(self, signum: int, frame: object) -> None:
        self.signum = self.signum or signum

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
