"""The balanced scorecard (framework table 1) and benchmark comparisons as the seeds print them.

:func:`scorecard` counts indicators by status in each section and sub-section of table 1 for
one area and date, from the prepared results. :func:`with_previous` writes a value with last
year's in brackets, as the council's report does ("76.9% (76.8%)"), and :func:`goal_delta` a
survey result against its goal ("69%  Goal: 75.0% (-6%)").
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import pandas as pd

from perfreport.assess.rag import describe_value
from perfreport.config.catalogue import ALL, Catalogue, Indicator
from perfreport.methods.rounding import format_number, round_half_up
from perfreport.methods.status import Status

Family = Literal["target", "framework"]
STATUS_COLUMNS = [s.value for s in Status]


def latest_results(results: pd.DataFrame, area: str, on: date) -> pd.DataFrame:
    """Each indicator's totals row for ``area`` in its latest period ending on or before ``on``."""
    rows = results[
        (results["area_code"] == area)
        & (results["breakdown"] == ALL)
        & (pd.to_datetime(results["period_end"]).dt.date <= on)
    ]
    if rows.empty:
        return rows
    latest = rows.groupby("indicator_id")["period_end"].transform("max")
    return rows[rows["period_end"] == latest]


def scorecard(
    results: pd.DataFrame, catalogue: Catalogue, area: str, on: date, family: Family = "framework"
) -> pd.DataFrame:
    """Counts by status for each scorecard section and sub-section (every one in table 1, even
    those with no indicator yet, so gaps in measurement show)."""
    latest = latest_results(results, area, on).set_index("indicator_id")
    column = f"{family}_status"
    rows = []
    for section in catalogue.framework.scorecard:
        for sub in section.subsections:
            members = [
                i.id
                for i in catalogue
                if (i.scorecard.section, i.scorecard.subsection) == (section.section, sub)
            ]
            statuses = [
                latest.at[i, column] if i in latest.index else Status.NO_DATA.value for i in members
            ]
            counts = {
                s: sum(
                    1 for x in statuses if (x if isinstance(x, str) else Status.NO_DATA.value) == s
                )
                for s in STATUS_COLUMNS
            }
            rows.append(
                {
                    "section": section.section,
                    "subsection": sub,
                    "indicators": len(members),
                    **counts,
                }
            )
    return pd.DataFrame(rows, columns=["section", "subsection", "indicators", *STATUS_COLUMNS])


def with_previous(ind: Indicator, value: float | None, previous: float | None) -> str:
    """``'76.9% (76.8%)'``: the value with the previous year's in brackets."""
    text = describe_value(ind, value)
    return f"{text} ({describe_value(ind, previous)})" if previous is not None else text


def goal_delta(value: float, goal: float, *, decimals: int = 0, goal_decimals: int = 1) -> str:
    """``'69%  Goal: 75.0% (-6%)'``: a percentage against its goal, as the council's survey shows.

    >>> goal_delta(77, 73)
    '77%  Goal: 73.0% (+4%)'
    """
    delta = round_half_up(value - goal, decimals)
    assert delta is not None  # a number rounds to a number
    sign = "+" if delta >= 0 else "-"
    return (
        f"{format_number(value, decimals)}%  Goal: {format_number(goal, goal_decimals)}% "
        f"({sign}{format_number(abs(delta), decimals)}%)"
    )
