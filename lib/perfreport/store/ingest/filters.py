"""A spec's value mappings and row filters, and the warnings they give.

A filter keeps the rows whose column is ``in`` (or not ``not_in``) its values. A row whose
filtered column is missing (blank, ``NA``, ``N/A`` or a suppression marker) is not quietly left
out by an ``in`` filter: it goes on to the checks and is quarantined with its reason (a missing
area code, or a missing value in the filtered column). A mapping key or a filter value that
matches no value in the file, and a filter that leaves out every row, are warnings naming the
nearest value the file does have.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from perfreport.errors import PerfreportError
from perfreport.store.ingest.limits import quoted
from perfreport.store.ingest.reasons import Reasons
from perfreport.store.ingest.spec import Filter, SourceSpec

MISSING_CODES = frozenset({"", "NA", "N/A", "n/a", "na", "#N/A"})
"""Cells meaning "no value" in a code column (as well as the spec's suppression markers)."""
NEAREST_CUTOFF = 0.6
"""How alike (difflib's ratio, ignoring case) a value must be to be named as the nearest."""


@dataclass
class Kept:
    """The rows the filters keep, their file row numbers and which rows of the file were kept;
    for each ``in`` filter, which kept rows had its column missing; and the warnings."""

    frame: pd.DataFrame
    rows: np.ndarray
    keep: np.ndarray
    undecided: list[tuple[Filter, np.ndarray]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def missing(values: pd.Series, spec: SourceSpec) -> np.ndarray:
    """Which ``values`` (stripped text) mean no value: :data:`MISSING_CODES` or suppressed."""
    return values.isin(MISSING_CODES | set(spec.suppression)).to_numpy()


def nearest(value: str, present: Iterable[str]) -> str:
    """``; nearest value in the file: 'X'`` (case ignored), or nothing when none is alike."""
    lowered = {str(p).lower(): str(p) for p in present}
    if value.lower() in lowered:
        return f"; nearest value in the file: {lowered[value.lower()]!r} (the case differs)"
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=NEAREST_CUTOFF)
    return f"; nearest value in the file: {lowered[close[0]]!r}" if close else ""


def mapped(frame: pd.DataFrame, spec: SourceSpec, warnings: list[str]) -> pd.DataFrame:
    """``frame`` with the spec's value mappings applied; a key no cell holds is a warning."""
    for column, mapping in spec.mappings.items():
        if column not in frame.columns:
            raise PerfreportError(
                f"source spec '{spec.name}': mappings name column {column!r}, which the file lacks"
            )
        present = set(frame[column].unique())
        for key in mapping:
            if key not in present:
                warnings.append(
                    f"spec '{spec.name}': mappings for column {column!r}: {key!r} matches no "
                    f"value in the file{nearest(key, present)}"
                )
        frame = frame.assign(**{column: frame[column].replace(mapping)})
    return frame


def filtered(frame: pd.DataFrame, rows: np.ndarray, spec: SourceSpec, warnings: list[str]) -> Kept:
    """The rows the spec's filters keep (see the module docstring)."""
    keep = np.ones(len(frame), dtype=bool)
    undecided: list[tuple[Filter, np.ndarray]] = []
    emptied = False  # a filter of its own left out every row
    for rule in spec.filters:
        values = frame[rule.column].str.strip()
        blank = missing(values, spec)
        listed = rule.in_ if rule.in_ is not None else rule.not_in or ()
        _unmatched(rule, listed, set(values[~blank].unique()), spec, warnings)
        if rule.in_ is not None:
            own = values.isin(rule.in_).to_numpy() | blank
            undecided.append((rule, blank))
        else:
            own = ~values.isin(listed).to_numpy()
        if len(frame) and not own.any():
            emptied = True
            warnings.append(
                f"spec '{spec.name}': the filter on column {rule.column!r} leaves out every row"
            )
        keep &= own
    if len(frame) and not keep.any() and not emptied:
        warnings.append(f"spec '{spec.name}': the filters together leave out every row")
    if not keep.all():  # a copy of the whole extract, made only when a filter drops rows
        frame, rows = frame.loc[keep].reset_index(drop=True), rows[keep]
        undecided = [(rule, blank[keep]) for rule, blank in undecided]
    return Kept(frame, rows, keep, undecided, warnings)


def _unmatched(
    rule: Filter, listed: Iterable[str], present: set[str], spec: SourceSpec, warnings: list[str]
) -> None:
    word = "in" if rule.in_ is not None else "not_in"
    for value in listed:
        if value not in present:
            warnings.append(
                f"spec '{spec.name}': filter on column {rule.column!r} ({word}): {value!r} "
                f"matches no value in the file{nearest(value, present)}"
            )


def refuse_undecided(kept: Kept, spec: SourceSpec, reasons: Reasons) -> None:
    """Quarantine the kept rows whose ``in``-filtered column is missing (an area column's
    missing code is the area check's reason)."""
    for rule, blank in kept.undecided:
        if rule.column != spec.area.column:
            reasons.add(blank, functools.partial(_undecided, rule.column, kept.frame[rule.column]))


def _undecided(column: str, values: pd.Series, where: np.ndarray) -> list[str]:
    return [
        f"{column} is missing ({quoted(values.iat[i])}), so the filter on it cannot tell "
        "whether to keep the row"
        for i in where
    ]
