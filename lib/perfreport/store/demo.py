"""Deterministic demo data: every catalogue indicator with a series in ``params/demo.yaml``
(the others get none), for every area and breakdown, from its ``start`` month onwards.

The shape of each series (level, denominator, seasonality, shifts, trends) is declared in
``params/demo.yaml``; this module only draws the numbers. Counts are Poisson, proportions are
binomial and breakdowns are split from the total with multinomial and multivariate
hypergeometric draws, so every breakdown adds up to its total, the partnership is the sum of
its localities, and small locality breakdowns have genuinely small counts. Every other area of
the partnership's type (the national template's 31 partnerships) is drawn the same way, its
levels scaled by its population relative to the partnership's.

Each series has its own random generator seeded from the demo seed and a SHA-256 of the
indicator and area, so the output is the same bytes on every run and adding an indicator does
not change the others. The end month is a setting, never derived from today's date.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from perfreport.config.areas import Area, Areas
from perfreport.config.catalogue import ALL, Catalogue, Indicator
from perfreport.config.demo import (  # load_demo_settings: re-exported, as 0.7's demo package had it
    DemoSettings,
    SeriesSpec,
    drawn_bodies,
    load_demo_settings,  # noqa: F401
    population,
)
from perfreport.methods.periods import Period, parse_period, periods_between

OBSERVATION_COLUMNS = (
    "indicator_id",
    "area_code",
    "period_start",
    "period_end",
    "breakdown",
    "category",
    "numerator",
    "denominator",
    "value",
)
SURVEY_FIRST_YEAR = 2019
"""The Health and Care Experience Survey runs in 2019/20, 2021/22, 2023/24 (biennial)."""
DEFAULT_NOISE = {"count": 0.03, "proportion": 0.05}
WINTER_PEAK_MONTH = 1
AREA_SPREAD = 0.05
"""Localities differ from the partnership by about 5% in counts and rates (one standard deviation)."""
AREA_SPREAD_LOGIT = 0.12
"""...and by about 0.12 on the log-odds scale in proportions (about 1 point at 90%)."""

Series = list[dict[tuple[str, str], tuple[float, float | None]]]
"""One area's drawn cells, period by period: (breakdown, category) to numerator, denominator."""


@dataclass(frozen=True)
class Unit:
    """An area the generator simulates directly, with its scale relative to the partnership."""

    area: Area
    weight: float
    level: float
    breakdowns: tuple[str, ...]
    people: int
    """Its resident population (``populations``, or its children's added up)."""


def generate(settings: DemoSettings, catalogue: Catalogue, areas: Areas) -> str:
    """All demo observations as CSV text (columns :data:`OBSERVATION_COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OBSERVATION_COLUMNS)
    for ind in catalogue:
        spec = settings.indicators.get(ind.id)
        if spec is not None:  # an indicator without an invented series gets no demo data
            writer.writerows(_indicator_rows(ind, spec, settings, areas))
    return buffer.getvalue()


def write_demo(settings: DemoSettings, catalogue: Catalogue, areas: Areas, folder: Path) -> Path:
    """Write ``observations.csv`` into ``folder`` (atomically) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "observations.csv"
    partial = target.with_suffix(".csv.partial")
    partial.write_bytes(generate(settings, catalogue, areas).encode("utf-8"))
    partial.replace(target)
    return target


def demo_periods(ind: Indicator, settings: DemoSettings) -> list[Period]:
    """Complete periods of the indicator's frequency inside the demo's months."""
    first, last = settings.first_month, settings.last_month
    periods = [
        p
        for p in periods_between(ind.period_kind, first.start, last.end)  # type: ignore[arg-type]
        if p.start >= first.start and p.end <= last.end
    ]
    if ind.frequency == "biennial":
        periods = [p for p in periods if (p.start.year - SURVEY_FIRST_YEAR) % 2 == 0]
    spec = settings.indicators.get(ind.id)
    if spec is not None and spec.last is not None:
        stop = parse_period(spec.last).end
        periods = [p for p in periods if p.end <= stop]
    return periods


def _units(ind: Indicator, spec: SeriesSpec, settings: DemoSettings, areas: Areas) -> list[Unit]:
    """Each body's parts (or the body, for an indicator without a locality breakdown), then
    the country; weights are populations relative to the partnership's."""
    scale = population(settings, areas, areas.get(str(settings.partnership)))
    dims = tuple(b for b in ind.breakdowns if b != "locality" and b not in spec.omit_breakdowns)
    units: list[Unit] = []
    for body in drawn_bodies(settings, areas):
        parts = areas.children(body.code)
        if "locality" not in ind.breakdowns or not parts:
            parts = (body,)
        for area in parts:
            size = population(settings, areas, area)
            units.append(Unit(area, size / scale, spec.level, dims, size))
    if ind.benchmarked and spec.scotland is not None:
        country = areas.get(str(settings.country))
        size = settings.populations[country.code]
        # the country's rate is standardised from its age bands too
        bands = (ind.standardise.by,) if ind.standardise and ind.standardise.by in dims else ()
        units.append(Unit(country, size / scale, spec.scotland, bands, size))
    return units


def _indicator_rows(
    ind: Indicator, spec: SeriesSpec, settings: DemoSettings, areas: Areas
) -> Iterator[tuple[str, ...]]:
    """Rows for each body, then each of its localities, then the country."""
    periods = demo_periods(ind, settings)
    drawn: dict[str, Series] = {}
    for unit in _units(ind, spec, settings, areas):
        rng = np.random.default_rng([settings.seed, _stable_int(ind.id, unit.area.code)])
        effect = 0.0 if unit.area.code == settings.country else float(rng.normal())
        shares = _shares(settings, unit)
        people = _population(settings, unit, spec)
        drawn[unit.area.code] = [
            _draw(ind, spec, unit, period, settings, rng, effect, shares, people)
            for period in periods
        ]
    simulated: dict[str, Series] = {}
    for body in drawn_bodies(settings, areas):
        parts = [a.code for a in areas.children(body.code) if a.code in drawn]
        if parts:
            simulated[body.code] = _add_up(ind, [drawn[c] for c in parts])
        simulated.update((c, drawn[c]) for c in parts or [body.code])
    simulated.update((c, v) for c, v in drawn.items() if c not in simulated)  # the country
    for area_code, by_period in simulated.items():
        for period, cells in zip(periods, by_period, strict=True):
            for (breakdown, category), (num, den) in cells.items():
                yield _row(ind, area_code, period, breakdown, category, num, den)


def _add_up(
    ind: Indicator, parts: list[list[dict[tuple[str, str], tuple[float, float | None]]]]
) -> list[dict[tuple[str, str], tuple[float, float | None]]]:
    """The partnership: numerators and denominators of its localities added, cell by cell."""
    out = []
    for cells_of_period in zip(*parts, strict=True):
        total: dict[tuple[str, str], tuple[float, float | None]] = {}
        for cells in cells_of_period:
            for key, (num, den) in cells.items():
                prev_num, prev_den = total.get(key, (0, None if den is None else 0))
                total[key] = (prev_num + num, None if den is None else (prev_den or 0) + den)
        out.append(total)
    return out


def _shares(settings: DemoSettings, unit: Unit) -> dict[str, dict[str, float]]:
    override = settings.category_shares_by_area.get(unit.area.code, {})
    return {dim: override.get(dim, settings.categories[dim]) for dim in unit.breakdowns}


def _population(settings: DemoSettings, unit: Unit, spec: SeriesSpec) -> float | None:
    if spec.population_share is None:
        return None
    return unit.people * settings.population_shares[spec.population_share]


def _draw(
    ind: Indicator,
    spec: SeriesSpec,
    unit: Unit,
    period: Period,
    settings: DemoSettings,
    rng: np.random.Generator,
    effect: float,  # the area's own standard-normal deviation from the partnership level
    shares: Mapping[str, Mapping[str, float]],
    population: float | None,
) -> dict[tuple[str, str], tuple[float, float | None]]:
    """Numerator and denominator for the total and every breakdown category of one period."""
    months = len(period.months())
    national = unit.area.code == settings.country
    level = _level_at(ind, spec, unit.level, period, settings)
    cells: dict[tuple[str, str], tuple[float, float | None]] = {}
    if spec.additive:  # a ratio near zero, such as budget variance
        den = round(float(spec.denominator) * unit.weight * months / 12, 1)  # type: ignore[arg-type]
        noise = float(rng.normal(0.0, spec.noise or 0.0))
        cells[ALL, ALL] = (round((level + noise) / ind.multiplier * den, 1), den)
        return cells
    if ind.method == "count":
        noise = spec.noise if spec.noise is not None else DEFAULT_NOISE["count"]
        scale = 1.0 if national else unit.weight  # Scotland's level is absolute
        mu = max(level * scale * math.exp(AREA_SPREAD * effect + rng.normal(0.0, noise)), 0.0)
        total = int(rng.poisson(mu))
        cells[ALL, ALL] = (total, None)
        for dim, dim_shares in shares.items():
            counts = rng.multinomial(total, _probabilities(dim_shares))
            for category, count in zip(dim_shares, counts, strict=True):
                cells[dim, category] = (int(count), None)
        return cells
    noise = spec.noise if spec.noise is not None else DEFAULT_NOISE["proportion"]
    if population is not None:
        den_total = round(population if national else population * unit.weight)
        rate = level / ind.multiplier * (months / 12 if ind.frequency == "monthly" else 1)
        rate *= math.exp(AREA_SPREAD * effect)
        num_total = int(rng.poisson(max(rate * den_total * math.exp(rng.normal(0.0, noise)), 0.0)))
        cells[ALL, ALL] = (num_total, den_total)
        for dim, dim_shares in shares.items():
            dens = _split_exact(den_total, _probabilities(dim_shares))
            nums = rng.multinomial(num_total, _event_shares(dim_shares, settings, dim))
            for category, num, den in zip(dim_shares, nums, dens, strict=True):
                cells[dim, category] = (int(num), int(den))
        return cells
    den_total = int(rng.poisson(float(spec.denominator) * unit.weight))  # type: ignore[arg-type]
    odds = (
        _logit(_clip(level / ind.multiplier)) + AREA_SPREAD_LOGIT * effect + rng.normal(0.0, noise)
    )
    p = _clip(_logistic(odds))
    num_total = int(rng.binomial(den_total, p))
    cells[ALL, ALL] = (num_total, den_total)
    for dim, dim_shares in shares.items():
        sizes = rng.multinomial(den_total, _probabilities(dim_shares))
        events = rng.multivariate_hypergeometric(sizes, num_total) if den_total else sizes * 0
        for category, num, den in zip(dim_shares, events, sizes, strict=True):
            cells[dim, category] = (int(num), int(den))
    return cells


def _level_at(
    ind: Indicator, spec: SeriesSpec, level: float, period: Period, settings: DemoSettings
) -> float:
    """The series level in ``period`` after trend, shift and seasonality."""
    years = (period.start - settings.first_month.start).days / 365.25
    seasonal = _seasonality(ind, period) * spec.seasonal
    shifted = spec.shift is not None and period.start >= parse_period(spec.shift.at).start
    if spec.additive:
        return (
            level
            + spec.trend * years
            + (spec.shift.size if shifted and spec.shift else 0.0)
            + seasonal
        )
    factor = (1.0 + spec.trend) ** years * (1.0 + seasonal)
    if shifted and spec.shift:
        factor *= 1.0 + spec.shift.size
    return level * factor


def _seasonality(ind: Indicator, period: Period) -> float:
    """Winter pressure in [-1, 1], signed so that winter is worse for the indicator."""
    if ind.frequency not in ("monthly", "quarterly"):
        return 0.0
    wave = np.mean(
        [math.cos(2 * math.pi * (m.start.month - WINTER_PEAK_MONTH) / 12) for m in period.months()]
    )
    return float(-wave if ind.polarity == "higher_is_better" else wave)


def _row(
    ind: Indicator,
    area: str,
    period: Period,
    breakdown: str,
    category: str,
    num: float,
    den: float | None,
) -> tuple[str, ...]:
    if ind.method == "count":
        value: float | None = num
    elif den:
        value = num / den * ind.multiplier
    else:
        value = None
    return (
        ind.id,
        area,
        period.start.isoformat(),
        period.end.isoformat(),
        breakdown,
        category,
        _fmt(num),
        _fmt(den),
        _fmt(value),
    )


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.6f}".rstrip("0")


def _stable_int(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _probabilities(shares: Mapping[str, float]) -> np.ndarray:
    values = np.array(list(shares.values()), dtype=float)
    return values / values.sum()


def _event_shares(shares: Mapping[str, float], settings: DemoSettings, dim: str) -> np.ndarray:
    """Each category's share of a rate's events: its share of the population, times its
    relative rate where ``category_rates`` gives one."""
    rates = settings.category_rates.get(dim)
    if rates is None:
        return _probabilities(shares)
    return _probabilities({c: share * rates[c] for c, share in shares.items()})


def _split_exact(total: int, probabilities: np.ndarray) -> list[int]:
    """Split ``total`` in proportion, by largest remainder, so the parts add up exactly."""
    raw = probabilities * total
    parts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - parts), kind="stable")[: total - parts.sum()]:
        parts[i] += 1
    return [int(p) for p in parts]


def _clip(p: float, eps: float = 1e-4) -> float:
    return min(max(p, eps), 1 - eps)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))
