"""What every report reads: the project, its catalogue and areas, and the prepared results."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from perfreport.areas import Areas, load_areas
from perfreport.catalogue import Catalogue, load_catalogue
from perfreport.errors import PerfreportError
from perfreport.periods import Period, PeriodKind
from perfreport.project import Project, find_project
from perfreport.series import display_kind
from perfreport.warehouse import connect, scalar

RESULT_FIELDS = (
    "indicator_id, area_code, period_start, period_kind, numerator, denominator, value, target_value, "
    "target_text, target_status, target_reason, framework_status, framework_reason"
)


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
        """Each indicator's prepared totals for ``area_codes`` at the period the report shows it
        (quarters for monthly indicators in a quarterly report), read from ``results``."""
        with connect(self.project.warehouse, read_only=True) as con:
            if not scalar(
                con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'results'"
            ):
                raise PerfreportError(
                    f"{self.project.warehouse}: no prepared results; run 'perfreport prepare'"
                )
            marks = ", ".join("?" * len(area_codes))
            rows = con.execute(
                f"SELECT {RESULT_FIELDS} FROM results WHERE breakdown = 'all' AND area_code IN ({marks}) "
                "ORDER BY indicator_id, area_code, period_start",
                area_codes,
            ).df()
        rows["period"] = [
            Period(pd.Timestamp(s).date(), k)
            for s, k in zip(rows["period_start"], rows["period_kind"], strict=True)
        ]
        return {
            ind.id: rows[
                (rows["indicator_id"] == ind.id)
                & (rows["period_kind"] == display_kind(ind, report_kind))
            ].reset_index(drop=True)
            for ind in self.catalogue
        }
