"""The steps the command line strings together: demo data, warehouse load, report runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport import __version__
from perfreport.assess.results import disclosed_current
from perfreport.build.audit import AuditResult, audit_before_publishing, audit_site
from perfreport.build.jobs import JobResult, plan
from perfreport.build.runner import run
from perfreport.config.context import Setup
from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period, parse_period
from perfreport.store.warehouse import (
    DEFAULT_WAIT_SECONDS,
    connect,
    latest_month,
    results_current,
    scalar,
)

if TYPE_CHECKING:
    from perfreport.assess.prepare import PrepareSummary
    from perfreport.build.project_check import CheckSummary
    from perfreport.build.publish import Published
    from perfreport.store.ingest import LoadSummary, SourceSpec

PERIOD_PARAMETER = "parameter '--period':"

# The demo generator, ingestion, exports and prepare (which loads SciPy) are imported where
# they are used, so that a run whose reports are all cached starts quickly.


def generate_demo(setup: Setup, folder: Path | None = None) -> Path:
    """Write the demo observations CSV; returns its path."""
    from perfreport.config.demo import load_demo_settings
    from perfreport.store.demo import write_demo

    settings = load_demo_settings(setup.project.demo_file, setup.catalogue, setup.areas)
    return write_demo(settings, setup.catalogue, setup.areas, folder or setup.project.demo_data)


def source_spec(setup: Setup, name_or_path: str | Path) -> SourceSpec:
    """A spec by name (``params/sources/<name>.yaml``) or by path."""
    from perfreport.store.ingest import load_spec

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
    from perfreport.store.ingest import ingest_file

    return ingest_file(
        setup.project.warehouse, path, spec, setup.catalogue, setup.areas, wait_seconds=wait_seconds
    )


def validate(setup: Setup, spec: SourceSpec, path: Path) -> LoadSummary:
    """Check ``path`` as ``ingest`` would, without writing anything."""
    from perfreport.store.ingest import LoadSummary, check_file

    return LoadSummary(path.name, check_file(path, spec, setup.catalogue, setup.areas))


@dataclass(frozen=True)
class DataSpan:
    """The days the warehouse's observations cover: the first day of the earliest period and
    the last day of the latest."""

    first: date
    last: date

    @property
    def description(self) -> str:
        """``'April 2019 to March 2025'``."""
        return f"{_month_of(self.first)} to {_month_of(self.last)}"

    def check(self, period: Period, text: str, what: str = PERIOD_PARAMETER) -> Period:
        """``period`` if the data cover it whole; otherwise a one-line user error naming the range.

        >>> span = DataSpan(date(2019, 4, 1), date(2025, 3, 31))
        >>> span.check(parse_period("2019-01"), "2019-01")
        Traceback (most recent call last):
        perfreport.errors.PerfreportError: parameter '--period': 2019-01 is before the first data (April 2019); the data cover April 2019 to March 2025
        """
        if period.start < self.first:
            where = "is before" if period.end < self.first else "starts before"
            problem = f"{where} the first data ({_month_of(self.first)})"
        elif period.end > self.last:
            where = "is after" if period.start > self.last else "ends after"
            problem = f"{where} the latest data ({_month_of(self.last)})"
        else:
            return period
        raise PerfreportError(f"{what} {text} {problem}; the data cover {self.description}")


def _month_of(day: date) -> str:
    return Period.containing("month", day).label


def data_span(setup: Setup, area_types: Sequence[str] = ()) -> DataSpan:
    """The span of the warehouse's observations (a user error when it holds none): of the
    areas of ``area_types`` where given (a cycle reports on its own areas' data, whatever
    later figures Scotland's extract carries)."""
    codes = [a.code for a in setup.areas if a.type in area_types]
    with connect(setup.project.warehouse, read_only=True) as con:
        if area_types:
            marks = ", ".join("?" * len(codes)) or "NULL"
            first, last = con.execute(
                "SELECT min(period_start), max(period_end) FROM observations "
                f"WHERE area_code IN ({marks})",
                codes,
            ).fetchone()
        else:
            first = scalar(con, "SELECT min(period_start) FROM observations")
            last = latest_month(con)
    if first is None or last is None:
        whose = f" for {' or '.join(area_types)} areas" if area_types else ""
        raise PerfreportError(
            f"{setup.project.warehouse}: the warehouse holds no observations{whose}"
        )
    return DataSpan(first, last)


def period_in_data(setup: Setup, text: str, span: DataSpan | None = None) -> Period:
    """Parse ``--period`` and check that the data cover it (see :meth:`DataSpan.check`)."""
    period = parse_period(text, what=PERIOD_PARAMETER)
    return (span or data_span(setup)).check(period, text.strip())


def latest_complete(setup: Setup, kind: str, span: DataSpan | None = None) -> Period:
    """The latest period of ``kind`` whose last day the warehouse's data reach; a user error
    when the data do not cover a whole period of that kind."""
    span = span or data_span(setup)
    period = Period.containing(kind, span.last)  # type: ignore[arg-type]
    period = period if period.end <= span.last else period.previous()
    if period.start < span.first:
        raise PerfreportError(
            f"the data cover {span.description}: no whole {kind.replace('_', ' ')} yet"
        )
    return period


def build(
    setup: Setup,
    cycle_id: str | None,
    period_text: str | None,
    areas: Sequence[str],
    workers: int,
    on_done: Callable[[JobResult], None] | None = None,
) -> list[JobResult]:
    """Build every report of a cycle for a period (default: the latest complete one in the
    data); ``cycle_id`` None builds every cycle, each for its latest complete period.

    The period is checked against the data, and every job planned, before anything is prepared
    or built: a period the data do not cover is a user error naming the range they do.
    """
    if cycle_id is None and (period_text or areas):
        raise PerfreportError(
            "parameter '--all': builds every cycle for its latest complete period and every "
            "area; leave out --period and --area"
        )
    cycles = setup.cycles.items if cycle_id is None else (setup.cycles.get(cycle_id),)
    spans: dict[tuple[str, ...], DataSpan] = {}
    jobs = []
    for cycle in cycles:
        kinds = tuple(cycle.areas)
        span = spans.get(kinds) or spans.setdefault(kinds, data_span(setup, kinds))
        period = (
            period_in_data(setup, period_text, span)
            if period_text
            else latest_complete(setup, cycle.period, span)
        )
        jobs += plan(setup.project, cycle, period, setup.areas, setup.cycles.organisation, areas)
    if not results_current(setup.project.warehouse, __version__) or not disclosed_current(
        setup.project.warehouse, [cycle.disclosure for cycle in cycles]
    ):
        prepare_results(setup)
    audit_before_publishing(jobs, setup.areas)
    results = run(jobs, workers, on_done)
    controlled = {job.key for job in jobs if job.cycle.disclosure.active}
    if any(r.ok and not r.cached and r.key in controlled for r in results):
        site = audit(setup)  # the published pages too: their tables' own totals
        if site.recoveries:
            raise PerfreportError(
                f"disclosure audit: the published site gives away {len(site.recoveries)} "
                f"suppressed figure(s), e.g. {site.recoveries[0].describe()}; "
                "withdraw it and run 'perfreport audit' for the list"
            )
    return results


def audit(
    setup: Setup, outputs: Path | None = None, *, with_management: bool = False
) -> AuditResult:
    """Attack the published site's controlled reports (``perfreport audit``); a figure worked
    out counts when it is the true one (checked against the warehouse, where there is one)."""
    truth = None
    if setup.project.warehouse.is_file():
        with connect(setup.project.warehouse, read_only=True) as con:
            truth = con.execute("SELECT * FROM results WHERE breakdown = 'all'").df()
    return audit_site(
        outputs or setup.project.outputs,
        setup.cycles,
        setup.areas,
        truth,
        with_management=with_management,
    )


def publish(setup: Setup, dest: Path, cycles: Sequence[str] = ()) -> Published:
    """Make the public site at ``dest`` from the controlled cycles' reports, audited
    (``perfreport publish``)."""
    from perfreport.build.publish import publish_site

    with connect(setup.project.warehouse, read_only=True) as con:
        truth = con.execute("SELECT * FROM results WHERE breakdown = 'all'").df()
    return publish_site(setup.project, setup.cycles, setup.areas, dest, cycles, truth)


def check(setup: Setup) -> CheckSummary:
    """Load and cross-check every params file (``perfreport check``); see
    :func:`perfreport.build.project_check.check_project`."""
    from perfreport.build.project_check import check_project

    return check_project(setup)


def export(setup: Setup, table: str, out: Path) -> Path:
    """Write a warehouse table to ``out`` (.csv or .xlsx), with text made formula-safe."""
    from perfreport.store.exports import TABLES, write_table

    if table not in TABLES:
        raise PerfreportError(
            f"table {table!r} cannot be exported; choose one of {', '.join(TABLES)}"
        )
    with connect(setup.project.warehouse, read_only=True) as con:
        frame = con.execute(f"SELECT * FROM {table}").df()
    return write_table(frame, out)


def prepare_results(setup: Setup, period_text: str | None = None) -> PrepareSummary:
    """Compute the results table (``perfreport prepare``) up to a period (default: all data).

    The period must be one the data cover (see :meth:`DataSpan.check`).
    """
    from perfreport.assess.prepare import prepare

    until = period_in_data(setup, period_text) if period_text else None
    rules = [cycle.disclosure for cycle in setup.cycles.items]
    return prepare(setup, setup.plans(), setup.rag_settings(), until, rules)
