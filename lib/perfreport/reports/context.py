"""What every report reads: the project, its catalogue and areas, and the prepared results."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar, Self

import pandas as pd

from perfreport import __version__
from perfreport.assess.results import has_results, read_results
from perfreport.assess.scorecard import Family
from perfreport.assess.series import display_kind
from perfreport.config.areas import Area
from perfreport.config.context import Context
from perfreport.config.cycles import Cycle, load_cycles
from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period, PeriodKind, parse_period
from perfreport.present.tables import Html, title_block
from perfreport.reports.narrative import narrative, words
from perfreport.store.warehouse import connect, results_version


@dataclass(frozen=True)
class ReportContext(Context):
    """The project's configuration with the reader of its prepared results."""

    @classmethod
    def load(cls, project_dir: str | Path | None = None) -> ReportContext:
        ctx = Context.load(project_dir)
        return cls(ctx.project, ctx.catalogue, ctx.areas)

    def results(self, area_codes: list[str]) -> pd.DataFrame:
        """The prepared totals rows for ``area_codes``, every period kind, with a ``period``
        column, after the report's disclosure control (a ``suppressed`` column says where)."""
        rows = self._results(area_codes)
        periods = [
            Period(pd.Timestamp(s).date(), k)
            for s, k in zip(rows["period_start"], rows["period_kind"], strict=True)
        ]
        return rows.assign(period=pd.Series(periods, index=rows.index, dtype=object))

    def _results(self, area_codes: list[str]) -> pd.DataFrame:
        with connect(self.project.warehouse, read_only=True) as con:
            if not has_results(con):
                raise PerfreportError(
                    f"{self.project.warehouse}: no prepared results; run 'perfreport prepare'"
                )
            made_by = results_version(con)
            if made_by != __version__:
                raise PerfreportError(
                    f"{self.project.warehouse}: the results were prepared by perfreport "
                    f"{made_by or 'before 0.3'}, not {__version__}; run 'perfreport prepare'"
                )
            return read_results(con, self.disclosure, self.areas, area_codes)

    def series(self, area_codes: list[str], report_kind: PeriodKind) -> dict[str, pd.DataFrame]:
        """Each indicator's prepared totals for ``area_codes`` at the period the report shows it
        (quarters for monthly indicators in a quarterly report), read from ``results``."""
        rows = self.results(area_codes)
        at = rows.groupby(["indicator_id", "period_kind"], sort=False).indices
        return {
            ind.id: rows.iloc[at.get((ind.id, display_kind(ind, report_kind)), [])].reset_index(
                drop=True
            )
            for ind in self.catalogue
        }


@dataclass(frozen=True)
class ReportInputs:
    """A report's validated parameters: its cycle, area and period, with the project's context."""

    ctx: ReportContext
    cycle: Cycle
    area: Area
    period: Period


def open_report(cycle_id: str, area: str, period: str, project: str = "") -> ReportInputs:
    """Check a notebook's parameters against its cycle in ``params/cycles.yaml``.

    Raises
    ------
    PerfreportError
        When ``area`` is not one of the cycle's area types or ``period`` not of its kind.
    """
    ctx = ReportContext.load(project or None)
    cycle = load_cycles(ctx.project.cycles_file, ctx.project.root).get(cycle_id)
    ctx = replace(ctx, disclosure=cycle.disclosure)
    chosen = ctx.areas.get(area, what="parameter 'area':")
    if not cycle.covers(chosen.type):
        kinds = " and ".join(ctx.areas.area_type(k).name for k in cycle.areas)
        raise PerfreportError(
            f"parameter 'area': {chosen.name} is a {ctx.areas.type_of(chosen).name}; the "
            f"{cycle.title.lower()} covers {kinds} areas"
        )
    when = parse_period(period, what="parameter 'period':")
    if when.kind != cycle.period:
        example = Period.containing(cycle.period, when.end).id
        raise PerfreportError(
            f"parameter 'period': {period!r} is a {when.kind.replace('_', ' ')}; the "
            f"{cycle.title.lower()} covers a {cycle.period.replace('_', ' ')} such as {example}"
        )
    return ReportInputs(ctx, cycle, chosen, when)


class Report:
    """What every report class shares: its parameters, loading from them, and its title.

    A report class sets ``cycle`` (its id in ``params/cycles.yaml``) and ``heading``, calls
    this constructor first from its own, and defines :meth:`lead`. Report products do not
    inherit from one another. What several show comes from a component
    (:class:`perfreport.reports.locality_view.LocalityView`); the four that show the locality
    parts (locality, quarterly, annual, scorecard) get it, and the notebook methods drawing on
    it, from one shared base, :class:`perfreport.reports.locality_parts.LocalityParts`, which
    is not itself a report.
    """

    cycle: ClassVar[str]
    heading: ClassVar[str]

    def __init__(self, ctx: ReportContext, area: Area, period: Period, family: Family) -> None:
        self.ctx = ctx
        self.area = area
        self.period = period
        self.family = family
        """The RAG family the cycle uses (``target`` or ``framework``)."""
        self.wording = ctx.wording()

    @classmethod
    def load(cls, area: str, period: str, project: str = "", cycle: str = "") -> Self:
        """Validate the notebook's parameters against the cycle and read the report's data.

        ``cycle`` is the id in ``params/cycles.yaml`` of a cycle of the project's own that
        builds this report product from its own copy of the notebook (default: the product's
        cycle, :attr:`cycle`).

        Raises
        ------
        PerfreportError
            When ``area`` is not an area type the cycle reports on or ``period`` is not the
            cycle's kind of period.
        """
        inputs = open_report(cycle or cls.cycle, area, period, project)
        return cls(inputs.ctx, inputs.area, inputs.period, inputs.cycle.rag)

    @property
    def title(self) -> str:
        return f"{self.heading}: {self.area.name}, {self.period.label}"

    def title_block(self) -> Html:
        """The report's heading, what it covers (:meth:`lead`) and its disclosure note."""
        rule = self.ctx.disclosure
        return title_block(self.title, self.lead(), rule.note if rule and rule.active else "")

    def narrative(self, key: str) -> Html:
        """The notebook's paragraph ``key`` (a heading and text, or text), worded for the
        organisation from ``params/wording.yaml`` and the area names
        (:mod:`perfreport.reports.narrative`)."""
        return narrative(self.cycle, key, self.narrative_words)

    @property
    def narrative_words(self) -> dict[str, str]:
        """What the narrative's placeholders stand for in this report (the body, its kind of
        part, the comparator's name, the framework's words): :func:`words`."""
        return words(self.wording, self.ctx.areas, self.area)

    def lead(self) -> str:
        """One sentence on what the report covers."""
        raise NotImplementedError  # pragma: no cover - every report defines its own
