"""Settings of the demo, read from ``params/demo.yaml`` (optional: only ``perfreport demo`` and
``generate-demo`` read it) and checked against the catalogue and areas before anything is drawn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from perfreport.config.areas import Area, Areas
from perfreport.config.catalogue import Catalogue
from perfreport.config.validation import Params, field_name, validate
from perfreport.config.yamlfile import read_yaml
from perfreport.errors import PerfreportError, located
from perfreport.methods.periods import Period, parse_period


class Shift(Params):
    """A sustained change in a demo series from one month on."""

    at: str
    """The first month of the change, e.g. ``2023-10``."""
    size: float
    """The relative change from then on (``0.3``: 30% higher)."""

    @field_validator("at")
    @classmethod
    def _month(cls, value: str) -> str:
        period = parse_period(value, what="shift.at")
        if period.kind != "month":
            raise ValueError(f"shift.at {value!r} must be a month such as 2023-10")
        return value


class SeriesSpec(Params):
    """How one indicator's demo series looks (see the comments in ``params/demo.yaml``)."""

    level: float
    """The partnership's typical value, in the indicator's unit."""
    scotland: float | None = None
    """The comparator's typical value (no comparator rows without it)."""
    denominator: float | dict[str, str] | None = None
    """The denominator per period (proportions, ratios), or ``{population: <share name>}`` for rates."""
    noise: float | None = Field(default=None, ge=0)
    """Relative period-to-period variation (default 0.03 for counts, 0.05 for proportions)."""
    seasonal: float = 0.0
    """Winter-pressure amplitude, relative; its sign follows polarity, so winter is worse."""
    shift: Shift | None = None
    """A sustained change from one month on."""
    trend: float = 0.0
    """Relative change per year."""
    additive: bool = False
    """Noise, shift and trend are absolute (in the unit), for values near zero."""
    last: str | None = None
    """The final month with data (a return that stopped), e.g. ``2024-06``."""
    omit_breakdowns: tuple[str, ...] = ()
    """Breakdowns of the indicator the demo does not supply."""

    @field_validator("last")
    @classmethod
    def _last_month(cls, value: str | None) -> str | None:
        if value is not None and parse_period(value, what="last").kind != "month":
            raise ValueError(f"last {value!r} must be a month such as 2024-06")
        return value

    @field_validator("denominator")
    @classmethod
    def _population_form(cls, value: object) -> object:
        if isinstance(value, dict) and set(value) != {"population"}:
            raise ValueError("a population denominator is written {population: <share name>}")
        if isinstance(value, float | int) and value <= 0:
            raise ValueError("denominator must be positive")
        return value

    @property
    def population_share(self) -> str | None:
        return self.denominator["population"] if isinstance(self.denominator, dict) else None


class DemoExtract(Params):
    """A file shipped with the project that ``perfreport demo`` ingests as it is."""

    spec: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    """The source spec that reads it: ``params/sources/<spec>.yaml``."""
    file: str = Field(min_length=1)
    """The file, relative to the project folder (e.g. ``demo/ascof.csv``)."""


class DemoSettings(Params):
    """What ``perfreport demo`` loads: invented series drawn by the generator, files shipped
    with the project (``extracts``), or both. Only ``demo`` and ``generate-demo`` read it."""

    seed: int = Field(0, ge=0)
    """The generator's random seed: the same seed and settings give the same bytes."""
    start: str | None = None
    """The first month of invented data, e.g. ``2019-04`` (needed with ``indicators``)."""
    end: str | None = None
    """The last month of invented data, fixed here, never today's date (needed with ``indicators``)."""
    partnership: str | None = None
    """The area code the series' levels describe. Every area of its type is drawn, with the
    levels scaled by its population relative to this one's; an area's parts (its children) are
    drawn and added up to it."""
    country: str | None = None
    """The comparator area code for series with a ``scotland`` level."""
    populations: dict[str, int] = Field(default_factory=dict)
    """Resident population by area code: every drawn area's parts (or the area itself, when it
    has none) and the comparator."""
    population_shares: dict[str, float] = Field(default_factory=dict)
    """Share of the population in the groups some rates are based on (``adults: 0.79``)."""
    categories: dict[str, dict[str, float]] = Field(default_factory=dict)
    """Each breakdown's categories and their shares of the counts."""
    category_shares_by_area: dict[str, dict[str, dict[str, float]]] = Field(default_factory=dict)
    """Where an area's mix of categories differs from ``categories``."""
    category_rates: dict[str, dict[str, float]] = Field(default_factory=dict)
    """For rates: each category's relative rate (``age_band: {"0-4": 60, "70-74": 2400}``).
    A category's share of the events is its share of the population times its rate, so that
    age-specific rates differ as they do (without it, every category has the area's rate)."""
    indicators: dict[str, SeriesSpec] = Field(default_factory=dict)
    """One invented series per indicator id; indicators not listed get no demo data."""
    extracts: tuple[DemoExtract, ...] = ()
    """Files ingested as they are, each with its source spec."""

    @field_validator("start", "end", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> str | None:
        return None if value is None else str(value)

    @model_validator(mode="after")
    def _months(self) -> DemoSettings:
        if not self.indicators:
            return self
        if self.start is None or self.end is None or self.partnership is None:
            raise ValueError("invented series ('indicators') need 'start', 'end' and 'partnership'")
        first, last = self.first_month, self.last_month
        if first.kind != "month" or last.kind != "month":
            raise ValueError("start and end must be months such as 2019-04")
        if last < first:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def first_month(self) -> Period:
        return parse_period(str(self.start), what="start")

    @property
    def last_month(self) -> Period:
        return parse_period(str(self.end), what="end")


def drawn_bodies(settings: DemoSettings, areas: Areas) -> tuple[Area, ...]:
    """The areas whose series the generator draws: every area of the partnership's type."""
    return areas.of_type(areas.get(str(settings.partnership)).type)


def population(settings: DemoSettings, areas: Areas, area: Area) -> int:
    """An area's population: its own in ``populations``, or its children's added up."""
    if area.code in settings.populations:
        return settings.populations[area.code]
    return sum(population(settings, areas, a) for a in areas.children(area.code))


def load_demo_settings(path: Path, catalogue: Catalogue, areas: Areas) -> DemoSettings:
    """Read ``params/demo.yaml`` and check it against the catalogue, areas, source specs and
    files of its project (the folder above ``params/``)."""
    if not path.is_file():
        raise PerfreportError(
            f"{path}: this project has no demo (no params/demo.yaml); make a demo project with "
            "`perfreport init DIR --template hscp`"
        )
    doc = read_yaml(path)
    settings = validate(DemoSettings, doc)

    def fail(loc: tuple[str | int, ...], message: str) -> None:
        where = f"field '{field_name(loc)}': {message}"
        raise PerfreportError(located(path, where, line=doc.line_of(loc)))

    if settings.indicators:
        _check_series(settings, catalogue, areas, fail)
    root = path.parent.parent
    for position, extract in enumerate(settings.extracts):
        if not (root / "params" / "sources" / f"{extract.spec}.yaml").is_file():
            fail(
                ("extracts", position, "spec"), f"no source spec params/sources/{extract.spec}.yaml"
            )
        if not (root / extract.file).is_file():
            fail(("extracts", position, "file"), f"{extract.file} does not exist in the project")
    return settings


def _check_series(
    settings: DemoSettings,
    catalogue: Catalogue,
    areas: Areas,
    fail: Callable[[tuple[str | int, ...], str], None],
) -> None:
    """The invented series name indicators, areas, shares and categories that exist."""
    codes = [settings.partnership, *([settings.country] if settings.country else [])]
    for code in (*codes, *settings.populations):
        if code not in areas:
            fail(("populations",), f"area {code!r} is not in params/areas.yaml")
    for body in drawn_bodies(settings, areas):
        for area in areas.children(body.code) or (body,):
            if area.code not in settings.populations:
                kind = areas.type_of(area).name
                fail(("populations",), f"no population for {kind} {area.code!r}")
    for ident, spec in settings.indicators.items():
        if ident not in catalogue:
            fail(("indicators", ident), f"{ident!r} is not in the indicator catalogue")
        share = spec.population_share
        if share is not None and share not in settings.population_shares:
            fail(("indicators", ident, "denominator"), f"unknown population share {share!r}")
        ind = catalogue[ident]
        if ind.method not in ("count",) and spec.denominator is None:
            fail(("indicators", ident), f"method '{ind.method}' needs a denominator")
        if spec.scotland is not None and settings.country is None:
            fail(
                ("indicators", ident, "scotland"),
                "a 'scotland' level needs 'country' (its area code)",
            )
        missing = [b for b in ind.breakdowns if b != "locality" and b not in settings.categories]
        if missing:
            fail(("categories",), f"no categories for breakdown {missing[0]!r} of {ident}")
    for dim, rates in settings.category_rates.items():
        known = settings.categories.get(dim, {})
        if set(rates) != set(known) or min(rates.values(), default=0) <= 0:
            fail(
                ("category_rates", dim),
                f"give every category of {dim!r} in 'categories' ({', '.join(known)}) a rate "
                "above zero, and no other",
            )
