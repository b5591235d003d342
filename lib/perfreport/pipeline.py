"""The steps the command line strings together: demo data, warehouse load, report runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport import __version__
from perfreport.cycles import Cycles, load_cycles
from perfreport.errors import PerfreportError
from perfreport.periods import Period, parse_period
from perfreport.reports.context import ReportContext
from perfreport.runner import JobResult, plan, run
from perfreport.warehouse import DEFAULT_WAIT_SECONDS, connect, latest_month, results_current

if TYPE_CHECKING:
    from perfreport.ingest import LoadSummary, SourceSpec
    from perfreport.prepare import PrepareSummary
    from perfreport.project_check import CheckSummary

# The demo generator, ingestion, exports and prepare (which loads SciPy) are imported where
# they are used, so that a run whose reports are all cached starts quickly.


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
    from perfreport.demo import load_demo_settings, write_demo

    settings = load_demo_settings(setup.project.demo_file, setup.catalogue, setup.areas)
    return write_demo(settings, setup.catalogue, setup.areas, folder or setup.project.demo_data)


def source_spec(setup: Setup, name_or_path: str | Path) -> SourceSpec:
    """A spec by name (``params/sources/<name>.yaml``) or by path."""
    from perfreport.ingest import load_spec

    path = Path(name_or_path)
    if not path.suffix:
        path = setup.project.sources / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in setup.project.sources.glob("*.yaml")))
        raise PerfreportError(f"source spec {str(name_or_path)!r} not found; known specs: {known}")
    return load_spec(path)


def ingest(
    setup: Setup, spec: SourceSpec, path: Path, *, wait_seconds: float = DEFAULT_WAIT_SECONDS
) -> LoadSummary:
    """Check ``path`` and load it into the warehouse in one transaction."""
    from perfreport.ingest import ingest_file

    return ingest_file(
        setup.project.warehouse, path, spec, setup.catalogue, setup.areas, wait_seconds=wait_seconds
    )


def validate(setup: Setup, spec: SourceSpec, path: Path) -> LoadSummary:
    """Check ``path`` as ``ingest`` would, without writing anything."""
    from perfreport.ingest import LoadSummary, check_file

    return LoadSummary(path.name, check_file(path, spec, setup.catalogue, setup.areas))


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
    cycle_id: str | None,
    period_text: str | None,
    areas: Sequence[str],
    workers: int,
    on_done: Callable[[JobResult], None] | None = None,
) -> list[JobResult]:
    """Build every report of a cycle for a period (default: the latest complete one in the
    data); ``cycle_id`` None builds every cycle, each for its latest complete period."""
    if cycle_id is None and (period_text or areas):
        raise PerfreportError(
            "parameter '--all': builds every cycle for its latest complete period and every "
            "area; leave out --period and --area"
        )
    cycles = setup.cycles.items if cycle_id is None else (setup.cycles.get(cycle_id),)
    if not results_current(setup.project.warehouse, __version__):
        prepare_results(setup)
    jobs = []
    for cycle in cycles:
        period = (
            parse_period(period_text, what="parameter '--period':")
            if period_text
            else latest_complete(setup, cycle.period)
        )
        jobs += plan(setup.project, cycle, period, setup.areas, setup.cycles.organisation, areas)
    return run(jobs, workers, on_done)


def check(setup: Setup) -> CheckSummary:
    """Load and cross-check every params file (``perfreport check``); see
    :func:`perfreport.project_check.check_project`."""
    from perfreport.project_check import check_project

    return check_project(setup)


def export(setup: Setup, table: str, out: Path) -> Path:
    """Write a warehouse table to ``out`` (.csv or .xlsx), with text made formula-safe."""
    from perfreport.exports import TABLES, write_table

    if table not in TABLES:
        raise PerfreportError(
            f"table {table!r} cannot be exported; choose one of {', '.join(TABLES)}"
        )
    with connect(setup.project.warehouse, read_only=True) as con:
        frame = con.execute(f"SELECT * FROM {table}").df()
    return write_table(frame, out)


def prepare_results(setup: Setup, period_text: str | None = None) -> PrepareSummary:
    """Compute the results table (``perfreport prepare``) up to a period (default: all data)."""
    from perfreport.prepare import prepare

    until = parse_period(period_text, what="parameter '--period':") if period_text else None
    return prepare(setup, setup.plans(), setup.rag_settings(), until)
