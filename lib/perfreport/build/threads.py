"""One thread each for the numerical libraries' own thread pools (OpenBLAS, MKL, OpenMP).

perfreport runs one process per core (the pool's workers, each with its kernel), and the
matrices it works on are small: a 41 by 68 SVD of the disclosure audit took 10 ms with
OpenBLAS's two threads on a busy 2-core machine and 0.4 ms with one. A variable the user has
set is kept. It is read when numpy is first imported, so it is set first thing in the command
line's process (:mod:`perfreport.cli.console`) and handed to every kernel.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def one_thread_each(environ: MutableMapping[str, str] = os.environ) -> MutableMapping[str, str]:
    """``environ`` with each of :data:`THREAD_VARIABLES` set to 1 where it is not set."""
    for name in THREAD_VARIABLES:
        environ.setdefault(name, "1")
    return environ
