"""Statistical disclosure control: small counts in public outputs are suppressed.

Public bodies must not disclose information about individuals through small numbers (Public
Health Scotland's Statistical Disclosure Control Protocol; the GSS guidance on confidentiality).
A cycle declares its rule in ``params/cycles.yaml``::

    disclosure: {public: true, threshold: 5, round_to: 5}

- **Primary suppression**: a count from 1 to ``threshold - 1`` (default 1 to 4) is suppressed;
  0 is shown (it discloses nothing about a person). A count is a numerator, a denominator, or
  the value of a count indicator.
- **Derived figures**: a percentage, rate or interval worked out from a suppressed count is
  suppressed with it, and so is the RAG reason that would quote it.
- **Complementary suppression** across every published aggregation: where parts add up to a
  published total (the localities of a partnership; the months of a quarter or a year; the
  quarters of a year; the response options of a survey question), a suppressed part could be
  recovered by subtraction, so the smallest other part is suppressed too, until no withheld
  count can be worked out exactly from the shown ones by any combination of those sums
  (checked by linear algebra, :mod:`perfreport.methods.recovery`).
- **Derived figures across rows**: a change on the previous period or on a year earlier is
  withheld where either of its two periods is, and a partnership's or Scotland's value quoted
  beside another area's row is withheld where that row is.
- **Rounding** (optional): the counts left are rounded to the nearest ``round_to``.

Management reports may turn control off (``control: false``); a public report cannot.
Suppressed figures show as ``[c]`` (the ONS and GSS symbol for confidential) in tables, as gaps
in charts, and as empty cells with ``suppressed`` true in the open data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from perfreport.assess.relations import Candidate, candidates, fitted, series_keys, start_dates
from perfreport.config.disclosure import Disclosure
from perfreport.methods.periods import Period
from perfreport.methods.recovery import determined, witnesses

if TYPE_CHECKING:
    from perfreport.config.areas import Areas

COUNT_COLUMNS = ("numerator", "denominator")
DERIVED_COLUMNS = ("value", "lower", "upper", "change_year", "change_previous")
CHANGE_COLUMNS = {
    "change_previous": "previous",
    "change_year": "year_ago",
    "previous_value": "previous",
    "year_ago_value": "year_ago",
}
"""A change, or a copy of another period's value, and the other period it comes from."""
QUOTED_COLUMNS = {"partnership_value": "body", "country_value": "comparator"}
"""Another area's value quoted on a row: withheld where that area's row is."""
SPC_CHART = ("spc_mean", "spc_lpl", "spc_upl", "spc_points")
"""A stored SPC chart (its mean, limits and points' types): SPC is management information,
never published under control (a mean with all but one of its points shown gives the last one
away), so a controlled report draws no SPC chart."""
REASON_COLUMNS = ("target_reason", "framework_reason", "not_calculated")
REASON = "figure suppressed to protect confidentiality"


def suppress_parts(counts: Sequence[float | None], rule: Disclosure) -> list[bool]:
    """Which of ``counts`` (the parts of one published total) to suppress: the small ones, and
    the smallest other part wherever exactly one part would otherwise be suppressed.

    >>> suppress_parts([120, 3, 40, 88], Disclosure())
    [False, True, True, False]
    >>> suppress_parts([0, 12, 9], Disclosure()), suppress_parts([0, 2, 9, 30], Disclosure())
    ([False, False, False], [False, True, True, False])
    """
    hidden = [rule.is_small(c) for c in counts]
    if sum(hidden) == 1:
        shown = [
            (c, i)
            for i, c in enumerate(counts)
            if not hidden[i] and c is not None and not np.isnan(c) and c > 0
        ]
        if shown:  # a zero hides nothing: the smallest non-zero part goes
            hidden[min(shown)[1]] = True
    return hidden


def round_count(count: float | None, rule: Disclosure) -> float | None:
    """``count`` rounded to the nearest ``rule.round_to`` (halves up); unchanged without one."""
    if count is None or rule.round_to is None or np.isnan(count):
        return count
    return float(np.floor(count / rule.round_to + 0.5) * rule.round_to)


def _size(frame: pd.DataFrame, counts: list[str]) -> np.ndarray:
    """How big each row's counts are (to choose the smallest complement); missing as 0."""
    if not counts:
        return np.zeros(len(frame))
    return np.nan_to_num(frame[counts].to_numpy(dtype=float), nan=0.0).max(axis=1)


def complement(
    frame: pd.DataFrame,
    primary: np.ndarray,
    found: Sequence[Candidate],
    counts: Sequence[str] = COUNT_COLUMNS,
) -> np.ndarray:
    """The rows to withhold so that no withheld count can be worked out: ``primary`` and, for
    as long as some withheld count is determined by the relations that hold among ``found``,
    the smallest non-zero shown row of a relation that determines it, or, where every shown
    part beside it is a zero, of the shown rows that work it out
    (:func:`perfreport.methods.recovery.witnesses`); a quick pass for relations with exactly
    one unknown, then the exact test of :func:`perfreport.methods.recovery.determined`."""
    hidden = primary.copy()
    counts = [c for c in counts if c in frame.columns]
    size = _size(frame, counts)
    if "value" in frame.columns:  # a value that adds up (a count, an average of beds) too
        counts.append("value")
    missing = {c: np.isnan(frame[c].to_numpy(dtype=float)) for c in counts}
    relations = {
        c: [r for r in fitted(frame, found, c, np.ones(len(frame), dtype=bool)) if len(r[0]) > 1]
        for c in counts
    }

    touching: dict[str, dict[int, list[np.ndarray]]] = {c: {} for c in counts}
    for column in counts:
        for cells, _ in relations[column]:
            for cell in cells:
                touching[column].setdefault(int(cell), []).append(cells)

    def hide_beside(cell: int, column: str) -> bool:
        unknown = hidden | missing[column]
        for cells in touching[column].get(cell, ()):
            shown = [int(m) for m in cells if not unknown[m] and size[m] > 0]
            if shown:
                hidden[min(shown, key=lambda m: (size[m], m))] = True
                return True
        # every part beside it is a shown zero (or withheld): a figure further along the sums
        # that give it back goes, the smallest non-zero one first
        read = witnesses(unknown, relations[column], cell)
        if read:
            hidden[min(read, key=lambda m: (size[m] <= 0, size[m], m))] = True
        return bool(read)

    while True:
        grew = False
        for column in counts:
            for cells, _ in relations[column]:
                lone = cells[(hidden | missing[column])[cells]]
                if len(lone) == 1 and hidden[lone[0]]:
                    grew |= hide_beside(int(lone[0]), column)
        if grew:
            continue
        for column in counts:
            unknown = hidden | missing[column]
            for cell in np.flatnonzero(determined(unknown, relations[column]) & hidden):
                grew |= hide_beside(int(cell), column)
        if not grew:
            return hidden


def protect(
    frame: pd.DataFrame,
    rule: Disclosure | None,
    areas: Areas | None = None,
    *,
    complementary: bool = True,
) -> pd.DataFrame:
    """Apply ``rule`` to prepared results (one row per indicator, area and period, as many
    periods and areas as are published together: every figure of a site under one rule is
    protected in one call, so that no two reports can be played against each other).

    Returns a copy with a ``suppressed`` column; without an active rule, the frame with
    ``suppressed`` all false. ``complementary=False`` (primary suppression only) exists for the
    auditor's tests: it shows what differencing recovers without complementary suppression.
    """
    out = frame.copy().reset_index(drop=True)
    if rule is None or not rule.active or out.empty:
        out["suppressed"] = False
        return out
    counts = [c for c in COUNT_COLUMNS if c in out.columns]
    small = np.zeros(len(out), dtype=bool)
    for column in counts:
        values = out[column].to_numpy(dtype=float)
        small |= (values > 0) & (values < rule.threshold)
    hidden = complement(out, small, candidates(out, areas), counts) if complementary else small
    out["suppressed"] = hidden
    for column in SPC_CHART:
        if column in out.columns:  # the mean of n points less the shown ones is the withheld one
            out[column] = pd.array(
                [pd.NA] * len(out), dtype="string" if column == "spc_points" else "Float64"
            )
    for column in (*counts, *(c for c in DERIVED_COLUMNS if c in out.columns)):
        out[column] = out[column].astype(float).where(~hidden)
    for column in REASON_COLUMNS:
        if column in out.columns:
            out[column] = out[column].where(~hidden | out[column].isna(), REASON)
    _withhold_across_rows(out, areas)
    if rule.round_to is not None:
        if "numerator" in out.columns and "denominator" in out.columns and "value" in out.columns:
            # a count indicator's value is its numerator: rounded with it
            is_count = out["denominator"].isna() & (out["value"] == out["numerator"])
            out.loc[is_count, "value"] = out.loc[is_count, "value"].map(
                lambda c: round_count(c, rule)
            )
        for column in counts:
            out[column] = out[column].map(lambda c: round_count(c, rule))
    return out


def _withhold_across_rows(out: pd.DataFrame, areas: Areas | None) -> None:
    """Withhold a change whose other period is withheld, and another area's value quoted on a
    row where that area's own row is withheld (``value - change_year`` would give it back)."""
    keys = series_keys(out)
    if "period_kind" not in out.columns:
        return
    starts = start_dates(out)
    gone = {
        (*k, a, kind, s)
        for k, a, kind, s, h in zip(
            out[keys].itertuples(index=False, name=None),
            out["area_code"],
            out["period_kind"],
            starts,
            out["suppressed"],
            strict=True,
        )
        if h
    }
    if not gone:
        return
    series = list(out[keys].itertuples(index=False, name=None))
    periods = [Period(s, k) for s, k in zip(starts, out["period_kind"], strict=True)]
    other: dict[str, list[date]] = {
        "previous": [p.previous().start for p in periods],
        "year_ago": [p.year_earlier().start for p in periods],
    }
    for column, which in CHANGE_COLUMNS.items():
        if column in out.columns:
            hit = [
                (*k, a, p.kind, s) in gone
                for k, a, p, s in zip(series, out["area_code"], periods, other[which], strict=True)
            ]
            out.loc[hit, column] = np.nan
    if areas is None:
        return
    comparator = areas.comparator.code if areas.comparator else None
    for column, which in QUOTED_COLUMNS.items():
        if column not in out.columns:
            continue
        quoted = [
            (areas.body_of(a).code if a in areas else None) if which == "body" else comparator
            for a in out["area_code"]
        ]
        hit = [
            q is not None and (*k, q, p.kind, p.start) in gone
            for k, q, p in zip(series, quoted, periods, strict=True)
        ]
        out.loc[hit, column] = np.nan
