"""The ``perfreport`` command: parse arguments, call the library, print. No logic here.

Exit status: 0 done; 1 some reports failed (or rows would be quarantined, for ``validate``);
2 a user error (one line); 130 stopped by Ctrl-C (SIGINT) and 143 by SIGTERM, after one line
saying what was built: a run stops its workers, publishes nothing more and leaves the site
listing exactly what is published.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport import __version__
from perfreport.build.runner import Interrupted, JobResult
from perfreport.errors import USER_ERROR_EXIT, PerfreportError

if TYPE_CHECKING:
    from perfreport.build.audit import AuditResult
    from perfreport.build.pipeline import Setup
    from perfreport.store.ingest import LoadSummary

DEMO_SPEC = "demo_observations"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perfreport", description=__doc__)
    parser.add_argument("--version", action="version", version=f"perfreport {__version__}")
    parser.add_argument(
        "--project",
        type=Path,
        default=None,
        help="project folder (default: the one containing the working directory)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="generate demo data, load the warehouse and build every cycle's reports"
    )
    demo.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="parallel report workers"
    )

    commands.add_parser("check", help="load and cross-check every file under params/ (strict YAML)")
    audit = commands.add_parser(
        "audit",
        help="try to work out every suppressed figure of a published site (exit 1 if any can be)",
    )
    audit.add_argument(
        "outputs", type=Path, nargs="?", default=None, help="the site folder (default outputs/)"
    )
    audit.add_argument(
        "--with-management",
        action="store_true",
        help="count what the management (uncontrolled) reports show as known to the attacker",
    )
    pub = commands.add_parser(
        "publish",
        help="make the public site in DEST from the controlled cycles' reports, audited",
    )
    pub.add_argument("dest", type=Path, metavar="DEST", help="folder of the public site")
    pub.add_argument(
        "--cycle", action="append", default=[], help="a controlled cycle (repeatable; default all)"
    )
    gen = commands.add_parser("generate-demo", help="write the deterministic demo data CSV")
    gen.add_argument(
        "--out", type=Path, default=None, help="folder to write into (default data/demo)"
    )
    for name, text in (
        ("ingest", "check extracts and load them into the warehouse"),
        (
            "validate",
            "check extracts as ingest would, writing nothing (exit 1 if rows would be quarantined)",
        ),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("spec", help="source spec name (params/sources/NAME.yaml) or path")
        command.add_argument("files", type=Path, nargs="+", metavar="FILE")
        if name == "ingest":
            command.add_argument(
                "--wait",
                type=float,
                default=30.0,
                help="seconds to wait while another process writes to the warehouse",
            )
    export = commands.add_parser(
        "export", help="export a warehouse table to .csv or .xlsx (formula-safe)"
    )
    export.add_argument(
        "table", choices=("observations", "quarantine", "loads", "revisions", "areas")
    )
    export.add_argument("--out", type=Path, required=True, help="file to write (.csv or .xlsx)")

    prep = commands.add_parser(
        "prepare", help="compute results, RAG and SPC for every indicator, area and period"
    )
    prep.add_argument(
        "--period", default=None, help="last period to include, e.g. 2024-25-Q4 (default: all data)"
    )

    run = commands.add_parser("run", help="build every report of a cycle for a period")
    run.add_argument(
        "cycle", nargs="?", default=None, help="cycle id from params/cycles.yaml, e.g. locality"
    )
    run.add_argument(
        "--all",
        action="store_true",
        help="build every cycle, each for the latest complete period in the data",
    )
    run.add_argument(
        "--period", default=None, help="e.g. 2024-25-Q4 (default: latest complete in the data)"
    )
    run.add_argument(
        "--area", action="append", default=[], help="area code (repeatable; default: all)"
    )
    run.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="parallel report workers"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    previous = _stop_on_sigterm()
    try:
        return _dispatch(args)
    except PerfreportError as exc:
        print(f"perfreport: error: {exc}", file=sys.stderr)
        return USER_ERROR_EXIT
    except Interrupted as exc:
        print(f"perfreport: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:  # Ctrl-C outside a run: one line, no traceback
        print("perfreport: interrupted by SIGINT", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:  # output piped into a command that stopped reading (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stop_on_sigterm() -> object:
    """SIGTERM stops the command as Ctrl-C does (a run handles both itself); returns the
    handler it replaced, None off the main thread."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def _dispatch(args: argparse.Namespace) -> int:
    from perfreport.build import pipeline

    setup = pipeline.Setup.load(args.project)
    if args.command == "check":
        print(pipeline.check(setup).describe())
        return 0
    if args.command == "audit":
        return _audit(pipeline.audit(setup, args.outputs, with_management=args.with_management))
    if args.command == "publish":
        done = pipeline.publish(setup, args.dest, args.cycle)
        print(
            f"published: {done.reports} reports of {', '.join(done.cycles)} to {done.folder}; "
            f"audit: {done.audit.suppressed:,} suppressed figures, 0 recovered"
        )
        return 0
    if args.command == "generate-demo":
        print(setup.project.relative(pipeline.generate_demo(setup, args.out)))
        return 0
    if args.command in ("ingest", "validate"):
        spec = pipeline.source_spec(setup, args.spec)
        rejected = 0
        for path in args.files:
            summary = (
                pipeline.ingest(setup, spec, path, wait_seconds=args.wait)
                if args.command == "ingest"
                else pipeline.validate(setup, spec, path)
            )
            print(summary.describe())
            _show_quarantine(summary)
            rejected += 0 if summary.already_loaded else summary.validation.rows_rejected
        return 1 if rejected and args.command == "validate" else 0
    if args.command == "prepare":
        summary = pipeline.prepare_results(setup, args.period)
        print(f"results: {summary.rows:,} rows in {summary.seconds:.1f} s")
        return 0
    if args.command == "export":
        print(setup.project.relative(pipeline.export(setup, args.table, args.out)))
        return 0
    if args.command == "run":
        if (args.cycle is None) == (not args.all):
            raise PerfreportError("parameter 'cycle': give one cycle id or --all, not both")
        return _build(setup, args.cycle, args.period, args.area, args.jobs)
    # demo
    path = pipeline.generate_demo(setup)
    print(f"demo data: {setup.project.relative(path)}")
    print(pipeline.ingest(setup, pipeline.source_spec(setup, DEMO_SPEC), path).describe())
    print(f"warehouse: {setup.project.relative(setup.project.warehouse)}")
    print(f"results: {pipeline.prepare_results(setup).rows:,} rows prepared")
    return _build(setup, None, None, [], args.jobs)


def _audit(result: AuditResult) -> int:
    for recovery in result.recoveries:
        print(f"recovered: {recovery.describe()}")
    skipped = (
        f"; not audited (disclosure control off): {', '.join(result.skipped)}"
        if result.skipped
        else ""
    )
    print(
        f"audit: {result.reports} controlled reports, {result.suppressed:,} suppressed figures, "
        f"{len(result.recoveries)} recovered{skipped}"
    )
    return 1 if result.recoveries else 0


QUARANTINE_SHOWN = 10


def _show_quarantine(summary: LoadSummary) -> None:
    if summary.already_loaded:
        return
    rows = summary.validation.quarantine
    for row in rows.head(QUARANTINE_SHOWN).itertuples():
        print(f"  row {row.row_number}: {row.reasons}")
    if len(rows) > QUARANTINE_SHOWN:
        print(
            f"  … and {len(rows) - QUARANTINE_SHOWN:,} more: perfreport export quarantine --out quarantine.csv"
        )


class _Progress:
    """A progress bar on a terminal; nothing per job otherwise (the summary says it all)."""

    def __init__(self) -> None:
        self._bar = None
        if sys.stdout.isatty():
            from tqdm import tqdm

            self._bar = tqdm(desc="reports", unit="report", leave=False)

    def __call__(self, result: JobResult) -> None:
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix_str(result.key, refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _build(setup: Setup, cycle: str | None, period: str | None, areas: list[str], jobs: int) -> int:
    from perfreport.build import pipeline

    progress = _Progress()
    try:
        results = pipeline.build(setup, cycle, period, areas, jobs, progress)
    finally:
        progress.close()
    return _report(results, setup)


def _report(results: list[JobResult], setup: Setup) -> int:
    failed = [r for r in results if not r.ok]
    root = setup.project.root
    cached = sum(r.cached for r in results)
    print(
        f"{len(results) - len(failed)} of {len(results)} reports built"
        + (f" ({cached} unchanged, not rebuilt)" if cached else "")
    )
    for r in results:
        if r.ok:
            state = "unchanged" if r.cached else f"built in {r.seconds:.1f} s"
            print(f"  {(r.output / 'report.html').relative_to(root)}  ({state})")
    if any(r.ok for r in results):
        print(f"site: {setup.project.relative(setup.project.outputs / 'index.html')}")
    for r in failed:
        print(
            f"  failed: {r.key}: {r.error} (notebook kept in {r.output.relative_to(root)})",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
