"""The performance framework's vocabulary: scorecard sections, strategic themes, outcomes.

Read from ``params/framework.yaml`` (seed framework table 1, figure 2 and appendix 1) so that a
partnership with a different scorecard changes a file, not the code.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import read_yaml


class ScorecardSection(Params):
    section: str
    subsections: tuple[str, ...] = Field(min_length=1)


class Theme(Params):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str


class Framework(Params):
    """Scorecard structure (table 1), strategic themes (figure 2), national outcomes."""

    scorecard: tuple[ScorecardSection, ...] = Field(min_length=1)
    themes: tuple[Theme, ...]
    national_outcomes: dict[int, str]

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(s.section for s in self.scorecard)

    def subsections(self, section: str) -> tuple[str, ...]:
        return next((s.subsections for s in self.scorecard if s.section == section), ())

    @property
    def theme_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def theme_name(self, theme_id: str) -> str:
        return next(t.name for t in self.themes if t.id == theme_id)


def load_framework(path: Path) -> Framework:
    """Read and validate ``params/framework.yaml``."""
    return validate(Framework, read_yaml(path))
