"""One run at a time per outputs folder: the outputs lock.

The lock is a :class:`filelock.FileLock` on ``outputs/.perfreport-run.lock`` (``flock`` on
POSIX systems, ``LockFileEx`` on Windows), and the file records the holder's pid and start
time. The operating system releases the lock when its holder dies; a record left by a run that
died (killed, power cut) is reported and replaced. A worker process forked under the lock does
not keep it (filelock closes its copy of the descriptor in the child).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from perfreport.errors import PerfreportError

LOCK_FILE = ".perfreport-run.lock"
LEFTOVER_WAIT_SECONDS = 10.0
"""How long a run waits for a lock still held after the run that took it has died: the
workers it left behind exit by themselves within a second or two."""
POLL_SECONDS = 0.1
log = logging.getLogger(__name__)


class _Record:
    """The holder's record in the lock file, written through the lock's own descriptor (on
    Windows no other handle may touch the locked first byte)."""

    def __init__(self) -> None:
        self.fd: int | None = None
        self.previous: tuple[int, str] | None = None

    def take(self, fd: int) -> None:
        """filelock's ``on_acquired``: note the previous holder's record, write this one."""
        self.fd = fd
        os.lseek(fd, 0, os.SEEK_SET)
        self.previous = _parse(os.read(fd, 256).decode("utf-8", "replace"))
        self._write(f"{os.getpid()} {_started(os.getpid()) or ''}\n")

    def clear(self) -> None:
        """A clean finish leaves no record behind."""
        if self.fd is not None:
            self._write("")

    def _write(self, text: str) -> None:
        assert self.fd is not None
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.write(self.fd, text.encode("utf-8"))


@contextmanager
def outputs_lock(outputs: Path, wait_seconds: float = LEFTOVER_WAIT_SECONDS) -> Iterator[None]:
    """One run at a time per outputs folder; a second refuses with a message naming the first.

    If a dead run's pid is recorded but the lock is still held (processes it left behind), the
    run waits ``wait_seconds`` for them, then refuses, naming the processes that hold it.
    """
    outputs.mkdir(parents=True, exist_ok=True)
    path = outputs / LOCK_FILE
    record = _Record()
    lock = FileLock(path, thread_local=False, preserve_lock_file=True, on_acquired=record.take)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            lock.acquire(blocking=False)
            break
        except Timeout:
            _refuse_or_wait(outputs, path, deadline)
    previous = record.previous
    if previous is not None and previous[0] != os.getpid():
        log.warning(
            "perfreport: %s: the previous run (pid %d) stopped before it finished; "
            "tidying up after it",
            outputs,
            previous[0],
        )
    try:
        yield
    finally:
        try:
            record.clear()
        finally:
            lock.release()


def _refuse_or_wait(outputs: Path, path: Path, deadline: float) -> None:
    """The lock is held: refuse at once if a live run holds it, else (the leftovers of a dead
    run) wait a little, refusing once ``deadline`` has passed."""
    try:
        holder = _parse(path.read_text(encoding="utf-8"))
    except OSError:  # Windows: the holder's lock keeps others from reading its record
        raise PerfreportError(_busy(outputs, "")) from None
    if holder is not None and _alive(*holder):
        raise PerfreportError(_busy(outputs, f" (pid {holder[0]})")) from None
    if time.monotonic() > deadline:
        raise PerfreportError(_leftovers(outputs, path, holder)) from None
    time.sleep(POLL_SECONDS)


def _busy(outputs: Path, who: str) -> str:
    return (
        f"{outputs}: another perfreport run is building reports here{who}; "
        "try again when it has finished"
    )


def _parse(text: str) -> tuple[int, str] | None:
    """The pid (and start time) a lock file records, if it records one."""
    fields = text.split()
    if not fields or not fields[0].isdigit():
        return None
    return int(fields[0]), fields[1] if len(fields) > 1 else ""


def _started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), None if it is gone or a zombie;
    "" where /proc cannot tell. With the pid, it names one process even after pid reuse."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None if sys.platform.startswith("linux") else ""
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] in ("Z", "X") else fields[19]


def _alive(pid: int, started: str = "") -> bool:
    if sys.platform == "win32":  # os.kill would end it; and a held lock there has a live holder
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    now = _started(pid)
    return now is not None and (not started or not now or now == started)


def _leftovers(outputs: Path, path: Path, holder: tuple[int, str] | None) -> str:
    """Why the lock cannot be had: the live processes holding it, and the dead run's pid."""
    holders = ", ".join(str(pid) for pid in _holding(path)) or "unknown"
    dead = f"the run that took it (pid {holder[0]}) has exited, but " if holder else ""
    return (
        f"{outputs}: {dead}processes still hold its lock {LOCK_FILE} (pid {holders}); "
        "stop them and try again"
    )


def _holding(path: Path) -> list[int]:
    """The processes with ``path`` open (Linux; others: none known)."""
    pids = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) == str(path) for fd in fd_dir.iterdir()):
                pids.append(int(fd_dir.parent.name))
    return sorted(pid for pid in pids if pid != os.getpid())
