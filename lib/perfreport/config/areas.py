"""Areas: the partnership, its localities, and the comparators they are set against.

Read from ``params/areas.yaml``. Each area has a code (a standard geography code where one
exists), a name for readers, a type, an optional parent and a slug used in output paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from perfreport.config.entries import Entries
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import entries, read_yaml
from perfreport.errors import PerfreportError, located

AreaType = Literal[
    "partnership", "locality", "council", "health_board", "country", "comparator_group"
]


class Area(Params):
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=20)
    name: str = Field(min_length=2)
    type: AreaType
    parent: str | None = None
    slug: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Areas(Entries[Area]):
    """All areas, in file order, looked up by code."""

    def __contains__(self, code: object) -> bool:
        return any(a.code == code for a in self.items)

    def get(self, code: str, *, what: str = "area") -> Area:
        """The area with ``code``; an unknown code is a user error listing the known ones."""
        for area in self.items:
            if area.code == code:
                return area
        known = ", ".join(a.code for a in self.items)
        raise PerfreportError(f"{what} {code!r} is not in params/areas.yaml; known areas: {known}")

    def of_type(self, kind: AreaType) -> tuple[Area, ...]:
        return tuple(a for a in self.items if a.type == kind)

    def children(self, code: str) -> tuple[Area, ...]:
        return tuple(a for a in self.items if a.parent == code)

    def partnership_of(self, code: str) -> Area:
        """The partnership an area belongs to (itself, for a partnership)."""
        area = self.get(code)
        while area.type != "partnership" and area.parent:
            area = self.get(area.parent)
        return area

    @property
    def country(self) -> Area | None:
        found = self.of_type("country")
        return found[0] if found else None


def load_areas(path: Path) -> Areas:
    """Read and validate ``params/areas.yaml``: unique codes and slugs, parents that exist."""
    items: list[Area] = []
    lines: dict[str, int] = {}
    for position, item in enumerate(entries(read_yaml(path), "areas"), start=1):
        code = item.value.get("code") if isinstance(item.value, dict) else None
        name = f"area '{code}'" if code else f"area {position}"
        area = validate(Area, item, entry=name)
        for field, value in (("code", area.code), ("slug", area.slug)):
            if any(getattr(a, field) == value for a in items):
                raise PerfreportError(
                    located(
                        path,
                        f"{name}: field '{field}': duplicate {field} {value!r}",
                        line=item.line_of((field,)),
                    )
                )
        lines[area.code] = item.line_of(("parent",))
        items.append(area)
    codes = {a.code for a in items}
    for area in items:
        if area.parent is not None and area.parent not in codes:
            raise PerfreportError(
                located(
                    path,
                    f"area '{area.code}': field 'parent': unknown area {area.parent!r}",
                    line=lines[area.code],
                )
            )
    return Areas(tuple(items))
