"""Where published figures add up: a total and its parts among rows of results or open data.

A partnership's figure is the sum of its localities', a quarter's of its months', a year's of
its quarters' (or their average, or the last month's, for indicators aggregated that way).
Disclosure control (:mod:`perfreport.assess.disclosure`) and the auditor that attacks a
published site (:mod:`perfreport.assess.attack`) both work from these relations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from perfreport.methods.recovery import Relation, averaged, holds, summed

if TYPE_CHECKING:
    from perfreport.config.areas import Areas

SERIES_KEYS = ("indicator_id", "breakdown", "category")
DAYS_IN_MONTH = 30.44


def series_keys(frame: pd.DataFrame) -> list[str]:
    return [k for k in SERIES_KEYS if k in frame.columns]


def start_dates(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["period_start"]).dt.date


def end_dates(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["period_end"]).dt.date


Candidate = tuple[tuple, np.ndarray]
"""A possible relation: its family (indicator and kind of sum) and its rows, the total's first
and the parts in time order."""


def candidates(frame: pd.DataFrame, areas: Areas | None) -> list[Candidate]:
    """Every place a total and its parts meet among the rows of ``frame`` (prepared results or
    published open data: one row per indicator, area and period): a parent area's row with a
    row for each of its children of one type (same indicator and period), and a period's row with rows for
    shorter periods that exactly tile it (months of a quarter, quarters of a year; same
    indicator and area). Which of them are sums is for :func:`fitted` to find out.
    """
    if frame.empty:
        return []
    keys = series_keys(frame)
    starts, ends = start_dates(frame), end_dates(frame)
    out: list[Candidate] = []
    if areas is not None:
        known = {a.code for a in areas}
        where = {
            (*k, a, s, e): i
            for i, (k, a, s, e) in enumerate(
                zip(
                    frame[keys].itertuples(index=False, name=None),
                    frame["area_code"],
                    starts,
                    ends,
                    strict=True,
                )
            )
        }
        for (*k, code, s, e), total in where.items():
            if code not in known:
                continue
            children = areas.children(code)
            for kind in dict.fromkeys(c.type for c in children):  # localities; councils
                parts = [where.get((*k, c.code, s, e)) for c in children if c.type == kind]
                if None not in parts:
                    out.append(((k[0], "areas", code, kind), np.array([total, *parts])))
    series = frame.assign(_start=starts, _end=ends, _row=np.arange(len(frame)))
    for key, rows in series.groupby([*keys, "area_code"], sort=False, dropna=False):
        spans = sorted(
            (s, e, r, round(((e - s).days + 1) / DAYS_IN_MONTH))  # its length in months
            for s, e, r in zip(rows["_start"], rows["_end"], rows["_row"], strict=True)
        )
        lengths = sorted({span[3] for span in spans})
        for s, e, r, length in spans:
            for shorter in (n for n in lengths if n < length):
                inside = [p for p in spans if p[3] == shorter and p[0] >= s and p[1] <= e]
                covered = sum((p[1] - p[0]).days + 1 for p in inside)
                if inside and covered == (e - s).days + 1:
                    family = (key[0], "time", length, shorter)
                    out.append((family, np.array([r, *(p[2] for p in inside)])))
    return out


def _last(cells: np.ndarray) -> Relation:
    """The relation "the first cell equals the last" (a year's figure is its last month's)."""
    return np.array([cells[0], cells[-1]]), np.array([1.0, -1.0])


FORMS = (summed, _last, averaged)
"""How a total can be made from its parts, tried in this order (the catalogue's aggregation
rules: sum and ratio add numerators and denominators; population averages denominators;
last takes the latest part)."""


def fitted(
    frame: pd.DataFrame, found: Sequence[Candidate], column: str, known: np.ndarray
) -> list[Relation]:
    """The relations that hold for ``column``, one per candidate at most.

    A candidate whose cells are all ``known`` is judged on its own: the first of
    :data:`FORMS` its figures satisfy, or none (a partnership that is not the sum of its
    localities in one month, say, because some cases have no locality). A candidate with an
    unknown cell takes the form most of its family's wholly known candidates satisfy, as an
    attacker would assume (a sum where none is wholly known).
    """
    values = frame[column].to_numpy(dtype=float)
    known = known & np.isfinite(values)
    families: dict[tuple, list[np.ndarray]] = {}
    for family, cells in found:
        families.setdefault(family, []).append(cells)
    out: list[Relation] = []
    for members in families.values():
        votes = [0] * len(FORMS)
        partial = []
        for cells in members:
            if not known[cells].all():
                partial.append(cells)
                continue
            for n, form in enumerate(FORMS):
                relation = form(cells)
                if holds(relation, values):
                    votes[n] += 1
                    out.append(relation)
                    break
        likely = FORMS[max(range(len(FORMS)), key=lambda n: (votes[n], -n))]
        out += [likely(cells) for cells in partial]
    return out
