"""What the monthly report measures: each monthly indicator in the report's month, with its
status, the SPC chart ``prepare`` stored for it, and every reason it is an exception (red,
special cause of concern, or an improvement-plan exception; framework section 6.4)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from perfreport.assess.rag import rag_of
from perfreport.assess.scorecard import Family
from perfreport.assess.series import stored_xmr
from perfreport.config.areas import Area
from perfreport.config.catalogue import Indicator
from perfreport.config.plans import plan_exceptions
from perfreport.config.rag_settings import RagSettings
from perfreport.methods.periods import Period
from perfreport.methods.spc import XmrResult, improvement_for, rule_phrase
from perfreport.methods.status import Rag, Status
from perfreport.present.spc_chart import LABELS
from perfreport.reports.context import ReportContext


@dataclass(frozen=True)
class MonthlyMeasure:
    """One monthly indicator in the report month: its row, its history up to the month, its
    status, the SPC chart ``prepare`` stored (``None`` with too few points) and why it is an
    exception, if it is one."""

    indicator: Indicator
    row: pd.Series | None
    history: pd.DataFrame
    rag: Rag
    chart: XmrResult | None = None
    exceptions: list[str] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        if self.row is None or pd.isna(self.row["value"]):
            return None
        return float(self.row["value"])


def spc_words(measure: MonthlyMeasure) -> str:
    """``'Concern: a run of 8 points above the mean'``, ``'Common cause'`` or ``'Too few points
    for SPC'``: the month's variation and every rule that flagged it (the words of
    :data:`perfreport.methods.spc.RULE_WORDS`)."""
    chart, row = measure.chart, measure.row
    if chart is None or row is None or not isinstance(row["spc_type"], str):
        return "Too few points for SPC"
    last = chart.points.iloc[-1]
    words = LABELS[str(last["point_type"])]
    if not isinstance(last["rule"], str):
        return words
    return f"{words}: {'; '.join(rule_phrase(r, chart.points) for r in last['rule'].split('+'))}"


def monthly_measures(
    ctx: ReportContext, area: Area, period: Period, family: Family, settings: RagSettings
) -> list[MonthlyMeasure]:
    """Every monthly indicator of the catalogue for ``area`` in ``period``, exceptions first."""
    rows = ctx.results([area.code])
    rows = rows[(rows["period_kind"] == "month") & (rows["period"] <= period)]
    by_indicator = {k: g.reset_index(drop=True) for k, g in rows.groupby("indicator_id")}
    measures = [
        _measure(ind, by_indicator.get(ind.id, rows.iloc[0:0]), period, family, settings)
        for ind in ctx.catalogue
        if ind.period_kind == "month"
    ]
    notes = _plan_notes(ctx, area, period, family, measures)
    for m in measures:
        m.exceptions.extend(_exceptions(m) + notes[m.indicator.id])
    return sorted(measures, key=lambda m: not m.exceptions)


def _measure(
    ind: Indicator, history: pd.DataFrame, period: Period, family: Family, settings: RagSettings
) -> MonthlyMeasure:
    """The indicator in ``period``, with the SPC chart ``prepare`` stored for its latest point
    up to the month, drawn against the month's target."""
    now = history[history["period"] == period]
    row = None if now.empty else now.iloc[0]
    target = None if row is None or pd.isna(row["target_value"]) else row["target_value"]
    chart = stored_xmr(
        history.dropna(subset=["value"]),
        None if target is None else float(target),
        improvement_for(ind.polarity),
        settings.spc_rules,
    )
    return MonthlyMeasure(ind, row, history, rag_of(row, family), chart)


def _plan_notes(
    ctx: ReportContext, area: Area, period: Period, family: Family, measures: list[MonthlyMeasure]
) -> defaultdict[str, list[str]]:
    """Each indicator's improvement-plan exceptions in the month, as sentences."""
    statuses = {
        (m.indicator.id, area.code): m.row["framework_status"]
        for m in measures
        if m.row is not None and isinstance(m.row["framework_status"], str)
    }
    notes: defaultdict[str, list[str]] = defaultdict(list)
    for exc in plan_exceptions(ctx.plans(), statuses, period.end):
        if exc.kind == "no_plan" and family == "framework":
            continue  # framework red means "not mitigated by a plan"; its reason says so
        note = "No improvement plan" if exc.kind == "no_plan" else exc.text
        notes[exc.indicator].append(note[0].upper() + note[1:])
    return notes


def _exceptions(m: MonthlyMeasure) -> list[str]:
    if m.row is None or m.value is None:
        return ["No data for this month"]
    found = []
    if m.rag.status is Status.RED:
        found.append(f"Red: {m.rag.reason}")
    if m.row["spc_type"] == "special_cause_concern":
        found.append(f"Special cause of concern: {spc_words(m).split(': ', 1)[-1]}")
    return found
