"""Age-standardised rates as a report shows them: each area's rate with its 95% confidence
interval, events and population, and what the rate means and when it is not calculated."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Real

import pandas as pd

from perfreport.assess.rag import describe_value
from perfreport.assess.series import SeriesRows
from perfreport.config.areas import Area
from perfreport.config.catalogue import Catalogue, Indicator
from perfreport.methods.periods import Period
from perfreport.methods.rounding import format_number
from perfreport.methods.standardisation import ages_text
from perfreport.methods.suppressed import SYMBOL
from perfreport.present.tables import Section, Table
from perfreport.reports.locality_view import Headline

COLUMNS = ("Area", "Period", "Rate", "95% confidence interval", "Events", "Population")


def shown(h: Headline) -> str:
    """A headline's value as a table cell: the value in its unit, or why it was not
    calculated (a rate from fewer than 10 events)."""
    if h.value is None and h.not_calculated:
        return f"not calculated ({h.not_calculated})"
    return describe_value(h.indicator, h.value)


def standardised_rates(
    headlines: Sequence[Headline],
    areas: Sequence[tuple[Area, Mapping[str, pd.DataFrame]]],
    catalogue: Catalogue,
) -> Section | None:
    """One table per age-standardised indicator of ``headlines``: each of ``areas`` (an area
    with the prepared series that hold it, by indicator id) at the headline's period; None
    when the report has no such indicator."""
    tables = [_table(h, areas, catalogue) for h in headlines if h.indicator.standardise is not None]
    if not tables:
        return None
    first = next(h.indicator for h in headlines if h.indicator.standardise is not None)
    return Section("Age-standardised rates", tables, level=3, intro=explained(first, catalogue))


def explained(ind: Indicator, catalogue: Catalogue) -> str:
    """What a directly standardised rate is, its interval, and the rule for small numbers."""
    spec = ind.standardise
    assert spec is not None
    standard = catalogue.standard(ind)
    return (
        f"An age-standardised rate is the rate an area would have if its population aged "
        f"{ages_text(spec.age_range)} had the age structure of the {standard.name}, so that "
        "areas with older and younger populations can be compared fairly. The interval is the "
        "95% confidence interval (Dobson's method): the range the underlying rate is likely to "
        f"lie in. No rate is calculated from fewer than 10 {spec.events}."
    )


def _table(
    h: Headline, areas: Sequence[tuple[Area, Mapping[str, pd.DataFrame]]], catalogue: Catalogue
) -> Table:
    ind, period = h.indicator, h.period
    assert ind.standardise is not None
    rows, records = [], []
    for area, series in areas:
        row = _row_of(series.get(ind.id), area, period)
        if row is None:
            continue
        cells, record = _cells(ind, row)
        rows.append((area.name, period.label, *cells))
        records.append(
            {"indicator_id": ind.id, "area_code": area.code, "period": period.id, **record}
        )
    events = ind.standardise.events.capitalize()
    population = f"Population aged {ages_text(ind.standardise.age_range)}"
    rate = f"Rate {ind.unit_label}".strip()
    columns = (COLUMNS[0], COLUMNS[1], rate, COLUMNS[3], events, population)
    return Table(
        f"{ind.title}: age-standardised to the {catalogue.standard(ind).name}, {period.label}",
        columns,
        rows,
        pd.DataFrame(records),
        numeric=(False, False, True, True, True, True),
    )


def _row_of(series: pd.DataFrame | None, area: Area, period: Period) -> pd.Series | None:
    if series is None or series.empty:
        return None
    return SeriesRows(series).row_in(area.code, period)


def _cells(ind: Indicator, row: pd.Series) -> tuple[tuple[str, ...], dict[str, object]]:
    """The rate, interval, events and population cells of one area, and their figures."""
    if bool(row.get("suppressed", False)):
        return (SYMBOL, SYMBOL, SYMBOL, SYMBOL), {"suppressed": True}
    figures = {
        k: _number(row.get(k)) for k in ("value", "lower", "upper", "numerator", "denominator")
    }
    reason = row.get("not_calculated")
    if figures["value"] is None and isinstance(reason, str):
        rate, interval = f"not calculated ({reason})", ""
    else:
        rate = describe_value(ind, figures["value"])
        interval = (
            ""
            if figures["lower"] is None or figures["upper"] is None
            else f"{format_number(figures['lower'], ind.decimals)} to "
            f"{format_number(figures['upper'], ind.decimals)}"
        )
    counts = tuple(format_number(figures[k], 0) for k in ("numerator", "denominator"))
    return (rate, interval, *counts), {**figures, "suppressed": False}


def _number(value: object) -> float | None:
    return None if not isinstance(value, Real) or math.isnan(value) else float(value)
