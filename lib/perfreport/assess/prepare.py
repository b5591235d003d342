"""Compute once per cycle: results for every indicator × area × period × breakdown.

``prepare`` reads the warehouse's observations and writes the ``results`` table that every
report reads (notebooks never recompute). Each row holds the value with its confidence interval
(by the indicator's method), the change on the previous period and on the same period a year
earlier; and, for each area's totals, the long-term trend, the SPC point type and rule, the
target and target RAG, the framework RAG with its reasons, the improvement plan in force, the
partnership's and Scotland's values, and a locality's funnel-plot position.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from perfreport import __version__
from perfreport.assess.framework_rag import Evidence, framework_rag
from perfreport.assess.funnels import with_funnel_positions
from perfreport.assess.rag import applicable_target, describe_target, target_rag
from perfreport.assess.results import store_disclosed
from perfreport.assess.series import SPC_COLUMNS, spc_points, to_periods
from perfreport.config.catalogue import Indicator
from perfreport.config.context import Context
from perfreport.config.disclosure import Disclosure
from perfreport.config.plans import Plans
from perfreport.config.rag_settings import RagSettings
from perfreport.methods.periods import Period, PeriodKind, period_kind_of
from perfreport.methods.spc import Improvement, classify, improvement_for
from perfreport.methods.stats import poisson_limits, proportion, trend
from perfreport.store.warehouse import connect, observations, transaction

ALL = "all"
ASSESSMENT_COLUMNS = [
    "area_code",
    "period_start",
    "period_end",
    "breakdown",
    "category",
    "trend",
    "spc_type",
    "spc_rule",
    *SPC_COLUMNS,
    "target_value",
    "target_text",
    "target_status",
    "target_reason",
    "framework_status",
    "framework_reason",
    "plan_id",
    "partnership_value",
    "country_value",
]
TREND_POINTS = {"monthly": 12, "quarterly": 4}
"""Points in the latest year for the trend column; annual series use their last three points."""


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
) -> PrepareSummary:
    """Compute the results table from the warehouse and store it (replacing the last one),
    with the totals as each disclosure rule in ``rules`` lets them be published."""
    started = time.perf_counter()
    with connect(ctx.project.warehouse, read_only=True) as con:
        obs = observations(con, breakdown=None)
    if until is not None:
        obs = obs[obs["period_end"] <= until.end]
    results = compute_results(ctx, plans, settings, obs)
    with connect(ctx.project.warehouse) as con, transaction(con):
        con.register("prepared", results)
        con.execute("CREATE OR REPLACE TABLE results AS SELECT * FROM prepared")
        con.unregister("prepared")
        store_disclosed(con, results, rules, ctx.areas)
        con.execute(
            "CREATE OR REPLACE TABLE results_info AS "
            "SELECT max(load_id) AS load_id, ? AS until, ? AS version FROM loads",
            [until.end if until else None, __version__],
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
    parents = {a.code: a.parent for a in ctx.areas}
    country = ctx.areas.country.code if ctx.areas.country else None
    last_day: date = obs["period_end"].max()
    frames = []
    for ind in ctx.catalogue:
        native = obs[obs["indicator_id"] == ind.id]
        if native.empty:
            continue
        for mine in (native, *_roll_ups(native, ind)):
            mine = _with_missing_periods(mine, ind, last_day, area_types)
            frame = _with_changes(_with_intervals(mine, ind))
            totals = frame[frame["breakdown"] == ALL]
            extra = _assess_totals(
                ind, totals, frame, area_types, parents, country, plans, settings
            )
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


ASSESSED_AREA_TYPES = ("partnership", "locality")


def _with_missing_periods(
    mine: pd.DataFrame, ind: Indicator, last_day: date, area_types: dict[str, str]
) -> pd.DataFrame:
    """Add empty totals rows for periods with no data, up to the latest period the warehouse
    holds, so that a return that stopped shows as "no data" and, in time, as stale."""
    kind = mine["period"].iloc[0].kind
    last = Period.containing(kind, last_day)
    if last.end > last_day:
        last = last.previous()
    step = 2 if ind.frequency == "biennial" else 1
    rows = []
    totals = mine[mine["breakdown"] == ALL]
    for area, group in totals.groupby("area_code"):
        if area_types.get(str(area)) not in ASSESSED_AREA_TYPES:
            continue
        held = set(group["period"])
        period = min(held)
        while period <= last:
            if period not in held:
                rows.append(
                    {
                        "indicator_id": ind.id,
                        "area_code": area,
                        "period_start": period.start,
                        "period_end": period.end,
                        "breakdown": ALL,
                        "category": ALL,
                        "numerator": np.nan,
                        "denominator": np.nan,
                        "value": np.nan,
                        "period": period,
                        "observed": False,
                    }
                )
            period = period.shift(step)
    mine = mine.assign(observed=True)
    if not rows:
        return mine
    return pd.concat([mine, pd.DataFrame(rows)], ignore_index=True)


ROLL_UPS: dict[str, tuple[PeriodKind, ...]] = {
    "month": ("quarter", "financial_year"),
    "quarter": ("financial_year",),
}
"""The longer periods a sub-annual indicator is also combined into, for quarterly and annual reports."""


def _roll_ups(native: pd.DataFrame, ind: Indicator) -> list[pd.DataFrame]:
    """Quarter and financial-year rows for a monthly indicator, financial-year rows for a
    quarterly one (its periods combined by its aggregation rule; incomplete periods left out)."""
    out = []
    for kind in ROLL_UPS.get(ind.period_kind, ()):
        parts = []
        for (breakdown, category), group in native.groupby(["breakdown", "category"], sort=False):
            combined = to_periods(group, ind, kind)
            if not combined.empty:
                parts.append(combined.assign(breakdown=str(breakdown), category=str(category)))
        if parts:
            frame = pd.concat(parts, ignore_index=True)
            out.append(
                frame.assign(
                    period_start=frame["period"].map(lambda p: p.start),
                    period_end=frame["period"].map(lambda p: p.end),
                )
            )
    return out


def _with_intervals(frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    num, den = frame["numerator"].to_numpy(float), frame["denominator"].to_numpy(float)
    lower = np.full(len(frame), np.nan)
    upper = np.full(len(frame), np.nan)
    method = None
    usable = np.isfinite(num) & np.isfinite(den) & (den > 0) & (num >= 0)
    if ind.method in ("proportion", "survey"):
        ok = usable & (num <= den)
        if ok.any():
            e = proportion(num[ok], den[ok], multiplier=ind.multiplier)
            lower[ok], upper[ok] = e.lower, e.upper
        method = "Wilson"
    elif ind.method in ("rate", "dsr"):
        if usable.any():
            low, high = poisson_limits(num[usable])
            lower[usable], upper[usable] = (
                low / den[usable] * ind.multiplier,
                high / den[usable] * ind.multiplier,
            )
        method = (
            "Byar (exact below 10)" if ind.method == "rate" else "Byar, crude (age bands not held)"
        )
    elif ind.method == "count" and ind.time_aggregation == "sum":
        counts = np.isfinite(num) & (num >= 0)
        if counts.any():
            lower[counts], upper[counts] = poisson_limits(num[counts])
        method = "Poisson"
    return frame.assign(lower=lower, upper=upper, ci_method=method)


def _with_changes(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["area_code", "breakdown", "category"]
    values = frame[[*keys, "period", "value"]]
    previous = values.assign(period=values["period"].map(lambda p: p.shift(1))).rename(
        columns={"value": "previous_value"}
    )
    year_ago = values.assign(period=values["period"].map(_a_year_later)).rename(
        columns={"value": "year_ago_value"}
    )
    out = frame.merge(previous, on=[*keys, "period"], how="left").merge(
        year_ago, on=[*keys, "period"], how="left"
    )
    return out.assign(
        change_previous=out["value"] - out["previous_value"],
        change_year=out["value"] - out["year_ago_value"],
    )


def _a_year_later(p: Period) -> Period:
    """The period a year after ``p`` (so that ``p``'s value is that period's 'a year earlier')."""
    return Period.containing(p.kind, date(p.start.year + 1, p.start.month, 1))


@dataclass(frozen=True)
class _Assessing:
    """What assessing one indicator's totals reads besides each area's own series."""

    ind: Indicator
    area_types: dict[str, str]
    parents: dict[str, str | None]
    country: str | None
    plans: Plans
    settings: RagSettings
    breakdowns_at: pd.Series
    """The breakdowns held for each (area, period start, period end), besides the totals."""
    value_of: dict[tuple[str, date], float]
    """Each (area, period start)'s total, for the partnership's and the country's values."""
    localities_with_data: frozenset[date]
    """The period starts for which some locality has a figure."""

    def breakdowns(self, area: str, kind: str, period: Period) -> frozenset[str]:
        """The breakdowns an area's figure has for the period: a partnership with locality
        figures that period has a locality breakdown."""
        present = set(self.breakdowns_at.get((area, period.start, period.end), frozenset()))
        if kind == "locality" or (
            kind == "partnership" and period.start in self.localities_with_data
        ):
            present.add("locality")
        return frozenset(present)


def _assess_totals(
    ind: Indicator,
    totals: pd.DataFrame,
    frame: pd.DataFrame,
    area_types: dict[str, str],
    parents: dict[str, str | None],
    country: str | None,
    plans: Plans,
    settings: RagSettings,
) -> pd.DataFrame:
    breakdowns_at = frame.groupby(["area_code", "period_start", "period_end"])["breakdown"].agg(
        lambda b: frozenset(b) - {ALL}  # type: ignore[type-var]  # pandas-stubs: scalars only
    )
    value_of = {
        (a, p): v
        for a, p, v in zip(
            totals["area_code"], totals["period_start"], totals["value"], strict=True
        )
    }
    localities = frozenset(p for a, p in value_of if area_types.get(a) == "locality")
    how = _Assessing(
        ind, area_types, parents, country, plans, settings, breakdowns_at, value_of, localities
    )
    rows = []
    for area, series in totals.sort_values("period_start").groupby("area_code", sort=False):
        rows += _assess_area(how, str(area), series)
    extra = pd.DataFrame(rows, columns=ASSESSMENT_COLUMNS)
    return with_funnel_positions(ind, extra, totals, area_types)


def _assess_area(how: _Assessing, area: str, series: pd.DataFrame) -> list[dict]:
    """The assessment of each period of one area's totals (``series``, in time order)."""
    ind = how.ind
    points = list(zip(series["period"], series["value"], strict=True))
    kind = how.area_types.get(area, "")
    previous_status = None
    spc = _spc_by_prefix(
        series["value"].to_numpy(float), improvement_for(ind.polarity), how.settings
    )
    rows = []
    for i, (period, value) in enumerate(points):
        target = applicable_target(ind, period, kind)
        t_rag = target_rag(ind, None if np.isnan(value) else value, target)
        plan = how.plans.for_indicator(ind.id, area, period.end)
        history = [(p, v) for p, v in points[: i + 1] if not np.isnan(v)]
        f_status, f_reason = None, None
        if kind in ASSESSED_AREA_TYPES:
            present = how.breakdowns(area, kind, period)
            evidence = Evidence(ind, period.end, history, target, present, plan, previous_status)
            f = framework_rag(evidence, how.settings)
            previous_status, f_status, f_reason = f.status, f.status.value, str(f)
        parent = how.parents.get(area)
        rows.append(
            {
                "area_code": area,
                "period_start": period.start,
                "period_end": period.end,
                "breakdown": ALL,
                "category": ALL,
                "trend": _trend_word(ind, history),
                **{column: values[i] for column, values in spc.items()},
                "target_value": None if target is None else target.value,
                "target_text": describe_target(ind, target),
                "target_status": t_rag.status.value,
                "target_reason": t_rag.reason,
                "framework_status": f_status,
                "framework_reason": f_reason,
                "plan_id": plan.id if plan else None,
                "partnership_value": how.value_of.get((parent, period.start))
                if kind == "locality" and parent
                else None,
                "country_value": how.value_of.get((how.country, period.start))
                if how.country
                else None,
            }
        )
    return rows


def _spc_by_prefix(
    values: np.ndarray, improvement: Improvement, settings: RagSettings
) -> dict[str, list]:
    """The SPC type and rule of each point as it stood when it was the latest point, with the
    chart it was the latest point of (:data:`~perfreport.assess.series.SPC_COLUMNS`): its
    limits and its points' types and rules."""
    out: dict[str, list] = {column: [] for column in ("spc_type", "spc_rule", *SPC_COLUMNS)}
    clean = ~np.isnan(values)
    for i in range(values.size):
        prefix = values[: i + 1][clean[: i + 1]]
        if prefix.size < settings.spc_minimum_points or not clean[i]:
            for column in out.values():
                column.append(None)
            continue
        c = classify(prefix, improvement, settings.spc_rules)
        for column, value in zip(
            out.values(),
            (c.point_types[-1], c.rules[-1], c.mean[-1], c.lpl[-1], c.upl[-1], spc_points(c)),
            strict=True,
        ):
            column.append(value)
    return out


def _trend_word(ind: Indicator, history: list[tuple[Period, float]]) -> str | None:
    recent = history[-TREND_POINTS.get(ind.frequency, 3) :]
    if len(recent) < 3:
        return None
    t = trend([v for _, v in recent])
    if not t.significant:
        return "no significant trend"
    if ind.polarity == "neutral":
        return t.direction
    better = (t.slope > 0) == (ind.polarity == "higher_is_better")
    return f"{t.direction} ({'improving' if better else 'worsening'})"
