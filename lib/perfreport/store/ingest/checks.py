"""Row checks: every row read is accepted or quarantined with every reason that applies.

The rules (each one vectorised over the whole extract, so a million rows take seconds):

- the area code is given (not blank, ``NA`` or ``N/A``) and is one of ``params/areas.yaml``;
- a column an ``in`` filter reads is given (:mod:`~perfreport.store.ingest.filters`);
- the indicator is in the catalogue;
- the period parses with the spec's format and does not lie in the future;
- a breakdown category is not blank; an age-standardised indicator's age band is one its
  standard population can weigh;
- numerator, denominator and value are numbers (suppression markers become missing);
- counts are not negative; a proportion's numerator is not above its denominator;
- the value lies inside its unit's range (a percentage of a proportion within 0 to 100; counts,
  rates, days and hours not below zero);
- no two rows of the file carry the same indicator, area, period and breakdown;
- a daily or weekly row has a value (:mod:`~perfreport.store.ingest.days` makes months of them).

Checks collect failures rather than stop at the first, as pandera's lazy validation does, and
name the field and the offending value, like PHEindicatormethods' argument checks; a value is
quoted through :func:`~perfreport.store.ingest.limits.quoted`, so a reason repeats at most 80
characters of any cell.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from perfreport.config.areas import Areas
from perfreport.config.catalogue import ALL, Catalogue, Indicator
from perfreport.methods.periods import period_kind_of
from perfreport.methods.standardisation import band_problem
from perfreport.store.ingest.days import require_values, to_months
from perfreport.store.ingest.filters import filtered, mapped, missing, refuse_undecided
from perfreport.store.ingest.limits import quoted
from perfreport.store.ingest.readers import Extract
from perfreport.store.ingest.reasons import Reasons
from perfreport.store.ingest.row_periods import read_periods
from perfreport.store.ingest.spec import Measure, SourceSpec

KEY = ["indicator_id", "area_code", "period_start", "period_end", "breakdown", "category"]
OBSERVATION_COLUMNS = [*KEY, "numerator", "denominator", "value", "source_row"]
JOIN = "|"
"""Separator of crossed breakdowns: ``age_group|delay_reason`` with category ``75plus|Code 9 AWI``."""
NON_NEGATIVE_UNITS = frozenset({"count", "per_1000", "per_100000", "days", "hours"})
BOUNDED_METHODS = frozenset({"proportion", "survey"})
PERCENT_RANGE = (0.0, 100.0)
RAW_CHUNK_CELLS = 1_000_000
"""Cells of quarantined rows turned into Python strings at a time (see :func:`_raw_cells`)."""
MAX_ROWS_LISTED = 10
"""The most other rows a duplicate's reason names (a file of one row repeated would otherwise
give each of n rows a reason naming the n - 1 others)."""


@dataclass(frozen=True)
class Validation:
    """The outcome of checking an extract: accepted observations and quarantined rows."""

    observations: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    rows_filtered: int
    blank_rows: int
    warnings: tuple[str, ...] = ()
    aggregated_from: str | None = None
    """``daily`` or ``weekly`` when the observations are months made from the file's rows."""

    @property
    def rows_rejected(self) -> int:
        return len(self.quarantine)

    @property
    def rows_accepted(self) -> int:
        return self.rows_read - self.rows_filtered - self.rows_rejected


def validate_extract(
    extract: Extract, spec: SourceSpec, catalogue: Catalogue, areas: Areas, *, as_of: date
) -> Validation:
    """Check every row of ``extract`` against ``spec``, the catalogue and the areas."""
    warnings: list[str] = []
    kept = filtered(mapped(extract.frame, spec, warnings), extract.row_numbers, spec, warnings)
    frame, rows = kept.frame, kept.rows
    reasons = Reasons(len(frame))
    area = _areas(frame, spec, areas, reasons)
    refuse_undecided(kept, spec, reasons)
    start, end = read_periods(frame, spec, reasons, as_of)
    breakdown, category = _breakdowns(frame, spec, reasons)
    observations = pd.concat(
        [
            _measure(
                frame, rows, spec, m, catalogue, reasons, area, start, end, breakdown, category
            )
            for m in spec.measures
        ],
        ignore_index=True,
    )
    _duplicates(observations, rows, reasons)
    require_values(observations, spec, reasons)
    bad = reasons.bad()
    accepted = (
        observations[~bad[observations["_pos"].to_numpy()]]
        .drop(columns="_pos")
        .reset_index(drop=True)
    )
    accepted, by = to_months(accepted, spec, catalogue)
    return Validation(
        accepted,
        _quarantine(frame, rows, reasons),
        len(extract.frame),
        int((~kept.keep).sum()),
        extract.blank_rows,
        tuple(warnings),
        by,
    )


def _areas(frame: pd.DataFrame, spec: SourceSpec, areas: Areas, reasons: Reasons) -> pd.Series:
    """Each row's area code; a missing one or one not in ``params/areas.yaml`` is a reason."""
    area = frame[spec.area.column].str.strip()
    no_area = missing(area, spec)
    reasons.add(
        no_area,
        lambda w: [f"missing area code ({spec.area.column} is {quoted(area.iat[i])})" for i in w],
    )
    unknown_area = ~area.isin([a.code for a in areas]).to_numpy() & ~no_area
    reasons.add(unknown_area, lambda w: [f"unknown area code {quoted(area.iat[i])}" for i in w])
    return area


def _quarantine(frame: pd.DataFrame, rows: np.ndarray, reasons: Reasons) -> pd.DataFrame:
    """One row per refused file row: its row number, its reasons and its raw cells."""
    joined = reasons.joined()
    positions = sorted(joined)
    return pd.DataFrame(
        {
            "row_number": [int(rows[p]) for p in positions],
            "reasons": [joined[p] for p in positions],
            # kept as Python strings: a string column would copy them all into Arrow
            "raw": pd.Series(_raw_cells(frame, positions), dtype=object),
        }
    )


def _not_numbers(
    prefix: Callable[[int], str], field: str, column: str, text: pd.Series, where: np.ndarray
) -> list[str]:
    """The reason of each row in ``where`` whose ``field`` (read from ``column``) is not a number."""
    return [f"{prefix(i)}{field} ({column}) {quoted(text.iat[i])} is not a number" for i in where]


def _raw_cells(frame: pd.DataFrame, positions: list[int]) -> list[str]:
    """Each quarantined row's cells as a JSON object, built :data:`RAW_CHUNK_CELLS` at a time.

    Rows go through object arrays (iterating string columns cell by cell, as ``to_dict`` does,
    is 10 times slower), a block at a time: a Python string per cell costs about 50 bytes, so
    converting a dense file whole would cost 25 times its size; a block costs at most 50 MB.
    """
    columns = [str(c) for c in frame.columns]
    step = max(1, RAW_CHUNK_CELLS // max(len(columns), 1))
    out: list[str] = []
    for first in range(0, len(positions), step):
        block = frame.iloc[positions[first : first + step]].to_numpy(dtype=object)
        out += [json.dumps(dict(zip(columns, r, strict=True)), ensure_ascii=False) for r in block]
    return out


def _breakdowns(
    frame: pd.DataFrame, spec: SourceSpec, reasons: Reasons
) -> tuple[pd.Series, pd.Series]:
    n = len(frame)
    if spec.breakdown is not None:
        dim = frame[spec.breakdown.dimension].str.strip()
        cat = frame[spec.breakdown.category].str.strip()
        half = ((dim == "") != (cat == "")).to_numpy()
        reasons.add(half, "breakdown and category must both be given or both be blank")
        return dim.mask(dim == "", ALL), cat.mask(cat == "", ALL)
    names = np.full(n, "", dtype=object)
    cats = np.full(n, "", dtype=object)
    for b in spec.breakdowns:
        value = frame[b.column].str.strip().to_numpy(dtype=object)
        reasons.add(value == "", f"{b.name} ({b.column}) is blank")
        own = value != b.total
        names = np.where(own, np.where(names == "", b.name, names + JOIN + b.name), names)
        cats = np.where(own, np.where(cats == "", value, cats + JOIN + value), cats)
    names[names == ""] = ALL
    cats[cats == ""] = ALL
    return pd.Series(names), pd.Series(cats)


def _numbers(
    frame: pd.DataFrame, column: str | None, spec: SourceSpec
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Values of ``column`` as floats, which cells are not numbers, and the raw text."""
    n = len(frame)
    if column is None:
        return np.full(n, np.nan), np.zeros(n, dtype=bool), pd.Series([""] * n)
    text = frame[column].str.strip()
    suppressed = text.isin(spec.suppression).to_numpy()
    cleaned = (
        text.str.replace(spec.thousands_separator, "", regex=False)
        if spec.thousands_separator
        else text
    )
    values = pd.to_numeric(cleaned.mask(suppressed), errors="coerce").to_numpy(
        dtype=float, copy=True
    )
    bad = ~suppressed & ~np.isfinite(values)
    values[bad] = np.nan
    return values, bad, text


def _measure(
    frame,
    rows,
    spec,
    measure: Measure,
    catalogue: Catalogue,
    reasons: Reasons,
    area,
    start,
    end,
    breakdown,
    category,
) -> pd.DataFrame:
    n = len(frame)
    ids = (
        pd.Series([measure.indicator.id] * n)
        if measure.indicator.id
        else frame[measure.indicator.column].str.strip()
    )
    named: list[str] = ids.astype(str).tolist()
    prefix: Callable[[int], str] = (
        (lambda i: f"{named[i]}: ") if len(spec.measures) > 1 else (lambda i: "")
    )
    known = ids.isin(list(catalogue.ids)).to_numpy()
    reasons.add(~known, lambda w: [f"unknown indicator {quoted(ids.iat[i])}" for i in w])
    figures = {}
    for field in ("numerator", "denominator", "value"):
        values, bad, text = _numbers(frame, getattr(measure, field), spec)
        column = getattr(measure, field)
        reasons.add(bad, functools.partial(_not_numbers, prefix, field, column, text))
        figures[field] = values
    num, den, value = figures["numerator"], figures["denominator"], figures["value"]
    for ident in ids[known].unique():
        ind = catalogue[ident]
        mine = (ids == ident).to_numpy()
        _indicator_rules(ind, mine, num, den, value, reasons, prefix)
        if not spec.period.daily:
            _period_kinds(ind, mine, start, end, reasons, prefix)
        _age_bands(ind, catalogue, mine, breakdown, category, reasons, prefix)
        if measure.value is None:
            value = np.where(
                mine,
                num if ind.method == "count" else _safe_ratio(num, den) * ind.multiplier,
                value,
            )
    return pd.DataFrame(
        {
            "indicator_id": ids,
            "area_code": area,
            "period_start": start,
            "period_end": end,
            "breakdown": breakdown,
            "category": category,
            "numerator": num,
            "denominator": den,
            "value": value,
            "source_row": rows.astype("int64"),
            "_pos": np.arange(n),
        }
    )


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _indicator_rules(
    ind: Indicator, mine: np.ndarray, num, den, value, reasons: Reasons, prefix
) -> None:
    def fmt(x: float) -> str:
        return f"{x:g}"

    if ind.method != "ratio":
        reasons.add(
            mine & (num < 0),
            lambda w: [f"{prefix(i)}numerator {fmt(num[i])} is negative" for i in w],
        )
    reasons.add(
        mine & (den < 0), lambda w: [f"{prefix(i)}denominator {fmt(den[i])} is negative" for i in w]
    )
    if ind.method in BOUNDED_METHODS:
        reasons.add(
            mine & (num > den),
            lambda w: [
                f"{prefix(i)}numerator {fmt(num[i])} is greater than denominator {fmt(den[i])}"
                for i in w
            ],
        )
    if ind.unit == "percent" and ind.method in BOUNDED_METHODS:
        low, high = PERCENT_RANGE
        reasons.add(
            mine & ((value < low) | (value > high)),
            lambda w: [
                f"{prefix(i)}value {fmt(value[i])} is outside 0 to 100 for a percentage" for i in w
            ],
        )
    elif ind.unit in NON_NEGATIVE_UNITS:
        reasons.add(
            mine & (value < 0),
            lambda w: [
                f"{prefix(i)}value {fmt(value[i])} is negative, impossible for {ind.unit.replace('_', ' ')}"
                for i in w
            ],
        )


def _age_bands(
    ind: Indicator,
    catalogue: Catalogue,
    mine: np.ndarray,
    breakdown: pd.Series,
    category: pd.Series,
    reasons: Reasons,
    prefix: Callable[[int], str],
) -> None:
    """An age-standardised indicator's age band must be one its standard population can weigh
    (:func:`~perfreport.methods.standardisation.band_problem`)."""
    if ind.standardise is None:
        return
    banded = mine & (breakdown.to_numpy(dtype=object) == ind.standardise.by)
    if not banded.any():
        return
    labels = category.to_numpy(dtype=object)
    standard, ages = catalogue.standard(ind), ind.standardise.age_range
    problems = {label: band_problem(standard, ages, str(label)) for label in set(labels[banded])}
    bad = {label: why for label, why in problems.items() if why is not None}
    reasons.add(
        banded & np.isin(labels, list(bad)),
        lambda w: [f"{prefix(i)}{bad[labels[i]]}" for i in w],
    )


def _period_kinds(
    ind: Indicator, mine: np.ndarray, start: pd.Series, end: pd.Series, reasons: Reasons, prefix
) -> None:
    """A row whose period is not of the indicator's frequency (a quarter for a monthly one)
    would be counted twice when prepare makes quarters of the months: quarantine it."""
    spans: list[tuple[Any, Any]] = list(zip(start.tolist(), end.tolist(), strict=True))
    kinds: dict[tuple[Any, Any], str] = {}
    for i in np.flatnonzero(mine).tolist():
        first, last = spans[i]
        if first is not None and last is not None and spans[i] not in kinds:
            kinds[spans[i]] = period_kind_of(first, last)
    wrong = np.array(
        [bool(m) and kinds.get(span, ind.period_kind) != ind.period_kind for m, span in zip(mine, spans, strict=True)]
    )  # fmt: skip
    reasons.add(
        wrong,
        lambda w: [
            f"{prefix(i)}the period is a {kinds[spans[i]].replace('_', ' ')}, but "
            f"{ind.id} is {ind.frequency.replace('_', ' ')} (one figure per "
            f"{ind.period_kind.replace('_', ' ')})"
            for i in w
        ],
    )


def _duplicates(observations: pd.DataFrame, rows: np.ndarray, reasons: Reasons) -> None:
    """Rows with the same key (those whose period did not parse have their own reason)."""
    dated = observations["period_start"].notna().to_numpy()
    dup = observations.duplicated(KEY, keep=False).to_numpy() & dated
    if not dup.any():
        return
    subset = observations.loc[dup, [*KEY, "_pos"]]
    groups = subset.groupby(KEY, dropna=False)["_pos"].apply(list)
    others: dict[int, str] = {}
    for positions in groups:
        numbers = [int(rows[p]) for p in positions]
        for pos, own in zip(positions, numbers, strict=True):
            shown = [n for n in numbers[: MAX_ROWS_LISTED + 1] if n != own][:MAX_ROWS_LISTED]
            more = len(numbers) - 1 - len(shown)
            others[pos] = ", ".join(map(str, shown)) + (f" and {more:,} more" if more else "")
    flagged = np.array(sorted(others))
    mask = np.zeros(reasons.n, dtype=bool)
    mask[flagged] = True
    reasons.add(
        mask,
        lambda w: [
            f"duplicate of row {others[int(i)]} (same indicator, area, period and breakdown)"
            for i in w
        ],
    )
