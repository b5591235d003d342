"""The set-up the benchmarks share: a throwaway copy of the project with the demo data loaded."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "perfreport"]


def demo_project(root: Path) -> Path:
    """Copy ``params/`` and ``notebooks/`` into ``root``, generate the demo data and ingest it."""
    for folder in ("params", "notebooks"):
        shutil.copytree(REPO / folder, root / folder)
    for args in (["generate-demo"], ["ingest", "demo_observations", "data/demo/observations.csv"]):
        subprocess.run([*CLI, *args], cwd=root, check=True, capture_output=True)
    return root
