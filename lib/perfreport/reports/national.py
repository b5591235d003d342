"""The annual report's national tables: each national set of indicators for the partnership and
the country, year by year; counts (which depend on the size of an area) as an index on the
first year."""

from __future__ import annotations

import pandas as pd

from perfreport.assess.rag import describe_value
from perfreport.assess.series import shown_value
from perfreport.config.areas import Area
from perfreport.methods.periods import Period
from perfreport.methods.rounding import format_number
from perfreport.methods.suppressed import SUPPRESSED, Suppressed
from perfreport.present.tables import Table
from perfreport.reports.locality_view import Headline, LocalityView

NATIONAL_SETS = {
    "core_suite": "Core Suite of Integration Indicators",
    "msg": "Ministerial Strategic Group indicators",
}
YEARS_SHOWN = 6
"""Financial years in the national tables: the report's year and the five before it."""


def national(view: LocalityView, key: str) -> list[Headline]:
    """The headlines of the national set ``key`` (``core_suite``, ``msg``)."""
    return [h for h in view.headlines if h.indicator.set == key]


def national_table(view: LocalityView, years: list[Period], key: str, name: str) -> Table:
    """One row per indicator and area shown, one column per financial year in ``years``."""
    rows: list[tuple[str, ...]] = []
    records: list[dict] = []
    for h in national(view, key):
        for area, values, index in _shown(view, h):
            cells = [_cell(h, values, years, year, index, area, records) for year in years]
            label = f"{h.indicator.title}: {area.name}"
            label += f" ({years[0].label} = 100)" if index else ""
            rows.append((label, *cells))
    country = f" and {view.comparator.name}" if view.comparator else ""
    return Table(
        f"{name}, {view.area.name}{country}, {years[0].label} to {view.period.label}",
        ("Indicator and area", *[y.label for y in years]),
        rows,
        pd.DataFrame(records),
        numeric=(False, *[True] * len(years)),
    )


def _shown(view: LocalityView, h: Headline) -> list[tuple[Area, dict[str, float | None], bool]]:
    """The rows of an indicator: each area with its values by year, and whether as an index."""
    series = view.series[h.indicator.id]
    areas = [a for a in (view.area, view.comparator) if a is not None]
    by_area = {area.code: by_year(series, area.code) for area in areas}
    shown = [(view.area, by_area[view.area.code], False)]
    if view.comparator and h.indicator.size_dependent:
        # counts depend on area size: compare each year with the first as an index
        shown += [(a, by_area[a.code], True) for a in areas]
    elif view.comparator:
        shown.append((view.comparator, by_area[view.comparator.code], False))
    return shown


def _cell(
    h: Headline,
    values: dict[str, float | None],
    years: list[Period],
    year: Period,
    index: bool,
    area: Area,
    records: list[dict],
) -> str:
    """The year's cell (an index on the first year where ``index``), its figure added to
    ``records`` unless it is missing or withheld."""
    base = values.get(years[0].id)
    value = values.get(year.id)
    if index and isinstance(base, Suppressed) and value is not None:
        value = SUPPRESSED  # an index on a withheld base would reveal it
    elif index and not isinstance(value, Suppressed):
        value = None if value is None or not base else 100 * value / base
    if value is not None and not isinstance(value, Suppressed):
        records.append(
            {
                "indicator_id": h.indicator.id,
                "area_code": area.code,
                "year": year.id,
                "measure": f"index, {years[0].label} = 100" if index else "value",
                "value": value,
            }
        )
    if value is None:
        return ""
    return format_number(value, 1) if index else describe_value(h.indicator, value)


def by_year(series: pd.DataFrame, code: str) -> dict[str, float | None]:
    """An area's values (``SUPPRESSED`` where withheld) keyed by the financial year each
    period ends in."""
    own = series[series["area_code"] == code]
    own = own[own["value"].notna() | own["suppressed"]]
    return {
        Period.containing("financial_year", row["period"].end).id: shown_value(row)
        for _, row in own.iterrows()
    }
