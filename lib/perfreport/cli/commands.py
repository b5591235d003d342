"""The ``perfreport`` command: parse arguments (:mod:`.arguments`), call the library
(:mod:`perfreport.build.pipeline`), print (:mod:`.printing`). No logic here: each command's
handler (:data:`HANDLERS`) makes one or two library calls and prints what they return.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from perfreport.build.demo import DEMO_SPEC  # noqa: F401  (its place in 0.8)
from perfreport.build.interrupt import Interrupted
from perfreport.cli.arguments import parser
from perfreport.cli.printing import (
    Progress,
    print_audit,
    print_extract,
    print_loads,
    print_results,
)
from perfreport.errors import USER_ERROR_EXIT, PerfreportError

if TYPE_CHECKING:
    from perfreport.build.pipeline import Setup

Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None
"""A signal's handler, as :func:`signal.signal` gives and takes it."""


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
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


def _stop_on_sigterm() -> Handler:
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

    if args.command == "init":  # makes a project rather than working on one
        return _init(args)
    return HANDLERS[args.command](pipeline.Setup.load(args.project), args)


def _init(args: argparse.Namespace) -> int:
    from perfreport.build.scaffold import init_project

    if args.project is not None:
        raise PerfreportError(
            "parameter '--project': init makes a project rather than working on one; give the "
            "new project's folder as DIR (perfreport init DIR)"
        )
    made = init_project(args.folder, args.template)
    first = "perfreport demo" if made.demo else "perfreport check"
    print(
        f"{made.root}: a new project from the {made.template} template ({made.files} files); "
        f"next: cd {made.root} && {first}, then see its README.md"
    )
    return 0


def _check(setup: Setup, args: argparse.Namespace) -> int:
    from perfreport.build import pipeline

    print(pipeline.check(setup).describe())
    return 0


def _audit_site(setup: Setup, args: argparse.Namespace) -> int:
    from perfreport.build import pipeline

    return print_audit(pipeline.audit(setup, args.outputs, with_management=args.with_management))


def _publish(setup: Setup, args: argparse.Namespace) -> int:
    from perfreport.build import pipeline

    done = pipeline.publish(setup, args.dest, args.cycle)
    print(
        f"published: {done.reports} reports of {', '.join(done.cycles)} to {done.folder}; "
        f"audit: {done.audit.suppressed:,} suppressed figures, 0 recovered"
    )
    return 0


def _generate_demo(setup: Setup, args: argparse.Namespace) -> int:
    from perfreport.build import pipeline

    print(setup.project.relative(pipeline.generate_demo(setup, args.out)))
    return 0


def _extracts(setup: Setup, args: argparse.Namespace) -> int:
    """``ingest`` and ``validate``: each file's warnings and quarantined rows, then its summary
    line; exit 1 if any row was quarantined."""
    from perfreport.build import pipeline

    spec = pipeline.source_spec(setup, args.spec)
    rejected, refused = 0, 0
    for path in args.files:  # a file refused whole stops only itself (one line, exit 2)
        try:
            summary = (
                pipeline.ingest(setup, spec, path, wait_seconds=args.wait, replace=args.replace)
                if args.command == "ingest"
                else pipeline.validate(setup, spec, path)
            )
        except PerfreportError as exc:
            print(f"perfreport: error: {exc}", file=sys.stderr)
            refused += 1
            continue
        print_extract(summary)
        rejected += 0 if summary.already_loaded else summary.validation.rows_rejected
    return USER_ERROR_EXIT if refused else 1 if rejected else 0


def _loads(setup: Setup, args: argparse.Namespace) -> int:
    from perfreport.build import pipeline

    print_loads(pipeline.loads(setup))
    return 0


def _unload(setup: Setup, args: argparse.Namespace) -> int:
    from perfreport.build import pipeline

    print(pipeline.unload(setup, args.load_id, wait_seconds=args.wait).describe())
    return 0


def _prepare(setup: Setup, args: argparse.Namespace) -> int:
    from perfreport.build import pipeline

    summary = pipeline.prepare_results(setup, args.period)
    print(f"results: {summary.rows:,} rows in {summary.seconds:.1f} s")
    return 0


def _export(setup: Setup, args: argparse.Namespace) -> int:
    from perfreport.build import pipeline

    print(setup.project.relative(pipeline.export(setup, args.table, args.out)))
    return 0


def _run(setup: Setup, args: argparse.Namespace) -> int:
    if (args.cycle is None) == (not args.all):
        raise PerfreportError("parameter 'cycle': give one cycle id or --all (not both)")
    return _build(setup, args.cycle, args.period, args.area, args)


def _demo(setup: Setup, args: argparse.Namespace) -> int:
    from perfreport.build import pipeline

    pipeline.renderer_ready(args.renderer)  # before the demo data are loaded
    for path, summary in pipeline.load_demo(setup):
        print(f"demo data: {setup.project.relative(path)}")
        print(summary.describe())
    print(f"warehouse: {setup.project.relative(setup.project.warehouse)}")
    print(f"results: {pipeline.prepare_results(setup).rows:,} rows prepared")
    return _build(setup, None, None, [], args)


HANDLERS: dict[str, Callable[[Setup, argparse.Namespace], int]] = {
    "demo": _demo,
    "check": _check,
    "audit": _audit_site,
    "publish": _publish,
    "generate-demo": _generate_demo,
    "ingest": _extracts,
    "validate": _extracts,
    "loads": _loads,
    "unload": _unload,
    "export": _export,
    "prepare": _prepare,
    "run": _run,
}
"""What each command of :data:`COMMANDS` does."""


def _build(
    setup: Setup, cycle: str | None, period: str | None, areas: list[str], args: argparse.Namespace
) -> int:
    from perfreport.build import pipeline
    from perfreport.build.executors import choose

    executor = choose(args.jobs, args.scheduler, args.cluster, os.environ, args.connect_timeout)
    progress = Progress()
    try:
        results = pipeline.build(
            setup, cycle, period, areas, executor, progress, renderer=args.renderer
        )
    finally:
        progress.close()
    return print_results(results, setup)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
