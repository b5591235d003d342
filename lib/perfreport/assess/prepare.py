"""Compute once per cycle: results for every indicator × area × period × breakdown.

``prepare`` reads the warehouse's observations and writes the ``results`` table that every
report reads (notebooks never recompute). Each row holds the value with its confidence interval
(by the indicator's method), the change on the previous period and on the same period a year
earlier; and, for each area's totals, the long-term trend, the SPC point type and rule, the
target and target RAG, the framework RAG with its reasons, the improvement plan in force, the
body's and the comparator's values (a partnership's and Scotland's), and a part's (a
locality's) funnel-plot position.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from perfreport import __version__
from perfreport.assess.area_sums import with_area_sums
from perfreport.assess.assessment import assess_totals
from perfreport.assess.digests import store_digests
from perfreport.assess.results import store_disclosed
from perfreport.assess.standardised import with_standardised_rates
from perfreport.assess.totals import roll_ups, with_changes, with_intervals, with_missing_periods
from perfreport.config.catalogue import ALL
from perfreport.config.context import Context
from perfreport.config.disclosure import Disclosure
from perfreport.config.plans import Plans
from perfreport.config.rag_settings import RagSettings
from perfreport.errors import PerfreportError
from perfreport.methods.periods import Period, period_kind_of
from perfreport.store.warehouse import connect, observations, transaction


@dataclass(frozen=True)
class PrepareSummary:
    rows: int
    seconds: float
    period: Period | None


def prepare(
    ctx: Context,
    plans: Plans,
    settings: RagSettings,
    until: Period | None = None,
    rules: Sequence[Disclosure] = (),
    configuration: str = "",
) -> PrepareSummary:
    """Compute the results table from the warehouse and store it (replacing the last one),
    with the totals as each disclosure rule in ``rules`` lets them be published and the
    digests of both (:mod:`perfreport.assess.digests`); ``configuration`` (a digest of the
    configuration the results were computed with) is recorded beside them in
    ``results_info``."""
    started = time.perf_counter()
    with connect(ctx.project.warehouse, read_only=True) as con:
        obs = observations(con, breakdown=None)
    if until is not None:
        obs = obs[obs["period_end"] <= until.end]
    results = compute_results(ctx, plans, settings, obs)
    if results.empty:
        raise PerfreportError(
            f"{ctx.project.relative(ctx.project.warehouse)}: the warehouse holds no observations "
            "of the catalogue's indicators (every load unloaded?); 'perfreport loads' lists the "
            "loads, and 'perfreport ingest SPEC FILE' loads an extract"
        )
    with connect(ctx.project.warehouse) as con, transaction(con):
        con.register("prepared", results)
        con.execute("CREATE OR REPLACE TABLE results AS SELECT * FROM prepared")
        con.unregister("prepared")
        store_disclosed(con, results, rules, ctx.areas)
        store_digests(con)
        con.execute(
            "CREATE OR REPLACE TABLE results_info AS "
            "SELECT max(load_id) AS load_id, ? AS until, ? AS version, ? AS settings FROM loads",
            [until.end if until else None, __version__, configuration],
        )
    return PrepareSummary(len(results), time.perf_counter() - started, until)


def compute_results(
    ctx: Context, plans: Plans, settings: RagSettings, obs: pd.DataFrame
) -> pd.DataFrame:
    """The results rows for ``obs`` (all indicators, areas, periods and breakdowns)."""
    if obs.empty:
        return pd.DataFrame()
    periods = {
        key: Period.containing(period_kind_of(*key), key[0])
        for key in set(zip(obs["period_start"], obs["period_end"], strict=True))
    }
    keys = zip(obs["period_start"], obs["period_end"], strict=True)
    obs = obs.assign(period=pd.Series([periods[k] for k in keys], index=obs.index, dtype=object))
    area_types: dict[str, str] = {a.code: a.type for a in ctx.areas}
    last_day: date = obs["period_end"].max()
    comparator = ctx.areas.comparator.code if ctx.areas.comparator else None
    frames = []
    for ind in ctx.catalogue:
        native = with_area_sums(obs[obs["indicator_id"] == ind.id], ind, ctx.areas)
        if native.empty:
            continue
        for mine in (native, *roll_ups(native, ind)):
            mine = with_missing_periods(mine, ind, last_day, area_types)
            standardised = with_standardised_rates(
                with_intervals(mine, ind), ind, ctx.catalogue, comparator
            )
            frame = with_changes(standardised)
            totals = frame[frame["breakdown"] == ALL]
            extra = assess_totals(ind, totals, frame, ctx.areas, plans, settings)
            frames.append(
                frame.merge(
                    extra,
                    on=["area_code", "period_start", "period_end", "breakdown", "category"],
                    how="left",
                )
            )
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    out["period_kind"] = out["period"].map(lambda p: p.kind)
    out["period_label"] = out["period"].map(lambda p: p.label)
    return out.drop(columns="period")
