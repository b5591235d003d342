"""Bounds on what a file may hold and on how much of it a message repeats.

A source spec's ``max_columns`` and ``max_cell_chars`` are checked before pandas sees a file, by
streaming it row by row (the ``csv`` module for CSV, openpyxl's read-only mode for Excel, the
footer for Parquet), so that a hostile or broken file (a million columns, or an unclosed quote
that turns the rest of the file into one cell) is refused in a second with bounded memory
instead of being parsed into gigabytes.

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
from perfreport.ingest.spec import SourceSpec

MAX_QUOTED_CHARS = 80
"""The most characters of a cell any message quotes: enough to recognise it, a terminal line."""
MAX_QUOTED_NAMES = 20
"""The most column or sheet names a message lists."""
ELLIPSIS = "\u2026"


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


def check_csv_bounds(path: Path, data: bytes, encoding: str, spec: SourceSpec) -> None:
    """Refuse a CSV with a row wider than ``max_columns`` or a cell over ``max_cell_chars``.

    One pass of the ``csv`` module over the bytes (decoded a chunk at a time), keeping one row
    at a time: a million-column row is one list of short strings (tens of MB) rather than a
    million-column DataFrame, and the ``csv`` module itself stops reading a cell at the limit.
    About a second per million rows.
    """
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=spec.delimiter, strict=False)
    row_start = 1
    with _csv_field_limit(spec.max_cell_chars):
        try:
            for row in reader:
                if len(row) > spec.max_columns:
                    raise PerfreportError(
                        located(
                            path,
                            _too_wide(spec, len(row), f"the row starting on line {row_start:,}"),
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


def check_xlsx_bounds(path: Path, sheet_name: str | None, spec: SourceSpec) -> None:
    """Refuse a sheet with a row wider than ``max_columns`` or a cell over ``max_cell_chars``.

    Streams the sheet in openpyxl's read-only mode, one row at a time, ignoring the sheet's own
    ``dimension`` (a writer may state it wrongly) and empty cells at the end of a row.
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet_name is not None and sheet_name not in book.sheetnames:
            return  # the full read names the sheets the workbook has
        sheet = book[sheet_name] if sheet_name else book.worksheets[0]
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            width = len(row)
            while width and row[width - 1] in (None, ""):
                width -= 1
            if width > spec.max_columns:
                where = (
                    f"sheet '{sheet.title}' row {number:,} (to column {get_column_letter(width)})"
                )
                raise PerfreportError(f"{path}: {_too_wide(spec, width, where)}")
            for column, value in enumerate(row[:width], start=1):
                if isinstance(value, str) and len(value) > spec.max_cell_chars:
                    cell = f"{get_column_letter(column)}{number}"
                    raise PerfreportError(
                        f"{path}: "
                        + _too_long(
                            spec, f"sheet '{sheet.title}' cell {cell} ({len(value):,} characters)"
                        )
                    )
    finally:
        book.close()


def check_parquet_width(path: Path, columns: int, spec: SourceSpec) -> None:
    """Refuse a Parquet file whose schema (read from the footer) has too many columns."""
    if columns > spec.max_columns:
        raise PerfreportError(f"{path}: {_too_wide(spec, columns, 'the schema')}")


def check_longest_cells(path: Path, frame, spec: SourceSpec) -> None:
    """Refuse an already-read table (Parquet) holding a cell over ``max_cell_chars``."""
    for column in frame.columns:
        lengths = frame[column].str.len()
        if len(lengths) and lengths.max() > spec.max_cell_chars:
            row = int(lengths.to_numpy().argmax())
            what = f"row {row + 1:,} column {quoted(column)} ({int(lengths.iat[row]):,} characters)"
            raise PerfreportError(f"{path}: {_too_long(spec, what)}")
