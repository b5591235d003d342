"""Directly standardised rates from age-banded counts, for indicators with ``standardise``.

For each area and period whose rows include the indicator's age bands (the categories of its
``standardise.by`` breakdown), the total's value and interval are the directly standardised
rate of those bands with Dobson limits (:func:`perfreport.methods.stats.dsr`), weighted by the
indicator's standard population (the 2013 European Standard Population unless the catalogue
names another), over the ages the indicator covers (bands outside them are not part of the
rate). The total's numerator and denominator are the bands' events and population added.

Where the rate cannot be given, the total has no value and ``not_calculated`` says why, as
reports print it:

- fewer than 10 events in the bands (Fingertips and PHS publish no rate then);
- an age band of the indicator's ages is missing, or its count or population is.
  (PHEindicatormethods' ``phe_dsr`` counts a missing count as zero; perfreport's ingest turns
  a suppressed cell into a missing value, never a zero, so a missing count is unknown here.)

Indicators of method ``isr`` or ``smr`` are standardised indirectly instead: each area's
observed events over those its bands would have at the comparator area's age-specific rates
in the same period (:func:`perfreport.methods.stats.isr`, per the indicator's unit, and
:func:`~perfreport.methods.stats.isratio`, × 100), with the observed count's limits.

An area and period with no age bands at all keep the total as the extract gave it (a rate
published already standardised), with ``ci_method`` saying that it was not standardised here.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from perfreport.config.catalogue import ALL, Catalogue, Indicator
from perfreport.errors import PerfreportError
from perfreport.methods.standardisation import (
    AgeBand,
    StandardPopulation,
    band_problem,
    parse_band,
)
from perfreport.methods.stats import DSR_MINIMUM_EVENTS, dsr, isr, isratio

NOT_CALCULATED = "not_calculated"
"""The column saying why a total has no value although it has data (``None`` elsewhere)."""
KEYS = ["area_code", "period_start", "period_end"]


def ci_method_of(standard: StandardPopulation) -> str:
    return f"Dobson, directly standardised ({standard.name})"


INDIRECT = frozenset({"isr", "smr"})
"""Methods standardised indirectly: against the comparator's age-specific rates."""


def with_standardised_rates(
    frame: pd.DataFrame, ind: Indicator, catalogue: Catalogue, comparator: str | None = None
) -> pd.DataFrame:
    """``frame`` (one indicator's rows of one period kind, with intervals) with its totals
    standardised from its age bands, and the :data:`NOT_CALCULATED` column."""
    frame = frame.assign(**{NOT_CALCULATED: None})
    spec = ind.standardise
    if spec is None or frame.empty:
        return frame
    standard = catalogue.standard(ind)
    bands = frame[frame["breakdown"] == spec.by]
    if bands.empty:
        return _as_published(frame)
    weight = _weights(ind, standard, bands["category"].unique())
    bands = bands[bands["category"].map(weight).notna()]  # outside the indicator's ages
    wanted = standard.covering(spec.age_range.low, spec.age_range.high)
    if ind.method in INDIRECT:
        return _indirectly(frame, bands, ind, wanted, standard, comparator)
    results = {
        key: _rate(group, weight, wanted, standard, ind)
        for key, group in bands.groupby(KEYS, sort=False)
    }
    return _apply(_as_published(frame), results, ci_method_of(standard))


def _indirectly(
    frame: pd.DataFrame,
    bands: pd.DataFrame,
    ind: Indicator,
    wanted: tuple[str, ...],
    standard: StandardPopulation,
    comparator: str | None,
) -> pd.DataFrame:
    """Each area's indirectly standardised rate or ratio against the comparator's bands of
    the same period (the comparator itself keeps its crude total: 100 as a ratio)."""
    if comparator is None:
        raise PerfreportError(
            f"indicator '{ind.id}': method '{ind.method}' is standardised against the "
            "comparator's age-specific rates, and params/areas.yaml has no comparator area"
        )
    periods = ["period_start", "period_end"]
    reference = {key: g for key, g in bands[bands["area_code"] == comparator].groupby(periods)}
    results = {}
    for key, group in bands[bands["area_code"] != comparator].groupby(KEYS, sort=False):
        ref = reference.get(tuple(key[1:]))
        results[key] = _indirect_rate(group, ref, ind, wanted, standard)
    return _apply(_as_published(frame), results, f"Byar, indirectly standardised ({comparator})")


def _indirect_rate(
    group: pd.DataFrame,
    ref: pd.DataFrame | None,
    ind: Indicator,
    wanted: tuple[str, ...],
    standard: StandardPopulation,
) -> dict[str, object]:
    """One area and period's ISR (per the indicator's unit) or SMR (× 100)."""
    if ref is None:
        return {NOT_CALCULATED: "no comparator age bands for the period"}
    problem = _problem(group, wanted, standard)
    if problem is None:  # the comparator's bands, matched by their ages
        ages = [parse_band(str(c)) for c in group["category"]]
        ref = ref.set_index(ref["category"].map(lambda c: parse_band(str(c)))).reindex(ages)
        ref_x, ref_n = ref["numerator"].to_numpy(float), ref["denominator"].to_numpy(float)
        lacking = [
            str(c)
            for c, r, m in zip(group["category"], ref_x, ref_n, strict=True)
            if not (r >= 0 and m > 0)
        ]
        problem = _bands_without_data(lacking, "the comparator's ")
    if problem is not None:
        return {NOT_CALCULATED: problem}
    x, n = group["numerator"].to_numpy(float), group["denominator"].to_numpy(float)
    if ind.method == "smr":
        e = isratio(x, n, ref_x, ref_n, multiplier=100)
    else:
        e = isr(x, n, ref_x, ref_n, multiplier=ind.multiplier)
    parts = {"numerator": x.sum(), "denominator": n.sum()}
    return {**parts, "value": e.value, "lower": e.lower, "upper": e.upper}


def _problem(
    group: pd.DataFrame, wanted: tuple[str, ...], standard: StandardPopulation
) -> str | None:
    """Why one area and period's bands give no rate: two bands overlap (``0-4`` and
    ``00-04``), a band of the ages is missing, or a band's count or population is (a
    suppressed count is missing, never zero) or not positive."""
    bands = sorted(
        zip(map(parse_band, map(str, group["category"])), map(str, group["category"]), strict=True)
    )
    for (a, first), (b, second) in pairwise(bands):
        if a.high is None or b.low <= a.high:
            return f"age bands {first} and {second} overlap"
    x, n = group["numerator"].to_numpy(float), group["denominator"].to_numpy(float)
    unusable = [
        str(c) for c, a, b in zip(group["category"], x, n, strict=True) if not (a >= 0 and b > 0)
    ]
    return _bands_without_data(_missing([b for b, _ in bands], wanted, standard) + unusable)


def _bands_without_data(labels: list[str], whose: str = "") -> str | None:
    if not labels:
        return None
    return f"{whose}age band{'s' if len(labels) > 1 else ''} {', '.join(labels)} without data"


def _as_published(frame: pd.DataFrame) -> pd.DataFrame:
    totals = frame["breakdown"] == ALL
    method = frame["ci_method"].astype(object)
    method[totals] = "as published (no age bands to standardise)"
    return frame.assign(ci_method=method)


def _weights(ind: Indicator, standard: StandardPopulation, labels: np.ndarray) -> dict[str, float]:
    """Each band label's weight, or NaN for a band outside the indicator's ages.

    Raises
    ------
    PerfreportError
        For a label that is not a whole number of the standard's bands, or crosses the ages
        (ingest quarantines such rows; this catches a warehouse loaded before it did).
    """
    assert ind.standardise is not None
    ages = ind.standardise.age_range
    out: dict[str, float] = {}
    for label in map(str, labels):
        problem = band_problem(standard, ages, label)
        if problem is not None:
            raise PerfreportError(
                f"indicator '{ind.id}': breakdown '{ind.standardise.by}': {problem}; "
                "correct the extract and load it again with 'perfreport ingest --replace'"
            )
        band = parse_band(label)
        out[label] = standard.weights([label])[0] if band.within(ages) else np.nan
    return out


def _rate(
    group: pd.DataFrame,
    weight: dict[str, float],
    wanted: tuple[str, ...],
    standard: StandardPopulation,
    ind: Indicator,
) -> dict[str, object]:
    """The total of one area and period from its bands: value, limits, parts, and why not.
    Without a rate the total keeps the extract's own events and population (a sum of the
    bands would leave a withheld band out)."""
    assert ind.standardise is not None
    problem = _problem(group, wanted, standard)
    if problem is not None:
        return {NOT_CALCULATED: problem}
    x, n = group["numerator"].to_numpy(float), group["denominator"].to_numpy(float)
    parts = {"numerator": x.sum(), "denominator": n.sum()}
    if x.sum() < DSR_MINIMUM_EVENTS:
        return {
            **parts,
            NOT_CALCULATED: f"fewer than {DSR_MINIMUM_EVENTS} {ind.standardise.events}",
        }
    e = dsr(x, n, group["category"].map(weight).to_numpy(float), multiplier=ind.multiplier)
    return {**parts, "value": e.value, "lower": e.lower, "upper": e.upper}


def _missing(
    covered: list[AgeBand], wanted: tuple[str, ...], standard: StandardPopulation
) -> list[str]:
    """The standard's bands of the indicator's ages that no band of the group covers."""
    bands = dict(zip(standard.labels, standard.bands, strict=True))
    return [label for label in wanted if not any(bands[label].within(c) for c in covered)]


def _apply(
    frame: pd.DataFrame, results: dict[tuple[object, ...], dict[str, object]], method: str
) -> pd.DataFrame:
    """Write each area and period's standardised total into its totals row (adding the row
    where the extract gave bands only)."""
    order = "_order"
    frame = frame.assign(**{order: np.arange(len(frame))})
    frame = frame.set_index([*KEYS, "breakdown", "category"]).sort_index()
    added: list[pd.DataFrame | pd.Series] = []
    for key in results:
        at = (*key, ALL, ALL)
        if at not in frame.index:  # the extract gave bands only: a total row of its own
            template = frame.xs(key, level=KEYS, drop_level=False).iloc[[0]].copy()
            template.index = pd.MultiIndex.from_tuples([at], names=frame.index.names)
            template[["value", "lower", "upper", "numerator", "denominator"]] = np.nan
            template[order] = len(frame) + len(added)
            added.append(template)
    if added:
        frame = pd.concat([frame, *added]).sort_index()
    for key, found in results.items():
        at = (*key, ALL, ALL)
        row = {"value": np.nan, "lower": np.nan, "upper": np.nan, **found, "ci_method": method}
        for column, value in row.items():
            frame.loc[at, column] = value  # type: ignore[call-overload]
    return frame.reset_index().sort_values(order).drop(columns=order).reset_index(drop=True)
