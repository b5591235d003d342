"""Benchmark: ``perfreport prepare`` over the whole demo (every indicator, area and period since
April 2019); target under 10 s. Run by ``nox -s benchmark``; prints one JSON line, exits 1 on a miss."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_project import CLI, demo_project

TARGET_SECONDS = 10.0


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = demo_project(Path(tmp))
        run = CLI
        started = time.perf_counter()
        result = subprocess.run([*run, "prepare"], cwd=root, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
        print(
            json.dumps(
                {
                    "benchmark": "prepare",
                    "seconds": round(seconds, 2),
                    "target_seconds": TARGET_SECONDS,
                    "output": result.stdout.strip(),
                }
            )
        )
        return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
