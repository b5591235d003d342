"""Areas: the bodies reported on, their parts, and the comparators they are set against.

Read from ``params/areas.yaml``. Each area has a code (a standard geography code where one
exists), a name for readers, a type (declared under ``area_types:``, see
:mod:`perfreport.config.area_types`), an optional parent and a slug used in output paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from perfreport.config.area_types import (
    DEFAULT_AREA_TYPES,
    AreaType,
    Role,
    fail_at,
    named_entries,
    read_area_types,
)
from perfreport.config.entries import Entries
from perfreport.config.located import Located
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import read_yaml
from perfreport.errors import PerfreportError

__all__ = ["Area", "AreaType", "Areas", "Role", "load_areas"]


class Area(Params):
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=20)
    name: str = Field(min_length=2)
    type: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    parent: str | None = None
    slug: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Areas(Entries[Area]):
    """All areas, in file order, looked up by code, with the area types they are of."""

    types: tuple[AreaType, ...] = DEFAULT_AREA_TYPES

    def __contains__(self, code: object) -> bool:
        return any(a.code == code for a in self.items)

    def get(self, code: str, *, what: str = "area") -> Area:
        """The area with ``code``; an unknown code is a user error listing the known ones."""
        for area in self.items:
            if area.code == code:
                return area
        known = ", ".join(a.code for a in self.items)
        raise PerfreportError(f"{what} {code!r} is not in params/areas.yaml; known areas: {known}")

    def type_of(self, area: Area) -> AreaType:
        """The declared type of ``area``."""
        return self.area_type(area.type)

    def area_type(self, ident: str) -> AreaType:
        """The declared area type with id ``ident``."""
        for kind in self.types:
            if kind.id == ident:
                return kind
        raise PerfreportError(f"area type {ident!r} is not declared in params/areas.yaml")

    def role_of(self, code: str) -> Role | None:
        """The role of the area's type: ``body``, ``part``, ``comparator`` or None."""
        return self.type_of(self.get(code)).role

    def of_type(self, kind: str) -> tuple[Area, ...]:
        return tuple(a for a in self.items if a.type == kind)

    def with_role(self, role: Role) -> tuple[Area, ...]:
        """The areas whose type has ``role``, in file order."""
        kinds = {t.id for t in self.types if t.role == role}
        return tuple(a for a in self.items if a.type in kinds)

    def children(self, code: str) -> tuple[Area, ...]:
        return tuple(a for a in self.items if a.parent == code)

    def parts_of(self, code: str) -> tuple[Area, ...]:
        """The areas that are parts of ``code`` (its children whose type has role part)."""
        return tuple(a for a in self.children(code) if self.type_of(a).role == "part")

    def body_of(self, code: str) -> Area:
        """The body an area belongs to: itself or its nearest ancestor whose type has role
        body; the area itself when it has none."""
        area = start = self.get(code)
        while True:
            if self.type_of(area).role == "body":
                return area
            if area.parent is None:
                return start
            area = self.get(area.parent)

    partnership_of = body_of
    """The name of :meth:`body_of` before area types were declared."""

    @property
    def comparator(self) -> Area | None:
        """The national comparator: the first area whose type has role comparator."""
        found = self.with_role("comparator")
        return found[0] if found else None

    @property
    def country(self) -> Area | None:
        """The name of :attr:`comparator` before area types were declared."""
        return self.comparator


def load_areas(path: Path) -> Areas:
    """Read and validate ``params/areas.yaml``: its area types, unique codes and slugs, types
    that are declared, parents that exist and are of the type's parent type."""
    doc = read_yaml(path)
    types = read_area_types(doc)
    items: list[Area] = []
    where: dict[str, Located] = {}
    for item, name in named_entries(doc, "areas", "area", "code"):
        area = validate(Area, item, entry=name)
        for field, value in (("code", area.code), ("slug", area.slug)):
            if any(getattr(a, field) == value for a in items):
                fail_at(item, name, field, f"duplicate {field} {value!r}")
        if not any(t.id == area.type for t in types):
            declared = ", ".join(t.id for t in types)
            fail_at(
                item,
                name,
                "type",
                f"{area.type!r} is not a declared area type; declared: {declared}",
            )
        where[area.code] = item
        items.append(area)
    areas = Areas(tuple(items), types)
    for area in items:
        _check_parent(areas, area, where[area.code])
        _check_no_circle(areas, area, where[area.code])
    return areas


def _check_no_circle(areas: Areas, area: Area, item: Located) -> None:
    """Refuse an area whose chain of parents comes back to it (``T1 → T2 → T1``)."""
    chain = [area.code]
    parent = area.parent
    while parent is not None and parent in areas:
        chain.append(parent)
        if parent == area.code:
            fail_at(
                item,
                f"area '{area.code}'",
                "parent",
                f"the parents go round in a circle: {' → '.join(chain)}",
            )
        if chain.count(parent) > 1:
            return  # a circle above this area: refused at its own entry
        parent = areas.get(parent).parent


def _check_parent(areas: Areas, area: Area, item: Located) -> None:
    name = f"area '{area.code}'"
    if area.parent is None:
        return
    if area.parent not in areas:
        fail_at(item, name, "parent", f"unknown area {area.parent!r}")
    wanted = areas.type_of(area).parent
    parent = areas.get(area.parent)
    if wanted is not None and parent.type != wanted:
        fail_at(
            item,
            name,
            "parent",
            f"{parent.code} is of type {parent.type!r}; a {area.type!r} area's parent must be "
            f"of type {wanted!r}",
        )
