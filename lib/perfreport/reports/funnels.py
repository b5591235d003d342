"""The funnel plots of the locality and annual reports: how the parts of the body (the
localities of the partnership) compare, indicator by indicator, at each indicator's latest
period in the report.

A panel is drawn for an indicator on a funnel (a proportion or a rate,
:data:`perfreport.assess.funnels.FUNNEL_KINDS`) where every part has a figure the report may
publish; its average and each part's position are computed as ``prepare`` computes them
(:func:`perfreport.assess.funnels.with_funnel_positions`), from the same numerators and
denominators. The indicators with a part outside the limits come first (farthest first), then,
while the figure has room, those with every part within them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from perfreport.assess.funnels import FUNNEL_KINDS
from perfreport.config.areas import Area
from perfreport.methods.funnels import FUNNEL_LEVELS, funnel_limits, funnel_position
from perfreport.present.funnel_chart import MOST_PANELS, FunnelPanel, FunnelPoint, funnel_chart
from perfreport.present.tables import Section
from perfreport.reports.locality_view import Headline, LocalityView

WITHHELD = "withheld"
"""What :func:`_panel` returns where disclosure control withholds a part's figure."""


def funnel_plots(
    view: LocalityView,
    parts: Sequence[Area],
    series: Mapping[str, pd.DataFrame],
    words: Mapping[str, str],
) -> Section:
    """Funnel plots of ``parts`` (the body's) for ``view``'s indicators: ``series`` holds each
    indicator's prepared totals of the parts; ``words`` the narrative's (``part``, ``Parts``)."""
    words = {**words, "parts": words["Parts"][:1].lower() + words["Parts"][1:]}
    heading = f"How the {words['parts']} compare"
    if len(parts) < 2:
        return Section(heading, [], intro=f"{view.body.name} has no {words['parts']} to compare.")
    panels, withheld = [], []
    for h in view.headlines:
        if FUNNEL_KINDS.get(h.indicator.method) is None or h.indicator.time_aggregation == "last":
            continue
        panel = _panel(h, parts, series.get(h.indicator.id), view.area.code)
        if panel == WITHHELD:
            withheld.append(h.indicator.title)
        elif isinstance(panel, FunnelPanel):
            panels.append(panel)
    panels.sort(key=lambda p: p.severity)
    outside = [p for p in panels if p.outside]
    shown = outside if len(outside) > MOST_PANELS else panels[:MOST_PANELS]
    intro = _intro(view, words, panels, shown, withheld)
    if not shown:
        return Section(heading, [], intro=intro)
    about = f"Funnel plots comparing the {words['parts']} of {view.body.name}, one per indicator."
    charts = [
        funnel_chart(
            shown[i : i + MOST_PANELS],
            body=view.body.name,
            part=words["parts"],
            caption=f"How the {words['parts']} of {view.body.name} compare, to {view.period.label}"
            + (f" (figure {i // MOST_PANELS + 1})" if len(shown) > MOST_PANELS else ""),
            intro=about,
        )
        for i in range(0, len(shown), MOST_PANELS)
    ]
    return Section(heading, charts, intro=intro)


def _panel(
    h: Headline, parts: Sequence[Area], rows: pd.DataFrame | None, own: str
) -> FunnelPanel | str | None:
    """The indicator's funnel at the headline's period: ``None`` where a part has no figure
    there, :data:`WITHHELD` where the report may not publish one."""
    if rows is None or rows.empty:
        return None
    at = rows[rows["period"] == h.period].set_index("area_code")
    if not all(a.code in at.index for a in parts):
        return None
    at = at.loc[[a.code for a in parts]]
    if at["suppressed"].astype(bool).any():
        return WITHHELD
    if at["numerator"].isna().any() or not (at["denominator"] > 0).all():
        return None
    kind = FUNNEL_KINDS[h.indicator.method]
    dens = at["denominator"].to_numpy(float)
    average = float(at["numerator"].sum() / at["denominator"].sum())
    if not 0 < average < (1 if kind == "proportion" else np.inf):
        return None
    limits = funnel_limits(dens, average, kind, FUNNEL_LEVELS)
    rates = at["numerator"].to_numpy(float) / dens
    points = tuple(
        FunnelPoint(
            a.name,
            dens[j],
            rates[j] * h.indicator.multiplier,
            funnel_position(rates[j], limits, j),
            own=a.code == own,
        )
        for j, a in enumerate(parts)
    )
    title = f"{h.indicator.title}, {h.period.label}"
    return FunnelPanel(title, kind, average, h.indicator.multiplier, _unit(h), points)


def _unit(h: Headline) -> str:
    """The y axis title: ``'Percentage (%)'``, ``'Rate per 100,000'``."""
    unit = h.indicator.unit
    if unit == "percent":
        return "Percentage (%)"
    return f"Rate {h.indicator.unit_label}" if unit.startswith("per_") else h.indicator.unit_label


def _intro(
    view: LocalityView,
    words: Mapping[str, str],
    panels: list[FunnelPanel],
    shown: list[FunnelPanel],
    withheld: list[str],
) -> str:
    """What the plots show, how to read them, which indicators they show and which they leave out."""
    parts, part = words["parts"], words["part"]
    text = (
        f"Each plot shows one indicator's value for each {part} of {view.body.name} against the "
        f"size of its denominator. Around the {view.body.name} average, a {part} outside the dashed "
        f"lines (95% limits) or the dotted lines (99.8% limits) differs from it by more than chance "
        f"would explain; the smaller the {part}, the wider the limits."
    )
    outside = [p for p in panels if p.outside]
    if panels:
        text += (
            f" Of {len(panels)} indicators compared, {len(outside) or 'none'} "
            f"{'has' if len(outside) == 1 else 'have'} a {part} outside the limits"
            + (", shown first." if outside else ".")
        )
    left = len(panels) - len(shown)
    if left:
        text += (
            f" The other {left}, with every {part} within the limits, are not shown"
            " (the table gives their figures)."
        )
    if withheld:
        text += f" Not drawn, as a {part}'s figure is withheld: {'; '.join(withheld)}."
    return text if panels or withheld else f"No indicator compares the {parts} on a funnel plot."
