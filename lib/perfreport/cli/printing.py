"""What the ``perfreport`` command prints: an audit's recoveries, an extract's warnings,
quarantined rows and summary, the list of loads, a run's progress bar and its summary."""

from __future__ import annotations

import sys
from numbers import Integral
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from perfreport.build.audit import AuditResult
    from perfreport.build.jobs import JobResult
    from perfreport.build.pipeline import Setup
    from perfreport.store.ingest import LoadSummary


def print_audit(result: AuditResult) -> int:
    for recovery in result.recoveries:
        print(f"recovered: {recovery.describe()}")
    skipped = (
        f"; not audited (disclosure control off): {', '.join(result.skipped)}"
        if result.skipped
        else ""
    )
    print(
        f"audit: {result.reports} controlled reports, {result.suppressed:,} suppressed figures, "
        f"{len(result.recoveries)} recovered{skipped}"
    )
    return 1 if result.recoveries else 0


QUARANTINE_SHOWN = 10


def print_extract(summary: LoadSummary) -> None:
    """A file's warnings (stderr), its first quarantined rows, then its one summary line."""
    if not summary.already_loaded:
        for warning in summary.validation.warnings:
            print(f"perfreport: warning: {summary.source_file}: {warning}", file=sys.stderr)
        rows = summary.validation.quarantine
        for row in rows.head(QUARANTINE_SHOWN).itertuples():
            print(f"  row {row.row_number}: {row.reasons}")
        if len(rows) > QUARANTINE_SHOWN:
            where = (
                "ingest the file, then: perfreport export quarantine --out quarantine.csv"
                if summary.load_id is None
                else "perfreport export quarantine --out quarantine.csv"
            )
            print(f"  … and {len(rows) - QUARANTINE_SHOWN:,} more ({where})")
    print(summary.describe())


LOADS_HEADINGS = {
    "load_id": "load",
    "spec": "spec",
    "source_file": "file",
    "loaded_at": "loaded (UTC)",
    "rows_read": "read",
    "rows_accepted": "accepted",
    "rows_rejected": "quarantined",
    "rows_filtered": "filtered",
    "observations_written": "written",
    "observations_revised": "revised",
    "unloaded_at": "unloaded",
}
"""The columns ``perfreport loads`` prints, and their headings."""


def print_loads(frame: pd.DataFrame) -> None:
    """One row per load, in aligned columns (numbers to the right)."""
    if frame.empty:
        print("no loads yet: 'perfreport ingest SPEC FILE' loads an extract")
        return
    cells = [list(LOADS_HEADINGS.values())]
    for row in frame.itertuples(index=False):
        cells.append([_cell(getattr(row, c)) for c in LOADS_HEADINGS])
    widths = [max(len(r[i]) for r in cells) for i in range(len(LOADS_HEADINGS))]
    numeric = [c.startswith(("rows_", "observations_", "load_id")) for c in LOADS_HEADINGS]
    for r in cells:
        line = "  ".join(
            t.rjust(w) if right else t.ljust(w)
            for t, w, right in zip(r, widths, numeric, strict=True)
        )
        print(line.rstrip())


def _cell(value: object) -> str:
    import pandas as pd

    if pd.isna(value):  # type: ignore[call-overload]
        return "-"
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d %H:%M"))
    return f"{value:,}" if isinstance(value, Integral) else str(value)


class Progress:
    """A progress bar on a terminal; nothing per job otherwise (the summary says it all)."""

    def __init__(self) -> None:
        self._bar = None
        if sys.stdout.isatty():
            from tqdm import tqdm

            self._bar = tqdm(desc="reports", unit="report", leave=False)

    def __call__(self, result: JobResult) -> None:
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix_str(result.key, refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def print_results(results: list[JobResult], setup: Setup) -> int:
    failed = [r for r in results if not r.ok]
    root = setup.project.root
    cached = sum(r.cached for r in results)
    print(
        f"{len(results) - len(failed)} of {len(results)} reports built"
        + (f" ({cached} unchanged, not rebuilt)" if cached else "")
    )
    for r in results:
        if r.ok:
            state = "unchanged" if r.cached else f"built in {r.seconds:.1f} s"
            print(f"  {(r.output / 'report.html').relative_to(root)}  ({state})")
    if any(r.ok for r in results):
        print(f"site: {setup.project.relative(setup.project.outputs / 'index.html')}")
    for r in failed:
        print(
            f"  failed: {r.key}: {r.error} "
            f"({'notebook' if (r.output / 'notebook.ipynb').is_file() else 'error'} kept in "
            f"{r.output.relative_to(root)})",
            file=sys.stderr,
        )
    return 1 if failed else 0
