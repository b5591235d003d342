"""Settings of the demo data generator, read from ``params/demo.yaml`` and checked against
the catalogue and areas before anything is drawn."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator

from perfreport.config.areas import Areas
from perfreport.config.catalogue import Catalogue
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import read_yaml
from perfreport.errors import PerfreportError, located
from perfreport.methods.periods import Period, parse_period


class Shift(Params):
    at: str
    size: float

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
    scotland: float | None = None
    denominator: float | dict[str, str] | None = None
    noise: float | None = Field(default=None, ge=0)
    seasonal: float = 0.0
    shift: Shift | None = None
    trend: float = 0.0
    additive: bool = False
    last: str | None = None
    omit_breakdowns: tuple[str, ...] = ()

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


class DemoSettings(Params):
    seed: int = Field(ge=0)
    start: str
    end: str
    partnership: str
    country: str
    populations: dict[str, int]
    population_shares: dict[str, float]
    categories: dict[str, dict[str, float]]
    category_shares_by_area: dict[str, dict[str, dict[str, float]]] = Field(default_factory=dict)
    indicators: dict[str, SeriesSpec]

    @field_validator("start", "end", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> str:
        return str(value)

    @model_validator(mode="after")
    def _months(self) -> DemoSettings:
        first, last = self.first_month, self.last_month
        if first.kind != "month" or last.kind != "month":
            raise ValueError("start and end must be months such as 2019-04")
        if last < first:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def first_month(self) -> Period:
        return parse_period(self.start, what="start")

    @property
    def last_month(self) -> Period:
        return parse_period(self.end, what="end")


def load_demo_settings(path: Path, catalogue: Catalogue, areas: Areas) -> DemoSettings:
    """Read ``params/demo.yaml`` and check it against the catalogue and areas."""
    doc = read_yaml(path)
    settings = validate(DemoSettings, doc)

    def fail(loc: tuple[str, ...], message: str) -> None:
        raise PerfreportError(
            located(path, f"field '{'.'.join(loc)}': {message}", line=doc.line_of(loc))
        )

    for code in (settings.partnership, settings.country, *settings.populations):
        if code not in areas:
            fail(("populations",), f"area {code!r} is not in params/areas.yaml")
    for locality in areas.children(settings.partnership):
        if locality.code not in settings.populations:
            fail(("populations",), f"no population for locality {locality.code!r}")
    for ind in catalogue:
        if ind.id not in settings.indicators:
            fail(("indicators",), f"no demo series for catalogue indicator {ind.id!r}")
    for ident, spec in settings.indicators.items():
        if ident not in catalogue:
            fail(("indicators", ident), f"{ident!r} is not in the indicator catalogue")
        share = spec.population_share
        if share is not None and share not in settings.population_shares:
            fail(("indicators", ident, "denominator"), f"unknown population share {share!r}")
        ind = catalogue[ident]
        if ind.method not in ("count",) and spec.denominator is None:
            fail(("indicators", ident), f"method '{ind.method}' needs a denominator")
        if "country" in ind.benchmarks and spec.scotland is None:
            fail(("indicators", ident), "a country benchmark needs a 'scotland' level")
        missing = [b for b in ind.breakdowns if b != "locality" and b not in settings.categories]
        if missing:
            fail(("categories",), f"no categories for breakdown {missing[0]!r} of {ident}")
    return settings
