"""An executed notebook made fit to publish (:func:`for_publication`): no path, user or
folder of the machine that built it, and no clock time (``provenance.json`` keeps when the
report was built), so that the same inputs give the same bytes wherever they are built."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import nbformat

PLACEHOLDERS = {
    "project": ".",
    "perfreport": "[perfreport]",
    "site-packages": "[site-packages]",
    "python": "[python]",
    "temp": "[tmp]",
    "home": "~",
}
"""What each folder of the build machine is called in a published notebook."""
TIMINGS = ("start_time", "end_time", "duration")
"""What papermill records of when the notebook and each cell ran (its ``metadata.papermill``)."""
INJECTED = "injected-parameters"
"""The tag papermill gives the cell of parameters it adds."""
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
    _drop_timings(notebook)
    _stable_ids(notebook, root / source)
    pattern, placeholders = _scrubber(root)
    _replace_text(notebook, pattern, placeholders)


def _drop_timings(notebook: nbformat.NotebookNode) -> None:
    """Take out what differs from one run to the next: papermill's :data:`TIMINGS` of the
    notebook and of each cell, the kernel's message times that nbclient keeps in a cell's
    ``metadata.execution``."""
    for metadata in [notebook.get("metadata", {})] + [
        c.get("metadata", {}) for c in notebook.cells
    ]:
        record = metadata.get("papermill", {})
        for name in TIMINGS:
            record.pop(name, None)
        metadata.pop("execution", None)


def _stable_ids(notebook: nbformat.NotebookNode, source: Path) -> None:
    """Cell ids that are the same on every run: the source notebook's own, :data:`INJECTED`
    for the cell of parameters papermill adds, and ``cell-N`` (its place) for a cell the
    source gave no id (nbformat makes up a random one when it reads such a notebook)."""
    try:
        kept = {c.get("id") for c in json.loads(source.read_text(encoding="utf-8"))["cells"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        kept = set()
    for n, cell in enumerate(notebook.cells):
        if "id" not in cell:
            continue
        if INJECTED in cell.get("metadata", {}).get("tags", ()):
            cell["id"] = INJECTED
        elif cell["id"] not in kept - {None}:
            cell["id"] = f"cell-{n}"


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
