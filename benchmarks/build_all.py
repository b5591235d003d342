"""Benchmark: a cold build of every demo report against the naive pipeline, and a no-change re-run.

Both build the same reports (every cycle, its latest complete period, every area) from the same
prepared warehouse, on the same machine, in the same run:

- perfreport: ``perfreport run --all`` (worker processes, one per core; HTML and PDF rendered in
  the worker);
- the naive pipeline analysts script today, one report after another: the ``papermill`` command,
  then ``jupyter nbconvert --to html --no-input``, then the ``weasyprint`` command.

Targets: perfreport at least 3 times faster; a second ``perfreport run --all`` with nothing
changed under 2 seconds. Run by ``nox -s benchmark``; prints one JSON line, exits 1 on a miss.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_project import CLI, demo_project

SPEEDUP_TARGET = 3.0
RERUN_TARGET_SECONDS = 2.0
BIN = Path(sys.executable).parent


def _run(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def naive(root: Path, reports: list[dict]) -> float:
    """Each report by the three command-line tools, one after another."""
    out = root / "naive"
    started = time.perf_counter()
    for n, entry in enumerate(reports):
        executed = out / f"{n}.ipynb"
        out.mkdir(exist_ok=True)
        params = entry["parameters"]
        _run(
            [
                str(BIN / "papermill"),
                entry["notebook"],
                str(executed),
                "-p", "area", params["area"],
                "-p", "period", params["period"],
                "-p", "project", str(root),
                "-k", "python3",
            ],
            root,
        )  # fmt: skip
        _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], root)
        _run([str(BIN / "weasyprint"), str(executed.with_suffix(".html")), str(executed.with_suffix(".pdf"))], root)  # fmt: skip
    return time.perf_counter() - started


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = demo_project(Path(tmp))
        cli = CLI
        _run([*cli, "prepare"], root)
        workers = os.cpu_count() or 1
        cold = _run([*cli, "run", "--all", "--jobs", str(workers)], root)
        rerun = _run([*cli, "run", "--all", "--jobs", str(workers)], root)
        manifest = json.loads((root / "outputs" / "manifest.json").read_text())
        reports = list(manifest["reports"].values())
        slow = naive(root, reports)
        result = {
            "benchmark": "build every demo report",
            "reports": len(reports),
            "workers": workers,
            "perfreport_seconds": round(cold, 1),
            "naive_seconds": round(slow, 1),
            "speedup": round(slow / cold, 2),
            "speedup_target": SPEEDUP_TARGET,
            "no_change_rerun_seconds": round(rerun, 2),
            "rerun_target_seconds": RERUN_TARGET_SECONDS,
        }
        print(json.dumps(result))
        return 0 if slow / cold >= SPEEDUP_TARGET and rerun < RERUN_TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
