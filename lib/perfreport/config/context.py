"""A project's configuration loaded once: its folders, catalogue and areas, and what reads the
rest of ``params/`` on demand (improvement plans, the RAG settings, the cycles)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.config.areas import Areas, load_areas
from perfreport.config.catalogue import Catalogue, load_catalogue
from perfreport.config.cycles import Cycles, load_cycles
from perfreport.config.disclosure import Disclosure
from perfreport.config.project import Project, find_project

if TYPE_CHECKING:
    from perfreport.config.plans import Plans
    from perfreport.config.rag_settings import RagSettings
    from perfreport.config.wording import Wording


@dataclass(frozen=True)
class Context:
    """The project, its catalogue and its areas, with the disclosure rule figures are read under."""

    project: Project
    catalogue: Catalogue
    areas: Areas
    disclosure: Disclosure | None = field(default=None, kw_only=True)
    """The report's disclosure control: applied to every figure it reads (None: none)."""

    @classmethod
    def load(cls, project_dir: str | Path | None = None) -> Context:
        project = find_project(project_dir)
        return cls(project, load_catalogue(project.catalogue), load_areas(project.areas_file))

    def plans(self) -> Plans:
        """The improvement plans in ``params/improvement_plans.yaml``."""
        from perfreport.config.plans import load_plans

        return load_plans(
            self.project.params / "improvement_plans.yaml", self.catalogue, self.areas
        )

    def rag_settings(self) -> RagSettings:
        """The framework RAG and SPC settings in ``params/rag.yaml``."""
        from perfreport.config.rag_settings import load_rag_settings

        return load_rag_settings(self.project.params / "rag.yaml")

    def wording(self) -> Wording:
        """The words reports print for this kind of organisation (``params/wording.yaml``)."""
        from perfreport.config.wording import load_wording

        return load_wording(self.project.params)


@dataclass(frozen=True)
class Setup(Context):
    """A project with its validated configuration, cycles included."""

    cycles: Cycles

    @classmethod
    def load(cls, root: str | Path | None = None) -> Setup:
        ctx = Context.load(root)
        cycles = load_cycles(ctx.project.cycles_file, ctx.project.root)
        return cls(ctx.project, ctx.catalogue, ctx.areas, cycles)
