"""Reading the project's YAML files with errors that name the file, line, entry and field.

Every configuration file is validated by a pydantic model as soon as it is read. A failure
becomes one :class:`~perfreport.errors.PerfreportError` line such as::

    params/catalogue/local.yaml:41: entry 'L-COM-01': field 'target.unit': field required

PyYAML's node tree gives the line of each entry and field, so messages point where the
analyst has to look.

The YAML is read strictly, so that nothing is silently misread: a key given twice in one
mapping, a number with a leading zero (``0100``, which YAML 1.1 reads as octal 64), a base-60
number (``1:30``, read as 90), a YAML 1.1 yes/no word (``yes``, ``no``, ``on``, ``off``, ``y``,
``n`` in any case) and an impossible date (``2024-13-01``) are each an error naming the file
and line and what to write instead. ``true`` and ``false`` are booleans; quoted text is text.
"""

from __future__ import annotations

import re
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

YES_NO_WORDS = frozenset({"yes", "no", "on", "off", "y", "n"})
"""Plain words YAML 1.1 reads as booleans (PyYAML: all but ``y`` and ``n``); never accepted."""
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$")
_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"


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
    """Parse ``path`` strictly (see the module docstring); any problem is a one-line user error.

    >>> import tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "rag.yaml"
    >>> _ = bad.write_text("tolerance: 010\\n")
    >>> read_yaml(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    perfreport.errors.PerfreportError: ...rag.yaml:1: field 'tolerance': 010 is a number with a leading zero ...
    """
    if not path.is_file():
        raise PerfreportError(f"{path}: file not found")
    text = path.read_text(encoding="utf-8")
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise PerfreportError(located(path, "file is empty"))
        _check_strict(node, (), path, loader, set())
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise PerfreportError(located(path, f"not valid YAML: {exc.problem}", line=line)) from None
    finally:
        loader.dispose()
    return Located(value, node, path)


def _check_strict(
    node: yaml.Node, loc: tuple[str | int, ...], path: Path, loader: Any, seen: set[int]
) -> None:
    """Refuse, in file order, what YAML 1.1 would silently misread (see the module docstring)."""
    if id(node) in seen:  # an alias of a node already checked
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            where = loc
            if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE_TAG:
                where = (*loc, key.value)
                _check_scalar(key, where, path, loader, what="key")
                ident = (key.tag, key.value)
                if ident in first:
                    raise PerfreportError(
                        located(
                            path,
                            f"field '{field_name(where)}': duplicate key, already given on line "
                            f"{first[ident]}; give each key once",
                            line=_line(key),
                        )
                    )
                first[ident] = _line(key)
            else:
                _check_strict(key, loc, path, loader, seen)
            _check_strict(value, where, path, loader, seen)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _check_strict(item, (*loc, position), path, loader, seen)
    elif isinstance(node, yaml.ScalarNode):
        _check_scalar(node, loc, path, loader, what="value")


def _check_scalar(
    node: yaml.ScalarNode, loc: tuple[str | int, ...], path: Path, loader: Any, *, what: str
) -> None:
    if node.style:  # quoted or a block of text: read as written (plain is None or "")
        return
    text = str(node.value)
    problem = None
    if text.lower() in YES_NO_WORDS:
        problem = (
            f"{text} is a YAML 1.1 boolean (yes, no, on, off, y, n): write true or false, or "
            f"quote it ('{text}') for text"
        )
    elif _LEADING_ZERO.match(text):
        problem = (
            f"{text} is a number with a leading zero (YAML 1.1 reads 0100 as octal, 64): "
            f"write {_without_leading_zeros(text)}, or '{text}' in quotes for text"
        )
    elif node.tag in _NUMBER_TAGS and ":" in text:
        problem = (
            f"{text} is read as a base-60 number ({loader.construct_object(node)}): quote it "
            f"('{text}') for text"
        )
    elif node.tag == _TIMESTAMP_TAG:
        try:
            loader.construct_yaml_timestamp(node)
        except ValueError as exc:
            problem = f"{text} is not a date ({exc}); write dates as YYYY-MM-DD"
    if problem is not None:
        within = loc[:-1] if what == "key" else loc
        prefix = (f"field '{field_name(within)}': " if within else "") + (
            "key " if what == "key" else ""
        )
        raise PerfreportError(located(path, f"{prefix}{problem}", line=_line(node)))


def _without_leading_zeros(text: str) -> str:
    """``'0100'`` -> ``'100'``, ``'-007.5'`` -> ``'-7.5'``, ``'00'`` -> ``'0'``."""
    sign = text[0] if text[0] in "+-" else ""
    digits = text[len(sign) :].lstrip("0")
    if not digits or not digits[0].isdigit():
        digits = "0" + digits
    return f"{'-' if sign == '-' else ''}{digits}"


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


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
