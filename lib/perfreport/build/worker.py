"""The state of a worker process: its renderer, its warm spare kernel, and what it shares with
the parent (how many jobs are not yet taken, which worker took which job)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from perfreport.build import forkserver
from perfreport.build.deferred import defer
from perfreport.build.kernels import Spares
from perfreport.build.render import Renderer
from perfreport.build.worker_exit import die_with_parent

spares = Spares()
_renderer: Renderer | None = None
_jobs_left: Any = None
"""A shared count of jobs not yet started: a worker warms a spare kernel only while some are."""
_always_warm = False
"""A worker of a cluster never knows how many jobs remain: it keeps a spare kernel warm."""
_started_by: Any = None
"""Shared with the parent: the pid of the worker that took each job of the pool, so that the
parent knows which job a worker that died was building."""


def init_worker(counter: Any, started_by: Any, parent: int) -> None:
    """A pool's ``initializer``: the shared state, exit with the parent, and the fork server
    its kernels start from."""
    global _jobs_left, _started_by
    _jobs_left, _started_by = counter, started_by
    defer()  # a fork of the perfreport command has it already; one of a program calling build()

    die_with_parent(parent)
    forkserver.shared()  # its imports run while this worker takes its first job


WARM_PAGE = "<html lang='en'><head><title>warm</title></head><body><p>fonts</p></body></html>"
"""A page whose PDF loads the renderer's fonts."""


def warm_up(project: Path) -> None:
    """Load the renderer and its fonts, and start a kernel for ``project``, before the first
    report needs them."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        renderer().pdf(WARM_PAGE, Path(folder) / "warm.pdf", base=Path(folder))
    spares.prepare_next(project, jobs_remain)


def took(slot: int) -> None:
    """Tell the parent that this worker took the pool's job ``slot``."""
    if _started_by is not None:
        _started_by[slot] = os.getpid()


def take_a_job() -> None:
    if _jobs_left is not None:
        with _jobs_left.get_lock():
            _jobs_left.value -= 1


def jobs_remain() -> bool:
    return _always_warm or (_jobs_left is not None and _jobs_left.value > 0)


def keep_warm(on: bool = True) -> None:
    """Keep a spare kernel warm after every job (a cluster's worker: more jobs may come), or
    (``on`` False) no longer."""
    global _always_warm
    _always_warm = on


def renderer() -> Renderer:
    """This worker's one renderer (one configured exporter for all its reports)."""
    global _renderer
    if _renderer is None:
        _renderer = Renderer()
    return _renderer
