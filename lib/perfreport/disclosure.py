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
- **Secondary suppression**: where parts add up to a published total (the localities of a
  partnership; the response options of a survey question), one suppressed part could be
  recovered by subtraction, so the smallest other part is suppressed too (repeated until no
  group has exactly one suppressed part).
- **Rounding** (optional): the counts left are rounded to the nearest ``round_to``.

Management reports may turn control off (``control: false``); a public report cannot.
Suppressed figures show as ``[c]`` (the ONS and GSS symbol for confidential) in tables, as gaps
in charts, and as empty cells with ``suppressed`` true in the open data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Self

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from perfreport.areas import Areas

SYMBOL = "[c]"
NOTE = (
    "[c] Suppressed to protect confidentiality: counts of 1 to {top}, and figures from which "
    "they could be worked out, are not shown."
)
COUNT_COLUMNS = ("numerator", "denominator")
DERIVED_COLUMNS = ("value", "lower", "upper", "change_year", "change_previous")
REASON_COLUMNS = ("target_reason", "framework_reason")
REASON = "figure suppressed to protect confidentiality"


class Disclosure(BaseModel):
    """A cycle's disclosure control settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    public: bool = False
    """Published to the public: control cannot be turned off."""
    control: bool = True
    threshold: int = Field(5, ge=1, le=100)
    """Counts from 1 to ``threshold - 1`` are suppressed."""
    round_to: int | None = Field(None, ge=2, le=100)
    """Round the counts that are shown to the nearest multiple (5 is common); None: do not."""

    @model_validator(mode="after")
    def _public_reports_are_controlled(self) -> Self:
        if self.public and not self.control:
            raise ValueError("a public report cannot turn disclosure control off (control: false)")
        return self

    @property
    def active(self) -> bool:
        return self.control and self.threshold > 1

    @property
    def note(self) -> str:
        return NOTE.format(top=self.threshold - 1)

    def is_small(self, count: float | None) -> bool:
        """Whether ``count`` is a count that must be suppressed (0 is not)."""
        return (
            self.active and count is not None and not np.isnan(count) and 0 < count < self.threshold
        )


class Suppressed(float):
    """A figure withheld by disclosure control: a NaN that knows why it is missing.

    Arithmetic on it gives a plain NaN, so anything worked out from it is missing too; display
    code shows it as ``[c]`` rather than "no data".
    """

    def __new__(cls) -> Suppressed:
        return super().__new__(cls, "nan")

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = Suppressed()


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


def protect(
    frame: pd.DataFrame, rule: Disclosure | None, families: Iterable[Sequence[str]] = ()
) -> pd.DataFrame:
    """Apply ``rule`` to prepared results (one row per indicator, area, period, breakdown).

    ``families`` lists groups of area codes whose counts add up to a published total (the
    localities of a partnership); secondary suppression works within each group for the same
    indicator, breakdown and period. Returns a copy with a ``suppressed`` column; without an
    active rule, the frame with ``suppressed`` all false.
    """
    out = frame.copy()
    if rule is None or not rule.active or out.empty:
        out["suppressed"] = False
        return out
    counts = [c for c in COUNT_COLUMNS if c in out.columns]
    small = np.zeros(len(out), dtype=bool)
    for column in counts:
        values = out[column].to_numpy(dtype=float)
        small |= (values > 0) & (values < rule.threshold)
    out["suppressed"] = small
    keys = [
        k
        for k in ("indicator_id", "breakdown", "category", "period_start", "period_end")
        if k in out.columns
    ]
    for family in families:
        members = out[out["area_code"].isin(list(family))]
        for _, group in members.groupby(keys, sort=False, dropna=False):
            if int(group["suppressed"].sum()) != 1:
                continue
            size = group[counts].max(axis=1, skipna=True) if counts else pd.Series(dtype=float)
            candidates = size[~group["suppressed"] & (size > 0)]
            if not candidates.empty:
                out.loc[candidates.idxmin(), "suppressed"] = True
    hidden = out["suppressed"].to_numpy()
    for column in (*counts, *(c for c in DERIVED_COLUMNS if c in out.columns)):
        out[column] = out[column].astype(float).where(~hidden)
    for column in REASON_COLUMNS:
        if column in out.columns:
            out[column] = out[column].where(~hidden | out[column].isna(), REASON)
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


def families(areas: Areas, codes: Iterable[str]) -> list[list[str]]:
    """The localities of each partnership that ``codes`` belong to: the groups whose counts add
    up to a published total (the partnership's), for secondary suppression."""
    out: list[list[str]] = []
    for code in codes:
        area = areas.get(code)
        if area.type not in ("partnership", "locality"):
            continue
        children = [a.code for a in areas.children(areas.partnership_of(code).code)]
        if children and children not in out:
            out.append(children)
    return out


def protected_read(
    read: Callable[[list[str]], pd.DataFrame],
    codes: Sequence[str],
    rule: Disclosure | None,
    areas: Areas,
) -> pd.DataFrame:
    """``read(codes)`` with ``rule`` applied; the sibling localities are read too (and left
    out again) so that secondary suppression sees every part of each total."""
    if rule is None or not rule.active:
        return protect(read(list(codes)), None)
    groups = families(areas, codes)
    wanted = list(dict.fromkeys([*codes, *(c for g in groups for c in g)]))
    frame = protect(read(wanted), rule, groups)
    return frame[frame["area_code"].isin(list(codes))].reset_index(drop=True)
