"""The ``perfreport`` command's arguments: a table of its commands (:data:`COMMANDS`), each with
its one-line help and its arguments, and the parser made from it."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from perfreport import __version__

DESCRIPTION = "Load a project's data, prepare its results and build its performance reports."
EXIT_STATUS = (
    "Exit status: 0 done; 1 some reports failed (or rows were quarantined, for ingest and validate); "
    "2 a user error (one line); 130 stopped by Ctrl-C (SIGINT) and 143 by SIGTERM, after one "
    "line saying what was built: a run stops its workers, publishes nothing more and leaves "
    "the site listing exactly what is published."
)

Argument = tuple[tuple[str, ...], dict[str, Any]]
"""The names and keyword arguments of one ``add_argument`` call."""
JOBS: Argument = (
    ("--jobs",),
    {"type": int, "default": os.cpu_count() or 1, "help": "parallel report workers"},
)
WAIT: Argument = (
    ("--wait",),
    {
        "type": float,
        "default": 30.0,
        "help": "seconds to wait while another process writes to the warehouse",
    },
)
EXTRACTS: list[Argument] = [
    (("spec",), {"help": "source spec name (params/sources/NAME.yaml) or path"}),
    (("files",), {"type": Path, "nargs": "+", "metavar": "FILE"}),
]
COMMANDS: dict[str, tuple[str, list[Argument]]] = {
    "demo": ("generate demo data, load the warehouse and build every cycle's reports", [JOBS]),
    "check": ("load and cross-check every file under params/ (strict YAML)", []),
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
                    "help": "count what the management (uncontrolled) reports show as known to the attacker",
                },
            ),
        ],
    ),
    "publish": (
        "make the public site in DEST from the controlled cycles' reports, audited",
        [
            (("dest",), {"type": Path, "metavar": "DEST", "help": "folder of the public site"}),
            (
                ("--cycle",),
                {
                    "action": "append",
                    "default": [],
                    "help": "a controlled cycle (repeatable; default all)",
                },
            ),
        ],
    ),
    "generate-demo": (
        "write the deterministic demo data CSV",
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
        "check extracts as ingest would, writing nothing (exit 1 if rows would be quarantined)",
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
        "export a warehouse table to .csv or .xlsx (formula-safe)",
        [
            (
                ("table",),
                {"choices": ("observations", "quarantine", "loads", "revisions", "areas")},
            ),
            (("--out",), {"type": Path, "required": True, "help": "file to write (.csv or .xlsx)"}),
        ],
    ),
    "prepare": (
        "compute results, RAG and SPC for every indicator, area and period",
        [
            (
                ("--period",),
                {
                    "default": None,
                    "help": "last period to include, e.g. 2024-25-Q4 (default: all data)",
                },
            )
        ],
    ),
    "run": (
        "build every report of a cycle for a period",
        [
            (
                ("cycle",),
                {
                    "nargs": "?",
                    "default": None,
                    "help": "cycle id from params/cycles.yaml, e.g. locality",
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
                {"default": None, "help": "e.g. 2024-25-Q4 (default: latest complete in the data)"},
            ),
            (
                ("--area",),
                {"action": "append", "default": [], "help": "area code (repeatable; default: all)"},
            ),
            JOBS,
        ],
    ),
}
"""Every command: its one-line help and its arguments, in the order ``--help`` lists them."""


def parser() -> argparse.ArgumentParser:
    """The ``perfreport`` command's parser: its options and every command of :data:`COMMANDS`."""
    made = argparse.ArgumentParser(prog="perfreport", description=DESCRIPTION, epilog=EXIT_STATUS)
    made.add_argument("--version", action="version", version=f"perfreport {__version__}")
    made.add_argument(
        "--project",
        type=Path,
        default=None,
        help="project folder (default: the one containing the working directory)",
    )
    commands = made.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (text, arguments) in COMMANDS.items():
        command = commands.add_parser(name, help=text)
        for names, options in arguments:
            command.add_argument(*names, **options)
    return made
