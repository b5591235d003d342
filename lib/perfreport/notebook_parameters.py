"""A report notebook before and after it runs.

Before: what its ``parameters`` cell declares, and checking a job's values against it before
anything runs (unknown names, wrong types, invalid identifiers).

After: whether the executed notebook is a whole report (:func:`incomplete`: every code cell
that should run ran, in order and without error; papermill's own check lets ``sys.exit(0)``,
``exit()`` and a kernel that stops early through), and the notebook made fit to publish
(:func:`for_publication`: no path, user or folder of the machine that built it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfreport.errors import PerfreportError

if TYPE_CHECKING:
    import nbformat

    from perfreport.runner import Job

PYTHON_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool}


def validate_parameters(job: Job, seen: dict[str, dict] | None = None) -> None:
    """Refuse parameters the notebook's parameters cell does not declare, or of the wrong type.

    ``seen`` caches each notebook's declared parameters across the jobs of a run.
    """
    seen = {} if seen is None else seen
    notebook = job.project.root / job.cycle.notebook
    if str(notebook) not in seen:
        seen[str(notebook)] = declared_parameters(notebook)
    declared = seen[str(notebook)]
    for name, value in job.parameters.items():
        if not name.isidentifier():
            raise PerfreportError(
                f"{job.cycle.notebook}: parameter {name!r} is not a valid identifier"
            )
        if name not in declared:
            raise PerfreportError(
                f"{job.cycle.notebook}: parameter {name!r} is not in the notebook's parameters "
                f"cell (it declares {', '.join(declared) or 'none'})"
            )
        wanted = PYTHON_TYPES.get(declared[name])
        if wanted is not None and not isinstance(value, wanted):
            raise PerfreportError(
                f"{job.cycle.notebook}: parameter {name!r} must be "
                f"{declared[name]}, not {type(value).__name__}"
            )


def declared_parameters(notebook: Path) -> dict[str, str]:
    """The names and type names in a notebook's ``parameters`` cell, as papermill reads them
    (``name: type = value`` or ``name = value``, whose type is the value's).

    Read with :mod:`ast` rather than ``papermill.inspect_notebook``: importing papermill takes
    over a second, and a run whose reports are all cached should not pay it.
    """
    import ast
    import json

    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = next(
        (
            "".join(c["source"])
            for c in cells
            if "parameters" in c.get("metadata", {}).get("tags", [])
        ),
        "",
    )
    declared = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared[node.target.id] = ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign):
            kind = (
                type(node.value.value).__name__ if isinstance(node.value, ast.Constant) else "None"
            )
            for target in node.targets:
                if isinstance(target, ast.Name):
                    declared[target.id] = kind
    return declared


SKIP_TAG = "skip-execution"
"""Cells with this tag are not run (nbclient's default), so are not expected to have run."""
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def strip_colour(text: str) -> str:
    """``text`` without ANSI colour codes (IPython colours its tracebacks).

    >>> strip_colour("\x1b[0;31mZeroDivisionError\x1b[0m: division by zero")
    'ZeroDivisionError: division by zero'
    """
    return _ANSI.sub("", text)


def exit_requests(found: list[int]) -> Callable[..., None]:
    """An nbclient ``on_cell_executed`` hook noting, in ``found``, the index of each cell that
    asked its kernel to exit (``exit()``, ``quit()``: the kernel only tells its front end, and
    the notebook runs on)."""

    def hook(cell: Any, cell_index: int, execute_reply: dict) -> None:
        payload = execute_reply.get("content", {}).get("payload") or []
        if any(item.get("source") == "ask_exit" for item in payload):
            found.append(cell_index)

    return hook


def incomplete(
    notebook: nbformat.NotebookNode, exits: list[int] | tuple[int, ...] = ()
) -> tuple[str, str] | None:
    """Why an executed notebook is not a whole report, as (one line, detail), or None.

    Every code cell that should run (not empty, not tagged ``skip-execution``) must have run,
    each after the one before (a kernel that restarted counts again from 1), without an error
    output (``sys.exit(0)`` leaves one) and without asking its kernel to exit (``exits``: cell
    indexes from :func:`exit_requests`).

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


def for_publication(
    notebook: nbformat.NotebookNode, root: Path, source: str, published: str
) -> None:
    """Take the build machine out of an executed notebook, in place: papermill's record of
    where it read and wrote the notebook becomes ``source`` and ``published`` (both relative
    to the project), and any text naming the project folder ``root`` names ``.``, any naming
    the user's home folder ``~``. Images are left alone."""
    record = notebook.get("metadata", {}).get("papermill")
    if record is not None:
        record["input_path"], record["output_path"] = source, published
    replacements = {str(root): ".", str(root.resolve()): ".", str(Path.home()): "~"}
    pairs = sorted(
        ((old, new) for old, new in replacements.items() if len(old) > 1),
        key=lambda pair: -len(pair[0]),
    )
    _replace_text(notebook, pairs)


def _replace_text(node: Any, pairs: list[tuple[str, str]]) -> Any:
    if isinstance(node, str):
        for old, new in pairs:
            if old in node:
                node = node.replace(old, new)
        return node
    if isinstance(node, list):
        for i, item in enumerate(node):
            node[i] = _replace_text(item, pairs)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("image/"):
                node[key] = _replace_text(value, pairs)
    return node
