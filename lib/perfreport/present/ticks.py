"""Axis ranges and ticks for charts drawn as SVG: the data's range with matplotlib's 5%
margins, "nice" value ticks (steps of 1, 2, 2.5 or 5 times a power of ten), each label with the
same number of decimals, and date ticks every two years in April labelled with the year.

>>> [label for _, label in value_ticks(0.0, 0.3)]
['0.0', '0.1', '0.2', '0.3']
>>> [label for _, label in value_ticks(-3.2, 11.0)]
['0', '5', '10']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

MARGIN = 0.05
"""Space either side of the data, as a share of its range (matplotlib's ``axes.xmargin``)."""
STEPS = ((1.0, 0), (2.0, 0), (2.5, 1), (5.0, 0))
"""Tick steps as ``(mantissa, decimals it adds)``: 1, 2, 2.5 and 5 times a power of ten."""
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Scale:
    """A linear map from ``low``..``high`` in data to ``start``..``end`` on the page."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def padded(values: list[float], single: float) -> tuple[float, float]:
    """The range of ``values`` with :data:`MARGIN` either side; a range of one value is first
    widened by ``single`` either side (or by 5% of the value if ``single`` is 0)."""
    low, high = min(values), max(values)
    if high - low < 1e-12 * max(1.0, abs(high)):
        widen = single or (0.05 * abs(low) if low else 0.05)
        low, high = low - widen, high + widen
    extra = (high - low) * MARGIN
    return low - extra, high + extra


def value_ticks(low: float, high: float, most: int = 5) -> list[tuple[float, str]]:
    """Ticks inside ``low``..``high``: the finest step of :data:`STEPS` that gives at most
    ``most`` of them, each with its label (as many decimals as the step needs); ``low`` is
    below ``high``."""
    power = math.floor(math.log10(high - low)) - 2
    while True:
        for mantissa, more in STEPS:
            step, decimals = mantissa * 10.0**power, max(0, more - power)
            first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
            if last - first + 1 <= most:
                return [_tick(i * step, decimals) for i in range(first, last + 1)]
        power += 1


def _tick(value: float, decimals: int) -> tuple[float, str]:
    """``value`` rounded to ``decimals`` and its label (``0``, never ``-0``)."""
    text = f"{value:.{decimals}f}"
    text = text.lstrip("-") if float(text) == 0 else text
    return float(text), text


def days(day: date) -> float:
    """``day`` as days since 1970 (the x axis of a trend chart)."""
    return float((day - EPOCH).days)


def year_ticks(low: float, high: float, every: int = 2, month: int = 4) -> list[tuple[float, str]]:
    """Ticks on the first of ``month`` of every ``every``-th year (years divisible by it)
    between ``low`` and ``high`` (days since 1970), labelled with the year."""
    first = date.fromordinal(EPOCH.toordinal() + math.floor(low)).year
    last = date.fromordinal(EPOCH.toordinal() + math.ceil(high)).year
    ticks = []
    for year in range(first - first % every, last + 1, every):
        at = days(date(year, month, 1))
        if low <= at <= high:
            ticks.append((at, str(year)))
    return ticks
