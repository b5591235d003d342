"""Reading extracts (CSV, Excel, Parquet) into text columns, refusing whole-file problems.

Every cell is read as text so that nothing is converted before validation: a ``*`` or a
``1,234`` reaches the checks as written. A whole-file problem is one
:class:`~perfreport.errors.PerfreportError` line naming the file and what to change: too large
for the spec's limit, empty, not text in UTF-8 (with or without a byte-order mark) or
Windows-1252 or a mix of the two (:mod:`perfreport.store.ingest.encodings`), wider than the spec's
``max_columns`` or with a cell longer than its ``max_cell_chars`` (checked before parsing, by
:mod:`perfreport.store.ingest.limits`), delimited by another character than the spec says, a merged or
multi-row Excel header, a CSV row with more or fewer fields than the header, more rows than
its ``max_rows``, an Excel or Parquet file that unpacks to more than its ``max_size_mb`` allows
(:mod:`perfreport.store.ingest.workbooks`, :mod:`perfreport.store.ingest.parquet`), a file that is not of
the spec's format, or columns the spec needs that the file lacks (with the nearest names it
has).
"""

from __future__ import annotations

import codecs
import difflib
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from perfreport.errors import PerfreportError, located
from perfreport.store.ingest.encodings import csv_encoding, reading_codec
from perfreport.store.ingest.extract import Extract, without_blank_rows
from perfreport.store.ingest.limits import BYTES_PER_MB, check_csv_bounds, quoted, quoted_list
from perfreport.store.ingest.parquet import read_parquet
from perfreport.store.ingest.spec import SourceSpec
from perfreport.store.ingest.workbooks import read_xlsx

NOT_BLANK = re.compile(rb"\S")
OTHER_DELIMITERS = (",", ";", "\t", "|")

__all__ = ["Extract", "read_extract"]


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
    try:
        path.open("rb").close()
    except OSError as exc:
        raise PerfreportError(f"{path}: cannot open the file ({exc.strerror or exc})") from None
    if spec.format == "csv":
        extract = _read_csv(path, spec)
    elif spec.format == "xlsx":
        extract = read_xlsx(path, spec)
    else:
        extract = read_parquet(path, spec)
    _check_columns(path, list(extract.frame.columns), spec)
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
            index_col=False,  # a row with an extra field never shifts the columns
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise PerfreportError(
            located(path, f"cannot read as CSV: {str(exc).strip().splitlines()[-1]}")
        ) from None
    except pd.errors.EmptyDataError:
        raise PerfreportError(f"{path}: file has no header row at row {spec.header_row}") from None
    except (ValueError, UnicodeDecodeError) as exc:  # anything else pandas finds in the file
        raise PerfreportError(
            located(path, f"cannot read as CSV: {str(exc).strip().splitlines()[-1]}")
        ) from None
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
    return without_blank_rows(frame, spec.header_row, encoding)


def _name(delimiter: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}.get(
        delimiter, repr(delimiter)
    )


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
