"""Reporting cycles (framework table 2), declared in ``params/cycles.yaml``.

Each cycle names its notebook, the kind of period it covers and the area types it is built
for; the runner turns a cycle and a period into one job per area.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from perfreport.areas import AreaType
from perfreport.disclosure import Disclosure
from perfreport.errors import PerfreportError, located
from perfreport.periods import PeriodKind
from perfreport.yamlfile import entries, read_yaml, section, validate


class Cycle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Literal["monthly", "quarterly", "locality", "annual", "scorecard", "strategic"]
    title: str
    notebook: str
    period: PeriodKind
    areas: tuple[AreaType, ...] = Field(min_length=1)
    rag: Literal["target", "framework"] = "target"
    reads: tuple[Literal["partnership", "localities", "country"], ...] = ("partnership", "country")
    """Whose prepared data the report reads besides its own area's (for the cache key)."""
    timeout_seconds: int = Field(600, ge=1)
    audience: str = ""
    disclosure: Disclosure = Disclosure()
    """Disclosure control (on unless turned off; a public report cannot turn it off)."""


class Accessibility(BaseModel):
    """What the site's accessibility statement says about who to contact and when it was checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contact: str = Field(min_length=3)
    reviewed: date


@dataclass(frozen=True)
class Cycles:
    organisation: str
    items: tuple[Cycle, ...]
    accessibility: Accessibility | None = None

    def get(self, cycle_id: str) -> Cycle:
        for cycle in self.items:
            if cycle.id == cycle_id:
                return cycle
        known = ", ".join(c.id for c in self.items)
        raise PerfreportError(
            f"cycle {cycle_id!r} is not in params/cycles.yaml; known cycles: {known}"
        )


def load_cycles(path: Path, root: Path) -> Cycles:
    """Read ``params/cycles.yaml``; every cycle's notebook must exist under ``root``."""
    doc = read_yaml(path)
    organisation = doc.value.get("organisation") if isinstance(doc.value, dict) else None
    if not isinstance(organisation, str) or not organisation.strip():
        raise PerfreportError(
            located(path, "field 'organisation': is required but missing", line=1)
        )
    items = []
    for item in entries(doc, "cycles"):
        name = f"cycle '{item.value.get('id')}'" if isinstance(item.value, dict) else "cycle"
        cycle = validate(Cycle, item, entry=name)
        if not (root / cycle.notebook).is_file():
            raise PerfreportError(
                located(
                    path,
                    f"{name}: field 'notebook': {cycle.notebook} does not exist",
                    line=item.line_of(("notebook",)),
                )
            )
        items.append(cycle)
    block = section(doc, "accessibility")
    accessibility = None if block is None else validate(Accessibility, block, entry="accessibility")
    return Cycles(organisation, tuple(items), accessibility)
