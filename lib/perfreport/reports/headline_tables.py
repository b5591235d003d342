"""The tables drawn from a :class:`~perfreport.reports.locality_view.LocalityView`: statuses
counted, the red indicators in words, the headline table by scorecard section, and the
comparison with the partnership and the country."""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd
from markupsafe import Markup

from perfreport.assess.rag import change_direction, describe_value
from perfreport.config.catalogue import Indicator
from perfreport.methods.rounding import counted, format_number
from perfreport.methods.status import Rag, Status
from perfreport.methods.suppressed import SYMBOL, Suppressed
from perfreport.present.tables import Html, Section, Table, rag_badge
from perfreport.reports.locality_view import Headline, LocalityView
from perfreport.reports.standardised_tables import shown

HEADLINE_COLUMNS = (
    "Indicator",
    "Period",
    "Value",
    "Target",
    "Status",
    "Why",
    "Change on a year earlier",
)


def status_summary(view: LocalityView) -> Table:
    """How many indicators are red, amber, green, without a target or without data."""
    counts = Counter(h.rag.status for h in view.headlines)
    rows = [(rag_badge(Rag(s, "")), str(counts.get(s, 0))) for s in Status]
    data = pd.DataFrame(
        {"status": [s.value for s in Status], "indicators": [counts.get(s, 0) for s in Status]}
    )
    return Table(
        f"Indicators by target status, {view.area.name}, {view.period.label}",
        ("Status", "Indicators"),
        rows,
        data,
        numeric=(False, True),
    )


def exceptions(view: LocalityView) -> Html:
    """The indicators that are red, in words, for the summary."""
    red = [h for h in view.headlines if h.rag.status is Status.RED]
    if not red:
        return Html(Markup("<p>No indicator is red against its target.</p>"))
    items = Markup("").join(
        Markup("<li><strong>{}</strong> ({}): {}</li>").format(
            h.indicator.title, h.period.label, h.rag.reason
        )
        for h in red
    )
    return Html(
        Markup("<p>{} {} red against their target:</p><ul>{}</ul>").format(
            counted(len(red), "indicator"), "is" if len(red) == 1 else "are", items
        )
    )


def headline_table(view: LocalityView) -> Section:
    """One table per scorecard section: value, target, status and reason, change on a year earlier."""
    tables = []
    for section in view.sections:
        lines = view.in_section(section)
        rows = [
            (
                h.indicator.title,
                h.period.label,
                shown(h),
                h.target_text.capitalize(),
                rag_badge(h.rag),
                h.rag.reason.capitalize(),
                change_text(h),
            )
            for h in lines
        ]
        tables.append(
            Table(
                f"{section}: latest value, target and status, {view.area.name}",
                HEADLINE_COLUMNS,
                rows,
                view.data(lines),
                numeric=(False, False, True, False, False, False, False),
            )
        )
    return Section(
        "Headline indicators",
        tables,
        level=2,
        intro="Status compares the latest value with the target; the reason says by how much.",
    )


def comparison_table(view: LocalityView) -> Table:
    """The area against its partnership and the country, for every indicator."""
    columns = ["Indicator", "Period", view.area.name]
    if not view.is_body:
        columns.append(view.body.name)
    if view.comparator:
        columns += [view.comparator.name, f"Difference from {view.comparator.name}"]
    rows = [_comparison_row(view, h) for h in view.headlines]
    records = [
        {
            "indicator_id": h.indicator.id,
            "period": h.period.id,
            "area": h.value,
            "partnership": h.partnership,
            "country": h.country,
        }
        for h in view.headlines
    ]
    compared = ([] if view.is_body else [view.body]) + (
        [view.comparator] if view.comparator else []
    )
    against = " and ".join(a.name for a in compared) or f"its {view.wording.body}"
    return Table(
        f"{view.area.name} compared with {against}, latest period",
        columns,
        rows,
        pd.DataFrame(records),
        numeric=(False, False, True, True, True, True),
    )


def _comparison_row(view: LocalityView, h: Headline) -> list[str]:
    row = [h.indicator.title, h.period.label, shown(h)]
    if not view.is_body:
        row.append(describe_value(h.indicator, h.partnership))
    if view.comparator:
        gap = None if h.value is None or h.country is None else h.value - h.country
        difference = (
            "Not comparable (depends on area size)"
            if h.indicator.size_dependent
            else signed(h.indicator, gap)
        )
        row += [describe_value(h.indicator, h.country), difference]
    return row


def change_text(h: Headline) -> str:
    """``'+2.0 points (improved)'``, with the period compared where it is not a year earlier."""
    if h.change is None:
        return "Not available"
    if isinstance(h.change, Suppressed):
        return SYMBOL
    earlier = h.previous_period
    since = ""
    if earlier is not None and earlier != h.period.year_earlier():
        since = f" since {earlier.label}"
    return f"{signed(h.indicator, h.change)} ({change_direction(h.indicator, h.change)}){since}"


def signed(ind: Indicator, amount: float | None) -> str:
    """A difference with its sign, in the indicator's decimals (percentages in points)."""
    if amount is None:
        return "Not available"
    if math.isnan(amount):  # worked out from a figure withheld by disclosure control
        return SYMBOL
    text = format_number(amount, ind.decimals)
    sign = "+" if not text.startswith("-") and text.strip("0.,") else ""
    suffix = " points" if ind.unit == "percent" else ""
    return f"{sign}{text}{suffix}".replace("-", "−")
