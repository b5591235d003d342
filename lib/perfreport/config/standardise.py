"""A catalogue entry's ``standardise``: how an age-standardised rate is made from age-banded
counts, and the standard population it names (shipped, or the project's own)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from perfreport.config.located import Located
from perfreport.config.validation import Params
from perfreport.errors import PerfreportError, located
from perfreport.methods.standardisation import (
    ESP2013,
    SHIPPED,
    AgeBand,
    StandardPopulation,
    parse_band,
    read_standard_population,
)

__all__ = ["STANDARD_POPULATIONS", "Standardise", "load_standard"]


class Standardise(Params):
    """How a directly standardised rate (method ``dsr``) is made from age-banded counts.

    ``by`` names the breakdown whose categories are the age bands (``age_band``; it must be one
    of the indicator's breakdowns); ``population`` the standard population (``esp2013``, the
    2013 European Standard Population shipped with perfreport, or the name of a file
    ``params/standard_populations/<name>.csv``); ``ages`` the ages the rate covers (``0-74``
    for premature mortality; all the standard's bands when absent); ``events`` the word for
    what is counted (``deaths``), as reports say it.
    """

    by: str = Field(default="age_band", pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    """The breakdown whose categories are the age bands (one of ``breakdowns``)."""
    population: str = Field(default="esp2013", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    """The standard population: ``esp2013`` or ``params/standard_populations/<name>.csv``."""
    ages: str | None = None
    """The ages the rate covers, in whole bands of the standard (``0-74``; default all)."""
    events: str = Field(default="events", min_length=1, max_length=40)
    """What is counted, as reports say it (``deaths``)."""

    @field_validator("ages")
    @classmethod
    def _ages(cls, value: str | None) -> str | None:
        if value is not None:
            parse_band(value)
        return value

    @property
    def age_range(self) -> AgeBand:
        return parse_band(self.ages) if self.ages else AgeBand(0, None)


STANDARD_POPULATIONS = "standard_populations"
"""The folder of ``params/`` holding a project's own standard populations."""


def load_standard(spec: Standardise, params: Path, item: Located, name: str) -> StandardPopulation:
    """The standard population ``spec`` names, checked to cover its ages in whole bands."""

    def fail(key: str, message: str) -> PerfreportError:
        return PerfreportError(
            located(
                item.path,
                f"{name}: field 'standardise.{key}': {message}",
                line=item.line_of(("standardise", key)),
            )
        )

    own = params / STANDARD_POPULATIONS / f"{spec.population}.csv"
    try:
        if own.is_file():
            standard = read_standard_population(own)
        elif spec.population == "esp2013":
            standard = ESP2013
        elif (SHIPPED / f"{spec.population}.csv").is_file():
            standard = read_standard_population(SHIPPED / f"{spec.population}.csv")
        else:
            raise fail(
                "population",
                f"no standard population {spec.population!r}: esp2013 comes with perfreport, "
                f"and a project's own are files {STANDARD_POPULATIONS}/<name>.csv beside the "
                "catalogue folder",
            )
    except ValueError as exc:
        raise PerfreportError(str(exc)) from None
    wanted = spec.age_range
    bands = [b for b in standard.bands if b.within(wanted)]
    if not bands or bands[0].low != wanted.low or bands[-1].high != wanted.high:
        raise fail(
            "ages",
            f"{spec.ages!r} is not a whole number of the {standard.name}'s bands "
            f"({', '.join(standard.labels)})",
        )
    return standard
