"""What YAML 1.1 would silently misread, refused: each a one-line error naming the file and line.

See :mod:`perfreport.config.yamlfile` for the list (duplicate keys, leading zeros, hexadecimal,
binary and base-60 numbers, yes/no words, impossible dates, type-changing tags, ambiguous keys,
nesting deeper than :data:`MAX_NESTING`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from perfreport.config.validation import field_name
from perfreport.errors import PerfreportError, located

YES_NO_WORDS = frozenset({"yes", "no", "on", "off", "y", "n"})
"""Plain words YAML 1.1 reads as booleans (PyYAML: all but ``y`` and ``n``); never accepted."""
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$")
_PLAIN_INTEGER_KEY = re.compile(r"^-?(?:0|[1-9][0-9]*)$")
_NUMBER_TEXT = re.compile(r"^\s*[-+]?[0-9]+(?:\.[0-9]*)?\s*$")
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_NUMBER_TAGS = frozenset({_INT_TAG, _FLOAT_TAG})
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_DEFAULT_TAGS: dict[type[yaml.Node], str] = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}
_NUMBER_BASES = {"0x": "hexadecimal", "0b": "binary"}
MAX_NESTING = 50
"""Mappings and lists inside one another, at most (params files need five or six)."""


def check_strict(
    node: yaml.Node,
    loc: tuple[str | int, ...],
    path: Path,
    loader: Any,
    seen: set[int],
    depth: int = 0,
) -> None:
    """Refuse, in file order, what YAML 1.1 would silently misread (see the module docstring)."""
    if id(node) in seen:  # an alias of a node already checked
        return
    seen.add(id(node))
    if depth > MAX_NESTING:  # deeper would exhaust Python's recursion here or in PyYAML
        raise PerfreportError(
            located(
                path,
                f"not valid YAML: nested more than {MAX_NESTING} levels deep (params files "
                "need a few)",
                line=_line(node),
            )
        )
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        _check_tag(node, loc, path, loader, what="value")
    if isinstance(node, yaml.MappingNode):
        first: dict[object, yaml.ScalarNode] = {}
        for key, value in node.value:
            where = loc
            if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE_TAG:
                where = (*loc, key.value)
                _check_scalar(key, where, path, loader, what="key")
                ident = _key_identity(loader.construct_object(key))
                if ident in first:
                    raise PerfreportError(_duplicate(first[ident], key, where, path))
                first[ident] = key
                _check_key_form(key, loc, path, loader)
            else:
                check_strict(key, loc, path, loader, seen, depth + 1)
            check_strict(value, where, path, loader, seen, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            check_strict(item, (*loc, position), path, loader, seen, depth + 1)
    elif isinstance(node, yaml.ScalarNode):
        _check_scalar(node, loc, path, loader, what="value")


def _key_identity(value: object) -> object:
    """What a key means to a model: ``'1'``, ``' 1 '`` and ``'1.0'`` are the number 1.

    Python already treats ``1``, ``1.0`` and ``True`` as one key; a :class:`~decimal.Decimal`
    hashes and compares equal to them too, without a float's rounding.
    """
    if isinstance(value, str) and _NUMBER_TEXT.match(value):
        return Decimal(value.strip())
    return value


def _duplicate(
    before: yaml.ScalarNode, key: yaml.ScalarNode, where: tuple[str | int, ...], path: Path
) -> str:
    spelled = ""
    if (before.value, bool(before.style)) != (key.value, bool(key.style)):
        spelled = f" ({_as_written(key)} and {_as_written(before)} are the same key)"
    return located(
        path,
        f"field '{field_name(where)}': duplicate key{spelled}, already given on line "
        f"{_line(before)}; give each key once",
        line=_line(key),
    )


def _as_written(node: yaml.ScalarNode) -> str:
    return f"'{node.value}'" if node.style else str(node.value)


def _check_key_form(
    key: yaml.ScalarNode, loc: tuple[str | int, ...], path: Path, loader: Any
) -> None:
    """A plain key is text or a whole number written plainly (see the module docstring)."""
    if key.style:
        return
    text, problem = str(key.value), None
    instead = f"'{text}' in quotes for text"
    if key.tag == "tag:yaml.org,2002:bool":
        problem = f"{text} is a boolean; a key is text or a whole number: write {instead}"
    elif key.tag == "tag:yaml.org,2002:null":
        problem = (
            f"{text} is read as empty (null): give the key"
            if text
            else "is missing: write it before the colon"
        )
    elif key.tag == _FLOAT_TAG:
        value = loader.construct_object(key)
        whole = f"{int(value)}, or " if value == value and value % 1 == 0 else ""
        problem = (
            f"{text} is a decimal number; a key is text or a whole number: write {whole}{instead}"
        )
    elif key.tag == _INT_TAG and not _PLAIN_INTEGER_KEY.match(text):
        how = "a plus sign" if text.startswith("+") else "underscores"
        problem = (
            f"{text} is a whole number written with {how}: write "
            f"{loader.construct_object(key)}, or {instead}"
        )
    if problem is not None:
        prefix = f"field '{field_name(loc)}': " if loc else ""
        raise PerfreportError(located(path, f"{prefix}key {problem}", line=_line(key)))


def _check_tag(
    node: yaml.Node, loc: tuple[str | int, ...], path: Path, loader: Any, *, what: str
) -> None:
    """Refuse a tag that changes what a value is read as (``!!int``, ``!!set``, ``!foo``)."""
    if isinstance(node, yaml.ScalarNode):
        implicit = (
            _STR_TAG if node.style else loader.resolve(yaml.ScalarNode, node.value, (True, False))
        )
        if node.tag in (implicit, _STR_TAG):
            return
    elif node.tag == _DEFAULT_TAGS[type(node)]:
        return
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    within = loc[:-1] if what == "key" else loc
    prefix = (f"field '{field_name(within)}': " if within else "") + (
        "key " if what == "key" else ""
    )
    raise PerfreportError(
        located(
            path,
            f"{prefix}the tag {tag} is not used in params files: write the value without it "
            "(quote it for text)",
            line=_line(node),
        )
    )


def _check_scalar(
    node: yaml.ScalarNode, loc: tuple[str | int, ...], path: Path, loader: Any, *, what: str
) -> None:
    _check_tag(node, loc, path, loader, what=what)
    if node.style:  # quoted or a block of text: read as written (plain is None or "")
        return
    text = str(node.value)
    digits = text.lstrip("+-")[:2]
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
    elif node.tag == _INT_TAG and digits in _NUMBER_BASES:
        value = loader.construct_object(node)
        problem = (
            f"{text} is read as a {_NUMBER_BASES[digits]} number ({value}): write {value}, or "
            f"'{text}' in quotes for text"
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
    elif node.tag == "tag:yaml.org,2002:value":
        problem = f"{text} is a YAML 1.1 special value: quote it ('{text}') for text"
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
