"""Area types: the kinds of area a project reports on, their hierarchy and their roles.

Declared in ``params/areas.yaml`` under ``area_types:`` (optional; before ``areas:``). Each type
has an ``id`` (a slug), a ``name`` for readers, an optional ``parent`` type (the hierarchy:
trust → icb → region → england; hospital → health_board → country; locality → partnership) and an
optional ``role``:

- ``body``: an organisation reported on; count targets bind it, its parts add up to it;
- ``part``: a part of its parent body that adds up to it (localities); funnel plots compare parts;
- ``comparator``: the national comparator (``benchmarks: [comparator]`` means it);
- none: an area with figures of its own, assessed like any other.

Without ``area_types:`` the types are :data:`DEFAULT_AREA_TYPES`, a Scottish health and social
care partnership's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal, NoReturn

from pydantic import Field

from perfreport.config.located import Located
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import entries
from perfreport.errors import PerfreportError, located

Role = Literal["body", "part", "comparator"]
SLUG = r"^[a-z][a-z0-9_]*$"


class AreaType(Params):
    """One ``area_types:`` entry (see the module docstring)."""

    id: str = Field(pattern=SLUG, max_length=40)
    name: str = Field(min_length=2)
    """What readers call an area of this type, lower case: ``'locality'``, ``'NHS board'``."""
    parent: str | None = None
    role: Role | None = None
    plural: str | None = None
    """The name in the plural, where adding "s" (or "y" → "ies") is wrong."""

    @property
    def names(self) -> str:
        """The name in the plural: ``'localities'``, ``'NHS boards'``."""
        if self.plural:
            return self.plural
        if self.name.endswith("y") and self.name[-2:-1] not in set("aeiou"):
            return self.name[:-1] + "ies"
        return self.name + "s"


DEFAULT_AREA_TYPES: tuple[AreaType, ...] = (
    AreaType(id="partnership", name="partnership", role="body"),
    AreaType(id="locality", name="locality", parent="partnership", role="part"),
    AreaType(id="council", name="council area", parent="partnership"),
    AreaType(id="health_board", name="NHS board", parent="country"),
    AreaType(id="comparator_group", name="comparator group"),
    AreaType(id="country", name="country", role="comparator"),
)
"""Today's six types with today's meaning, for an areas file without ``area_types:``."""


def named_entries(doc: Located, key: str, what: str, field: str) -> Iterator[tuple[Located, str]]:
    """Each entry of ``doc``'s ``key`` list with the name messages call it by: ``area
    'S37000005'`` by its ``field``, or ``area 3`` (its position) when it has none."""
    for position, item in enumerate(entries(doc, key), start=1):
        ident = item.value.get(field) if isinstance(item.value, dict) else None
        yield item, f"{what} '{ident}'" if ident else f"{what} {position}"


def read_area_types(doc: Located) -> tuple[AreaType, ...]:
    """The ``area_types:`` of an areas file, checked, or the defaults when it has none.

    Raises
    ------
    PerfreportError
        One line naming the file, line, entry and field: a duplicate id, an unknown parent
        type, a cycle in the hierarchy, an unknown role, a part without a parent type.
    """
    if not isinstance(doc.value, dict) or "area_types" not in doc.value:
        return DEFAULT_AREA_TYPES
    types: list[AreaType] = []
    where: dict[str, Located] = {}
    for item, name in named_entries(doc, "area_types", "area type", "id"):
        kind = validate(AreaType, item, entry=name)
        if kind.id in where:
            fail_at(item, name, "id", f"duplicate id {kind.id!r}")
        if kind.id == "all":
            fail_at(
                item, name, "id", "'all' means every area in a cycle's areas; choose another id"
            )
        other = next((t for t in types if kind.role == "comparator" == t.role), None)
        if other is not None:
            fail_at(
                item, name, "role", f"area type '{other.id}' is the comparator already (one only)"
            )
        where[kind.id] = item
        types.append(kind)
    for kind in types:
        _check_parent(kind, types, where[kind.id])
    return tuple(types)


def _check_parent(kind: AreaType, types: Sequence[AreaType], item: Located) -> None:
    name = f"area type '{kind.id}'"
    ids = {t.id: t for t in types}
    if kind.role == "part" and kind.parent is None:
        fail_at(item, name, "parent", "a part needs a parent type (the body it is part of)")
    if kind.parent is None:
        return
    if kind.parent not in ids:
        fail_at(
            item, name, "parent", f"unknown area type {kind.parent!r}; declared: {', '.join(ids)}"
        )
    seen, up = [kind.id], ids[kind.parent]
    while True:
        if up.id in seen:
            chain = " → ".join([*seen, up.id])
            fail_at(item, name, "parent", f"the hierarchy goes round in a circle: {chain}")
        seen.append(up.id)
        if up.parent is None or up.parent not in ids:
            return
        up = ids[up.parent]


def fail_at(item: Located, name: str, field: str, message: str) -> NoReturn:
    """Refuse ``item`` (entry ``name``) in one line naming its file, the field's line and the field."""
    raise PerfreportError(
        located(item.path, f"{name}: field '{field}': {message}", line=item.line_of((field,)))
    )
