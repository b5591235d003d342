"""The steps the command line strings together: demo data, warehouse load, report runs.

Which periods the data cover (:class:`DataSpan`, :func:`data_span`, :func:`period_in_data`,
:func:`latest_complete`) is in :mod:`perfreport.build.data_span`, re-exported here.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport import __version__
from perfreport.assess.digests import has_digests
from perfreport.assess.results import all_totals, disclosed_current
from perfreport.build.audit import AuditResult, audit_before_publishing, audit_site
from perfreport.build.cache import tree_hash, with_cache_keys
from perfreport.build.data_span import (
    PERIOD_PARAMETER,
    DataSpan,
    NoData,
    areas_with_data,
    data_span,
    latest_complete,
    period_in_data,
)
from perfreport.build.executors import Executor
from perfreport.build.jobs import Job, JobResult, plan
from perfreport.build.runner import run
from perfreport.config.context import Setup
from perfreport.config.cycles import Cycle
from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period
from perfreport.store.warehouse import (
    DEFAULT_WAIT_SECONDS,
    connect,
    results_current,
)

__all__ = [
    "PERIOD_PARAMETER",
    "DataSpan",
    "Setup",
    "audit",
    "build",
    "check",
    "data_span",
    "export",
    "generate_demo",
    "ingest",
    "latest_complete",
    "load_demo",
    "loads",
    "period_in_data",
    "prepare_results",
    "publish",
    "renderer_ready",
    "source_spec",
    "unload",
    "validate",
]

if TYPE_CHECKING:
    import pandas as pd

    from perfreport.assess.prepare import PrepareSummary
    from perfreport.build.project_check import CheckSummary
    from perfreport.build.publish import Published
    from perfreport.store.ingest import LoadSummary, SourceSpec, Unloaded

# The demo generator, ingestion, exports and prepare (which loads SciPy) are imported where
# they are used, so that a run whose reports are all cached starts quickly.


def generate_demo(setup: Setup, folder: Path | None = None) -> Path:
    """Write the demo observations CSV (``perfreport generate-demo``); returns its path."""
    from perfreport.build.demo import generate_demo as write

    return write(setup, folder)


def load_demo(setup: Setup) -> list[tuple[Path, LoadSummary]]:
    """Load the demo data into a warehouse holding nothing else (``perfreport demo``); see
    :mod:`perfreport.build.demo`."""
    from perfreport.build.demo import load_demo as load

    return load(setup)


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
    setup: Setup,
    spec: SourceSpec,
    path: Path,
    *,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
    replace: bool = False,
) -> LoadSummary:
    """Check ``path`` and load it into the warehouse in one transaction (``replace``: unload
    the earlier loads of the same file with the same spec first, in the same transaction)."""
    from perfreport.store.ingest import ingest_file

    return ingest_file(
        setup.project.warehouse,
        path,
        spec,
        setup.catalogue,
        setup.areas,
        wait_seconds=wait_seconds,
        replace=replace,
    )


def loads(setup: Setup) -> pd.DataFrame:
    """Every load of the warehouse, oldest first (``perfreport loads``)."""
    from perfreport.store.ingest import list_loads

    return list_loads(setup.project.warehouse)


def unload(setup: Setup, load_id: int, *, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Unloaded:
    """Take load ``load_id``'s observations out of the warehouse (``perfreport unload``)."""
    from perfreport.store.ingest import unload as unload_load

    return unload_load(setup.project.warehouse, load_id, wait_seconds=wait_seconds)


def validate(setup: Setup, spec: SourceSpec, path: Path) -> LoadSummary:
    """Check ``path`` as ``ingest`` would, without writing anything."""
    from perfreport.store.ingest import LoadSummary, check_file

    return LoadSummary(path.name, check_file(path, spec, setup.catalogue, setup.areas))


def build(
    setup: Setup,
    cycle_id: str | None,
    period_text: str | None,
    areas: Sequence[str],
    workers: int | Executor,
    on_done: Callable[[JobResult], None] | None = None,
    on_skip: Callable[[str], None] = print,
    renderer: str = "weasyprint",
) -> list[JobResult]:
    """Build every report of a cycle for a period (default: the latest complete one in the
    data); ``cycle_id`` None builds every cycle, each for its latest complete period.

    The period is checked against the data, and every job planned, before anything is prepared
    or built: a period the data do not cover is a user error naming the range they do. What is
    not built is said in one line each, to ``on_skip``: a cycle with nothing to build (no data
    for its areas, or not one whole period yet: ``nothing to build for cycle 'c': why``) and
    an area with no data for the period (``skipped c P area: no data for P``).

    ``renderer`` ``quarto`` renders the reports through Quarto (:mod:`.quarto`): without a
    ``quarto`` executable on PATH, a user error before anything is prepared or built.
    """
    if cycle_id is None and (period_text or areas):
        raise PerfreportError(
            "parameter '--all': builds every cycle for its latest complete period and every "
            "area; leave out --period and --area"
        )
    renderer_ready(renderer)
    cycles = setup.cycles.items if cycle_id is None else (setup.cycles.get(cycle_id),)
    with _warehouse_held(setup):
        jobs = [
            dataclasses.replace(job, renderer=renderer)
            for job in _planned(setup, cycles, period_text, areas, on_skip)
        ]
        stale = bool(jobs) and not _prepared(setup, cycles)
        if not stale:
            jobs = _checked(setup, jobs, on_skip)
    if stale:
        prepare_results(setup)
        with _warehouse_held(setup):
            jobs = _checked(setup, jobs, on_skip)
    attacked: frozenset[str] = frozenset()

    def audited() -> None:  # in the parent, while the workers start
        nonlocal attacked
        attacked = audit_before_publishing(jobs, setup.areas)

    results = run(jobs, workers, on_done, audited)
    controlled = {job.key for job in jobs if job.cycle.disclosure.active}
    if any(r.ok and not r.cached and r.key in controlled for r in results):
        site = audit(setup, attacked=attacked)  # the pages too: their tables' own totals
        if site.recoveries:
            raise PerfreportError(
                f"disclosure audit: the published site gives away {len(site.recoveries)} "
                f"suppressed figure(s), e.g. {site.recoveries[0].describe()}; "
                "withdraw it and run 'perfreport audit' for the list"
            )
    return results


def renderer_ready(renderer: str) -> None:
    """Refuse ``renderer`` (one line) unless it can render here: ``weasyprint`` always can,
    ``quarto`` only with a ``quarto`` executable on PATH (:func:`.quarto.executable`)."""
    from perfreport.build.quarto import QUARTO, RENDERERS, executable

    if renderer not in RENDERERS:
        raise PerfreportError(
            f"parameter '--renderer': {renderer!r} is not one of {', '.join(RENDERERS)}"
        )
    if renderer == QUARTO:
        executable()


@contextmanager
def _warehouse_held(setup: Setup) -> Iterator[None]:
    """Hold the warehouse open (read-only) for a few steps: DuckDB shares an open database
    within a process, so each step's own connection then takes a millisecond, not 20-30."""
    with connect(setup.project.warehouse, read_only=True):
        yield


def _planned(
    setup: Setup,
    cycles: Sequence[Cycle],
    period_text: str | None,
    areas: Sequence[str],
    on_skip: Callable[[str], None],
) -> list[Job]:
    """Every job of ``cycles``, each cycle for ``period_text`` or its latest complete period
    (one line to ``on_skip`` for a cycle with nothing to build)."""
    spans: dict[tuple[str, ...], DataSpan] = {}
    jobs = []
    for cycle in cycles:
        kinds = tuple(cycle.areas)
        try:
            span = spans.get(kinds) or spans.setdefault(kinds, data_span(setup, kinds))
            period = (
                period_in_data(setup, period_text, span)
                if period_text
                else latest_complete(setup, cycle.period, span)
            )
        except NoData as exc:
            on_skip(f"nothing to build for cycle '{cycle.id}': {exc}")
            continue
        jobs += plan(setup.project, cycle, period, setup.areas, setup.cycles.organisation, areas)
    return jobs


def _prepared(setup: Setup, cycles: Sequence[Cycle]) -> bool:
    """Whether the prepared tables are current: made by this version from every load, with
    the rules of ``cycles`` and the digests the cache keys read (else prepare again)."""
    warehouse = setup.project.warehouse
    if not results_current(warehouse, __version__, tree_hash(setup.project.params)):
        return False
    if not disclosed_current(warehouse, [cycle.disclosure for cycle in cycles]):
        return False
    with connect(warehouse, read_only=True) as con:
        return has_digests(con)


def _checked(setup: Setup, jobs: list[Job], on_skip: Callable[[str], None]) -> list[Job]:
    """The jobs with data for their period (:func:`_with_data`), with their cache keys."""
    jobs = _with_data(setup, jobs, on_skip)
    return with_cache_keys(jobs)


def _with_data(setup: Setup, jobs: list[Job], on_skip: Callable[[str], None]) -> list[Job]:
    """The jobs whose area has a figure for their period; one line for each of the others."""
    held: dict[Period, frozenset[str]] = {}
    kept = []
    for job in jobs:
        if job.period not in held:
            held[job.period] = areas_with_data(setup, job.period)
        if job.area.code in held[job.period]:
            kept.append(job)
            continue
        withdrawn = job.out_dir.is_dir()
        if withdrawn:  # its figures are no longer in the warehouse: never leave it published
            shutil.rmtree(job.out_dir)
        on_skip(
            f"skipped {job.cycle.id} {job.period.id} {job.area.slug}: "
            f"no data for {job.period.label}"
            + ("; its earlier report withdrawn" if withdrawn else "")
        )
    return kept


def audit(
    setup: Setup,
    outputs: Path | None = None,
    *,
    with_management: bool = False,
    attacked: frozenset[str] = frozenset(),
) -> AuditResult:
    """Attack the published site's controlled reports (``perfreport audit``); a figure worked
    out counts when it is the true one (checked against the warehouse, where there is one)."""
    truth = None
    if setup.project.warehouse.is_file():
        with connect(setup.project.warehouse, read_only=True) as con:
            truth = all_totals(con)
    return audit_site(
        outputs or setup.project.outputs,
        setup.cycles,
        setup.areas,
        truth,
        with_management=with_management,
        attacked=attacked,
    )


def publish(setup: Setup, dest: Path, cycles: Sequence[str] = ()) -> Published:
    """Make the public site at ``dest`` from the controlled cycles' reports, audited
    (``perfreport publish``)."""
    from perfreport.build.publish import publish_site

    if not cycles and not any(c.disclosure.active for c in setup.cycles.items):
        raise PerfreportError(
            f"{setup.project.relative(setup.project.params / 'cycles.yaml')}: nothing to "
            "publish: no cycle is under disclosure control (the public site holds only those "
            "cycles' reports; leave disclosure control on (remove 'control: false') for the cycles that are public)"
        )

    with connect(setup.project.warehouse, read_only=True) as con:
        truth = all_totals(con)
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
    settings = tree_hash(setup.project.params)  # what run compares (see results_current)
    return prepare(setup, setup.plans(), setup.rag_settings(), until, rules, settings)
