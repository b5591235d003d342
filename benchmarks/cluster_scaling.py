"""Benchmark: the national locality batch built on this machine and on Dask clusters.

One project made by ``perfreport init --template national`` (every Scottish partnership and its
localities, invented data), loaded and prepared once; then, in the same run, the same batch
built cold (``outputs/`` removed before each) three ways:

- ``perfreport run CYCLE --jobs N``: the local worker pool, N = the number of cores;
- ``perfreport run CYCLE --cluster local:1``: a Dask LocalCluster of one worker process;
- ``perfreport run CYCLE --cluster local:2``: two worker processes.

For each: reports per minute (wall clock, start-up included) and the overhead per report, the
time not spent executing and rendering: (wall time × workers − the reports' own build times) ÷
reports, with the cluster's start-up (measured alone) taken off for the clusters. Expected
scaling: reports per minute ≈ workers × the one-worker rate while that overhead stays under 5%
of a report's time (on a machine with a core per worker).

Run by ``nox -s cluster_benchmark``; prints one JSON line per configuration, then a summary.
``--areas N`` builds the first N areas only (a quick look; the README's table is the batch).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-m", "perfreport"]
CYCLE = "locality"
BUILT = re.compile(r"\(built in ([\d.]+) s\)")
OVERHEAD_TARGET = 0.05


def _run(args: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-1000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def national_project(tmp: Path) -> Path:
    """A national project with its demo data loaded and prepared (no report built)."""
    root = tmp / "national"
    _run([*CLI, "init", str(root), "--template", "national"], tmp)
    _run([*CLI, "generate-demo"], root)
    _run([*CLI, "ingest", "demo_observations", "data/demo/observations.csv"], root)
    _run([*CLI, "prepare"], root)
    return root


def cluster_start_seconds(workers: int) -> float:
    """Starting a LocalCluster of ``workers`` processes, connecting and closing it."""
    code = (
        "from distributed import Client, LocalCluster\n"
        f"with LocalCluster(n_workers={workers}, threads_per_worker=1, processes=True, "
        "host='127.0.0.1', dashboard_address=None) as c, Client(c) as client:\n"
        f"    client.wait_for_workers({workers})\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def measure(root: Path, label: str, how: list[str], workers: int, areas: list[str]) -> dict:
    shutil.rmtree(root / "outputs", ignore_errors=True)
    chosen = [a for code in areas for a in ("--area", code)]
    wall, out = _run([*CLI, "run", CYCLE, *chosen, *how], root)
    seconds = [float(s) for s in BUILT.findall(out)]
    startup = cluster_start_seconds(workers) if "--cluster" in how else 0.0
    overhead = (wall * workers - sum(seconds) - startup * workers) / len(seconds)
    mean = sum(seconds) / len(seconds)
    return {
        "how": label,
        "workers": workers,
        "reports": len(seconds),
        "wall_seconds": round(wall, 1),
        "reports_per_minute": round(len(seconds) / wall * 60, 1),
        "mean_report_seconds": round(mean, 2),
        "startup_seconds": round(startup, 1),
        "overhead_per_report_seconds": round(overhead, 3),
        "overhead_share": round(overhead / mean, 3),
    }


def _areas(root: Path, limit: int | None) -> list[str]:
    """The areas to build: every one the cycle covers, or the first ``limit`` of them."""
    if limit is None:
        return []
    code = (
        "from perfreport.config.context import Context\n"
        "ctx = Context.load('.')\n"
        "from perfreport.config.cycles import load_cycles\n"
        f"cycle = load_cycles(ctx.project.cycles_file, ctx.project.root).get({CYCLE!r})\n"
        "print(' '.join(a.code for a in ctx.areas if cycle.covers(a.type)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, check=True, capture_output=True, text=True
    )
    return out.stdout.split()[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=None, help="build only the first N areas")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        root = national_project(Path(tmp))
        areas = _areas(root, args.areas)
        rows = [
            measure(root, f"local pool (--jobs {cores})", ["--jobs", str(cores)], cores, areas),
            measure(root, "LocalCluster, 1 worker", ["--cluster", "local:1"], 1, areas),
            measure(root, "LocalCluster, 2 workers", ["--cluster", "local:2"], 2, areas),
        ]
    for row in rows:
        print(json.dumps(row))
    one, two = rows[1], rows[2]
    print(
        json.dumps(
            {
                "scaling_2_over_1": round(two["reports_per_minute"] / one["reports_per_minute"], 2),
                "cluster_overhead_share_1_worker": one["overhead_share"],
                "overhead_target_share": OVERHEAD_TARGET,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
