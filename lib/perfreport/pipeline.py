"""The steps the command line strings together: demo data, warehouse load, report runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from perfreport.cycles import Cycles, load_cycles
from perfreport.demo import load_demo_settings, write_demo
from perfreport.errors import PerfreportError
from perfreport.periods import Period, parse_period
from perfreport.reports.context import ReportContext
from perfreport.runner import JobResult, plan, run
from perfreport.warehouse import connect, latest_month, load_observations_csv, sync_areas


@dataclass(frozen=True)
class Setup(ReportContext):
    """A project with its validated configuration, cycles included."""

    cycles: Cycles

    @classmethod
    def load(cls, root: str | Path | None = None) -> Setup:
        ctx = ReportContext.load(root)
        cycles = load_cycles(ctx.project.cycles_file, ctx.project.root)
        return cls(ctx.project, ctx.catalogue, ctx.areas, cycles)


def generate_demo(setup: Setup, folder: Path | None = None) -> Path:
    """Write the demo observations CSV; returns its path."""
    settings = load_demo_settings(setup.project.demo_file, setup.catalogue, setup.areas)
    return write_demo(settings, setup.catalogue, setup.areas, folder or setup.project.demo_data)


def load_csv(setup: Setup, path: Path) -> int:
    """Load an observations CSV into the warehouse (areas refreshed first); returns the load id."""
    with connect(setup.project.warehouse) as con:
        sync_areas(con, setup.areas)
        return load_observations_csv(con, path, setup.catalogue, setup.areas)


def latest_complete(setup: Setup, kind: str) -> Period:
    """The latest period of ``kind`` whose last day the warehouse's data reach."""
    with connect(setup.project.warehouse, read_only=True) as con:
        last = latest_month(con)
    if last is None:
        raise PerfreportError(f"{setup.project.warehouse}: the warehouse holds no observations")
    period = Period.containing(kind, last)  # type: ignore[arg-type]
    return period if period.end <= last else period.previous()


def build(
    setup: Setup,
    cycle_id: str,
    period_text: str | None,
    areas: Sequence[str],
    workers: int,
    on_done: Callable[[JobResult], None] | None = None,
) -> list[JobResult]:
    """Build every report of a cycle for a period (default: the latest complete one)."""
    cycle = setup.cycles.get(cycle_id)
    period = (
        parse_period(period_text, what="parameter '--period':")
        if period_text
        else latest_complete(setup, cycle.period)
    )
    jobs = plan(setup.project, cycle, period, setup.areas, setup.cycles.organisation, areas)
    return run(jobs, workers, on_done)
