"""Benchmark: hostile CSVs are refused, and the worst valid files ingested, under 1 GB.

Each file is ingested by ``perfreport ingest council_complaints`` into a fresh warehouse in a
child process and read by plain ``pandas.read_csv(dtype=str)`` (the naive alternative) in
another, with the peak resident memory of each child (``os.wait4``, ``ru_maxrss``):

- ``wide``: 10 MB, 1,000,001 columns by 5 rows (``a,a,a,…``), refused by ``max_columns``.
  The naive read of that file took 7.2 GB and 170 s in the hostile test, so pandas reads a
  tenth of it instead, ``wide_tenth`` (100,000 distinct column names, 5 rows, 1.7 MB), which
  perfreport also checks;
- ``long_cell``: one cell just under the default ``max_size_mb`` (an unclosed quote that
  swallowed the file), refused by ``max_cell_chars``;
- ``dense_1char`` and ``dense_empty``: the densest valid files, just under the default
  ``max_size_mb``: 1,000 columns (the default ``max_columns``) of 1-character or empty cells,
  every row quarantined (as a duplicate), so every row's raw cells are kept; the empty cells
  are the worse (more cells per MB, each repeating its column name in the raw JSON);
- ``short_rows``: 10 MB of the shortest rows (``1,X,a,b``, 8 bytes: 1,310,000 rows, each
  quarantined with five reasons; 2 GB and 60 s before the row limit), refused by ``max_rows``;
  ``short_rows_limit`` is the default row limit (250,000) of them, ingested: the shape the
  default ``ROWS_PER_MB`` is measured on;
- ``parquet_bomb``: 2,000,000 rows of four dictionary-encoded columns in about 40 KB of Parquet
  (3.6 GB in the hostile test), refused from its footer by ``max_rows``; plain
  ``pandas.read_parquet`` and ``pyarrow.parquet.read_table`` read it beside perfreport;
  ``parquet_limit`` is 250,000 of the short rows as Parquet, ingested;
- ``long_thin``: the demo's long layout (``benchmarks/ingest_million.py``) just under the
  default ``max_size_mb``, every row accepted, under ``demo_observations``.

The naive child runs under a 4 GB address-space limit and a 120 s timeout, so that it cannot
take the machine; a run it does not finish is reported as such. Run by ``nox -s benchmark``
(``python benchmarks/ingest_hostile.py parquet_bomb short_rows`` runs only the files named);
prints one JSON line per file and exits 1 if perfreport takes over 10 s or 1 GB on any of them
(60 s for the files of 250,000 quarantined rows, which are checked for memory), does not refuse
a hostile file by the limit meant to refuse it, or refuses a valid one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from perfreport.store.ingest.spec import DEFAULT_MAX_COLUMNS, DEFAULT_MAX_SIZE_MB

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest_million  # the long thin demo shape

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
PARQUET_SPEC = SPEC.replace("name: council_complaints", "name: complaints_parquet").replace(
    "format: csv", "format: parquet"
)
NAIVE = "import sys, pandas; pandas.read_csv(sys.argv[1], dtype=str, keep_default_na=False)"
NAIVE_PARQUET = {
    "pandas_read_parquet": "import sys, pandas; pandas.read_parquet(sys.argv[1])",
    "pyarrow_read_table": "import sys, pyarrow.parquet as pq; pq.read_table(sys.argv[1])",
}
HEADER = b"Month,Locality,Complaints,On time"
EXPECTED = {
    "wide": "(max_columns)",
    "wide_tenth": "(max_columns)",
    "long_cell": "(max_cell_chars)",
    "short_rows": "(max_rows",
    "parquet_bomb": "(max_rows",
}
"""The limit that must refuse each hostile file (exit 2); the others must be ingested."""
QUARANTINED = {"dense_1char", "dense_empty", "short_rows_limit", "parquet_limit"}
"""The files ingested with every row quarantined: ``perfreport ingest`` exits 1 for them (the
others exit 0)."""
SLOW_SECONDS = {"short_rows_limit": 60.0, "parquet_limit": 60.0}
"""Time allowed the files of 250,000 quarantined rows (five reasons each), there for memory."""
SHORT_ROW = b"1,X,a,b\n"
BOMB_ROWS = 2_000_000
LIMIT_BYTES = int(DEFAULT_MAX_SIZE_MB * 1024 * 1024)
DEMO_ROW_BYTES = 60
"""About how long a row of the demo's long layout is (the million rows are 60 MB)."""


def write_files(root: Path) -> dict[str, Path]:
    files = {
        name: root / f"{name}.csv"
        for name in ("wide", "wide_tenth", "long_cell", "dense_1char", "dense_empty")
    }
    files["wide"].write_bytes((b"a," * 1_000_000 + b"a\n") * 5)
    tenth = b",".join(b"c%d" % i for i in range(100_000)) + b"\n"
    files["wide_tenth"].write_bytes(tenth + (b"1," * 99_999 + b"1\n") * 5)
    files["long_cell"].write_bytes(
        HEADER + b",Note\n2025-01,CS-CLK,12,9," + b"n" * (LIMIT_BYTES - 1024) + b"\n"
    )
    files["dense_1char"].write_bytes(dense(b"1"))
    files["dense_empty"].write_bytes(dense(b""))
    files["short_rows"] = root / "short_rows.csv"
    files["short_rows"].write_bytes(
        HEADER + b"\n" + SHORT_ROW * (LIMIT_BYTES // len(SHORT_ROW) - 5)
    )
    files["short_rows_limit"] = root / "short_rows_limit.csv"
    files["short_rows_limit"].write_bytes(HEADER + b"\n" + SHORT_ROW * limits().row_limit)
    files["parquet_bomb"] = parquet(
        root / "parquet_bomb.parquet", ("2025-01", "CS-CLK", "12", "9"), BOMB_ROWS
    )
    files["parquet_limit"] = parquet(
        root / "parquet_limit.parquet", ("1", "X", "a", "b"), limits().row_limit
    )
    return files


def limits():
    """The default limits, as a spec that sets none has them."""
    from perfreport.store.ingest.spec import SourceSpec

    return SourceSpec.model_validate(yaml.safe_load(SPEC))


def parquet(path: Path, row: tuple[str, ...], rows: int) -> Path:
    """``rows`` copies of ``row``, each column dictionary-encoded: kilobytes for any ``rows``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = HEADER.decode().split(",")
    indices = pa.array(np.zeros(rows, dtype=np.int32))
    columns = [pa.DictionaryArray.from_arrays(indices, [value]) for value in row]
    pq.write_table(pa.table(dict(zip(names, columns, strict=True))), path, compression="zstd")
    return path


def dense(cell: bytes) -> bytes:
    """Rows of ``DEFAULT_MAX_COLUMNS`` columns, the fillers ``cell``, up to the default limit.

    Three localities by 300 months repeat, so every row after the first 900 is a duplicate
    (and so are those 900: each has later copies); all are quarantined.
    """
    fillers = DEFAULT_MAX_COLUMNS - 4
    header = HEADER + b"".join(b",c%d" % i for i in range(fillers)) + b"\n"
    localities = (b"CS-CLK", b"CS-RST", b"CS-UST")
    rows = [header]
    size, i = len(header), 0
    while True:
        year, month = divmod(i // 3, 12)
        row = b"%d-%02d,%s,12,9" % (2000 + year % 25, month + 1, localities[i % 3])
        row += (b"," + cell) * fillers + b"\n"
        if size + len(row) > LIMIT_BYTES:
            return b"".join(rows)
        rows.append(row)
        size, i = size + len(row), i + 1


LAUNCHER = """
import json, os, resource, subprocess, sys, threading, time
limit, timeout, command = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
started = time.perf_counter()
proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
timer = threading.Timer(timeout, proc.kill) if timeout else None
if timer:
    timer.start()
stderr = proc.stderr.read().decode(errors="replace")
_, status, usage = os.wait4(proc.pid, 0)
if timer:
    timer.cancel()
print(json.dumps({"exit": os.waitstatus_to_exitcode(status), "seconds": time.perf_counter()
    - started, "maxrss_kb": usage.ru_maxrss, "stderr": stderr.strip()[:400]}))
"""
"""Runs one command and reports its peak. Linux carries a parent's peak resident memory into a
child it forks (``ru_maxrss`` survives ``exec``), so the benchmark, which holds the files it
wrote, starts each command from this small launcher rather than itself."""


def measured(command: list[str], cwd: Path, *, naive: bool) -> dict[str, object]:
    """Run ``command``; its exit status, seconds and peak resident MB (its own, not cumulative)."""
    limit, timeout = (NAIVE_ADDRESS_SPACE, NAIVE_TIMEOUT_SECONDS) if naive else (0, 0)
    launched = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(limit), str(timeout), *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    run = json.loads(launched.stdout)
    out: dict[str, object] = {
        "exit": run["exit"],
        "seconds": round(run["seconds"], 2),
        "peak_mb": round(run["maxrss_kb"] / 1024),
    }
    if naive and run["exit"] != 0:
        out["note"] = (
            f"killed after {NAIVE_TIMEOUT_SECONDS:g} s"
            if run["seconds"] >= NAIVE_TIMEOUT_SECONDS
            else "failed (out of its 4 GB address space?)"
        )
    if run["stderr"] and not naive:
        out["message"] = run["stderr"]
    return out


def perfreport_ingest(root: Path, spec: str, path: Path) -> dict[str, object]:
    """``perfreport ingest`` into a fresh warehouse, measured."""
    (root / "data" / "warehouse.duckdb").unlink(missing_ok=True)
    return measured(
        [sys.executable, "-m", "perfreport", "ingest", spec, str(path)], root, naive=False
    )


def report(name: str, path: Path, ours: dict[str, object], root: Path) -> dict[str, object]:
    out = {
        "benchmark": "ingest_hostile",
        "file": name,
        "mb": round(path.stat().st_size / 1024**2, 3),
        "perfreport_ingest": ours,
    }
    if path.suffix == ".parquet":
        for reader, code in NAIVE_PARQUET.items():
            out[reader] = measured([sys.executable, "-c", code, str(path)], root, naive=True)
    elif name != "wide":  # a tenth of it stands in for the naive read (see the docstring)
        out["pandas_read_csv"] = measured(
            [sys.executable, "-c", NAIVE, str(path)], root, naive=True
        )
    return out


def within_targets(ours: dict[str, object], name: str = "") -> bool:
    seconds = SLOW_SECONDS.get(name, TARGET_SECONDS)
    return ours["seconds"] < seconds and ours["peak_mb"] < TARGET_PEAK_MB


def main(only: list[str]) -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "hostile"
        root.mkdir()
        for folder in ("params", "notebooks"):
            shutil.copytree(REPO / folder, root / folder)
        (root / "params" / "sources" / "council_complaints.yaml").write_text(SPEC)
        (root / "params" / "sources" / "complaints_parquet.yaml").write_text(PARQUET_SPEC)
        for name, path in write_files(root).items():
            if only and name not in only:
                continue
            spec = "complaints_parquet" if path.suffix == ".parquet" else "council_complaints"
            ours = perfreport_ingest(root, spec, path)
            ok &= within_targets(ours, name)
            ok &= (
                ours["exit"] == 2 and EXPECTED[name] in str(ours.get("message"))
                if name in EXPECTED
                else ours["exit"] == (1 if name in QUARANTINED else 0)
            )
            print(json.dumps(report(name, path, ours, root)), flush=True)
        if only and "long_thin" not in only:
            return 0 if ok else 1
        thin = Path(tmp) / "long_thin"
        thin.mkdir()
        path = ingest_million.build(thin, rows=LIMIT_BYTES // DEMO_ROW_BYTES)
        while path.stat().st_size > LIMIT_BYTES:  # trim to just under the default limit
            lines = path.read_bytes().splitlines(keepends=True)
            path.write_bytes(b"".join(lines[: len(lines) * 99 // 100]))
        ours = perfreport_ingest(thin, "demo_observations", path)
        ok &= within_targets(ours) and ours["exit"] == 0
        print(json.dumps(report("long_thin", path, ours, thin)), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
