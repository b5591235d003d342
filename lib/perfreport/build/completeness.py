"""Is an executed notebook a whole report? (:func:`incomplete`)

Every code cell that should run must have run, in order and without error: papermill's own
check lets ``sys.exit(0)``, ``exit()`` and a kernel that stops early through. What the kernel
said about each cell (:class:`KernelReplies`) tells the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import nbformat

SKIP_TAG = "skip-execution"
"""Cells with this tag are not run (nbclient's default), so are not expected to have run."""
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def strip_colour(text: str) -> str:
    """``text`` without ANSI colour codes (IPython colours its tracebacks).

    >>> strip_colour("\x1b[0;31mZeroDivisionError\x1b[0m: division by zero")
    'ZeroDivisionError: division by zero'
    """
    return _ANSI.sub("", text)


@dataclass
class KernelReplies:
    """What the kernel said about each cell, as an nbclient ``on_cell_executed`` hook sees it:
    the index of each cell that asked its kernel to exit (``exit()``, ``quit()``: the kernel
    only tells its front end, and the notebook runs on), and each error reply by execution
    count (an error an IPython custom exception handler hid leaves no error output, only the
    reply's ``ename`` and ``evalue``).

    >>> replies = KernelReplies()
    >>> replies(None, 4, {"content": {"status": "error", "execution_count": 3,
    ...                               "ename": "KeyError", "evalue": "'x'"}})
    >>> replies.errors[3]["ename"]
    'KeyError'
    """

    exits: list[int] = field(default_factory=list)
    errors: dict[int, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, cell: Any, cell_index: int, execute_reply: dict) -> None:
        content = execute_reply.get("content", {})
        payload = content.get("payload") or []
        if any(item.get("source") == "ask_exit" for item in payload):
            self.exits.append(cell_index)
        if content.get("status") == "error":
            self.errors[content.get("execution_count") or -1] = content


def incomplete(
    notebook: nbformat.NotebookNode, exits: list[int] | tuple[int, ...] = ()
) -> tuple[str, str] | None:
    """Why an executed notebook is not a whole report, as (one line, detail), or None.

    Every code cell that should run (not empty, not tagged ``skip-execution``) must have run,
    each after the one before (a kernel that restarted counts again from 1), without an error
    output (``sys.exit(0)`` leaves one) and without asking its kernel to exit (``exits``: cell
    indexes from :class:`KernelReplies`).

    >>> import nbformat.v4 as v4
    >>> nb = v4.new_notebook(cells=[v4.new_code_cell("a = 1", execution_count=1),
    ...                             v4.new_code_cell("b = 2")])
    >>> incomplete(nb)[0]
    'code cell 2 of 2 did not run: the notebook stopped before its end'
    """
    cells = [
        (index, cell)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        and cell.source.strip()
        and SKIP_TAG not in cell.get("metadata", {}).get("tags", [])
    ]
    previous = 0
    for n, (index, cell) in enumerate(cells, start=1):
        count = cell.get("execution_count")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                ename, evalue = output.get("ename", "error"), output.get("evalue", "")
                line = f"cell {count}: {ename}" + (f": {evalue}" if evalue else "")
                if ename == "SystemExit":
                    line += " (the notebook stopped before its end)"
                return line, strip_colour("\n".join(output.get("traceback", [])))
        if count is None:
            return (
                f"code cell {n} of {len(cells)} did not run: the notebook stopped before its end",
                "",
            )
        if count <= previous:
            return (
                f"code cell {n} of {len(cells)}: the kernel restarted (execution count {count} "
                f"after {previous})",
                "",
            )
        if index in exits:
            return f"cell {count}: the notebook asked its kernel to exit (exit() or quit())", ""
        previous = count
    return None
