"""Reading a Parquet file as text, a batch at a time, within the spec's bounds.

Parquet compresses repeated values to almost nothing: 60 KB can hold two million rows, which
pandas would unpack into gigabytes. So the footer is read first, and a file is refused before
any data is decoded if its schema is wider than ``max_columns``, it has more rows than
``max_rows``, more cells than a CSV within ``max_size_mb`` could hold (a cell is at least one
byte of CSV), or column chunks that unpack to more than
:data:`~perfreport.store.ingest.spec.MAX_UNPACKED_RATIO` times ``max_size_mb``. The file is then read a
batch of rows at a time with text columns kept dictionary-encoded, each batch's cells counted as
the CSV text they would be (:class:`~perfreport.store.ingest.limits.TextBudget`: a dictionary of one
long string referenced by every row is counted for every row, before it is expanded) and
checked against ``max_cell_chars``, and only then turned into text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from perfreport.errors import PerfreportError
from perfreport.store.ingest.extract import Extract, guarded, streamed
from perfreport.store.ingest.limits import (
    BYTES_PER_MB,
    TextBudget,
    check_cell_length,
    check_row_width,
    check_unpacked,
    quoted,
    too_many_rows,
)
from perfreport.store.ingest.spec import SourceSpec

BATCH_CELLS = 1_000_000
"""Cells decoded at a time (a batch is at most this many rows times the columns)."""


def read_parquet(path: Path, spec: SourceSpec) -> Extract:
    """Read ``path`` as text columns; raise one line for a whole-file problem."""
    import pyarrow.parquet as pq

    footer = _library(path, lambda: pq.ParquetFile(path).metadata)
    _check_footer(path, spec, footer)
    text_columns = [
        footer.schema.column(i).path
        for i in range(footer.num_columns)
        if footer.schema.column(i).physical_type == "BYTE_ARRAY"
    ]
    parquet = _library(path, lambda: pq.ParquetFile(path, read_dictionary=text_columns))
    budget = TextBudget(path, spec)
    pieces: list[pd.DataFrame] = []
    first = 0
    for batch in _batches(path, parquet, max(1, BATCH_CELLS // max(footer.num_columns, 1))):
        _count(path, spec, batch, first, budget)
        pieces.append(_text(path, batch))
        first += batch.num_rows
    if pieces:
        frame = pd.concat(pieces, ignore_index=True)
    else:
        names = _library(path, lambda: parquet.schema_arrow.names)
        frame = pd.DataFrame(columns=[str(c) for c in names], dtype=object)
    return Extract(frame, np.arange(len(frame)) + 1, None, 0)


def _library(path: Path, call):
    """``call()``, with anything pyarrow raises about the file as one line naming it."""
    return guarded(path, "Parquet file", call)


def _check_footer(path: Path, spec: SourceSpec, footer) -> None:
    columns, rows = footer.num_columns, footer.num_rows
    check_row_width(path, spec, columns, "the schema")
    if rows > spec.row_limit:
        raise PerfreportError(f"{path}: " + too_many_rows(spec, f"the file has {rows:,} rows"))
    if rows * columns > spec.max_size_mb * BYTES_PER_MB:
        raise PerfreportError(
            f"{path}: the file has {rows:,} rows by {columns:,} columns, more cells than a CSV "
            f"within the {spec.max_size_mb:g} MB limit of source spec '{spec.name}' can hold "
            "(max_size_mb, which bounds what a file unpacks to as well as its size)"
        )
    unpacked = sum(
        footer.row_group(g).column(c).total_uncompressed_size
        for g in range(footer.num_row_groups)
        for c in range(columns)
    )
    check_unpacked(path, spec, unpacked, "the column chunks (as the footer states)")


def _batches(path: Path, parquet, rows: int) -> Iterator:
    return streamed(path, "Parquet file", lambda: iter(parquet.iter_batches(batch_size=rows)))


def _count(path: Path, spec: SourceSpec, batch, first: int, budget: TextBudget) -> None:
    """Count the batch's cells as CSV text and check their lengths, without expanding them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chars = 0
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        values = column.dictionary if pa.types.is_dictionary(column.type) else column
        try:
            lengths = pc.utf8_length(values.cast(pa.string()))
        except pa.ArrowInvalid:
            _refuse_bytes(path, name, column, first)
        except pa.ArrowNotImplementedError:
            raise PerfreportError(
                f"{path}: column {quoted(name)} holds {column.type} values, not text or numbers"
            ) from None
        if pa.types.is_dictionary(column.type):
            lengths = lengths.take(column.indices)
        lengths = pc.fill_null(lengths, 0)
        longest = pc.max(lengths).as_py() or 0
        if longest > spec.max_cell_chars:
            row = first + pc.index(lengths, longest).as_py() + 1
            check_cell_length(path, spec, longest, f"row {row:,} column {quoted(name)}")
        chars += pc.sum(lengths).as_py() or 0
    budget.add(chars, batch.num_rows * batch.num_columns, f"by row {first + batch.num_rows:,}")


def _refuse_bytes(path: Path, name: str, column, first: int) -> None:
    """Name the first cell of ``column`` holding bytes that are not UTF-8."""
    for offset, value in enumerate(column.to_pylist()):
        if isinstance(value, bytes):
            try:
                value.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise PerfreportError(
                    f"{path}: row {first + offset + 1:,} column {quoted(name)} holds bytes that "
                    f"are not UTF-8 text (byte 0x{value[exc.start]:02x} at position "
                    f"{exc.start + 1:,}); write it as a UTF-8 string column"
                ) from None
    raise PerfreportError(f"{path}: column {quoted(name)} holds bytes that are not UTF-8 text")


def _text(path: Path, batch) -> pd.DataFrame:
    """The batch as text, as pandas writes each value (``7``, ``1.5``, ``2025-01-01``)."""
    frame = _library(path, batch.to_pandas).reset_index(drop=True)
    text = {}
    for name in frame.columns:
        try:
            text[str(name)] = frame[name].astype("string").fillna("").astype(object)
        except (UnicodeDecodeError, TypeError, ValueError) as exc:
            raise PerfreportError(
                f"{path}: column {quoted(name)} cannot be read as text ({type(exc).__name__})"
            ) from None
    return pd.DataFrame(text, columns=list(text))
