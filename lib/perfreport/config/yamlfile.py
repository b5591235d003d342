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
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from perfreport.config.located import Located, child_node
from perfreport.config.strict_yaml import MAX_NESTING, check_strict
from perfreport.errors import PerfreportError, located

if TYPE_CHECKING:
    pass

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (ten times faster), else PyYAML's own."""

_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""Characters YAML does not allow in a file (YAML 1.1, section 5.1; PyYAML's reader)."""


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
        check_strict(node, (), path, loader, set())
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


def entries(doc: Located, key: str) -> Iterator[Located]:
    """The items of the list under top-level ``key``, each with its own line numbers."""
    if not isinstance(doc.value, dict) or key not in doc.value:
        raise PerfreportError(located(doc.path, f"expected a top-level '{key}:' list", line=1))
    items, seq = doc.value[key], child_node(doc.node, key)
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
    node = child_node(doc.node, key)
    return Located(doc.value[key], node if node is not None else doc.node, doc.path)
