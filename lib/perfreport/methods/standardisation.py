"""Age bands and standard populations for directly standardised rates.

A standard population is a CSV file of ``age_band,population`` rows (lines starting ``#`` are
comments): perfreport ships the 2013 European Standard Population (:data:`ESP2013`), and a
project may add others. An extract's age bands are matched to the standard's by their ages,
not their spelling: ``0-4``, ``00-04``, ``0 to 4`` and ``aged 0-4`` are one band, and ``90+``,
``90 and over`` and ``90plus`` another. A band of the extract may join several of the
standard's (``85+`` is ``85-89`` and ``90+``: its weight is theirs added); a band that cuts one
of the standard's in two cannot be weighted and is refused.

>>> parse_band("00-04"), parse_band("90 and over"), parse_band("Under 1")
(AgeBand(low=0, high=4), AgeBand(low=90, high=None), AgeBand(low=0, high=0))
>>> ESP2013.weights(["0-4", "5-9", "85+"])
(5000.0, 5500.0, 2500.0)
>>> ESP2013.covering(0, 74)[-1]
'70-74'
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

_RANGE = re.compile(r"^(?:aged\s*)?(\d{1,3})\s*(?:-|–|—|−|to)\s*(\d{1,3})(?:\s*years?)?$")
_OPEN = re.compile(
    r"^(?:aged\s*)?(\d{1,3})\s*(?:\+|plus|and over|and older|or over|years and over)$"
)
_UNDER = re.compile(r"^(?:under|less than|<)\s*(\d{1,3})$")


@dataclass(frozen=True, order=True)
class AgeBand:
    """Ages ``low`` to ``high`` inclusive (``high`` None: ``low`` and over)."""

    low: int
    high: int | None

    def within(self, other: AgeBand) -> bool:
        """Whether every age of this band is in ``other``."""
        top = self.high if self.high is not None else 10_000
        other_top = other.high if other.high is not None else 10_000
        return other.low <= self.low and top <= other_top


def parse_band(label: str) -> AgeBand:
    """The ages of an age band's label (see the module's description).

    Raises
    ------
    ValueError
        When ``label`` is not an age band.
    """
    text = " ".join(str(label).strip().lower().replace("_", " ").split())
    if match := _RANGE.match(text):
        low, high = int(match[1]), int(match[2])
        if high >= low:
            return AgeBand(low, high)
    elif match := _OPEN.match(text):
        return AgeBand(int(match[1]), None)
    elif (match := _UNDER.match(text)) and int(match[1]) > 0:
        return AgeBand(0, int(match[1]) - 1)
    raise ValueError(f"{label!r} is not an age band such as 0-4, 85-89 or 90+")


@dataclass(frozen=True)
class StandardPopulation:
    """A standard population: a name, and each band's label, ages and weight."""

    name: str
    labels: tuple[str, ...]
    bands: tuple[AgeBand, ...]
    populations: tuple[float, ...]

    def weights(self, labels: list[str] | tuple[str, ...]) -> tuple[float, ...]:
        """The weight of each of ``labels`` (an extract's bands): the populations of the
        standard's bands inside it, added.

        Raises
        ------
        ValueError
            When a label is not an age band, or its ages are not a whole number of the
            standard's bands.
        """
        return tuple(self._weight(label) for label in labels)

    def _weight(self, label: str) -> float:
        band = parse_band(label)
        inside = [w for b, w in zip(self.bands, self.populations, strict=True) if b.within(band)]
        covered = [b for b in self.bands if b.within(band)]
        joined = bool(covered) and covered[0].low == band.low and (covered[-1].high == band.high)
        if not joined:
            raise ValueError(
                f"age band {label!r} is not a whole number of the bands of the {self.name} "
                f"({', '.join(self.labels)})"
            )
        return float(sum(inside))

    def covering(self, low: int, high: int | None) -> tuple[str, ...]:
        """The standard's band labels inside ages ``low`` to ``high``."""
        wanted = AgeBand(low, high)
        return tuple(
            label
            for label, band in zip(self.labels, self.bands, strict=True)
            if band.within(wanted)
        )


def ages_text(ages: AgeBand) -> str:
    """``0-74``, or ``90+`` for an open band."""
    return f"{ages.low}+" if ages.high is None else f"{ages.low}-{ages.high}"


def band_problem(standard: StandardPopulation, ages: AgeBand, label: str) -> str | None:
    """Why ``label`` cannot be an age band of a rate over ``ages`` weighted by ``standard``
    (not an age band; partly outside the ages; not a whole number of the standard's bands),
    or None. A band wholly outside the ages is no problem: it is not part of the rate."""
    try:
        band = parse_band(label)
        if band.within(ages):
            standard.weights([label])
            return None
    except ValueError as exc:
        return str(exc)
    top = band.high if band.high is not None else 10_000
    ages_top = ages.high if ages.high is not None else 10_000
    if band.low <= ages_top and ages.low <= top:
        return f"age band {label!r} is partly outside the ages {ages_text(ages)}"
    return None


def read_standard_population(path: Path, name: str | None = None) -> StandardPopulation:
    """A standard population from a CSV file of ``age_band,population`` rows.

    Raises
    ------
    ValueError
        When a row's band or population is not valid, bands overlap or leave a gap, or the
        file has no rows (the message names the file and row).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    numbered = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    rows = list(csv.reader(line for _, line in numbered))
    if not rows or [c.strip() for c in rows[0]] != ["age_band", "population"]:
        raise ValueError(f"{path}: the columns must be age_band,population")
    labels: list[str] = []
    bands: list[AgeBand] = []
    populations: list[float] = []
    for (number, _), row in zip(numbered[1:], rows[1:], strict=True):
        where = f"{path}: line {number}"
        if len(row) != 2:
            raise ValueError(f"{where}: {len(row)} fields, not 2 (age_band,population)")
        try:
            band = parse_band(row[0])
            population = float(row[1])
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if not math.isfinite(population) or population <= 0:
            raise ValueError(f"{where}: population must be a number greater than zero")
        if bands and (bands[-1].high is None or band.low != bands[-1].high + 1):
            raise ValueError(
                f"{where}: band {row[0]!r} does not follow the band before it without a gap "
                "or overlap"
            )
        labels.append(row[0].strip())
        bands.append(band)
        populations.append(population)
    if not bands:
        raise ValueError(f"{path}: no age bands")
    return StandardPopulation(name or path.stem, tuple(labels), tuple(bands), tuple(populations))


SHIPPED = Path(str(files("perfreport.methods") / "standard_populations"))
"""The standard populations that come with perfreport."""
ESP2013 = read_standard_population(SHIPPED / "esp2013.csv", "2013 European Standard Population")
"""The 2013 European Standard Population (19 bands, 0-4 to 90+, 100,000 people)."""
