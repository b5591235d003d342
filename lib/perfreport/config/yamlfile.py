"""Reading the project's YAML files with errors that name the file, line, entry and field.

Every configuration file is validated by a pydantic model as soon as it is read. A failure
becomes one :class:`~perfreport.errors.PerfreportError` line such as::

    params/catalogue/local.yaml:41: entry 'L-COM-01': field 'target.unit': field required

PyYAML's node tree gives the line of each entry and field, so messages point where the
analyst has to look.

The YAML is read strictly, so that nothing is silently misread: a key given twice in one
mapping, a number with a leading zero (``0100``, which YAML 1.1 reads as octal 64), a hexadecimal
or binary number (``0x1A``, ``0b101``), a base-60 number (``1:30``, read as 90), a YAML 1.1
yes/no word (``yes``, ``no``, ``on``, ``off``, ``y``, ``n`` in any case), an impossible date
(``2024-13-01``) and a tag that changes a value's type (``!!int``, ``!!set``, ``!foo``; ``!!str``
is allowed) are each an error naming the file and line and what to write instead. ``true`` and
``false`` are booleans; quoted text is text.

Keys are compared by the value they are read as, as the models that validate them would:
``1``, ``+1``, ``1.0``, ``true`` and ``'1'`` are one key given twice. A key is text or a whole
number written plainly (``1``, ``-2``): a key that YAML reads as a boolean, as empty (null), as a
decimal number, or as a whole number written with a plus sign or underscores (``+1``,
``1_000``) is refused, since a model expecting a number reads each as some number silently.

The file must be UTF-8 text without control characters (other than tab and line breaks); the
error names the line and column of the first offending byte or character. Mappings and lists
nest at most :data:`MAX_NESTING` deep. Every error PyYAML raises while reading, scanning,
parsing, composing or constructing becomes one line naming the file and line.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
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
_PLAIN_INTEGER_KEY = re.compile(r"^-?(?:0|[1-9][0-9]*)$")
_NUMBER_TEXT = re.compile(r"^\s*[-+]?[0-9]+(?:\.[0-9]*)?\s*$")
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""Characters YAML does not allow in a file (YAML 1.1, section 5.1; PyYAML's reader)."""
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_NUMBER_TAGS = frozenset({_INT_TAG, _FLOAT_TAG})
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_DEFAULT_TAGS = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}
_NUMBER_BASES = {"0x": "hexadecimal", "0b": "binary"}
MAX_NESTING = 50
"""Mappings and lists inside one another, at most (params files need five or six)."""


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
    text = read_text(path)
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise PerfreportError(located(path, "file is empty"))
        _check_strict(node, (), path, loader, set())
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise PerfreportError(_marked_error(exc, path)) from None
    except yaml.YAMLError as exc:  # ReaderError: the characters checked above make it unlikely
        raise PerfreportError(_unmarked_error(exc, path, text)) from None
    except RecursionError:  # PyYAML's own (recursive) composer, where libyaml is missing
        raise PerfreportError(
            located(path, f"not valid YAML: nested more than {MAX_NESTING} levels deep")
        ) from None
    finally:
        loader.dispose()
    return Located(value, node, path)


def read_text(path: Path) -> str:
    """The text of ``path``: UTF-8 without characters YAML forbids, else a one-line user error.

    >>> import tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "rag.yaml"
    >>> _ = bad.write_bytes(b"a: 1\\n# caf\\xe9\\n")
    >>> read_text(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    perfreport.errors.PerfreportError: ...rag.yaml:2: not UTF-8 text (byte 0xe9 at column 6): save the file as UTF-8
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PerfreportError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        before = data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8")
        utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        raise PerfreportError(
            located(
                path,
                f"not UTF-8 text (byte 0x{data[exc.start]:02x} at column {len(before) + 1}"
                f"{'; the file is UTF-16' if utf16 else ''}): save the file as UTF-8",
                line=line,
            )
        ) from None
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line, column = _position(text, bad.start())
        code = ord(bad.group())
        kind = "a control character" if unicodedata.category(bad.group()) == "Cc" else "character"
        raise PerfreportError(
            located(
                path,
                f"{kind} (U+{code:04X}) at column {column}, which YAML does not allow: delete "
                "it (an invisible character is often pasted in from another program)",
                line=line,
            )
        )
    return text


def _position(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of character ``index`` of ``text``."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _marked_error(exc: yaml.MarkedYAMLError, path: Path) -> str:
    """One line for a scanner, parser, composer or constructor error, at the problem's line.

    Where PyYAML names what it was reading when it failed (an unclosed quote, a mapping),
    the line that began on is given too, since that is usually where the mistake is.
    """
    problem = " ".join(str(exc.problem or exc.context or "cannot be read").split())
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    if exc.problem and exc.context and exc.context_mark is not None:
        began = exc.context_mark.line + 1
        if began != line:
            problem += f" ({' '.join(exc.context.split())} on line {began})"
    return located(path, f"not valid YAML: {problem}", line=line)


def _unmarked_error(exc: yaml.YAMLError, path: Path, text: str) -> str:
    """One line for an error without a mark (a ReaderError), at its character's line."""
    character = getattr(exc, "character", None)
    found = text.find(chr(character)) if isinstance(character, int) else -1
    reason = " ".join(str(getattr(exc, "reason", None) or exc).split()[:12])
    line = _position(text, found)[0] if found >= 0 else None
    return located(path, f"not valid YAML: {reason}", line=line)


def _check_strict(
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
                _check_strict(key, loc, path, loader, seen, depth + 1)
            _check_strict(value, where, path, loader, seen, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _check_strict(item, (*loc, position), path, loader, seen, depth + 1)
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
