"""What a build is made of: one :class:`Job` per report (cycle, period, area), planned by
:func:`plan`, and the :class:`JobResult` each comes to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from perfreport import __version__
from perfreport.build.layout import FAILED
from perfreport.build.render import ReportMeta
from perfreport.config.areas import Area, Areas
from perfreport.config.cycles import Cycle
from perfreport.config.project import Project
from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period


@dataclass(frozen=True)
class Job:
    """One report to build."""

    cycle: Cycle
    area: Area
    period: Period
    project: Project
    organisation: str
    areas: Areas
    """Every area: disclosure control needs each body's parts."""
    reads: tuple[str, ...] = ()
    cache_key: str = ""
    inputs: tuple[tuple[str, str], ...] = ()
    commit: str = ""
    """The project's git commit, looked up once per run (empty: look it up when recording)."""
    renderer: str = "weasyprint"
    """What makes its HTML and PDF: ``weasyprint`` (nbconvert and WeasyPrint) or ``quarto``
    (:mod:`perfreport.build.quarto`)."""

    @property
    def key(self) -> str:
        return f"{self.cycle.id}/{self.period.id}/{self.area.slug}"

    @property
    def out_dir(self) -> Path:
        return self.project.outputs / self.cycle.id / self.period.id / self.area.slug

    @property
    def failed_dir(self) -> Path:
        return self.project.outputs / FAILED / self.cycle.id / self.period.id / self.area.slug

    @property
    def parameters(self) -> dict[str, str]:
        """What papermill injects. The kernel starts in the project folder, so ``project`` is
        ``"."``: an executed notebook names no folder of the machine that built it."""
        return {"area": self.area.code, "period": self.period.id, "project": "."}

    @property
    def meta(self) -> ReportMeta:
        return ReportMeta(
            title=f"{self.cycle.title}: {self.area.name}, {self.period.label}",
            description=f"{self.cycle.title} for {self.area.name}, {self.period.long_label}.",
            organisation=self.organisation,
            footer=f"{self.organisation}. {self.cycle.title}, {self.period.long_label}. "
            f"Produced with perfreport {__version__}.",
        )


@dataclass(frozen=True)
class JobResult:
    """What became of one job. ``output`` is the published folder (or the one under
    ``outputs/failed/``); from a worker, before the parent publishes it, its staging folder.
    ``error`` is one line; the folder's ``error.txt`` holds the whole of it."""

    key: str
    ok: bool
    seconds: float
    output: Path
    error: str = ""
    cached: bool = False


def plan(
    project: Project,
    cycle: Cycle,
    period: Period,
    areas: Areas,
    organisation: str,
    only: Sequence[str] = (),
) -> list[Job]:
    """The jobs of ``cycle`` for ``period``: one per area of the cycle's area types.

    ``only`` restricts them to the given area codes, each of which must be eligible.
    """
    if period.kind != cycle.period:
        raise PerfreportError(
            f"parameter '--period': {period.label} is a {period.kind}; cycle '{cycle.id}' reports a {cycle.period}"
        )
    eligible = [a for a in areas if cycle.covers(a.type)]
    if only:
        chosen = [areas.get(code, what="parameter '--area':") for code in only]
        for area in chosen:
            if area not in eligible:
                raise PerfreportError(
                    f"parameter '--area': cycle '{cycle.id}' does not report on "
                    f"{areas.type_of(area).name} {area.code}"
                )
        eligible = chosen
    return [
        Job(cycle, area, period, project, organisation, areas, _reads(cycle, area, areas))
        for area in eligible
    ]


def _reads(cycle: Cycle, area: Area, areas: Areas) -> tuple[str, ...]:
    """The area codes whose prepared data a report reads: its own and those the cycle declares."""
    body = areas.body_of(area.code)
    codes = [area.code]
    if "body" in cycle.reads:
        codes.append(body.code)
    if "parts" in cycle.reads:
        codes += [a.code for a in areas.parts_of(body.code)]
    if "comparator" in cycle.reads and areas.comparator is not None:
        codes.append(areas.comparator.code)
    return tuple(dict.fromkeys(codes))
