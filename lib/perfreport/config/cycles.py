"""Reporting cycles (framework table 2), declared in ``params/cycles.yaml``.

Each cycle names its notebook, the kind of period it covers and the area types it is built
for; the runner turns a cycle and a period into one job per area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from perfreport.config.areas import AreaType
from perfreport.config.disclosure import Disclosure
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import entries, read_yaml, section
from perfreport.errors import PerfreportError, located
from perfreport.methods.periods import PeriodKind


class Cycle(Params):
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
