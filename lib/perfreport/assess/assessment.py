"""What prepare judges for each area's totals: the target and framework RAG, the SPC point
type and rule, the stored SPC chart, the long-term trend and the plan in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from perfreport.assess.framework_rag import Evidence, framework_rag
from perfreport.assess.funnels import with_funnel_positions
from perfreport.assess.rag import applicable_target, describe_target, target_rag
from perfreport.assess.series import SPC_COLUMNS, spc_points
from perfreport.config.areas import Areas
from perfreport.config.catalogue import ALL, Indicator
from perfreport.config.plans import Plans
from perfreport.config.rag_settings import RagSettings
from perfreport.methods.periods import Period
from perfreport.methods.spc import Classified, Improvement, classify, improvement_for
from perfreport.methods.stats import trend

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
class _Assessing:
    """What assessing one indicator's totals reads besides each area's own series."""

    ind: Indicator
    areas: Areas
    plans: Plans
    settings: RagSettings
    breakdowns_at: pd.Series
    """The breakdowns held for each (area, period start, period end), besides the totals."""
    value_of: dict[tuple[str, date], float]
    """Each (area, period start)'s total, for the body's and the comparator's values."""
    parts_with_data: dict[tuple[str, date], frozenset[str]]
    """The types of the parts of each (body, period start) that have a figure."""

    def breakdowns(self, area: str, period: Period) -> frozenset[str]:
        """The breakdowns an area's figure has for the period: a part is a breakdown of its
        body by its type (``locality``), and a body with parts' figures that period has it.
        A breakdown by a part type is not expected of areas of other types (Scotland has no
        localities), so for them it counts as present."""
        present = set(self.breakdowns_at.get((area, period.start, period.end), frozenset()))
        present |= self.parts_with_data.get((area, period.start), frozenset())
        kind = self.areas.get(area).type
        for part in self.areas.types:
            if part.role == "part" and kind not in (part.id, part.parent):
                present.add(part.id)
        if self.areas.role_of(area) == "part":
            present.add(kind)
        return frozenset(present)


def assess_totals(
    ind: Indicator,
    totals: pd.DataFrame,
    frame: pd.DataFrame,
    areas: Areas,
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
    parts: dict[tuple[str, date], set[str]] = {}
    for a, p in value_of:
        if a in areas and areas.role_of(a) == "part" and (parent := areas.get(a).parent):
            parts.setdefault((parent, p), set()).add(areas.get(a).type)
    how = _Assessing(
        ind,
        areas,
        plans,
        settings,
        breakdowns_at,
        value_of,
        {key: frozenset(kinds) for key, kinds in parts.items()},
    )
    rows = []
    for area, series in totals.sort_values("period_start").groupby("area_code", sort=False):
        rows += _assess_area(how, str(area), series)
    extra = pd.DataFrame(rows, columns=ASSESSMENT_COLUMNS)
    return with_funnel_positions(ind, extra, totals, areas)


def _assess_area(how: _Assessing, area: str, series: pd.DataFrame) -> list[dict]:
    """The assessment of each period of one area's totals (``series``, in time order)."""
    ind = how.ind
    points = list(zip(series["period"], series["value"], strict=True))
    known = area in how.areas
    role = how.areas.role_of(area) if known else None
    parent = how.areas.get(area).parent if known else None
    comparator = how.areas.comparator
    previous_status = None
    spc, charts = _spc_by_prefix(
        series["value"].to_numpy(float), improvement_for(ind.polarity), how.settings
    )
    rows = []
    for i, (period, value) in enumerate(points):
        target = applicable_target(ind, period, role)
        t_rag = target_rag(ind, None if pd.isna(value) else float(value), target)
        plan = how.plans.for_indicator(ind.id, area, period.end)
        history = [(p, float(v)) for p, v in points[: i + 1] if not pd.isna(v)]
        f_status, f_reason = None, None
        if known:
            present = how.breakdowns(area, period)
            evidence = Evidence(
                ind, period.end, history, target, present, plan, previous_status, charts[i]
            )
            f = framework_rag(evidence, how.settings)
            previous_status, f_status, f_reason = f.status, f.status.value, str(f)
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
                if role == "part" and parent
                else None,
                "country_value": how.value_of.get((comparator.code, period.start))
                if comparator
                else None,
            }
        )
    return rows


def _spc_by_prefix(
    values: np.ndarray, improvement: Improvement, settings: RagSettings
) -> tuple[dict[str, list], list[Classified | None]]:
    """The SPC type and rule of each point as it stood when it was the latest point, with the
    chart it was the latest point of (:data:`~perfreport.assess.series.SPC_COLUMNS`): its
    limits and its points' types and rules; and the chart of the figures up to each point
    (for the framework RAG, so that no chart is classified twice)."""
    out: dict[str, list] = {column: [] for column in ("spc_type", "spc_rule", *SPC_COLUMNS)}
    charts: list[Classified | None] = []
    clean = ~np.isnan(values)
    for i in range(values.size):
        prefix = values[: i + 1][clean[: i + 1]]
        if prefix.size < settings.spc_minimum_points or not clean[i]:
            for column in out.values():
                column.append(None)
            charts.append(
                charts[-1] if charts and prefix.size >= settings.spc_minimum_points else None
            )
            continue
        c = classify(prefix, improvement, settings.spc_rules)
        charts.append(c)
        for column, value in zip(
            out.values(),
            (c.point_types[-1], c.rules[-1], c.mean[-1], c.lpl[-1], c.upl[-1], spc_points(c)),
            strict=True,
        ):
            column.append(value)
    return out, charts


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
