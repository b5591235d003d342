"""The ``perfreport`` command's arguments: a table of its commands (:data:`COMMANDS`), each with
its one-line help and its arguments, what ``perfreport COMMAND --help`` says more about each
(:data:`ABOUT`), and the parser made from them."""

from __future__ import annotations

import argparse
import os
import textwrap
from pathlib import Path
from typing import Any

from perfreport import __version__
from perfreport.build.quarto import RENDERERS, WEASYPRINT
from perfreport.build.scaffold import DEFAULT_TEMPLATE, TEMPLATES

DESCRIPTION = """\
Performance reports for health and social care bodies: indicators against their targets,
red/amber/green status with its reasons, trends and SPC charts, as HTML and PDF.

Start a project with `perfreport init my-project`, describe your extracts in
params/sources/, then `perfreport ingest` them and `perfreport run --all`. Every command works
on the project in the current folder (or a parent folder), or the one given by --project, before
or after the command's name. `perfreport COMMAND --help` explains one command."""
EXIT_STATUS = (
    "Exit status: 0 done; 1 some reports failed (or rows were quarantined, for ingest and "
    "validate); "
    "2 a user error (one line); 130 stopped by Ctrl-C (SIGINT) and 143 by SIGTERM, after one "
    "line saying what was built: a run stops its workers, publishes nothing more and leaves "
    "the site listing exactly what is published."
)

Argument = tuple[tuple[str, ...], dict[str, Any]]
"""The names and keyword arguments of one ``add_argument`` call."""
JOBS: Argument = (
    ("--jobs",),
    {
        "type": int,
        "default": os.cpu_count() or 1,
        "help": "reports built at once (default: one per core)",
    },
)
SCHEDULER: Argument = (
    ("--scheduler",),
    {
        "default": None,
        "metavar": "ADDRESS",
        "help": "build on the Dask cluster whose scheduler is at ADDRESS, e.g. "
        "tcp://10.0.0.5:8786 (default: $PERFREPORT_SCHEDULER, else this machine)",
    },
)
CLUSTER: Argument = (
    ("--cluster",),
    {
        "default": None,
        "metavar": "local:N",
        "help": "build on a Dask cluster of N worker processes started on this machine",
    },
)
CONNECT: Argument = (
    ("--connect-timeout",),
    {
        "type": float,
        "default": 10.0,
        "metavar": "SECONDS",
        "help": "how long to wait for the Dask scheduler, and for it to have a worker (default 10)",
    },
)
RENDERER: Argument = (
    ("--renderer",),
    {
        "choices": RENDERERS,
        "default": WEASYPRINT,
        "help": "what makes each report's HTML and PDF: nbconvert and WeasyPrint (the default), "
        "or Quarto (HTML and a Typst PDF; needs a 'quarto' executable on PATH)",
    },
)
BUILDING = [JOBS, SCHEDULER, CLUSTER, CONNECT, RENDERER]
"""Where a run builds: local worker processes, or a Dask cluster; and what renders it."""
WAIT: Argument = (
    ("--wait",),
    {
        "type": float,
        "default": 30.0,
        "help": "seconds to wait while another process writes to the warehouse",
    },
)
EXTRACTS: list[Argument] = [
    (("spec",), {"help": "the source spec: NAME for params/sources/NAME.yaml, or a path"}),
    (
        ("files",),
        {"type": Path, "nargs": "+", "metavar": "FILE", "help": "extracts (CSV, Excel, Parquet)"},
    ),
]
WIDTH = 88
"""The width descriptions are wrapped to."""
PROJECT_HELP = "the project folder (default: the current folder or the nearest parent holding params/catalogue/)"
COMMANDS: dict[str, tuple[str, list[Argument]]] = {
    "init": (
        "make a new project folder from a template",
        [
            (("folder",), {"type": Path, "metavar": "DIR", "help": "a new or empty folder"}),
            (
                ("--template",),
                {
                    "choices": tuple(TEMPLATES),
                    "default": DEFAULT_TEMPLATE,
                    "help": f"what the project starts from (default: {DEFAULT_TEMPLATE}; the "
                    "templates are listed below)",
                },
            ),
        ],
    ),
    "demo": ("load the project's demo data and build every report from it", BUILDING),
    "check": ("check every file under params/ before anything runs", []),
    "audit": (
        "try to work out every suppressed figure of a published site (exit 1 if any can be)",
        [
            (
                ("outputs",),
                {
                    "type": Path,
                    "nargs": "?",
                    "default": None,
                    "help": "the site folder (default outputs/)",
                },
            ),
            (
                ("--with-management",),
                {
                    "action": "store_true",
                    "help": "count what the management reports (no disclosure control) show as "
                    "known to the attacker",
                },
            ),
        ],
    ),
    "publish": (
        "make the public site in DEST from the disclosure-controlled reports, audited",
        [
            (("dest",), {"type": Path, "metavar": "DEST", "help": "folder of the public site"}),
            (
                ("--cycle",),
                {
                    "action": "append",
                    "default": [],
                    "help": "a cycle to publish (repeatable; default: every controlled cycle)",
                },
            ),
        ],
    ),
    "generate-demo": (
        "write the demo's invented data to a CSV file, without loading it",
        [
            (
                ("--out",),
                {"type": Path, "default": None, "help": "folder to write into (default data/demo)"},
            )
        ],
    ),
    "ingest": (
        "check extracts and load them into the warehouse (exit 1 if any row was quarantined)",
        [
            *EXTRACTS,
            WAIT,
            (
                ("--replace",),
                {
                    "action": "store_true",
                    "help": "load a file already loaded with this spec again, under the spec as "
                    "it is now: its earlier load is unloaded first",
                },
            ),
        ],
    ),
    "validate": (
        "check extracts as ingest would, loading nothing (exit 1 if rows would be quarantined)",
        EXTRACTS,
    ),
    "loads": ("list every load: its file, spec, rows and observations, and if unloaded", []),
    "unload": (
        "take a load's observations out of the warehouse, putting back what it replaced",
        [
            (("load_id",), {"type": int, "metavar": "LOAD_ID", "help": "see 'perfreport loads'"}),
            WAIT,
        ],
    ),
    "export": (
        "write a warehouse table to a .csv or .xlsx file",
        [
            (
                ("table",),
                {
                    "choices": ("observations", "quarantine", "loads", "revisions", "areas"),
                    "help": "the table: observations, quarantine, loads, revisions or areas",
                },
            ),
            (("--out",), {"type": Path, "required": True, "help": "file to write (.csv or .xlsx)"}),
        ],
    ),
    "prepare": (
        "compute the results every report reads: values, targets, RAG, trends and SPC",
        [
            (
                ("--period",),
                {
                    "default": None,
                    "help": "the last period to include, e.g. 2024-25-Q4 (default: all the data)",
                },
            )
        ],
    ),
    "run": (
        "build a cycle's reports for a period, or every cycle's with --all",
        [
            (
                ("cycle",),
                {
                    "nargs": "?",
                    "default": None,
                    "help": "a cycle id from params/cycles.yaml, e.g. locality",
                },
            ),
            (
                ("--all",),
                {
                    "action": "store_true",
                    "help": "build every cycle, each for the latest complete period in the data",
                },
            ),
            (
                ("--period",),
                {
                    "default": None,
                    "help": "a period id, e.g. 2025-03, 2024-25-Q4 or FY2024-25 (default: the "
                    "latest complete one in the data)",
                },
            ),
            (
                ("--area",),
                {
                    "action": "append",
                    "default": [],
                    "help": "an area code (repeatable; default: every area of the cycle)",
                },
            ),
            *BUILDING,
        ],
    ),
}
"""Every command: its one-line help and its arguments, in the order ``--help`` lists them."""

ABOUT: dict[str, tuple[str, str]] = {
    "init": (
        "Copies the template's params/ and notebooks/ into DIR, makes data/ and outputs/, and "
        "writes a README.md saying what to do next and a .gitignore that keeps the warehouse, "
        "extracts and built reports out of git. DIR must be new or empty.",
        "perfreport init my-project --template blank\n  cd my-project && perfreport check",
    ),
    "demo": (
        "Loads what params/demo.yaml declares (invented series and the files listed under "
        "extracts:) into data/warehouse.duckdb, prepares the results and builds every cycle for "
        "its latest complete period. A warehouse holding loads of real extracts is refused: the "
        "demo never touches real data.",
        "perfreport init demo-project --template hscp\n  perfreport demo --project demo-project",
    ),
    "check": (
        "Loads and cross-checks the catalogue, framework, areas, cycles (their notebooks "
        "exist), RAG settings, improvement plans, activities, strategic report, commentary and "
        "source specs with the loaders prepare and the reports use. The first problem is one "
        "line naming the file, line and field; exit status 2.",
        "perfreport check",
    ),
    "audit": (
        "Pools every controlled report's open data and page tables and works out what "
        "differencing gives back; prints each suppressed figure it recovers.",
        "perfreport audit outputs/",
    ),
    "publish": (
        "Copies the controlled cycles' reports into DEST with the site index, manifest and "
        "accessibility statement, audits the lot and swaps it in only if nothing is recovered.",
        "perfreport publish /srv/www/reports",
    ),
    "generate-demo": (
        "Writes the invented series of params/demo.yaml (the same bytes on every run) for "
        "ingest demo_observations.",
        "perfreport generate-demo --out /tmp/demo",
    ),
    "ingest": (
        "Checks every row against its source spec, the catalogue and the areas; accepted rows "
        "are loaded in one transaction per file, the others quarantined with their reasons "
        "(perfreport export quarantine --out q.xlsx). Ends with one line per file: rows read, "
        "accepted, quarantined, filtered and revised. Loading the same file again changes "
        "nothing; --replace loads it again under the spec as it is now.",
        "perfreport ingest phs_delayed_discharge_beddays data/extracts/beddays.csv",
    ),
    "loads": (
        "One line per load, newest last: its id (for unload), source spec, file, when, its row "
        "counts and the observations it wrote and revised.",
        "perfreport loads",
    ),
    "unload": (
        "Removes the observations the load wrote and puts back the figures it revised, in one "
        "transaction; every change is kept in the revisions table. The file can then be "
        "ingested again.",
        "perfreport unload 3",
    ),
    "validate": (
        "A dry run of ingest: the same checks and summary, nothing written.",
        "perfreport validate phs_delayed_discharge_beddays data/extracts/beddays.csv",
    ),
    "export": (
        "Text starting =, +, - or @ is prefixed with an apostrophe so that a spreadsheet "
        "cannot run it as a formula.",
        "perfreport export quarantine --out quarantine.xlsx",
    ),
    "prepare": (
        "run does this itself when the data or the package changed; prepare alone is for "
        "looking at the results (perfreport export) or timing it.",
        "perfreport prepare --period 2024-25-Q4",
    ),
    "run": (
        "Runs the cycle's notebook once per area (in parallel), renders HTML and PDF, publishes "
        "each report folder whole under outputs/<cycle>/<period>/<area>/ and rewrites "
        "outputs/index.html. Reports whose inputs are unchanged are not rebuilt.",
        "perfreport run locality --period 2024-25-Q4\n  perfreport run --all",
    ),
}
"""What ``perfreport COMMAND --help`` says below the usage line, and an example, by command."""


def parser() -> argparse.ArgumentParser:
    """The ``perfreport`` command's parser: its options and every command of :data:`COMMANDS`.

    ``--project`` is accepted before the command's name and after it (``perfreport demo
    --project p``); given after, it wins.
    """
    made = argparse.ArgumentParser(
        prog="perfreport",
        description=DESCRIPTION,
        epilog=_wrap(EXIT_STATUS),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    made.add_argument("--version", action="version", version=f"perfreport {__version__}")
    made.add_argument("--project", type=Path, default=None, help=PROJECT_HELP)
    commands = made.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (text, arguments) in COMMANDS.items():
        about, example = ABOUT.get(name, ("", ""))
        command = commands.add_parser(
            name,
            help=text,
            description=_wrap(f"{text[:1].upper()}{text[1:]}. {about}".strip()),
            epilog=_epilog(name, example),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        for names, options in arguments:
            command.add_argument(*names, **options)
        if name != "init":  # init makes a project rather than working on one
            command.add_argument(
                "--project", type=Path, default=argparse.SUPPRESS, help=PROJECT_HELP
            )
    return made


def _wrap(text: str) -> str:
    """``text`` wrapped to the width ``--help`` prints at, its paragraphs kept."""
    return "\n\n".join(textwrap.fill(part, WIDTH) for part in text.split("\n\n"))


def _epilog(name: str, example: str) -> str | None:
    """The templates (for ``init``) and an example, below a command's options."""
    parts = []
    if name == "init":
        parts.append(
            "templates:\n"
            + "\n".join(
                textwrap.fill(
                    about, WIDTH, initial_indent=f"  {key:<9}", subsequent_indent=" " * 11
                )
                for key, about in TEMPLATES.items()
            )
        )
    if example:
        parts.append(f"example:\n  {example}")
    return "\n\n".join(parts) or None
