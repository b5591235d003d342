"""The disclosure attack: work out suppressed figures from what is published, as someone
after a small count would.

:func:`attack` pools the published rows (every report's open data) and tries to work out
each suppressed figure:

- **the same figure shown elsewhere**: in another report's open data, or beside the ``[c]``;
- **differencing along every hierarchy**: a partnership is the sum of its localities, a
  quarter of its months, a year of its quarters or months; every such sum the published data
  satisfy, solved together (:mod:`perfreport.methods.recovery`), not one subtraction at a time;
- **derived columns**: a value less its change on the year before (or the previous period)
  gives that period's value; a partnership's or Scotland's value quoted beside another row; a
  rate or percentage times its denominator gives its numerator.

:func:`attack_tables` attacks a web page's own tables: a column or row of a table whose shown
cells add up to a shown total, with one ``[c]`` among them.

Pure: it reads no file. The auditor (:mod:`perfreport.build.audit`) feeds it a site.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from perfreport.assess.relations import (
    DAYS_IN_MONTH,
    candidates,
    end_dates,
    fitted,
    start_dates,
)
from perfreport.methods.periods import add_months
from perfreport.methods.recovery import solve

if TYPE_CHECKING:
    from perfreport.config.areas import Areas

KEY = ("indicator_id", "area_code", "period_start", "period_end")
COUNTS = ("numerator", "denominator")
FIGURES = ("numerator", "denominator", "value", "lower", "upper")
ONE_DAY = timedelta(days=1)
CHANGES = {"change_year": 12, "change_previous": None}
"""A change column and how many months back its other period starts (None: the period before)."""
QUOTED = {"partnership_value": "body", "country_value": "comparator"}
EXACT = 1e-6


@dataclass(frozen=True)
class Recovery:
    """A suppressed figure the auditor worked out from what is published."""

    source: str
    indicator: str
    area: str
    period: str
    column: str
    value: float
    how: str
    key: tuple[str, str, str, str] | None = None
    """Indicator, area, first and last day of the period: where the figure sits in ``results``."""

    def describe(self) -> str:
        return (
            f"{self.source}: {self.indicator} {self.area} {self.period}: {self.column} = "
            f"{self.value:g} ({self.how})"
        )


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def _pool(frames: Sequence[tuple[str, pd.DataFrame]]) -> tuple[pd.DataFrame, list[Recovery]]:
    """One row per figure from every file, knowing whatever any file shows; a figure that one
    file suppresses and another shows is a recovery already."""
    found: list[Recovery] = []
    parts = []
    for source, frame in frames:
        if frame.empty:
            continue
        part = frame.copy()
        part["source"] = source
        part["suppressed"] = part["suppressed"].astype(str).str.lower().isin(("true", "1"))
        for column in (*FIGURES, *CHANGES, *QUOTED):
            part[column] = _num(part, column)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*KEY, *FIGURES, "suppressed", "source"]), found
    pooled = pd.concat(parts, ignore_index=True)
    pooled["period_start"], pooled["period_end"] = start_dates(pooled), end_dates(pooled)
    for row in pooled[pooled["suppressed"]].itertuples(index=False):
        for column in FIGURES:
            amount = getattr(row, column)
            if np.isfinite(amount):
                found.append(
                    _recovery(row, str(row.source), column, amount, "shown beside the [c]")
                )
    keys = list(KEY)
    pooled["_all_hidden"] = pooled.groupby(keys)["suppressed"].transform("all")
    leaked = pooled[pooled["suppressed"] & ~pooled["_all_hidden"]]
    if not leaked.empty:
        shown = pooled[~pooled["suppressed"]].drop_duplicates(keys)
        both = leaked.drop_duplicates(keys).merge(shown, on=keys, suffixes=("", "_shown"))
        for row in both.itertuples(index=False):
            for column in (*COUNTS, "value"):
                amount = getattr(row, f"{column}_shown")
                if np.isfinite(amount):
                    found.append(
                        _recovery(
                            row, str(row.source), column, amount, f"shown in {row.source_shown}"
                        )
                    )
    pooled = pooled.sort_values(["suppressed", *keys], ascending=[False, *([True] * len(keys))])
    merged = pooled.groupby(keys, sort=True).first().reset_index()
    merged["suppressed"] = pooled.groupby(keys, sort=True)["_all_hidden"].first().to_numpy()
    return merged.drop(columns="_all_hidden"), found


def _recovery(row, source: str, column: str, value: float, how: str) -> Recovery:  # type: ignore[no-untyped-def]
    label = getattr(row, "period_label", None)
    period = label if isinstance(label, str) and label else f"{row.period_start}"
    key = (str(row.indicator_id), str(row.area_code), str(row.period_start), str(row.period_end))
    return Recovery(
        source,
        str(row.indicator_id),
        str(row.area_code),
        period,
        column,
        round(value, 6),
        how,
        key,
    )


def attack(
    frames: Sequence[tuple[str, pd.DataFrame]],
    areas: Areas | None,
    truth: pd.DataFrame | None = None,
) -> list[Recovery]:
    """Every suppressed figure that the published rows ``frames`` (open data: ``(source,
    rows)``, pooled) give away, each once.

    The attack assumes a sum holds wherever the published data do not contradict it; with
    ``truth`` (the warehouse's ``results``) a worked-out figure counts only if it is the true
    one: a guess that a sum holds where it does not recovers nothing.
    """
    return _true_only(_attack(frames, areas), truth)


def _true_only(found: list[Recovery], truth: pd.DataFrame | None) -> list[Recovery]:
    if truth is None or truth.empty:
        return found
    starts, ends = start_dates(truth).astype(str), end_dates(truth).astype(str)
    keys = list(zip(truth["indicator_id"], truth["area_code"], starts, ends, strict=True))
    index = {k: i for i, k in enumerate(keys)}
    kept = []
    for recovery in found:
        row = index.get(recovery.key) if recovery.key else None
        if row is None or recovery.column not in truth.columns:
            kept.append(recovery)
            continue
        actual = float(truth[recovery.column].iloc[row])
        if np.isfinite(actual) and abs(actual - recovery.value) <= EXACT * max(1.0, abs(actual)):
            kept.append(recovery)
    return kept


def _attack(frames: Sequence[tuple[str, pd.DataFrame]], areas: Areas | None) -> list[Recovery]:
    pool, found = _pool(frames)
    if pool.empty:
        return found
    hidden = pool["suppressed"].to_numpy(dtype=bool)
    known = {c: pool[c].to_numpy(dtype=float).copy() for c in FIGURES}
    how: dict[tuple[int, str], str] = {}

    def learn(i: int, column: str, amount: float, why: str) -> bool:
        if np.isfinite(known[column][i]) or not np.isfinite(amount):
            return False
        known[column][i] = amount
        how[(i, column)] = why
        return True

    cands = candidates(pool, areas)
    links = _links(pool, areas)
    progress = True
    while progress:
        progress = False
        progress |= _derived(pool, known["value"], links, learn)
        for column in (*COUNTS, "value"):
            shown = np.isfinite(known[column])
            relations = fitted(pool.assign(**{column: known[column]}), cands, column, shown)
            for i, amount in solve(known[column], ~shown, relations).items():
                progress |= learn(i, column, amount, "differencing sums of areas and periods")
        progress |= _from_values(pool, known, learn)
    for (i, column), why in sorted(how.items()):
        if hidden[i]:
            found.append(
                _recovery(pool.iloc[i], pool["source"].iloc[i], column, known[column][i], why)
            )
    return _unique(found)


def _links(pool: pd.DataFrame, areas: Areas | None) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Pairs of rows that a derived column ties: ``(column, rows, other rows)``, where a row's
    change is its value less the other's, or its quoted value is the other's value."""
    index = {k: i for i, k in enumerate(pool[list(KEY)].itertuples(index=False, name=None))}
    ind, area = pool["indicator_id"].tolist(), pool["area_code"].tolist()
    starts = pd.to_datetime(pool["period_start"])
    ends = pd.to_datetime(pool["period_end"]) + pd.Timedelta(days=1)
    months = ((ends - starts).dt.days / DAYS_IN_MONTH).round().astype(int).to_numpy()
    out = []
    start_dates, end_dates = pool["period_start"].tolist(), pool["period_end"].tolist()
    for column, back in CHANGES.items():
        rows, others = [], []
        for i in np.flatnonzero(np.isfinite(pool[column].to_numpy(dtype=float))):
            step = -int(back if back is not None else months[i])
            after = add_months(end_dates[i] + ONE_DAY, step)
            j = index.get((ind[i], area[i], add_months(start_dates[i], step), after - ONE_DAY))
            if j is not None:
                rows.append(i)
                others.append(j)
        out.append((column, np.array(rows, dtype=int), np.array(others, dtype=int)))
    if areas is None:
        return out
    comparator = areas.comparator.code if areas.comparator else None
    for column, which in QUOTED.items():
        rows, others = [], []
        for i in np.flatnonzero(np.isfinite(pool[column].to_numpy(dtype=float))):
            if which == "body":
                code = areas.body_of(area[i]).code if area[i] in areas else None
            else:
                code = comparator
            j = index.get((ind[i], code, start_dates[i], end_dates[i]))
            if j is not None:
                rows.append(i)
                others.append(j)
        out.append((column, np.array(rows, dtype=int), np.array(others, dtype=int)))
    return out


def _derived(pool: pd.DataFrame, value: np.ndarray, links, learn) -> bool:  # type: ignore[no-untyped-def]
    """Values given away by a change column or by another row's quoted value."""
    progress = False
    for column, rows, others in links:
        given = pool[column].to_numpy(dtype=float)
        for i, j in zip(rows, others, strict=True):
            if column in CHANGES:
                progress |= learn(int(j), "value", value[i] - given[i], f"value less {column}")
                progress |= learn(
                    int(i), "value", value[j] + given[i], f"earlier value plus {column}"
                )
            else:
                progress |= learn(int(j), "value", given[i], f"{column} on another row")
    return progress


def _from_values(pool: pd.DataFrame, known: dict[str, np.ndarray], learn) -> bool:  # type: ignore[no-untyped-def]
    """A numerator from its value: equal to it for a count, ``value × denominator /
    multiplier`` for a rate or percentage (the multiplier read off the shown rows)."""
    progress = False
    num, den, value = known["numerator"], known["denominator"], known["value"]
    for _, rows in pool.groupby("indicator_id", sort=False):
        at = rows.index.to_numpy()
        whole = at[np.isfinite(num[at]) & np.isfinite(value[at])]
        if whole.size == 0:
            continue
        if np.allclose(num[whole], value[whole]) and np.all(~np.isfinite(den[whole])):
            for i in at[~np.isfinite(num[at]) & np.isfinite(value[at])]:
                progress |= learn(int(i), "numerator", value[i], "a count's value")
            continue
        ratio = whole[np.isfinite(den[whole]) & (num[whole] > 0)]
        if ratio.size == 0:
            continue
        multiplier = float(np.median(value[ratio] * den[ratio] / num[ratio]))
        for i in at[~np.isfinite(num[at]) & np.isfinite(value[at]) & np.isfinite(den[at])]:
            estimate = value[i] * den[i] / multiplier
            if abs(estimate - round(estimate)) < 0.01 * max(1.0, den[i] / 100):
                progress |= learn(
                    int(i), "numerator", float(round(estimate)), "value × denominator"
                )
    return progress


def _unique(found: Iterable[Recovery]) -> list[Recovery]:
    seen, out = set(), []
    for recovery in found:
        key = (recovery.indicator, recovery.area, recovery.period, recovery.column)
        if key not in seen:
            seen.add(key)
            out.append(recovery)
    return out
