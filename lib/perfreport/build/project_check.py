"""``perfreport check``: every file under ``params/`` loaded and cross-checked before a run.

Each file is read by the loader that ``prepare`` and the reports use, so a project that passes
the check cannot fail later for a reason in its parameters: the catalogue with the framework,
areas, cycles (their notebooks exist), the framework RAG settings, improvement plans (their
indicators and areas), activities and strategic objectives (their indicators and themes; ids
unique; at least one activity when the annual report tabulates them), the strategic report (its
indicators and survey questions, and a survey population no smaller than any question's
responses), commentary (its period folders, indicators and areas) and every source spec (its
indicators). The demo settings (``params/demo.yaml``) are not read: only ``perfreport demo`` and
``generate-demo`` read them, so a project needs no demo. The first problem is one line naming the
file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.config.yamlfile import read_yaml
from perfreport.errors import PerfreportError, located
from perfreport.methods.rounding import counted

if TYPE_CHECKING:
    from perfreport.config.activities import ActivityMonitor
    from perfreport.config.catalogue import Catalogue
    from perfreport.config.context import Setup


@dataclass(frozen=True)
class CheckSummary:
    """What was checked, one phrase per file or folder, in the order they were checked."""

    checked: tuple[str, ...]

    def describe(self) -> str:
        """``'ok: params/ checked: 42 indicators, 6 areas, 6 cycles, ...'``."""
        return "ok: params/ checked: " + ", ".join(self.checked)


def check_project(setup: Setup) -> CheckSummary:
    """Load and cross-check every params file of ``setup``'s project (see the module docstring).

    The catalogue, framework, areas and cycles were checked when ``setup`` was loaded; an
    optional file (plans, activities, strategic report) is checked when it is
    there, or when a cycle needs it (the annual report reads activities, the strategic report
    its outcomes).

    Raises
    ------
    PerfreportError
        The first problem found, naming the file and line.
    """
    from perfreport.config.activities import load_activities
    from perfreport.config.strategy import load_strategy
    from perfreport.present.commentary import check_commentary

    params, cycles = setup.project.params, {c.id for c in setup.cycles.items}
    checked = [
        counted(len(setup.catalogue), "indicator"),
        counted(len(setup.areas), "area"),
        counted(len(setup.cycles.items), "cycle"),
        f"RAG settings ({setup.rag_settings().spc_rules} SPC rules)",
        f"wording ({setup.wording().body})",
        counted(len(setup.plans()), "improvement plan"),
    ]
    activities = params / "activities.yaml"
    if activities.is_file() or "annual" in cycles:
        monitor = load_activities(activities, setup.catalogue, setup.catalogue.framework)
        _check_activities(activities, monitor, annual="annual" in cycles)
        checked.append(f"{len(monitor.activities)} activities")
        checked.append(f"{len(monitor.objectives)} objectives")
    strategic = params / "strategic.yaml"
    if strategic.is_file() or "strategic" in cycles:
        checked.append(
            f"{len(load_strategy(strategic, setup.catalogue).outcomes)} strategic outcomes"
        )
    if (params / "learning.yaml").is_file():  # a council's learning and performance report
        from perfreport.config.learning import load_learning

        notes = len(load_learning(params, setup.catalogue).notes)
        checked.append(f"learning and performance report ({notes} notes)")
    found = check_commentary(params / "commentary", setup.catalogue, setup.areas)
    checked.append(counted(found, "commentary file"))
    checked.append(counted(_check_sources(setup.project.sources, setup.catalogue), "source spec"))
    return CheckSummary(tuple(checked))


def _check_activities(path: Path, monitor: ActivityMonitor, *, annual: bool) -> None:
    """What ``load_activities`` accepts but the annual report cannot use: an id given twice
    (the report looks plans and activities up by id, so one would silently hide the other), or
    no activities at all while the annual report, which tabulates them, is a cycle."""
    doc = read_yaml(path)
    for key, items in (
        ("plans", monitor.plans),
        ("activities", monitor.activities),
        ("objectives", monitor.objectives),
    ):
        ids = [item.id for item in items]
        for position, ident in enumerate(ids):
            if ident in ids[:position]:
                raise PerfreportError(
                    located(
                        path,
                        f"field '{key}[{position}].id': {ident!r} is a duplicate id, already "
                        f"given on line {doc.line_of((key, ids.index(ident), 'id'))}; give each "
                        "its own",
                        line=doc.line_of((key, position, "id")),
                    )
                )
    if annual and not monitor.activities:
        raise PerfreportError(
            located(
                path,
                "field 'activities': no activities, but the annual report (cycle 'annual') "
                "tabulates them: give at least one",
                line=doc.line_of(("activities",)),
            )
        )


def _check_sources(folder: Path, catalogue: Catalogue) -> int:
    """Every ``*.yaml`` source spec validates and names only indicators in the catalogue."""
    from perfreport.store.ingest import load_spec

    paths = sorted(folder.glob("*.yaml"))
    for path in paths:
        spec = load_spec(path)
        for position, measure in enumerate(spec.measures):
            ident = measure.indicator.id
            if ident is not None and ident not in catalogue:
                doc = read_yaml(path)
                raise PerfreportError(
                    located(
                        path,
                        f"source spec '{path.stem}': field 'measures[{position}].indicator.id': "
                        f"{ident!r} is not in the indicator catalogue",
                        line=doc.line_of(("measures", position, "indicator", "id")),
                    )
                )
    return len(paths)
