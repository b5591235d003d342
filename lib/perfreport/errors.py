"""User-facing errors.

A :class:`PerfreportError` is a problem with the user's input (a file, a row, a field, a
parameter). The command line prints its message on one line and exits with status 2; anything
else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path

USER_ERROR_EXIT = 2


class PerfreportError(Exception):
    """A problem with the user's input, reported as one line naming what is at fault."""


def located(path: Path | str, message: str, *, line: int | None = None) -> str:
    """Prefix ``message`` with the file (and line) it is about, as compilers do.

    >>> located("params/areas.yaml", "unknown area", line=4)
    'params/areas.yaml:4: unknown area'
    """
    where = str(path) if line is None else f"{path}:{line}"
    return f"{where}: {message}"
