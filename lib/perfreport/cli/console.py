"""The ``perfreport`` command's entry point: Ctrl-C at any moment is one line, never a
traceback, even while Python is still loading the package or a query is running."""

from __future__ import annotations

import signal
import sys

INTERRUPTED = 128 + signal.SIGINT


def main() -> int:
    try:
        from perfreport.build.deferred import defer
        from perfreport.build.threads import one_thread_each

        one_thread_each()  # before numpy is imported
        defer()  # before jsonschema is
        from perfreport.cli.commands import main as run

        return run()
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as exc:  # DuckDB turns Ctrl-C during a query into its own error
        if type(exc).__name__ == "InterruptException" or str(exc) == "Query interrupted":
            return _interrupted()
        raise


def _interrupted() -> int:
    print("perfreport: interrupted by SIGINT", file=sys.stderr)
    return INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
