"""``perfreport init``: a new project folder made from a template.

A template is a folder of package data, ``lib/perfreport/templates/projects/<name>/``, holding a
project's ``params/`` and ``notebooks/`` (and, for a template with demo data, the files its
``params/demo.yaml`` lists). The ``hscp`` template's folders are symlinks to this repository's
own ``params/`` and ``notebooks/``, so the two cannot drift; they are copied with the links
followed. The new project also gets empty ``data/`` and ``outputs/`` folders, a README saying
what to do next and a ``.gitignore`` keeping the warehouse and the built reports out of git.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from perfreport.errors import PerfreportError

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates" / "projects"
TEMPLATES = {
    "blank": "no demo and nothing to delete: an empty catalogue, one generic monthly cycle "
    "reporting every area against its targets, ready for your own extracts",
    "hscp": "a Scottish Health and Social Care Partnership: the Integrated Performance "
    "Framework's six reporting cycles, with invented demo data (`perfreport demo`)",
    "council": "an English council's adult social care learning and performance report: ASCOF "
    "measures against the England average, the staff survey and complaints, with its demo data",
    "national": "every Scottish Health and Social Care Partnership (all 31) and its localities: "
    "the quarterly locality report for each, about 160 reports, with invented demo data",
}
"""Every template, in the order ``perfreport init --help`` lists them, with what it is for."""
DEFAULT_TEMPLATE = "blank"
FOLDERS = ("params", "notebooks", "data", "outputs")
GITIGNORE = """\
# The warehouse, the demo's generated data and the built reports are made by perfreport:
# rebuild them rather than commit them. Real extracts may hold personal data: keep them out too.
data/*.duckdb
data/*.duckdb.wal
data/demo/
data/extracts/
outputs/
.ipynb_checkpoints/
__pycache__/
"""


@dataclass(frozen=True)
class Made:
    """The project :func:`init_project` made."""

    root: Path
    template: str
    files: int
    demo: bool
    """Whether the template has demo data (``params/demo.yaml``)."""


def init_project(folder: Path, template: str = DEFAULT_TEMPLATE) -> Made:
    """Make a project in ``folder`` (new, or empty) from ``template``.

    Raises
    ------
    PerfreportError
        When ``folder`` exists and is not empty, is a file, or the template is unknown.
    """
    source = _template(template)
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is a file" if not folder.is_dir() else "is not empty"
        raise PerfreportError(
            f"{folder}: {what}; give perfreport init a new or empty folder for the project"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a parent is a file, or cannot be made here
        raise PerfreportError(
            f"{folder}: cannot make the project folder ({(exc.strerror or str(exc)).lower()})"
        ) from None
    shutil.copytree(
        source,
        folder,
        symlinks=False,
        dirs_exist_ok=True,
        ignore=_ignored,
        copy_function=shutil.copy,
    )
    for name in FOLDERS:
        (folder / name).mkdir(exist_ok=True)
    demo = (folder / "params" / "demo.yaml").is_file()
    if not (folder / "README.md").is_file():
        (folder / "README.md").write_text(project_readme(folder.resolve().name, template, demo))
    (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    files = sum(1 for path in folder.rglob("*") if path.is_file())
    return Made(folder, template, files, demo)


def _template(name: str) -> Path:
    if name not in TEMPLATES:
        raise PerfreportError(
            f"parameter '--template': {name!r} is not a template; choose one of "
            f"{', '.join(TEMPLATES)}"
        )
    folder = TEMPLATES_DIR / name
    if not (folder / "params").is_dir():
        raise PerfreportError(
            f"{folder}: the {name} template is not installed with this perfreport; reinstall it"
        )
    return folder


def _ignored(folder: str, names: list[str]) -> set[str]:
    """What is never copied from a template: Python's and Jupyter's caches."""
    return {n for n in names if n in ("__pycache__", ".ipynb_checkpoints") or n.endswith(".pyc")}


def project_readme(name: str, template: str, demo: bool) -> str:
    """The new project's README: what it is, the commands to run, where its files go."""
    first = (
        "perfreport demo                      # load the demo data and build every report\n"
        if demo
        else ""
    )
    return f"""\
# {name}

A perfreport project made from the `{template}` template: {TEMPLATES[template]}.

## Commands

Run them in this folder (or pass `--project {name}` from anywhere):

```sh
{first}perfreport check                     # validate everything under params/
perfreport validate SPEC data/extracts/FILE.csv   # dry run of an extract
perfreport ingest SPEC data/extracts/FILE.csv     # load it into data/warehouse.duckdb
perfreport run --all                 # build every cycle for its latest complete period
```

`perfreport --help` lists every command, and `perfreport COMMAND --help` explains one.

## Where things go

| folder | holds |
|---|---|
| `params/catalogue/` | the indicators: one entry each, with its target (`*.yaml`) |
| `params/areas.yaml` | the areas reported on, their types and parents |
| `params/cycles.yaml` | the reports: notebook, period, areas |
| `params/sources/` | one source spec per extract shape (`SPEC` above is its file name) |
| `data/extracts/` | your extracts (CSV, Excel, Parquet); kept out of git by `.gitignore` |
| `notebooks/` | the report notebooks the cycles name |
| `outputs/` | the built reports and the site (`outputs/index.html`) |

Every key of every params file is described in perfreport's key reference (`docs/reference.md`
in the perfreport repository).
"""
