"""The optional Quarto renderer (``perfreport run --renderer quarto``).

A job still executes, checks and scrubs its notebook as with the default renderer
(nbconvert's HTML, WeasyPrint's PDF); then, instead of those two, it writes a Quarto project
into a folder of its staging folder (:data:`PROJECT`): ``_quarto.yml``, the executed notebook
as ``report.ipynb`` and the house stylesheet, and runs ``quarto render`` on it
(:func:`render_command`). Quarto's ``report.html`` and its Typst ``report.pdf`` take the
places of the default renderer's, so the report folder holds the same files (the published
notebook, the open data and the provenance record are written as ever) and the project
folder is removed.

The notebook Quarto is given is the published one less what the default template leaves out:
cells tagged ``notebook-only``, streams and errors; every HTML output is sanitised as the
default renderer's are (:func:`perfreport.build.sanitise.sanitise_output`), and its images
must have a text alternative (:func:`perfreport.build.alt_text.check_images`). Quarto does
not execute it (``execute: enabled: false`` and ``--no-execute``).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfreport.build.alt_text import check_images
from perfreport.build.render import NOTEBOOK_ONLY_TAG, REPORT_TEMPLATE, ReportMeta
from perfreport.build.sanitise import CSP_META, sanitise_output
from perfreport.errors import PerfreportError

if TYPE_CHECKING:
    import nbformat

RENDERERS = ("weasyprint", "quarto")
"""What ``--renderer`` takes: the built-in renderer (the default) or Quarto."""
WEASYPRINT, QUARTO = RENDERERS
INSTALL_URL = "https://quarto.org/docs/get-started/"
MISSING = (
    f"--renderer quarto: no 'quarto' executable on PATH; install Quarto from {INSTALL_URL} "
    "(the PyPI quarto-cli package downloads it when installed) or use --renderer weasyprint"
)
PROJECT = "quarto"
"""The Quarto project's folder, inside the job's staging folder."""
CONFIG = "_quarto.yml"
SOURCE = "report.ipynb"
OUTPUT_DIR = "_output"
CSS = "report.css"
OUTPUTS = ("report.html", "report.pdf")
"""What Quarto writes under :data:`OUTPUT_DIR` (from :data:`SOURCE`, in its two formats)."""
_DROPPED_OUTPUTS = {"stream", "error"}


class QuartoFailed(Exception):
    """``quarto render`` did not make the report: the first line says why, the rest is
    Quarto's own output."""


def executable() -> str:
    """The ``quarto`` executable on ``PATH``; a user error (:data:`MISSING`) without one."""
    found = shutil.which("quarto")
    if found is None:
        raise PerfreportError(MISSING)
    return found


OUTPUT_KEPT = 20_000
"""The last characters of Quarto's output an ``error.txt`` keeps."""


class _TookTooLong(Exception):
    pass


def _run(args: list[str], timeout: float) -> tuple[int, str]:
    """Run ``args`` in a session of its own, its output (both streams) in a file, not memory;
    return its exit status and the end of its output (:data:`OUTPUT_KEPT` characters, bytes
    that are not UTF-8 replaced). A run longer than ``timeout`` seconds is killed with every
    process it started, and raises :class:`_TookTooLong`."""
    import os
    import signal
    import tempfile

    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            status = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise _TookTooLong from None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)  # and whatever it left running
            child.wait()
        size = out.seek(0, os.SEEK_END)
        out.seek(max(0, size - 4 * OUTPUT_KEPT))
        said = out.read().decode("utf-8", errors="replace")[-OUTPUT_KEPT:]
    return status, said.strip()


@functools.cache
def version(quarto: str) -> str:
    """What ``quarto --version`` prints (part of a Quarto report's cache key)."""
    try:
        status, said = _run([quarto, "--version"], timeout=60)
    except (OSError, _TookTooLong) as exc:
        why = "took longer than 60 seconds" if isinstance(exc, _TookTooLong) else str(exc)
        raise PerfreportError(f"--renderer quarto: '{quarto} --version' failed: {why}") from None
    if status != 0:
        raise PerfreportError(
            f"--renderer quarto: '{quarto} --version' exited with status {status}"
        )
    return said.splitlines()[-1].strip() if said else "unknown"


def render_command(quarto: str, folder: Path) -> list[str]:
    """The command that renders the Quarto project in ``folder``, in every format it names,
    without executing anything."""
    return [quarto, "render", str(folder), "--no-execute"]


def project_config(meta: ReportMeta) -> dict[str, Any]:
    """What ``_quarto.yml`` holds: the one notebook to render, not executed; the report's
    title, description, organisation (as author) and language; HTML in the house style, with
    every resource inside the page and the page's Content-Security-Policy, and a Typst PDF."""
    return {
        "project": {"type": "default", "render": [SOURCE], "output-dir": OUTPUT_DIR},
        "title": meta.title,
        "description": meta.description,
        "author": meta.organisation,
        "lang": meta.lang,
        "execute": {"enabled": False, "echo": False, "warning": False},
        "format": {
            "html": {
                "css": [CSS],
                "toc": True,
                "minimal": True,
                "embed-resources": True,
                "include-in-header": [{"text": CSP_META}],
            },
            "typst": {"toc": True, "papersize": "a4", "page-numbering": "1"},
        },
    }


def for_quarto(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the published ``notebook`` with what the default template leaves out taken
    out: ``notebook-only`` cells, streams and errors; HTML outputs sanitised."""
    shown = copy.deepcopy(notebook)
    shown.cells = [c for c in shown.cells if NOTEBOOK_ONLY_TAG not in c.metadata.get("tags", [])]
    for cell in shown.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [o for o in cell.outputs if o.output_type not in _DROPPED_OUTPUTS]
        for output in cell.outputs:
            data = output.get("data", {})
            if "text/html" in data:
                html = data["text/html"]
                data["text/html"] = str(sanitise_output("".join(html)))
                check_images(data["text/html"])
    return shown


def write_project(folder: Path, notebook: nbformat.NotebookNode, meta: ReportMeta) -> Path:
    """Write the Quarto project of one report into ``folder`` (made new); returns it."""
    import nbformat
    import yaml

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    config = yaml.safe_dump(project_config(meta), sort_keys=False, allow_unicode=True)
    (folder / CONFIG).write_text(config, encoding="utf-8")
    nbformat.write(for_quarto(notebook), folder / SOURCE)
    shutil.copyfile(REPORT_TEMPLATE / CSS, folder / CSS)
    return folder


def render(
    notebook: nbformat.NotebookNode, meta: ReportMeta, staging: Path, timeout: float
) -> None:
    """Render ``notebook`` through Quarto into ``staging``'s ``report.html`` and
    ``report.pdf``; raises :class:`QuartoFailed` if Quarto fails, takes longer than
    ``timeout`` seconds or leaves out a file."""
    quarto = shutil.which("quarto")
    if quarto is None:  # on a cluster's worker, or removed since the run began
        raise QuartoFailed("no 'quarto' executable on PATH where the report was built")
    folder = write_project(staging / PROJECT, notebook, meta)
    try:
        status, said = _run(render_command(quarto, folder), timeout)
    except _TookTooLong:
        raise QuartoFailed(f"quarto render took longer than {timeout:g} seconds") from None
    if status != 0:
        raise QuartoFailed(f"quarto render exited with status {status}\n{said}")
    for name in OUTPUTS:
        made = folder / OUTPUT_DIR / name
        if not made.is_file():
            raise QuartoFailed(f"quarto render made no {OUTPUT_DIR}/{name}\n{said}")
        made.replace(staging / name)
    shutil.rmtree(folder)
