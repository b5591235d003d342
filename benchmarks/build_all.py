"""Benchmark: building every demo report, against the naive pipeline on the same cores.

Everything is measured in one run, on the same machine, from the same prepared warehouse (a
throwaway copy of the project with the demo data, after ``perfreport prepare``):

- perfreport, cold: ``perfreport run --all --jobs N`` (N = the number of cores);
- the naive pipeline analysts script today: per report a small shell script running the
  ``papermill`` command, then ``jupyter nbconvert --to html --no-input``, then the ``weasyprint``
  command; run one after another (``xargs -P 1``) and with the same parallelism as perfreport
  (``xargs -P N``);
- a re-run with nothing changed: the median of 5 ``perfreport run --all``;
- a change to one area's data through the CLI: one observation of one locality revised
  (``perfreport ingest`` of a one-row extract, then ``perfreport prepare``); the run after it
  must rebuild exactly the reports that read that area (its locality report, and the annual
  report, which reads its partnership's localities);
- CPU seconds per report, per report type: each cycle's reports built again from nothing with
  ``perfreport run CYCLE --jobs 1``, the CPU time of the whole process tree (user + system, from
  ``getrusage(RUSAGE_CHILDREN)``; this process adopts orphaned kernels as a subreaper so none is
  missed), less that of a no-change run of the same cycle (start-up, cache check, site), divided
  by the reports built. It covers executing the notebook, the kernel's start, HTML and PDF, and
  the one worker's start-up shared among the cycle's reports (a cycle of one report carries all
  of it). For a cycle of several reports, also each report after the first: the cycle's CPU
  less that of building its first report alone, over the others (each one's own kernel, forked
  from the worker's fork server, its cells, HTML and PDF; no worker start-up). The same
  difference for the cold ``--all`` run (N workers) is printed for every report type together.

Targets: perfreport at least 3 times faster than the naive pipeline with ``xargs -P N`` and 6
times faster than it run serially; the no-change re-run under 1 s; the change rebuilds only
its reports; each locality report after the first under 2 CPU seconds. Run by ``nox -s benchmark``; prints a
table, then one JSON line; exits 1 on a miss.
"""

from __future__ import annotations

import csv
import ctypes
import json
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_project import CLI, demo_project

SPEEDUP_PARALLEL_TARGET = 3.0
SPEEDUP_SERIAL_TARGET = 6.0
RERUN_TARGET_SECONDS = 1.0
LOCALITY_CPU_TARGET_SECONDS = 2.0
RERUNS = 5
CHANGED_AREA = "CS-CLK"
CHANGED_INDICATOR = "L-ENG-01"
"""The observation revised: the latest quarter of one locality's indicator (a proportion)."""
BIN = Path(sys.executable).parent
PR_SET_CHILD_SUBREAPER = 36
BUILT = re.compile(r"^\s+outputs/(\S+)/report\.html\s+\(built in ")


def _log(message: str) -> None:
    print(f"build_all: {message}", file=sys.stderr, flush=True)


def _run(args: list[str], cwd: Path, stdin: str | None = None) -> tuple[float, str]:
    """Run ``args``; its wall seconds and standard output (stop the benchmark if it fails)."""
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, input=stdin)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def _adopt_orphans() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux), so that a kernel whose
    parent exited first still counts in RUSAGE_CHILDREN once reaped."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap(wait_seconds: float = 10.0) -> int:
    """Reap every adopted orphan, waiting up to ``wait_seconds`` for them to end; how many were
    still running then (none, unless a run leaves processes behind)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid == 0:
            if time.monotonic() > deadline:
                return _children()
            time.sleep(0.05)


def _children() -> int:
    """How many processes are this one's children."""
    me = str(os.getpid())
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            count += stat.read_text().rsplit(")", 1)[1].split()[1] == me
        except (OSError, IndexError):
            continue
    return count


def _cpu_run(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the whole process tree, and stray processes of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, _ = _run(args, cwd)
    strays = _reap()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, strays


def _naive_scripts(root: Path, reports: list[dict]) -> list[Path]:
    """One shell script per report, as an analyst would write it: ``sh SCRIPT OUT``."""
    folder = root / "naive"
    folder.mkdir()
    scripts = []
    for n, entry in enumerate(reports):
        params = entry["parameters"]
        run = shlex.quote
        executed = f'"$1"/{n}.ipynb'
        script = folder / f"{n}.sh"
        script.write_text(
            "set -e\n"
            f"{run(str(BIN / 'papermill'))} {run(entry['notebook'])} {executed}"
            f" -p area {run(params['area'])} -p period {run(params['period'])}"
            f" -p project {run(str(root))} -k python3\n"
            f"{run(str(BIN / 'jupyter'))} nbconvert --to html --no-input {executed}\n"
            f'{run(str(BIN / "weasyprint"))} "$1"/{n}.html "$1"/{n}.pdf\n'
        )
        scripts.append(script)
    return scripts


def naive(root: Path, scripts: list[Path], parallel: int) -> float:
    """Wall seconds of every report's script run by ``xargs -P parallel``."""
    out = root / f"naive-p{parallel}"
    out.mkdir()
    lines = "".join(f"{script} {out}\n" for script in scripts)
    seconds, _ = _run(["xargs", "-P", str(parallel), "-n", "2", "sh"], root, stdin=lines)
    return seconds


def _reading_parts(root: Path) -> set[str]:
    """The cycles whose reports read their body's parts (``reads: [..., parts]``): a change to
    one locality rebuilds every report of them (the annual report's localities table, the
    locality reports' funnel plots)."""
    from perfreport.config.cycles import load_cycles

    cycles = load_cycles(root / "params" / "cycles.yaml", root)
    return {c.id for c in cycles.items if "parts" in c.reads}


def rebuilt_by_a_change(root: Path, manifest: dict) -> dict:
    """Revise one observation of one locality through the CLI; which reports the next run
    rebuilds, against those that read that area."""
    source = root / "data" / "demo" / "observations.csv"
    rows = list(csv.DictReader(source.open(newline="")))
    row = max(
        (
            r
            for r in rows
            if (r["area_code"], r["indicator_id"], r["breakdown"])
            == (CHANGED_AREA, CHANGED_INDICATOR, "all")
        ),
        key=lambda r: r["period_start"],
    )
    numerator, denominator = int(row["numerator"]), int(row["denominator"])
    numerator += 1 if numerator < denominator else -1
    row = {**row, "numerator": str(numerator), "value": f"{100 * numerator / denominator:.6f}"}
    changed = root / "data" / "revision.csv"
    with changed.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    _run([*CLI, "ingest", "demo_observations", str(changed)], root)
    _run([*CLI, "prepare"], root)
    seconds, out = _run([*CLI, "run", "--all"], root)
    rebuilt = sorted(m.group(1) for line in out.splitlines() if (m := BUILT.match(line)))
    expected = sorted(
        key
        for key, entry in manifest.items()
        if entry["area"] == CHANGED_AREA or entry["cycle"] in _reading_parts(root)
    )
    return {"rebuilt": rebuilt, "expected": expected, "run_seconds": round(seconds, 1)}


def cpu_per_report(root: Path, manifest: dict) -> dict[str, dict]:
    """Per cycle: CPU seconds per report of building its reports from nothing with one worker,
    less a no-change run of the same cycle (reported too, per report: the cache check)."""
    found: dict[str, dict] = {}
    for cycle in sorted({entry["cycle"] for entry in manifest.values()}):
        entries = [e for e in manifest.values() if e["cycle"] == cycle]
        args = [*CLI, "run", cycle, "--period", entries[0]["period"], "--jobs", "1"]
        shutil.rmtree(root / "outputs" / cycle)
        _log(f"{cycle}: {len(entries)} reports from nothing, one worker")
        wall, cold, strays = _cpu_run(args, root)
        _, unchanged, more = _cpu_run(args, root)
        found[cycle] = {
            "reports": len(entries),
            "cpu_seconds_per_report": round((cold - unchanged) / len(entries), 2),
            "no_change_cpu_seconds_per_report": round(unchanged / len(entries), 2),
            "wall_seconds": round(wall, 1),
            "stray_processes": strays + more,
        }
        if len(entries) > 1:  # each report after the first: no worker start-up in it
            shutil.rmtree(root / "outputs" / cycle)
            _, first, most = _cpu_run([*args, "--area", entries[0]["area"]], root)
            found[cycle]["marginal_cpu_seconds_per_report"] = round(
                (cold - first) / (len(entries) - 1), 2
            )
            found[cycle]["stray_processes"] += most
            _cpu_run(args, root)  # the rest, so that the site is whole again
    return found


def measure(root: Path, workers: int) -> dict:
    """Every measurement, in order, on the project at ``root``."""
    _log("prepare")
    prepare, _ = _run([*CLI, "prepare"], root)
    _log(f"perfreport run --all --jobs {workers}, cold")
    every = [*CLI, "run", "--all", "--jobs", str(workers)]
    cold, cold_cpu, strays = _cpu_run(every, root)
    manifest = json.loads((root / "outputs" / "manifest.json").read_text())["reports"]
    _log(f"{RERUNS} no-change re-runs")
    reruns = [_cpu_run(every, root) for _ in range(RERUNS)]
    rerun_cpu = statistics.median(cpu for _, cpu, _ in reruns)
    scripts = _naive_scripts(root, list(manifest.values()))
    _log(f"the naive pipeline, serially ({len(scripts)} reports)")
    serial = naive(root, scripts, 1)
    _log(f"the naive pipeline, xargs -P {workers}")
    parallel = naive(root, scripts, workers)
    _log("one locality's data changed")
    change = rebuilt_by_a_change(root, manifest)
    cpu = cpu_per_report(root, manifest)
    return {
        "reports": len(manifest),
        "workers": workers,
        "prepare_seconds": round(prepare, 1),
        "perfreport_seconds": round(cold, 1),
        "naive_serial_seconds": round(serial, 1),
        "naive_parallel_seconds": round(parallel, 1),
        "speedup_vs_naive_parallel": round(parallel / cold, 2),
        "speedup_vs_naive_serial": round(serial / cold, 2),
        "cpu_seconds_per_report": round((cold_cpu - rerun_cpu) / len(manifest), 2),
        "no_change_rerun_seconds": round(statistics.median(wall for wall, _, _ in reruns), 2),
        "no_change_reruns": [round(wall, 2) for wall, _, _ in reruns],
        "change": change,
        "per_report_type": cpu,
        "stray_processes": strays
        + sum(n for _, _, n in reruns)
        + sum(t["stray_processes"] for t in cpu.values()),
    }


def misses(result: dict) -> list[str]:
    """Every target the result misses, one line each."""
    found = []
    if result["speedup_vs_naive_parallel"] < SPEEDUP_PARALLEL_TARGET:
        found.append(f"speedup against xargs -P N under {SPEEDUP_PARALLEL_TARGET}x")
    if result["speedup_vs_naive_serial"] < SPEEDUP_SERIAL_TARGET:
        found.append(f"speedup against the serial pipeline under {SPEEDUP_SERIAL_TARGET}x")
    if result["no_change_rerun_seconds"] >= RERUN_TARGET_SECONDS:
        found.append(f"no-change re-run not under {RERUN_TARGET_SECONDS} s")
    if result["change"]["rebuilt"] != result["change"]["expected"]:
        found.append("the change rebuilt other reports than those reading its area")
    locality = result["per_report_type"]["locality"]["marginal_cpu_seconds_per_report"]
    if locality >= LOCALITY_CPU_TARGET_SECONDS:
        found.append(f"a locality report takes {LOCALITY_CPU_TARGET_SECONDS} CPU seconds or more")
    if result["stray_processes"]:
        found.append("a run left processes running (their CPU time is not counted)")
    return found


def table(result: dict) -> str:
    """The result for a person to read."""
    n = result["workers"]
    lines = [
        f"{result['reports']} demo reports, {n} cores",
        f"  perfreport run --all --jobs {n} (cold)   {result['perfreport_seconds']:7.1f} s",
        f"  naive pipeline, xargs -P {n}              {result['naive_parallel_seconds']:7.1f} s"
        f"   {result['speedup_vs_naive_parallel']:.2f}x (target {SPEEDUP_PARALLEL_TARGET}x)",
        f"  naive pipeline, serially               {result['naive_serial_seconds']:7.1f} s"
        f"   {result['speedup_vs_naive_serial']:.2f}x (target {SPEEDUP_SERIAL_TARGET}x)",
        f"  CPU seconds per report in that run       {result['cpu_seconds_per_report']:7.2f}"
        " (less a no-change run's)",
        f"  no-change re-run (median of {RERUNS})        {result['no_change_rerun_seconds']:7.2f} s"
        f"   (target under {RERUN_TARGET_SECONDS} s)",
        f"  one locality's data changed: {len(result['change']['rebuilt'])} rebuilt,"
        f" {len(result['change']['expected'])} expected: {', '.join(result['change']['rebuilt'])}",
        "  CPU seconds per report, one worker: 'build' shares the worker's start-up among the"
        " cycle's reports; 'each more' is a report after the first (its own kernel, cells,"
        " HTML and PDF)",
        f"    {'type':10} {'reports':>7} {'build':>7} {'each more':>10} {'cache check':>12}",
    ]
    for cycle, row in result["per_report_type"].items():
        more = row.get("marginal_cpu_seconds_per_report")
        lines.append(
            f"    {cycle:10} {row['reports']:7} {row['cpu_seconds_per_report']:7.2f}"
            f" {'' if more is None else f'{more:.2f}':>10}"
            f" {row['no_change_cpu_seconds_per_report']:12.2f}"
        )
    lines.append(f"    (target: each more locality report under {LOCALITY_CPU_TARGET_SECONDS} s)")
    return "\n".join(lines)


def main() -> int:
    adopted = _adopt_orphans()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        _log("demo project")
        root = demo_project(Path(tmp))
        result = {"benchmark": "build every demo report", **measure(root, os.cpu_count() or 1)}
    result["orphans_adopted"] = adopted
    result["benchmark_seconds"] = round(time.perf_counter() - started)
    result["misses"] = misses(result)
    print(table(result))
    for miss in result["misses"]:
        print(f"  MISS: {miss}")
    print(json.dumps(result))
    return 1 if result["misses"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
