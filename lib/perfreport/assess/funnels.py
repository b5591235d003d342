"""Where each part of a body (a locality of a partnership) falls on the body's funnel plot,
per period."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from perfreport.config.areas import Areas
from perfreport.config.catalogue import Indicator
from perfreport.methods.funnels import FUNNEL_LEVELS, funnel_limits, funnel_position

FUNNEL_KINDS: dict[str, Literal["proportion", "rate"]] = {
    "proportion": "proportion",
    "survey": "proportion",
    "rate": "rate",
}
"""The funnel an indicator's method is drawn on (others have none)."""


def with_funnel_positions(
    ind: Indicator, extra: pd.DataFrame, totals: pd.DataFrame, areas: Areas
) -> pd.DataFrame:
    """Each part against funnel limits around its body's parts' average, per period."""
    extra["funnel_position"] = None
    kind = FUNNEL_KINDS.get(ind.method)
    if kind is None or ind.time_aggregation == "last":
        return extra
    positions: dict[tuple[str, object], str] = {}
    body = {a.code: a.parent for a in areas.with_role("part")}
    parts_of = totals.assign(body=totals["area_code"].map(body)).dropna(subset=["body"])
    for (start, _), group in parts_of.groupby(["period_start", "body"]):
        localities = group.dropna(subset=["numerator", "denominator"])
        localities = localities[localities["denominator"] > 0]
        if localities.empty:
            continue
        average = localities["numerator"].sum() / localities["denominator"].sum()
        if not 0 < average < (1 if kind == "proportion" else np.inf):
            continue
        limits = funnel_limits(
            localities["denominator"].to_numpy(float), average, kind, FUNNEL_LEVELS
        )
        rate = (localities["numerator"] / localities["denominator"]).to_numpy(float)
        for j, area in enumerate(localities["area_code"]):
            positions[(area, start)] = funnel_position(rate[j], limits, j)
    extra["funnel_position"] = [
        positions.get((a, s))
        for a, s in zip(extra["area_code"], extra["period_start"], strict=True)
    ]
    return extra
