"""Figures for an area with no data of its own, summed from its child areas.

An extract by council area gives no row for the partnership the councils make up; PHS's
delayed discharge by council area is one. :func:`with_area_sums` gives such an area (a
``parent`` of other areas in ``params/areas.yaml``) the sum of its children's figures, for an
indicator, period, breakdown and category, when every child of one type has a figure then and
the figures add across areas:

- counts (method ``count``, whatever their aggregation over time) are added;
- figures with a numerator and a denominator are added part by part, and the value worked out
  again (``numerator / denominator × multiplier``);
- anything else (a percentage published without its parts, a directly standardised rate
  without its age bands) is not added, and the area keeps no figure. A standardised rate with
  age bands is added band by band, and :mod:`perfreport.assess.standardised` works out the
  sum's rate from them.

Such rows have ``derived`` true (every other row false), so readers can tell a figure that
was published from one that was worked out; disclosure control sees them as what they are, a
total whose parts are shown (:mod:`perfreport.assess.relations`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from perfreport.config.areas import Areas
from perfreport.config.catalogue import Indicator

DERIVED = "derived"
"""The column that says a row was summed from its child areas."""
KEYS = ["period_start", "period_end", "breakdown", "category"]
NOT_ADDED = frozenset({"dsr", "isr", "smr"})
"""Methods whose values do not add across areas even with their parts (the numerator and
denominator of a directly standardised rate give only the crude rate)."""


def with_area_sums(native: pd.DataFrame, ind: Indicator, areas: Areas) -> pd.DataFrame:
    """``native`` (one indicator's observations) with a :data:`DERIVED` column, and a row for
    each parent area, period, breakdown and category with no row of its own whose children of
    one type all have a figure that adds (see the module's description)."""
    native = native.assign(**{DERIVED: False})
    if (ind.method in NOT_ADDED and ind.standardise is None) or native.empty:
        return native
    added: list[pd.DataFrame] = []
    for parent, children in _families(areas):
        held = pd.concat([native, *added], ignore_index=True) if added else native
        rows = _sums(held, ind, parent, children)
        if not rows.empty:
            added.append(rows)
    return pd.concat([native, *added], ignore_index=True) if added else native


def _families(areas: Areas) -> list[tuple[str, list[str]]]:
    """Each parent with its children of one type (in file order), deepest parents first, so
    that a sum can feed the sum above it."""

    def depth(code: str) -> int:
        seen = [code]
        while (parent := areas.get(seen[-1]).parent) is not None and parent not in seen:
            seen.append(parent)
        return len(seen)

    out = []
    for area in areas:
        children = areas.children(area.code)
        for kind in dict.fromkeys(c.type for c in children):
            out.append((area.code, [c.code for c in children if c.type == kind]))
    return sorted(out, key=lambda family: -depth(family[0]))


def _sums(held: pd.DataFrame, ind: Indicator, parent: str, children: list[str]) -> pd.DataFrame:
    """The rows ``parent`` lacks that ``children`` (all of them) add up to."""
    rows = held[held["area_code"].isin(children)]
    how = _how_added(ind, rows)
    if how is None:
        return held.iloc[0:0]
    if how == "parts":  # a value is worked out again from the parts (a blank one too)
        rows = rows[rows["numerator"].notna() & rows["denominator"].notna()]
    else:
        rows = rows[rows["value"].notna()]
    own = set(_keys(held[held["area_code"] == parent]))
    rows = rows[[key not in own for key in _keys(rows)]]
    if rows.empty:
        return held.iloc[0:0]
    sums = (
        rows.groupby(KEYS, sort=False, dropna=False)
        .agg(
            areas=("area_code", "nunique"),
            period=("period", "first"),
            numerator=("numerator", "sum"),
            numerators=("numerator", "count"),
            denominator=("denominator", "sum"),
            value=("value", "sum"),
        )
        .reset_index()
    )
    sums = sums[sums["areas"] == len(children)]
    numerator = sums["numerator"].where(sums["numerators"] == len(children))
    sums = sums.drop(columns=["areas", "numerators"]).assign(numerator=numerator)
    if how == "parts":
        with np.errstate(divide="ignore", invalid="ignore"):
            value = sums["numerator"] / sums["denominator"] * ind.multiplier
        sums = sums.assign(value=value.where(sums["denominator"] > 0))
    else:
        sums = sums.assign(denominator=np.nan)
    return sums.assign(indicator_id=ind.id, area_code=parent, **{DERIVED: True})


def _keys(frame: pd.DataFrame) -> zip[tuple]:
    return zip(*(frame[k] for k in KEYS), strict=True)


def _how_added(ind: Indicator, rows: pd.DataFrame) -> Literal["counts", "parts"] | None:
    """Whether the children's figures add as counts, part by part, or not at all."""
    if ind.method == "count":
        return "counts"
    if (rows["numerator"].notna() & rows["denominator"].notna()).any():
        return "parts"
    return None
