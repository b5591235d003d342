"""Reading an Excel ``.xlsx`` sheet as text, streamed, within the spec's bounds.

A workbook is a zip of XML parts. Before anything is parsed, the zip directory is read: a file
that is not a zip (an old binary ``.xls``, a renamed CSV) is refused, and so is one whose parts
unpack to more than :data:`~perfreport.store.ingest.spec.MAX_UNPACKED_RATIO` times ``max_size_mb`` (a
zip bomb). The sheet is then streamed once in openpyxl's read-only mode, a row at a time, each
row checked against ``max_columns`` and ``max_cell_chars``, the rows below the header counted
against ``max_rows`` and their cells against the CSV-equivalent budget
(:class:`~perfreport.store.ingest.limits.TextBudget`), so memory follows the cells kept, not the
workbook. Read-only worksheets do not parse merged cells, so the ``<mergeCell ref="A1:B1"/>``
elements are found by scanning the sheet's XML (a merged range over the header row is a
multi-row header).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from perfreport.errors import PerfreportError
from perfreport.store.ingest.extract import Extract, guarded, streamed, without_blank_rows
from perfreport.store.ingest.limits import (
    TextBudget,
    check_cell_length,
    check_row_width,
    check_unpacked,
    quoted,
    quoted_list,
    too_many_rows,
)
from perfreport.store.ingest.spec import SourceSpec

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The first bytes of a Compound File: an Excel 97-2003 ``.xls`` (or an old ``.doc``)."""
MERGE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']+)")
MERGE_REF = re.compile(r"^([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?$")
SCAN_CHUNK_BYTES = 4 * 1024 * 1024
SCAN_OVERLAP_BYTES = 4096
"""Bytes of the previous chunk scanned again, so an element cut by a chunk boundary is found."""


def not_a_workbook(path: Path) -> PerfreportError:
    """The error for a file that is not a zip: an old ``.xls``, an encrypted workbook, or not Excel."""
    with path.open("rb") as file:
        start = file.read(len(OLE2_SIGNATURE))
    if start == OLE2_SIGNATURE:
        return PerfreportError(
            f"{path}: not an Excel .xlsx workbook but an Excel 97-2003 .xls or a "
            "password-protected workbook; save it as .xlsx without a password"
        )
    return PerfreportError(f"{path}: not an Excel .xlsx workbook (an old .xls? save it as .xlsx)")


def read_xlsx(path: Path, spec: SourceSpec) -> Extract:
    """Read the spec's sheet (or the first) of ``path``; raise one line for a whole-file problem."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_a_workbook(path) from None
    check_unpacked(path, spec, unpacked, "the workbook's parts")
    book = _library(path, lambda: load_workbook(path, read_only=True, data_only=True))
    try:
        if spec.sheet is not None and spec.sheet not in book.sheetnames:
            raise PerfreportError(
                f"{path}: no sheet {quoted(spec.sheet)}; the workbook has "
                f"{quoted_list(book.sheetnames)}"
            )
        sheet = book[spec.sheet] if spec.sheet else book.worksheets[0]
        if not hasattr(sheet, "_worksheet_path"):
            raise PerfreportError(f"{path}: sheet {quoted(sheet.title)} is a chart, not a table")
        _refuse_merged_header(path, spec, sheet, _merged_ranges(path, book, sheet))
        return _stream(path, spec, sheet)
    finally:
        book.close()


def _library(path: Path, call):
    """``call()``, with anything openpyxl raises about the file as one line naming it."""
    return guarded(path, ".xlsx workbook", call)


def _rows(path: Path, sheet) -> Iterator[tuple]:
    """The sheet's rows as values, ignoring its stated ``dimension`` (a writer may state it
    wrongly); a parse error part-way through is one line naming the file."""
    _library(path, sheet.reset_dimensions)
    return streamed(path, ".xlsx workbook", lambda: iter(sheet.iter_rows(values_only=True)))


def _merged_ranges(path: Path, book, sheet) -> list[tuple[str, int, int]]:
    """Each merged range of ``sheet`` as (reference, first row, last row), from its XML."""
    found: dict[str, tuple[str, int, int]] = {}
    tail = b""
    with book._archive.open(sheet._worksheet_path) as part:  # openpyxl's own handles
        while True:
            chunk = _library(path, lambda: part.read(SCAN_CHUNK_BYTES))
            if not chunk:
                break
            for match in MERGE_CELL.finditer(tail + chunk):
                ref = match.group(1).decode("ascii", errors="replace").upper().replace("$", "")
                parts = MERGE_REF.match(ref)
                if parts:
                    first = int(parts.group(2))
                    found[ref] = (ref, first, int(parts.group(4) or first))
            tail = chunk[-SCAN_OVERLAP_BYTES:]
    return list(found.values())


def _refuse_merged_header(
    path: Path, spec: SourceSpec, sheet, merged: list[tuple[str, int, int]]
) -> None:
    from openpyxl.utils import column_index_from_string

    def order(item: tuple[str, int, int]) -> tuple[int, int]:
        return item[1], column_index_from_string(MERGE_REF.match(item[0]).group(1))  # type: ignore[union-attr]

    for ref, first, last in sorted(merged, key=order):
        if first <= spec.header_row <= last:
            raise PerfreportError(
                f"{path}: sheet '{sheet.title}' has merged header cells {ref} (a multi-row "
                f"header); set header_row in source spec '{spec.name}' to the one row that names "
                "every column, below the merged cells"
            )


def _stream(path: Path, spec: SourceSpec, sheet) -> Extract:
    from openpyxl.utils import get_column_letter

    budget = TextBudget(path, spec)
    header: list[object] | None = None
    body: list[list[str]] = []
    for number, row in enumerate(_rows(path, sheet), start=1):
        width = len(row)
        while width and row[width - 1] in (None, ""):
            width -= 1
        check_row_width(
            path,
            spec,
            width,
            f"sheet '{sheet.title}' row {number:,} (to column {get_column_letter(max(width, 1))})",
        )
        for column, value in enumerate(row[:width], start=1):
            if isinstance(value, str):
                check_cell_length(
                    path,
                    spec,
                    len(value),
                    f"sheet '{sheet.title}' cell {get_column_letter(column)}{number}",
                )
        if number < spec.header_row:
            continue
        if header is None:
            header = list(row[:width])
            _refuse_header_gaps(path, spec, sheet, header)
            continue
        if number - spec.header_row > spec.row_limit:
            raise PerfreportError(
                f"{path}: "
                + too_many_rows(
                    spec,
                    f"sheet '{sheet.title}' has more than {spec.row_limit:,} rows below the "
                    f"header (row {number:,} is one more)",
                )
            )
        cells = [_cell_text(v) for v in (list(row[: len(header)]) + [None] * len(header))]
        cells = cells[: len(header)]
        budget.add(sum(map(len, cells)), len(cells), f"by sheet '{sheet.title}' row {number:,}")
        body.append(cells)
    if header is None:
        raise PerfreportError(
            f"{path}: sheet '{sheet.title}' has no header row at row {spec.header_row}"
        )
    frame = pd.DataFrame(body, columns=[str(h).strip() for h in header], dtype=str)
    return without_blank_rows(frame, spec.header_row, None)


def _refuse_header_gaps(path: Path, spec: SourceSpec, sheet, header: list[object]) -> None:
    gaps = [i for i, name in enumerate(header) if name in (None, "")]
    if gaps:
        from openpyxl.utils import get_column_letter

        cell = f"{get_column_letter(gaps[0] + 1)}{spec.header_row}"
        raise PerfreportError(
            f"{path}: sheet '{sheet.title}' header row {spec.header_row} has an empty cell at "
            f"{cell} (a multi-row header?); set header_row in source spec '{spec.name}' to the "
            "row that names every column"
        )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
