"""Where a build's jobs run: an :class:`Executor` builds the jobs that are not cached and
hands each result to the runner as it arrives (:mod:`perfreport.build.runner` does the rest:
cache, publishing order, site).

Two executors: :class:`LocalPool`, worker processes on this machine
(:mod:`perfreport.build.pool`), and :class:`perfreport.build.cluster.DaskCluster`, a Dask
cluster (``--scheduler ADDRESS``, ``PERFREPORT_SCHEDULER``, or ``--cluster local:N``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from perfreport.errors import PerfreportError

if TYPE_CHECKING:
    from perfreport.build.interrupt import Stop
    from perfreport.build.jobs import Job, JobResult

SCHEDULER_VARIABLE = "PERFREPORT_SCHEDULER"
"""The environment variable naming the scheduler when ``--scheduler`` is not given."""
_ADDRESS = re.compile(r"(?:(?:tcp|tls)://)?(?:[\w.\-]+|\[[0-9a-fA-F:.]+\]):\d{1,5}")
"""A scheduler's address: ``tcp://`` (the default) or ``tls://``, a host name, IPv4 address or
bracketed IPv6 address, and a port."""
MAX_CONNECT_SECONDS = 3600.0
MAX_LOCAL_PER_CORE = 4
"""``--cluster local:N`` starts at most this many worker processes per core."""
_LOCAL = re.compile(r"local:(\d+)")


Ready = Callable[[], None]
"""What the parent does once the executor has started getting ready, before the first job is
sent (the pre-publication audit): it may raise, and then no job is built."""


class Executor(Protocol):
    """Builds ``pending`` until every job is done or ``stop`` is raised, calling ``done``
    with each result (published, or kept under ``outputs/failed/``) as it arrives; ``ready``
    first (see :data:`Ready`), while its workers start."""

    def build(
        self,
        pending: list[Job],
        stop: Stop,
        done: Callable[[JobResult], None],
        ready: Ready = lambda: None,
    ) -> None: ...


@dataclass(frozen=True)
class LocalPool:
    """``workers`` processes on this machine."""

    workers: int

    def build(
        self,
        pending: list[Job],
        stop: Stop,
        done: Callable[[JobResult], None],
        ready: Ready = lambda: None,
    ) -> None:
        from perfreport.build.pool import build

        build(pending, self.workers, stop, done, ready)


def choose(
    jobs: int,
    scheduler: str | None,
    cluster: str | None,
    environ: Mapping[str, str],
    connect_seconds: float = 10.0,
) -> Executor:
    """The executor the options ask for: a cluster's scheduler (``scheduler``, else
    ``environ``'s :data:`SCHEDULER_VARIABLE`), a local cluster (``cluster``: ``local:N``), or
    ``jobs`` local worker processes. A cluster is given ``connect_seconds`` to answer."""
    if not 0 < connect_seconds <= MAX_CONNECT_SECONDS:  # NaN is neither
        raise PerfreportError(
            f"parameter '--connect-timeout': {connect_seconds:g} is not a number of seconds "
            f"above 0 and at most {MAX_CONNECT_SECONDS:g}"
        )
    if jobs < 1:
        raise PerfreportError(
            f"parameter '--jobs': {jobs} is not a number of processes (1 or more)"
        )
    if scheduler and cluster:
        raise PerfreportError("parameter '--cluster': give --scheduler or --cluster, not both")
    address = scheduler or (None if cluster else environ.get(SCHEDULER_VARIABLE) or None)
    if address is None and cluster is None:
        return LocalPool(jobs)
    named = "'--scheduler'" if scheduler else "'--cluster'" if cluster else SCHEDULER_VARIABLE
    try:
        from perfreport.build.cluster import DaskCluster
    except ModuleNotFoundError as exc:
        raise PerfreportError(
            f"parameter {named}: building on a Dask cluster needs {exc.name}, in perfreport's "
            "cluster extra: pip install -c constraints.txt -e '.[cluster]' in the checkout "
            "perfreport was installed from"
        ) from None

    if address is not None:
        if not _ADDRESS.fullmatch(address):
            raise PerfreportError(
                f"parameter {named}: {address!r} is not a scheduler address such as "
                "tcp://10.0.0.5:8786 (tcp:// or tls://, a host and a port)"
            )
        return DaskCluster(address=address, connect_seconds=connect_seconds, option=named)
    local = _LOCAL.fullmatch(cluster or "")
    most = MAX_LOCAL_PER_CORE * (os.cpu_count() or 1)
    if local is None or not 1 <= int(local.group(1)) <= most:
        raise PerfreportError(
            f"parameter '--cluster': {cluster!r} is not local:N (N worker processes on this "
            f"machine, 1 to {most}), e.g. local:2"
        )
    return DaskCluster(local_workers=int(local.group(1)), connect_seconds=connect_seconds)
