"""Source specs: how one kind of extract maps onto the ``observations`` table.

A spec (``params/sources/<name>.yaml``) names the file type, the header row, which columns
hold the area, the period and any breakdowns, and one or more *measures*: an indicator (a
constant id or a column) with the columns holding its numerator, denominator and value. A wide
extract with several figures per row (bed days and average beds, say) has several measures.
Markers such as ``*``, ``:``, ``c``, ``..`` or a blank cell mean "suppressed or not available"
and become missing values, never zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import read_yaml
from perfreport.methods.periods import PeriodKind

DEFAULT_SUPPRESSION = ("*", ":", "c", "..", "")
"""Cell values meaning suppressed or not available (GSS and PHS conventions) and blank."""
DEFAULT_MAX_SIZE_MB = 10
"""Largest file accepted, in MB (MiB), chosen so that ingesting any file this size peaks under
1 GB, measured by ``benchmarks/ingest_hostile.py`` on the worst shapes we could build. Memory
follows cells and quarantined rows, not bytes: the densest valid CSV (1,000 columns of empty or
1-character cells, every row quarantined, so every row's raw cells are kept as JSON that
repeats the column names) costs about 65 MB per MB ingested (10 MB: about 780 MB peak); the
long thin demo shape (9 columns, 60 bytes a row, accepted) about 10 MB per MB (1,000,000 rows,
60 MB: about 740 MB). A spec may raise it for long thin extracts (``max_size_mb: 100``).

An Excel or Parquet file is compressed, so its bytes say little about its cells: it is held to
the same budget as the CSV it would be saved as (at most ``max_size_mb`` of cell text, each cell
counting one character more for its delimiter, and at most the spec's row limit), checked while
it is streamed, and its parts may not unpack to more than :data:`MAX_UNPACKED_RATIO` times
``max_size_mb`` (a zip or Parquet bomb)."""
ROWS_PER_MB = 25_000
"""Rows allowed per MB of ``max_size_mb`` unless a spec sets ``max_rows`` (250,000 at the default
10 MB). Memory follows rows as well as cells: a quarantined row keeps its reasons and raw cells,
about 2.3 KB at worst (five reasons), so the 1,310,000 shortest rows a 10 MB CSV can hold (8
bytes, ``1,X,1,1``, three reasons each) peaked at 2.0 GB and took 60 s; 500,000 rows of
``1,X,a,b`` (five reasons) at 1.2 GB; 250,000 of them peak at 700 MB, as CSV or as Parquet
(``benchmarks/ingest_hostile.py``). A row of the demo's long layout is 60 bytes, about 17,000 rows
per MB, so long thin extracts are refused by size before they are by rows."""
MAX_UNPACKED_RATIO = 20
"""How many times ``max_size_mb`` an Excel workbook's parts (as its zip directory states) or a
Parquet file's column chunks (as its footer states) may unpack to. Ordinary workbooks and Parquet
files compress 3 to 12 times (200,000 rows of four columns: 3.4 MB of xlsx, 39 MB of XML); a
bomb compresses a thousand times or more."""
DEFAULT_MAX_COLUMNS = 1_000
"""Widest row accepted. Real extracts have tens of columns (PHS open data: under 30); a month
per column for ten years is 120. A row wider than this is a wrong delimiter, a pivot or an
attack, and refusing it before parsing keeps a small file from taking gigabytes."""
DEFAULT_MAX_CELL_CHARS = 10_000
"""Longest cell accepted: a few pages of free-text notes. Codes and figures are a few
characters; a longer cell is almost always an unclosed quote that swallowed the rest of the
file. Below the ``csv`` module's own default limit (131,072)."""


class ColumnRef(Params):
    """A value read from a column."""

    column: str = Field(min_length=1)


class IndicatorRef(Params):
    """Which indicator a measure is: a constant ``id`` or a ``column`` holding ids."""

    id: str | None = None
    column: str | None = None

    @model_validator(mode="after")
    def _one(self) -> IndicatorRef:
        self.exactly_one(
            "id", "column", "give either 'id' (a constant indicator) or 'column', not both"
        )
        return self


class PeriodSpec(Params):
    """Where the period is and how to read it.

    Either ``column`` with a ``format`` (a ``strptime`` pattern such as ``%Y%m`` giving any day
    inside the period, or ``label`` for period labels like ``2024/25``, ``Q4 2024/25`` or
    ``Jan-Mar 2018``: :data:`~perfreport.methods.period_labels.LABEL_FORMATS`) and the ``kind``
    of period; or ``start`` and ``end`` columns of ISO dates (the kind follows).

    ``kind: day`` or ``kind: week`` (with a ``strptime`` format) reads a daily or weekly
    extract, made into calendar months at ingest by each indicator's ``aggregation``; a week is
    given by its first day (``week_date: start``, the default) or its last (``end``) and belongs
    to the month holding its Thursday.
    """

    column: str | None = None
    start: str | None = None
    end: str | None = None
    format: str = "%Y-%m-%d"
    kind: PeriodKind | Literal["day", "week"] | None = None
    week_date: Literal["start", "end"] = "start"

    @model_validator(mode="after")
    def _shape(self) -> PeriodSpec:
        if self.column is not None and (self.start or self.end):
            raise ValueError("give either 'column' or 'start' and 'end', not both")
        if self.column is None and not (self.start and self.end):
            raise ValueError("give 'column' (with 'format' and 'kind') or both 'start' and 'end'")
        if self.column is not None and self.format != "label" and self.kind is None:
            raise ValueError(
                "'kind' (day, week, month, quarter, half_year, financial_year, calendar_year) "
                "is required"
            )
        if self.kind in ("day", "week") and (self.format == "label" or self.column is None):
            raise ValueError(
                f"kind '{self.kind}' needs 'column' and a date 'format' such as '%Y-%m-%d'"
            )
        return self

    @property
    def daily(self) -> bool:
        """Whether rows are days or weeks, made into months at ingest."""
        return self.kind in ("day", "week")

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,) if self.column else (self.start, self.end)  # type: ignore[return-value]


class WideBreakdown(Params):
    """A column of categories (``AgeGroup``); ``total`` is the value meaning "all of them"."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    column: str
    total: str


class LongBreakdown(Params):
    """Breakdowns already in the observations layout: one dimension and one category column."""

    dimension: str
    category: str


class Measure(Params):
    """One indicator's figures in each row."""

    indicator: IndicatorRef
    numerator: str | None = None
    denominator: str | None = None
    value: str | None = None

    @model_validator(mode="after")
    def _some_figure(self) -> Measure:
        if not (self.numerator or self.denominator or self.value):
            raise ValueError("a measure needs at least one of 'numerator', 'denominator', 'value'")
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        own = (self.numerator, self.denominator, self.value, self.indicator.column)
        return tuple(dict.fromkeys(c for c in own if c))


class Filter(Params):
    """Keep only rows whose ``column`` is ``in`` (or not ``not_in``) the listed values.

    A row whose column is missing (blank, ``NA``, ``N/A``, a suppression marker) is not left
    out by ``in``: it goes on to the checks, which quarantine it with its reason."""

    column: str
    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    not_in: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _one(self) -> Filter:
        self.exactly_one("in_", "not_in", "give either 'in' or 'not_in'")
        return self


class SourceSpec(Params):
    """A validated source spec (see the module docstring and the README)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    format: Literal["csv", "xlsx", "parquet"]
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    sheet: str | None = None
    header_row: int = Field(default=1, ge=1)
    thousands_separator: str | None = Field(default=None, max_length=1)
    max_size_mb: float = Field(default=DEFAULT_MAX_SIZE_MB, gt=0)
    max_rows: int | None = Field(default=None, ge=1)
    """Refuse a file of more rows (below the header, blank ones included), before parsing it
    (CSV, Excel) or from its footer (Parquet); by default :data:`ROWS_PER_MB` per MB of
    ``max_size_mb``."""
    max_columns: int = Field(default=DEFAULT_MAX_COLUMNS, ge=1)
    """Refuse a file with a row (or a Parquet schema) of more columns, before parsing it."""
    max_cell_chars: int = Field(default=DEFAULT_MAX_CELL_CHARS, ge=1, le=2**31 - 1)
    """Refuse a file with a longer cell, before parsing it (CSV, Excel) or after (Parquet)."""
    area: ColumnRef
    period: PeriodSpec
    breakdowns: tuple[WideBreakdown, ...] = ()
    breakdown: LongBreakdown | None = None
    measures: tuple[Measure, ...] = Field(min_length=1)
    mappings: dict[str, dict[str, str]] = Field(default_factory=dict)
    filters: tuple[Filter, ...] = ()
    suppression: tuple[str, ...] = DEFAULT_SUPPRESSION
    complete_extract: bool = False
    """The file is its source's complete data: rows an earlier load of the same file name
    brought in and this one no longer carries are withdrawn (and recorded in ``revisions``)."""

    @model_validator(mode="after")
    def _breakdown_style(self) -> SourceSpec:
        if self.breakdowns and self.breakdown:
            raise ValueError(
                "use 'breakdowns' (category columns) or 'breakdown' (long layout), not both"
            )
        if self.sheet and self.format != "xlsx":
            raise ValueError("'sheet' is only for xlsx files")
        return self

    @property
    def row_limit(self) -> int:
        """``max_rows``, or :data:`ROWS_PER_MB` for each MB of ``max_size_mb``."""
        return self.max_rows or max(1, int(self.max_size_mb * ROWS_PER_MB))

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Every column the spec reads, in a stable order."""
        cols: list[str] = [self.area.column, *self.period.columns]
        cols += [b.column for b in self.breakdowns]
        if self.breakdown:
            cols += [self.breakdown.dimension, self.breakdown.category]
        for measure in self.measures:
            cols += measure.columns
        cols += [f.column for f in self.filters]
        return tuple(dict.fromkeys(cols))


def load_spec(path: Path) -> SourceSpec:
    """Read and validate a source spec; a problem is one line naming the file, line and field."""
    return validate(SourceSpec, read_yaml(path), entry=f"source spec '{path.stem}'")
