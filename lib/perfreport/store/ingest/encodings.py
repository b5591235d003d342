"""Which one encoding a CSV file is in; a file that mixes encodings is refused.

Excel on Windows saves CSV as Windows-1252 (cp1252); most other tools write UTF-8, some with a
byte-order mark. A file pasted together from both holds lines of each, and Windows-1252 accepts
nearly any byte, so reading such a file whole as Windows-1252 turns every UTF-8 ``é`` into
``Ã©`` without a word. Instead, each line holding a non-ASCII byte is classed as valid UTF-8 or
not (a UTF-8 character never spans a line: its bytes are all above 0x7F), and:

- every such line is UTF-8: the file is UTF-8. If the source spec declares another encoding
  the file is refused rather than read as declared: Windows-1252 text is valid UTF-8 only if
  its accented letters come in pairs such as ``Ã©``, so the declaration is wrong and reading
  as declared would garble every accent;
- none is UTF-8: the file is in the spec's encoding or, failing that, Windows-1252;
- some of each, or a UTF-8 byte-order mark followed by a line that is not UTF-8: refused, naming
  the first line of the less common kind (of the non-UTF-8 kind when they are as common).

Lines are physical lines (as an editor numbers them) counted from 1. Checking is done a chunk
at a time on the bytes, so it never holds a decoded copy of the whole file.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from perfreport.errors import PerfreportError, located
from perfreport.store.ingest.limits import quoted
from perfreport.store.ingest.spec import SourceSpec

UTF8 = "utf-8"
UTF8_CODECS = frozenset({"utf-8", "utf-8-sig"})
FALLBACK_ENCODINGS = ("utf-8-sig", "cp1252")
"""Tried after the spec's encoding: UTF-8 with a byte-order mark, then Windows-1252 (Excel's)."""
CHUNK_BYTES = 16 * 1024 * 1024
NON_ASCII = re.compile(rb"[\x80-\xff]+")
FIX = "save the whole file in one encoding, UTF-8"


def reading_codec(encoding: str) -> str:
    """The codec to read a file found to be in ``encoding``: UTF-8 drops a byte-order mark."""
    return "utf-8-sig" if codecs.lookup(encoding).name in UTF8_CODECS else encoding


def csv_encoding(path: Path, data: bytes, spec: SourceSpec) -> str:
    """The encoding all of ``data`` is in, as recorded in ``loads``; refuse mixed encodings."""
    try:
        declared = codecs.lookup(spec.encoding).name
    except LookupError:
        raise PerfreportError(
            f"{path}: unknown encoding {spec.encoding!r} in source spec '{spec.name}'"
        ) from None
    declared_utf8 = declared in UTF8_CODECS
    if data.isascii():
        return UTF8 if declared_utf8 else spec.encoding
    bom = data.startswith(codecs.BOM_UTF8)
    if _first_error(data, UTF8) is None:
        if declared_utf8:
            return UTF8
        raise PerfreportError(_declared_wrongly(path, data, spec, bom))
    lines = _Lines.of(data)
    if bom:
        raise PerfreportError(
            located(
                path,
                f"the file starts with a UTF-8 byte-order mark but line {lines.other[0]:,} is "
                f"not UTF-8 ({lines.other[1]}; Windows-1252?): the file mixes encodings; {FIX}",
                line=lines.other[0],
            )
        )
    if lines.utf8 is not None:
        if lines.others > lines.utf8s:
            line, detail, rest = lines.utf8[0], f"is UTF-8 ({lines.utf8[1]})", lines.other[0]
            count, kind = lines.others, "not (Windows-1252?)"
        else:
            line, detail, rest = lines.other[0], f"is not UTF-8 ({lines.other[1]})", lines.utf8[0]
            count, kind = lines.utf8s, "UTF-8"
        others = (
            f"{count:,} other line{'s' if count > 1 else ''} with accents (the first is line "
            f"{rest:,}) {'are' if count > 1 else 'is'} {kind}"
        )
        raise PerfreportError(
            located(
                path,
                f"the file mixes encodings: line {line:,} {detail} but {others}; {FIX}",
                line=line,
            )
        )
    return _single_encoding(path, data, spec)


def _single_encoding(path: Path, data: bytes, spec: SourceSpec) -> str:
    """No line is UTF-8: the spec's encoding, or the first fallback that decodes every byte."""
    tried: list[str] = []
    for encoding in dict.fromkeys((spec.encoding, *FALLBACK_ENCODINGS)):
        offset = _first_error(data, encoding)
        if offset is None:
            return encoding
        tried.append(f"{encoding} (byte 0x{data[offset]:02x} at offset {offset})")
    raise PerfreportError(f"{path}: cannot decode the file as {', '.join(tried)}; save it as UTF-8")


def _first_error(data: bytes, encoding: str) -> int | None:
    """Offset of the first byte ``encoding`` cannot decode, or None; decodes a chunk at a time."""
    decoder = codecs.getincrementaldecoder(encoding)()
    for start in range(0, len(data), CHUNK_BYTES):
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(
                data[start : start + CHUNK_BYTES], final=start + CHUNK_BYTES >= len(data)
            )
        except UnicodeDecodeError as exc:
            return max(start - pending + exc.start, 0)
    return None


def _non_ascii_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each line holding a byte above 0x7F."""
    line, counted, end = 1, 0, -1
    for match in NON_ASCII.finditer(data):
        if match.start() <= end:
            continue
        start = data.rfind(b"\n", 0, match.start()) + 1
        line += data.count(b"\n", counted, start)
        counted = start
        end = data.find(b"\n", match.end())
        end = len(data) if end == -1 else end
        yield line, data[start:end]


def _first_utf8_character(text: str) -> str:
    char = next(c for c in text.removeprefix("\ufeff") if ord(c) > 0x7F)
    return f"{quoted(char)} written as bytes {char.encode(UTF8).hex(' ')}"


@dataclass
class _Lines:
    """The first line of each kind (number, detail) and how many lines there are of each."""

    utf8: tuple[int, str] | None
    other: tuple[int, str]
    utf8s: int
    others: int

    @classmethod
    def of(cls, data: bytes) -> _Lines:
        utf8 = other = None
        utf8s = others = 0
        for number, raw in _non_ascii_lines(data):
            try:
                text = raw.decode(UTF8)
            except UnicodeDecodeError as exc:
                others += 1
                if other is None:
                    other = (number, f"byte 0x{raw[exc.start]:02x} at column {exc.start + 1:,}")
                continue
            if text.removeprefix("\ufeff").isascii():
                continue  # only a byte-order mark
            utf8s += 1
            if utf8 is None:
                utf8 = (number, _first_utf8_character(text))
        assert other is not None, "called only when the file is not valid UTF-8"
        return cls(utf8, other, utf8s, others)


def _declared_wrongly(path: Path, data: bytes, spec: SourceSpec, bom: bool) -> str:
    """The file is valid UTF-8 with accents, but the spec says another encoding."""
    if bom:
        line, detail = 1, "it starts with a UTF-8 byte-order mark"
    else:
        line, raw = next(_non_ascii_lines(data))
        text = raw.decode(UTF8)
        char = next(c for c in text if ord(c) > 0x7F)
        misread = char.encode(UTF8).decode(spec.encoding, errors="replace")
        detail = (
            f"line {line:,} has {_first_utf8_character(text)}, "
            f"which {spec.encoding} would read as {quoted(misread)}"
        )
    return located(
        path,
        f"the file is UTF-8, not the {spec.encoding} source spec '{spec.name}' says (encoding): "
        f"{detail}; set encoding: utf-8 in the spec, or save the file as {spec.encoding}",
        line=line,
    )
