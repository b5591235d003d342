"""What every report reads: the project, its catalogue and areas, and series from the warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from perfreport.areas import Areas, load_areas
from perfreport.catalogue import Catalogue, load_catalogue
from perfreport.periods import PeriodKind
from perfreport.project import Project, find_project
from perfreport.series import display_kind, to_periods
from perfreport.warehouse import connect, observations


@dataclass(frozen=True)
class ReportContext:
    project: Project
    catalogue: Catalogue
    areas: Areas

    @classmethod
    def load(cls, project_dir: str | Path | None = None) -> ReportContext:
        project = find_project(project_dir)
        return cls(project, load_catalogue(project.catalogue), load_areas(project.areas_file))

    def series(self, area_codes: list[str], report_kind: PeriodKind) -> dict[str, pd.DataFrame]:
        """Each indicator's series for ``area_codes`` at the period it is shown at in the report."""
        with connect(self.project.warehouse, read_only=True) as con:
            obs = observations(con, list(self.catalogue.ids), area_codes)
        return {
            ind.id: to_periods(
                obs[obs["indicator_id"] == ind.id], ind, display_kind(ind, report_kind)
            )
            for ind in self.catalogue
        }
