"""Benchmark: ingest one million rows of the demo shape; target under 30 s and under 2 GB peak.

Builds a throwaway project whose partnership has enough synthetic localities for the demo's
locality rows, copied under each new code, to make a million rows; then times
``perfreport ingest demo_observations`` in a child process and reads its peak resident memory.
Run by ``nox -s benchmark``; prints one JSON line and exits 1 if a target is missed.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROWS = 1_000_000
TARGET_SECONDS = 30.0
TARGET_PEAK_MB = 2048.0
REPO = Path(__file__).resolve().parents[1]
MAX_SIZE_MB = 100
"""The million rows are 60 MB, over the default limit (10 MB): long thin files cost about
10 MB of memory per MB (see ``perfreport.store.ingest.spec.DEFAULT_MAX_SIZE_MB``), so the spec raises it."""


def build(root: Path, rows: int = ROWS) -> Path:
    for folder in ("params", "notebooks"):
        shutil.copytree(REPO / folder, root / folder)
    spec = root / "params" / "sources" / "demo_observations.yaml"
    spec.write_text(spec.read_text() + f"max_size_mb: {MAX_SIZE_MB}\n")
    subprocess.run(
        [sys.executable, "-m", "perfreport", "generate-demo"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    demo = pd.read_csv(
        root / "data" / "demo" / "observations.csv", dtype=str, keep_default_na=False
    )
    template = demo[demo.area_code == "CS-CLK"]
    copies = -(-rows // len(template))
    codes = [f"BM-{i:04d}" for i in range(copies)]
    areas = yaml.safe_load((root / "params" / "areas.yaml").read_text())
    areas["areas"] += [
        {
            "code": c,
            "name": f"Benchmark locality {c}",
            "type": "locality",
            "parent": "S37000005",
            "slug": c.lower(),
        }
        for c in codes
    ]
    (root / "params" / "areas.yaml").write_text(yaml.safe_dump(areas, sort_keys=False))
    big = pd.concat([template.assign(area_code=c) for c in codes], ignore_index=True).head(rows)
    path = root / "million.csv"
    big.to_csv(path, index=False)
    return path


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = build(root)
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "perfreport", "ingest", "demo_observations", str(path)],
            cwd=root,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
        report = {
            "benchmark": "ingest",
            "rows": ROWS,
            "seconds": round(seconds, 2),
            "peak_mb": round(peak_mb),
            "target_seconds": TARGET_SECONDS,
            "target_peak_mb": TARGET_PEAK_MB,
            "output": result.stdout.strip(),
        }
        print(json.dumps(report))
        return 0 if seconds < TARGET_SECONDS and peak_mb < TARGET_PEAK_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
