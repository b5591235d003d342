"""Bounds on what a file may hold and on how much of it a message repeats.

A source spec's ``max_rows``, ``max_columns`` and ``max_cell_chars`` are checked before pandas
sees a file, by streaming it row by row (the ``csv`` module for CSV, openpyxl's read-only mode
for Excel, the footer and then one batch at a time for Parquet), so that a hostile or broken
file (a million columns, a million rows compressed into kilobytes, or an unclosed quote that
turns the rest of the file into one cell) is refused in a second with bounded memory instead of
being parsed into gigabytes. The CSV pass also refuses a row with more or fewer fields than the
header, which pandas would otherwise read shifted (its first column taken as the index).

An Excel or Parquet file is held to the budget of the CSV it would be saved as
(:class:`TextBudget`) and may not unpack to more than
:data:`~perfreport.store.ingest.spec.MAX_UNPACKED_RATIO` times ``max_size_mb`` (:func:`check_unpacked`).

Every message that repeats a cell (an error line, a quarantine reason) goes through
:func:`quoted`, which keeps at most :data:`MAX_QUOTED_CHARS` characters and says how long the
cell was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from perfreport.errors import PerfreportError, located
from perfreport.store.ingest.spec import MAX_UNPACKED_RATIO, SourceSpec

MAX_QUOTED_CHARS = 80
"""The most characters of a cell any message quotes: enough to recognise it, a terminal line."""
MAX_QUOTED_NAMES = 20
"""The most column or sheet names a message lists."""
ELLIPSIS = "\u2026"
BYTES_PER_MB = 1024 * 1024
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def quoted(value: object, limit: int = MAX_QUOTED_CHARS) -> str:
    """``value`` in quotes, cut to ``limit`` characters with an ellipsis and its full length.

    >>> quoted("CS-XXX")
    "'CS-XXX'"
    >>> quoted("x" * 1000, limit=5)
    "'xxxx…' (1,000 characters)"
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[: limit - 1] + ELLIPSIS!r} ({len(text):,} characters)"


def quoted_list(values: Iterable[object], most: int = MAX_QUOTED_NAMES) -> str:
    """The first ``most`` values, each :func:`quoted`, and how many more there are.

    >>> quoted_list(["a", "b", "c"], most=2)
    "'a', 'b' and 1 more"
    """
    values = list(values)
    shown = ", ".join(quoted(v) for v in values[:most])
    return shown if len(values) <= most else f"{shown} and {len(values) - most:,} more"


def _too_wide(spec: SourceSpec, width: int, where: str) -> str:
    return (
        f"{where} has {width:,} columns, over the {spec.max_columns:,} source spec '{spec.name}' "
        "allows (max_columns); is the delimiter right, or is the extract pivoted?"
    )


def _too_long(spec: SourceSpec, what: str) -> str:
    return (
        f"{what} is longer than the {spec.max_cell_chars:,} characters source spec '{spec.name}' "
        "allows (max_cell_chars)"
    )


@contextmanager
def _csv_field_limit(chars: int) -> Iterator[None]:
    """Let the ``csv`` module stop at a field of more than ``chars`` characters (it is global)."""
    previous = csv.field_size_limit(chars)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def too_many_rows(spec: SourceSpec, what: str) -> str:
    """The message for a file over the spec's row limit; ``what`` says how many rows it has."""
    return (
        f"{what}, over the {spec.row_limit:,} source spec '{spec.name}' allows (max_rows; set it "
        "in the spec for a longer extract)"
    )


def check_csv_bounds(path: Path, data: bytes, encoding: str, spec: SourceSpec) -> None:
    """Refuse a CSV over ``max_rows``, ``max_columns`` or ``max_cell_chars``, or a ragged row.

    One pass of the ``csv`` module over the bytes (decoded a chunk at a time), keeping one row
    at a time: a million-column row is one list of short strings (tens of MB) rather than a
    million-column DataFrame, and the ``csv`` module itself stops reading a cell at the limit.
    Rows below the header count towards ``max_rows``, blank ones too (pandas keeps them until
    they are dropped); each non-blank one must have as many fields as the header. About a second
    per million rows.
    """
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=spec.delimiter, strict=False)
    row_start, record, header_line, header_fields = 1, 0, 0, 0
    with _csv_field_limit(spec.max_cell_chars):
        try:
            for row in reader:
                record += 1
                if len(row) > spec.max_columns:
                    raise PerfreportError(
                        located(
                            path,
                            _too_wide(spec, len(row), f"the row starting on line {row_start:,}"),
                            line=row_start,
                        )
                    )
                if record == spec.header_row:
                    header_line, header_fields = row_start, len(row)
                elif record > spec.header_row:
                    if record - spec.header_row > spec.row_limit:
                        raise PerfreportError(
                            located(
                                path,
                                too_many_rows(
                                    spec,
                                    f"the file has more than {spec.row_limit:,} rows below the "
                                    f"header (the next starts on line {row_start:,})",
                                ),
                                line=row_start,
                            )
                        )
                    if row and header_fields > 1 and len(row) != header_fields:
                        raise PerfreportError(
                            located(
                                path,
                                _ragged(spec, len(row), header_fields, row_start, header_line),
                                line=row_start,
                            )
                        )
                row_start = reader.line_num + 1
        except csv.Error as exc:
            if "field larger than field limit" not in str(exc):
                raise PerfreportError(
                    located(path, f"cannot read as CSV: {exc}", line=reader.line_num)
                ) from None
            message = _too_long(spec, f"a cell in the row starting on line {row_start:,}")
            if reader.line_num > row_start:
                message += f"; it runs on to line {reader.line_num:,}: an unclosed quote?"
            raise PerfreportError(located(path, message, line=row_start)) from None


def _ragged(spec: SourceSpec, fields: int, header: int, line: int, header_line: int) -> str:
    """A row whose fields do not line up with the header's columns."""
    name = DELIMITER_NAMES.get(spec.delimiter, repr(spec.delimiter))
    cause = (
        f"a trailing {name}, or a {name} inside a cell that is not quoted?"
        if fields > header
        else "a row cut short, or a missing delimiter?"
    )
    return (
        f"the row starting on line {line:,} has {fields:,} fields; the header (line "
        f"{header_line:,}) has {header:,}: {cause} every row needs the header's {header:,} fields"
    )


def check_row_width(path: Path, spec: SourceSpec, width: int, where: str) -> None:
    """Refuse a row (or a schema) of more than ``max_columns`` columns; ``where`` names it."""
    if width > spec.max_columns:
        raise PerfreportError(f"{path}: {_too_wide(spec, width, where)}")


def check_cell_length(path: Path, spec: SourceSpec, chars: int, where: str) -> None:
    """Refuse a cell of more than ``max_cell_chars`` characters; ``where`` names it."""
    if chars > spec.max_cell_chars:
        raise PerfreportError(f"{path}: {_too_long(spec, f'{where} ({chars:,} characters)')}")


def check_unpacked(path: Path, spec: SourceSpec, unpacked: int, what: str) -> None:
    """Refuse a file whose parts (as its own directory or footer states) unpack too far.

    ``what`` names the parts (``the workbook's parts``, ``the column chunks``).
    """
    limit = MAX_UNPACKED_RATIO * spec.max_size_mb * BYTES_PER_MB
    if unpacked > limit:
        raise PerfreportError(
            f"{path}: {what} unpack to {unpacked / BYTES_PER_MB:,.1f} MB, over "
            f"{MAX_UNPACKED_RATIO} times the {spec.max_size_mb:g} MB limit of source spec "
            f"'{spec.name}' (max_size_mb): ordinary files compress far less (a zip bomb?)"
        )


class TextBudget:
    """The CSV text an Excel or Parquet file's cells would be, refused past ``max_size_mb``.

    Each cell counts its characters and one more (its delimiter or line end), so an empty cell
    counts too: a file is allowed the cells and text a CSV within the limit can hold, and the
    memory promise made for CSV holds for it.
    """

    def __init__(self, path: Path, spec: SourceSpec) -> None:
        self.path, self.spec = path, spec
        self.limit = int(spec.max_size_mb * BYTES_PER_MB)
        self.used = 0

    def add(self, chars: int, cells: int, where: str) -> None:
        """Count ``cells`` cells of ``chars`` characters in all; ``where`` names the last row."""
        self.used += chars + cells
        if self.used > self.limit:
            raise PerfreportError(self.over(where))

    def over(self, where: str) -> str:
        mb = self.spec.max_size_mb
        return (
            f"{self.path}: {where} the file holds over {mb:g} MB of cells once unpacked (counted "
            f"as the CSV it would be), over the {mb:g} MB limit of source spec '{self.spec.name}' "
            "(max_size_mb), which bounds what a file unpacks to as well as its size"
        )
