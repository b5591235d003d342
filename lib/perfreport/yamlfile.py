"""Reading the project's YAML files with errors that name the file, line, entry and field.

Every configuration file is validated by a pydantic model as soon as it is read. A failure
becomes one :class:`~perfreport.errors.PerfreportError` line such as::

    params/catalogue/local.yaml:41: entry 'L-COM-01': field 'target.unit': field required

PyYAML's node tree gives the line of each entry and field, so messages point where the
analyst has to look.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from perfreport.errors import PerfreportError, located

M = TypeVar("M", bound=BaseModel)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (ten times faster), else PyYAML's own."""


@dataclass(frozen=True)
class Located:
    """A parsed YAML value with the line numbers (1-based) of it and its keys."""

    value: Any
    node: yaml.Node
    path: Path

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def line_of(self, loc: tuple[str | int, ...]) -> int:
        """The line of the key or item at ``loc`` (as pydantic reports it), or of this value."""
        node = self.node
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1

    def present(self, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
        """``loc`` as the file spells it: list positions the file does not have are dropped.

        A field that accepts one mapping or a list of them is reported by pydantic at
        ``target[0]``; when the file holds a single mapping, ``target`` is what the user wrote.
        """
        node, out = self.node, []
        for part in loc:
            if isinstance(part, int) and not isinstance(node, yaml.SequenceNode):
                continue
            out.append(part)
            node = _child(node, part) or node
        return tuple(out)


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                return value if isinstance(value, yaml.MappingNode | yaml.SequenceNode) else key
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


def read_yaml(path: Path) -> Located:
    """Parse ``path``; a missing file or bad YAML is a one-line user error."""
    if not path.is_file():
        raise PerfreportError(f"{path}: file not found")
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=LOADER)
        value = yaml.load(text, Loader=LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise PerfreportError(located(path, f"not valid YAML: {exc.problem}", line=line)) from None
    if node is None:
        raise PerfreportError(located(path, "file is empty"))
    return Located(value, node, path)


def entries(doc: Located, key: str) -> Iterator[Located]:
    """The items of the list under top-level ``key``, each with its own line numbers."""
    if not isinstance(doc.value, dict) or key not in doc.value:
        raise PerfreportError(located(doc.path, f"expected a top-level '{key}:' list", line=1))
    items, seq = doc.value[key], _child(doc.node, key)
    if not isinstance(items, list) or not isinstance(seq, yaml.SequenceNode):
        raise PerfreportError(
            located(doc.path, f"'{key}' must be a list", line=doc.line_of((key,)))
        )
    for item, node in zip(items, seq.value, strict=True):
        yield Located(item, node, doc.path)


def section(doc: Located, key: str) -> Located | None:
    """The value under top-level ``key`` with its own line numbers, or None if absent."""
    if not isinstance(doc.value, dict) or key not in doc.value:
        return None
    node = _child(doc.node, key)
    return Located(doc.value[key], node if node is not None else doc.node, doc.path)


def field_name(loc: tuple[str | int, ...]) -> str:
    """``('target', 'unit')`` -> ``'target.unit'``; list positions as ``[i]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate(model: type[M], item: Located, *, entry: str | None = None) -> M:
    """Validate ``item`` with ``model``; the first problem becomes a one-line user error.

    ``entry`` names the entry (for example ``"entry 'NI-2'"``) in the message.
    """
    if not isinstance(item.value, dict):
        raise PerfreportError(located(item.path, "expected a mapping of fields", line=item.line))
    try:
        return model.model_validate(item.value)
    except ValidationError as exc:
        raise PerfreportError(describe(exc, item, entry=entry)) from None


def describe(exc: ValidationError, item: Located, *, entry: str | None = None) -> str:
    """One line for the first error of ``exc``, with a count of any others."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = item.present(tuple(p for p in first["loc"] if not _is_union_tag(p)))
    message = _message(first)
    prefix = f"{entry}: " if entry else ""
    where = f"field '{field_name(loc)}': " if loc else ""
    more = (
        f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        if len(errors) > 1
        else ""
    )
    return located(item.path, f"{prefix}{where}{message}{more}", line=item.line_of(loc))


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and ("[" in part or part in {"list", "dict"})


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling)"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{error['input']!r} is not allowed; expected {expected}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
