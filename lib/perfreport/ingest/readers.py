"""Reading extracts (CSV, Excel, Parquet) into text columns, refusing whole-file problems.

Every cell is read as text so that nothing is converted before validation: a ``*`` or a
``1,234`` reaches the checks as written. A whole-file problem is one
:class:`~perfreport.errors.PerfreportError` line naming the file and what to change: too large
for the spec's limit, empty, not text in UTF-8 (with or without a byte-order mark) or
Windows-1252 or a mix of the two (:mod:`perfreport.ingest.encodings`), wider than the spec's
``max_columns`` or with a cell longer than its ``max_cell_chars`` (checked before parsing, by
:mod:`perfreport.ingest.limits`), delimited by another character than the spec says, a merged or
multi-row Excel header, or columns the spec needs that the file lacks (with the nearest names
it has).
"""

from __future__ import annotations

import codecs
import difflib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from perfreport.errors import PerfreportError, located
from perfreport.ingest.encodings import csv_encoding, reading_codec
from perfreport.ingest.limits import (
    check_csv_bounds,
    check_longest_cells,
    check_parquet_width,
    check_xlsx_bounds,
    quoted,
    quoted_list,
)
from perfreport.ingest.spec import SourceSpec

NOT_BLANK = re.compile(rb"\S")
OTHER_DELIMITERS = (",", ";", "\t", "|")
BYTES_PER_MB = 1024 * 1024


@dataclass(frozen=True)
class Extract:
    """The rows of a file as text, with the row number each had in the file."""

    frame: pd.DataFrame
    row_numbers: np.ndarray
    encoding: str | None
    blank_rows: int


def read_extract(path: Path, spec: SourceSpec) -> Extract:
    """Read ``path`` as ``spec`` describes; raise a one-line error for a whole-file problem."""
    if not path.is_file():
        raise PerfreportError(f"{path}: file not found")
    size = path.stat().st_size
    if size > spec.max_size_mb * BYTES_PER_MB:
        raise PerfreportError(
            f"{path}: file is {size / BYTES_PER_MB:,.1f} MB, over the {spec.max_size_mb:g} MB limit "
            f"of source spec '{spec.name}' (max_size_mb)"
        )
    if size == 0:
        raise PerfreportError(f"{path}: file is empty")
    if spec.format == "csv":
        extract = _read_csv(path, spec)
    elif spec.format == "xlsx":
        extract = _read_xlsx(path, spec)
    else:
        extract = _read_parquet(path, spec)
    _check_columns(path, extract.frame.columns, spec)
    if extract.frame.empty:
        raise PerfreportError(f"{path}: file has a header row but no data rows")
    return extract


def _read_csv(path: Path, spec: SourceSpec) -> Extract:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise PerfreportError(
            f"{path}: file is not text (it holds NUL bytes; UTF-16 or binary?); save it as UTF-8 CSV"
        )
    encoding = csv_encoding(path, data, spec)
    if (
        NOT_BLANK.search(data, len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
        is None
    ):
        raise PerfreportError(f"{path}: file is empty")
    check_csv_bounds(path, data, reading_codec(encoding), spec)
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding=reading_codec(encoding),
            sep=spec.delimiter,
            dtype=str,
            keep_default_na=False,
            header=spec.header_row - 1,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise PerfreportError(
            located(path, f"cannot read as CSV: {str(exc).strip().splitlines()[-1]}")
        ) from None
    except pd.errors.EmptyDataError:
        raise PerfreportError(f"{path}: file has no header row at row {spec.header_row}") from None
    if len(frame.columns) == 1:
        header = str(frame.columns[0])
        for other in OTHER_DELIMITERS:
            if other != spec.delimiter and other in header:
                raise PerfreportError(
                    located(
                        path,
                        f"the header is one column but holds {_name(other)}: the file looks "
                        f"delimited by {_name(other)}, not the {_name(spec.delimiter)} source spec "
                        f"'{spec.name}' says (delimiter)",
                        line=spec.header_row,
                    )
                )
    frame.columns = [str(c).strip() for c in frame.columns]
    return _without_blank_rows(frame, spec.header_row, encoding)


def _name(delimiter: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}.get(
        delimiter, repr(delimiter)
    )


def _without_blank_rows(frame: pd.DataFrame, header_row: int, encoding: str | None) -> Extract:
    numbers = np.arange(len(frame)) + header_row + 1
    blank = (
        (frame == "").all(axis=1).to_numpy() if len(frame.columns) else np.zeros(len(frame), bool)
    )
    if not blank.any():  # no copy of the whole extract when there is nothing to drop
        return Extract(frame, numbers, encoding, 0)
    kept = frame.loc[~blank].reset_index(drop=True)
    return Extract(kept, numbers[~blank], encoding, int(blank.sum()))


def _read_xlsx(path: Path, spec: SourceSpec) -> Extract:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        check_xlsx_bounds(path, spec.sheet, spec)
        book = load_workbook(path, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise PerfreportError(
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__})"
        ) from None
    if spec.sheet is not None and spec.sheet not in book.sheetnames:
        raise PerfreportError(
            f"{path}: no sheet {quoted(spec.sheet)}; the workbook has {quoted_list(book.sheetnames)}"
        )
    sheet = book[spec.sheet] if spec.sheet else book.worksheets[0]
    header_row = spec.header_row
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if merged.min_row <= header_row <= merged.max_row:
            raise PerfreportError(
                f"{path}: sheet '{sheet.title}' has merged header cells {merged.coord} (a multi-row "
                f"header); set header_row in source spec '{spec.name}' to the one row that names "
                "every column, below the merged cells"
            )
    rows = list(sheet.iter_rows(min_row=header_row, values_only=True))
    if not rows:
        raise PerfreportError(
            f"{path}: sheet '{sheet.title}' has no header row at row {header_row}"
        )
    header = list(rows[0])
    while header and header[-1] in (None, ""):
        header.pop()
    gaps = [i for i, name in enumerate(header) if name in (None, "")]
    if gaps:
        from openpyxl.utils import get_column_letter

        cell = f"{get_column_letter(gaps[0] + 1)}{header_row}"
        raise PerfreportError(
            f"{path}: sheet '{sheet.title}' header row {header_row} has an empty cell at {cell} (a "
            f"multi-row header?); set header_row in source spec '{spec.name}' to the row that names "
            "every column"
        )
    width = len(header)
    body = [[_cell_text(v) for v in (list(r) + [None] * width)[:width]] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=[str(h).strip() for h in header], dtype=str)
    return _without_blank_rows(frame, header_row, None)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_parquet(path: Path, spec: SourceSpec) -> Extract:
    import pyarrow.parquet as pq

    try:
        check_parquet_width(path, pq.read_metadata(path).num_columns, spec)
        frame = pd.read_parquet(path)
    except PerfreportError:
        raise
    except Exception as exc:
        raise PerfreportError(
            f"{path}: not a readable Parquet file ({type(exc).__name__})"
        ) from None
    text = frame.astype("string").fillna("").astype(object)
    text.columns = [str(c) for c in text.columns]
    check_longest_cells(path, text, spec)
    return Extract(text, np.arange(len(text)) + 1, None, 0)


def _check_columns(path: Path, found: Sequence[str], spec: SourceSpec) -> None:
    missing = [c for c in spec.required_columns if c not in found]
    if not missing:
        return
    hints = []
    for column in missing:
        near = difflib.get_close_matches(column, list(found), n=1, cutoff=0.6)
        hints.append(quoted(column) + (f" (renamed {quoted(near[0])}?)" if near else ""))
    raise PerfreportError(
        f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(hints)} needed by "
        f"source spec '{spec.name}'; the file has {quoted_list(found)}"
    )
