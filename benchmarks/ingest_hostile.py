"""Benchmark: hostile CSVs are refused in seconds under 1 GB, beside plain ``pandas.read_csv``.

Three files, each checked by ``perfreport validate council_complaints`` in a child process
and read by plain ``pandas.read_csv(dtype=str)`` (the naive alternative) in another, with the
peak resident memory of each child (``os.wait4``):

- ``wide``: 10 MB, 1,000,001 columns by 5 rows (``a,a,a,…``), refused by ``max_columns``.
  The naive read of that file took 7.2 GB and 170 s in the hostile test, so pandas reads a
  tenth of it instead, ``wide_tenth`` (100,000 distinct column names, 5 rows, 1.7 MB), which
  perfreport also checks;
- ``long_cell``: one 100 MB cell, refused by ``max_cell_chars``;
- ``at_limits``: 10 MB of 1,000 columns, the widest file the default spec accepts, read whole.

The naive child runs under a 4 GB address-space limit and a 120 s timeout, so that it cannot
take the machine; a run it does not finish is reported as such. Run by ``nox -s benchmark``;
prints one JSON line per file and exits 1 if perfreport takes over 10 s or 1 GB on any of them,
or does not refuse a hostile file by the limit meant to refuse it.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0
TARGET_PEAK_MB = 1024.0
NAIVE_ADDRESS_SPACE = 4 * 1024**3
NAIVE_TIMEOUT_SECONDS = 120.0
SPEC = """\
name: council_complaints
format: csv
area: {column: Locality}
period: {column: Month, format: "%Y-%m", kind: month}
measures:
  - indicator: {id: L-COM-01}
    numerator: On time
    denominator: Complaints
"""
NAIVE = "import sys, pandas; pandas.read_csv(sys.argv[1], dtype=str, keep_default_na=False)"
HEADER = b"Month,Locality,Complaints,On time"
EXPECTED = {"wide": "(max_columns)", "wide_tenth": "(max_columns)", "long_cell": "(max_cell_chars)"}
"""The limit that must refuse each hostile file."""


def write_files(root: Path) -> dict[str, Path]:
    files = {
        name: root / f"{name}.csv" for name in ("wide", "wide_tenth", "long_cell", "at_limits")
    }
    files["wide"].write_bytes((b"a," * 1_000_000 + b"a\n") * 5)
    tenth = b",".join(b"c%d" % i for i in range(100_000)) + b"\n"
    files["wide_tenth"].write_bytes(tenth + (b"1," * 99_999 + b"1\n") * 5)
    files["long_cell"].write_bytes(
        HEADER + b",Note\n2025-01,CS-CLK,12,9," + b"n" * (100 * 1024 * 1024) + b"\n"
    )
    fillers = 1_000 - 4
    header = HEADER + b"".join(b",c%d" % i for i in range(fillers)) + b"\n"
    localities = (b"CS-CLK", b"CS-RST", b"CS-UST")
    rows = [header]
    size, i = len(header), 0
    while size < 10 * 1024 * 1024:
        year, month = divmod(i // 3, 12)
        row = b"%d-%02d,%s,12,9" % (2000 + year % 25, month + 1, localities[i % 3])
        row += b",1" * fillers + b"\n"
        rows.append(row)
        size, i = size + len(row), i + 1
    files["at_limits"].write_bytes(b"".join(rows))
    return files


def measured(command: list[str], cwd: Path, *, naive: bool) -> dict[str, object]:
    """Run ``command``; its exit status, seconds and peak resident MB (its own, not cumulative)."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (NAIVE_ADDRESS_SPACE, NAIVE_ADDRESS_SPACE))

    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if not naive else subprocess.DEVNULL,
        preexec_fn=cap if naive else None,
    )
    timer = None
    if naive:
        import threading

        timer = threading.Timer(NAIVE_TIMEOUT_SECONDS, proc.kill)
        timer.start()
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if timer:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    out: dict[str, object] = {
        "exit": proc.returncode,
        "seconds": round(seconds, 2),
        "peak_mb": round(usage.ru_maxrss / 1024),
    }
    if naive and proc.returncode != 0:
        out["note"] = (
            f"killed after {NAIVE_TIMEOUT_SECONDS:g} s"
            if seconds >= NAIVE_TIMEOUT_SECONDS
            else "failed (out of its 4 GB address space?)"
        )
    if stderr:
        out["message"] = stderr.strip()[:200]
    return out


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for folder in ("params", "notebooks"):
            shutil.copytree(REPO / folder, root / folder)
        (root / "params" / "sources" / "council_complaints.yaml").write_text(SPEC)
        files = write_files(root)
        for name, path in files.items():
            ours = measured(
                [sys.executable, "-m", "perfreport", "validate", "council_complaints", str(path)],
                root,
                naive=False,
            )
            ok &= ours["seconds"] < TARGET_SECONDS and ours["peak_mb"] < TARGET_PEAK_MB
            ok &= (
                ours["exit"] in (0, 1)
                if name == "at_limits"
                else ours["exit"] == 2 and EXPECTED[name] in str(ours.get("message"))
            )
            report = {
                "benchmark": "ingest_hostile",
                "file": name,
                "mb": round(path.stat().st_size / 1024**2, 1),
                "perfreport_validate": ours,
            }
            if name != "wide":  # a tenth of it stands in for the naive read (see the docstring)
                report["pandas_read_csv"] = measured(
                    [sys.executable, "-c", NAIVE, str(path)], root, naive=True
                )
            print(json.dumps(report), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
