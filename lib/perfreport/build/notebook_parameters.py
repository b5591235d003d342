"""A report notebook before and after it runs.

Before: what its ``parameters`` cell declares, and checking a job's values against it before
anything runs (unknown names, wrong types, invalid identifiers).

After: whether the executed notebook is a whole report (:func:`incomplete`: every code cell
that should run ran, in order and without error; papermill's own check lets ``sys.exit(0)``,
``exit()`` and a kernel that stops early through), and the notebook made fit to publish
(:func:`for_publication`: no path, user or folder of the machine that built it).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfreport.errors import PerfreportError

if TYPE_CHECKING:
    import nbformat

    from perfreport.build.runner import Job

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


HIDDEN_OUTPUT_LINES = 20
"""How much of a cell's own output error.txt quotes when its error was hidden."""


def hidden_error(
    notebook: nbformat.NotebookNode, count: int | None, replies: KernelReplies
) -> tuple[str, str]:
    """One line and the evidence for a cell that failed without an error output (papermill's
    "CellExecutionError" with no message): an IPython custom exception handler
    (``set_custom_exc``) hid the error, so the kernel's reply is all that names it.

    >>> import nbformat.v4 as v4
    >>> nb = v4.new_notebook(cells=[v4.new_code_cell("f()", execution_count=5, outputs=[
    ...     v4.new_output("stream", name="stdout", text="handled\\n")])])
    >>> hidden_error(nb, 5, KernelReplies())[0]
    'cell 5: the cell raised an error its handler hid (its last output: handled)'
    """
    reply = replies.errors.get(count if count is not None else -1, {})
    cell = next((c for c in notebook.cells if c.get("execution_count") == count), None)
    output = strip_colour(_cell_text(cell)).strip() if cell is not None else ""
    last = output.splitlines()[-1].strip() if output else ""
    ename, evalue = reply.get("ename") or "", _one_line(reply.get("evalue") or "")
    if ename:
        line = f"cell {count}: {ename}" + (f": {evalue}" if evalue else "")
        line += " (a custom exception handler hid its error output)"
    else:
        line = f"cell {count}: the cell raised an error its handler hid"
        line += f" (its last output: {last})" if last else " (it printed nothing)"
    parts = [
        f"The kernel reported an error in cell {count}, but the cell has no error output: "
        "an IPython custom exception handler (set_custom_exc) hid it."
    ]
    if ename:
        parts.append(f"The kernel's reply: {ename}: {reply.get('evalue') or ''}")
    if reply.get("traceback"):
        parts.append(strip_colour("\n".join(reply["traceback"])))
    if cell is not None:
        parts.append("The cell:\n" + cell.source)
        tail = "\n".join(output.splitlines()[-HIDDEN_OUTPUT_LINES:])
        parts.append(
            f"Its output (last {HIDDEN_OUTPUT_LINES} lines):\n{tail}"
            if tail
            else "It has no output."
        )
    return line, "\n\n".join(parts)


def _cell_text(cell: Any) -> str:
    """The text a code cell showed: streams, and the plain text of its results."""
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append(output.get("text", ""))
        elif "text/plain" in output.get("data", {}):
            texts.append(output["data"]["text/plain"])
    return "".join(t if isinstance(t, str) else "".join(t) for t in texts)


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


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


PLACEHOLDERS = {
    "project": ".",
    "perfreport": "[perfreport]",
    "site-packages": "[site-packages]",
    "python": "[python]",
    "temp": "[tmp]",
    "home": "~",
}
"""What each folder of the build machine is called in a published notebook."""
_PATH_CHAR = r"[\w.~-]"
"""A character that can be part of a file name: a folder is replaced only where it is a whole
path (``/usr`` in ``/usr/lib``, never in ``/opt/usr`` or ``/usrx``)."""


def machine_folders(root: Path) -> list[tuple[str, str]]:
    """The folders of the machine that built a report, each with its placeholder
    (:data:`PLACEHOLDERS`), longest first so that a folder inside another is named as itself:
    the project ``root``, the perfreport package, the site-packages folders, the Python
    installation and virtual environment (``sys.prefix``, ``sys.base_prefix``,
    ``sys.exec_prefix``), the temporary folder and the home folder, each as given and resolved.

    >>> dict(machine_folders(Path("/srv/project")))["/srv/project"]
    '.'
    """
    import site
    import sys
    import tempfile

    import perfreport

    named = [(root, "project"), (Path(perfreport.__file__).parent, "perfreport")]
    with _suppress_errors():
        named += [(Path(folder), "site-packages") for folder in site.getsitepackages()]
    with _suppress_errors():
        named.append((Path(site.getusersitepackages()), "site-packages"))
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.environ.get("VIRTUAL_ENV", "")}
    named += [(Path(prefix), "python") for prefix in prefixes if prefix]
    named += [(Path(tempfile.gettempdir()), "temp"), (Path.home(), "home")]
    folders: dict[str, str] = {}
    for folder, kind in named:
        for spelling in (str(folder), os.path.realpath(folder)):
            if len(spelling) > 1:  # never "/" itself
                folders.setdefault(spelling.rstrip("/"), PLACEHOLDERS[kind])
    return sorted(folders.items(), key=lambda pair: -len(pair[0]))


def _suppress_errors() -> contextlib.AbstractContextManager[None]:
    return contextlib.suppress(AttributeError, OSError)  # a site module without these


@functools.lru_cache(maxsize=8)
def _scrubber(root: Path) -> tuple[re.Pattern[str], dict[str, str]]:
    folders = machine_folders(root)
    alternatives = "|".join(re.escape(folder) for folder, _ in folders)
    pattern = re.compile(rf"(?<!{_PATH_CHAR})(?:{alternatives})(?!{_PATH_CHAR})")
    return pattern, dict(folders)


def for_publication(
    notebook: nbformat.NotebookNode, root: Path, source: str, published: str
) -> None:
    """Take the build machine out of an executed notebook, in place: papermill's record of
    where it read and wrote the notebook becomes ``source`` and ``published`` (both relative
    to the project), and every folder of :func:`machine_folders` in any text (cell sources,
    text outputs, metadata) becomes its placeholder: the project ``.``, the home folder ``~``,
    the package ``[perfreport]``, and so on (a warning's
    ``/opt/venv/lib/python3.11/site-packages/perfreport/charts.py:141`` reads
    ``[perfreport]/charts.py:141``). Images are left alone."""
    record = notebook.get("metadata", {}).get("papermill")
    if record is not None:
        record["input_path"], record["output_path"] = source, published
    pattern, placeholders = _scrubber(root)
    _replace_text(notebook, pattern, placeholders)


def _replace_text(node: Any, pattern: re.Pattern[str], placeholders: dict[str, str]) -> Any:
    if isinstance(node, str):
        # looking for each folder first is ten times quicker than the pattern on a long output
        if any(folder in node for folder in placeholders):
            return pattern.sub(lambda match: placeholders[match.group(0)], node)
        return node
    if isinstance(node, list):
        for i, item in enumerate(node):
            node[i] = _replace_text(item, pattern, placeholders)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("image/"):
                node[key] = _replace_text(value, pattern, placeholders)
    return node
