"""Reporting cycles (framework table 2), declared in ``params/cycles.yaml``.

Each cycle names its notebook, the kind of period it covers and the area types it is built
for; the runner turns a cycle and a period into one job per area.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from perfreport.config.area_types import DEFAULT_AREA_TYPES, AreaType, read_area_types
from perfreport.config.disclosure import Disclosure
from perfreport.config.located import Located
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import entries, read_yaml, section
from perfreport.errors import PerfreportError, located
from perfreport.methods.periods import PeriodKind

ALL_AREAS = "all"
"""A cycle's ``areas: [all]``: one report for every area in ``params/areas.yaml``."""
Reader = Literal["body", "parts", "comparator"]
READ_SYNONYMS: dict[str, Reader] = {
    "partnership": "body",
    "localities": "parts",
    "country": "comparator",
}
"""The words ``reads:`` took before area types were declared."""


class Cycle(Params):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=40)
    title: str
    notebook: str
    period: PeriodKind
    areas: tuple[str, ...] = Field(min_length=1)
    """Declared area type ids the cycle builds one report for each area of, or ``[all]``."""
    rag: Literal["target", "framework"] = "target"
    reads: tuple[Reader, ...] = ("body", "comparator")
    """Whose prepared data the report reads besides its own area's (for the cache key): its
    body, the body's parts, the comparator."""
    timeout_seconds: int = Field(600, ge=1)
    audience: str = ""
    disclosure: Disclosure = Disclosure()
    """Disclosure control (on unless turned off; a public report cannot turn it off)."""

    @field_validator("reads", mode="before")
    @classmethod
    def _old_words(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return [READ_SYNONYMS.get(v, v) if isinstance(v, str) else v for v in value]
        return value

    def covers(self, area_type: str) -> bool:
        """Whether the cycle builds a report for areas of ``area_type``."""
        return ALL_AREAS in self.areas or area_type in self.areas


class Accessibility(Params):
    """What the site's accessibility statement says about who to contact and when it was checked.

    ``contact`` is published as a ``mailto:`` link, so it is one email address: one ``@``, no
    spaces, angle brackets, double quotes or other characters that need quoting in an address
    (a display name such as ``Team <a@b.org>`` is refused), and a domain of at least two
    dot-separated labels of letters, digits and hyphens.
    """

    contact: str
    reviewed: date

    @field_validator("contact")
    @classmethod
    def _email_address(cls, value: str) -> str:
        problem = _email_problem(value)
        if problem is not None:
            raise ValueError(
                f"{value!r} is not an email address ({problem}); write it as name@example.org"
            )
        return value


_EMAIL_LOCAL = re.compile(r"^[^\s@<>\"`(),:;\[\]\\?#]+$")
"""The part before the @: none of the characters that need quoting or break a mailto: link
(an apostrophe is allowed: ``o'neill@example.org`` is a real address)."""
_EMAIL_LABEL = re.compile(r"^[^\W_](?:(?:[^\W_]|-)*[^\W_])?$")
"""A domain label: letters and digits (any script), hyphens inside (RFC 1035, RFC 5890)."""


def _email_problem(address: str) -> str | None:
    """What makes ``address`` not an email address, or None when it is one.

    >>> _email_problem("performance.reports@example.org") is None
    True
    >>> _email_problem("Performance team <reports@example.org>")
    'it has a space'
    """
    if re.search(r"\s", address):
        return "it has a space"
    if address.count("@") != 1:
        return "it has no @" if "@" not in address else "it has more than one @"
    local, domain = address.split("@")
    if local.lower().startswith("mailto:"):
        return "write it without mailto:"
    if not local:
        return "nothing before the @"
    if not _EMAIL_LOCAL.match(local):
        return 'the part before the @ has one of < > " ` , : ; ( ) [ ] \\ ? #'
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "the part before the @ has a dot at an end or two together"
    labels = domain.split(".")
    if len(labels) < 2:
        return "the domain after the @ has no dot"
    if not all(_EMAIL_LABEL.match(label) for label in labels):
        return "the domain after the @ is not dot-separated letters, digits and hyphens"
    return None


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


def load_cycles(path: Path, root: Path, area_types: Sequence[AreaType] | None = None) -> Cycles:
    """Read ``params/cycles.yaml``; every cycle's notebook must exist under ``root`` and its
    ``areas`` be ``area_types`` ids (by default, those of ``areas.yaml`` beside it)."""
    kinds = {t.id for t in (_area_types(path) if area_types is None else area_types)}
    doc = read_yaml(path)
    organisation = doc.value.get("organisation") if isinstance(doc.value, dict) else None
    if not isinstance(organisation, str) or not organisation.strip():
        raise PerfreportError(
            located(path, "field 'organisation': is required but missing", line=1)
        )
    items: list[Cycle] = []
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
        _check_areas(cycle, kinds, item, name)
        if any(c.id == cycle.id for c in items):
            raise PerfreportError(
                located(path, f"{name}: field 'id': duplicate id", line=item.line_of(("id",)))
            )
        items.append(cycle)
    block = section(doc, "accessibility")
    accessibility = None if block is None else validate(Accessibility, block, entry="accessibility")
    return Cycles(organisation, tuple(items), accessibility)


def _area_types(path: Path) -> tuple[AreaType, ...]:
    """The area types of the ``areas.yaml`` beside ``path`` (the defaults if there is none)."""
    areas = path.parent / "areas.yaml"
    return read_area_types(read_yaml(areas)) if areas.is_file() else DEFAULT_AREA_TYPES


def _check_areas(cycle: Cycle, kinds: set[str], item: Located, name: str) -> None:
    """A cycle's ``areas`` are declared area types, or ``[all]`` alone."""
    for position, kind in enumerate(cycle.areas):
        problem = None
        if kind == ALL_AREAS and len(cycle.areas) > 1:
            problem = "'all' already means every area; list nothing else with it"
        elif kind != ALL_AREAS and kind not in kinds:
            problem = (
                f"{kind!r} is not a declared area type; declared: {', '.join(sorted(kinds))}, "
                "or write [all] for every area"
            )
        if problem:
            raise PerfreportError(
                located(
                    item.path,
                    f"{name}: field 'areas': {problem}",
                    line=item.line_of(("areas", position)),
                )
            )
