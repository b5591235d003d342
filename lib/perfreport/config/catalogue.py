"""The indicator catalogue: what each indicator is, how it is measured and what good looks like.

Definitions are data (``params/catalogue/*.yaml``, one ``indicators:`` list per file) validated
on load; nothing about an indicator is written in code. Each entry names its unit, method,
polarity, frequency, targets and tolerance, balanced scorecard place (framework table 1),
national outcomes and strategic themes (figure 2), expected breakdowns and disclosure class.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from perfreport.config.framework import Framework, load_framework
from perfreport.config.located import Located
from perfreport.config.standardise import Standardise, load_standard
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import entries, read_yaml
from perfreport.errors import PerfreportError, located
from perfreport.methods.standardisation import StandardPopulation

Unit = Literal["percent", "per_1000", "per_100000", "count", "days", "hours", "currency", "ratio"]
Method = Literal["proportion", "rate", "dsr", "isr", "smr", "mean", "count", "ratio", "survey"]
Polarity = Literal["higher_is_better", "lower_is_better", "neutral"]
Frequency = Literal["monthly", "quarterly", "annual", "calendar_year", "biennial"]
Aggregation = Literal["sum", "ratio", "population", "last", "mean", "none"]
Breakdown = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
"""A breakdown's name: any slug (``locality``, ``age_group``, ``sex``, ``theme``...)."""
IndicatorSet = Literal["core_suite", "msg", "national", "local", "regulator", "ascof"]
TargetKind = Literal["min", "max", "band"]

MULTIPLIER: Mapping[str, float] = {"percent": 100.0, "per_1000": 1_000.0, "per_100000": 100_000.0}
"""Units whose value is ``numerator / denominator × multiplier``; other units use 1."""

UNIT_LABEL: Mapping[str, str] = {
    "percent": "%",
    "per_1000": "per 1,000",
    "per_100000": "per 100,000",
    "count": "",
    "days": "days",
    "hours": "hours",
    "currency": "£",
    "ratio": "",
}

DEFAULT_AGGREGATION: Mapping[str, Aggregation] = {
    "proportion": "ratio",
    "survey": "ratio",
    "mean": "ratio",
    "ratio": "ratio",
    "rate": "population",
    "dsr": "population",
    "isr": "population",
    "smr": "population",
    "count": "sum",
}
"""How a method's monthly figures combine into a quarter or year (see :class:`Indicator`)."""

ALL = "all"
"""The breakdown and category of a total: every person, not one group of a breakdown."""
SIZE_DEPENDENT_UNITS = frozenset({"count", "hours", "currency"})
"""Units whose values cannot be compared between areas of different size."""

PERIOD_KIND_OF_FREQUENCY = {
    "monthly": "month",
    "quarterly": "quarter",
    "annual": "financial_year",
    "biennial": "financial_year",
    "calendar_year": "calendar_year",
}


class Target(Params):
    """A target: ``min`` (at least), ``max`` (at most) or ``band`` (between value and upper).

    ``unit`` must repeat the indicator's unit, so a target of ``0.8`` meant as 80% is caught.
    ``from`` is the first day the target applies; the latest applicable target is used.
    A target is stated per period of the indicator's frequency (a monthly count target is per
    month). ``applies_to`` says which areas it binds: ``body`` (areas whose type has role body,
    such as the partnership; ``partnership`` is accepted for it) or ``all_areas``. By default a
    target for a size-dependent unit (count, hours, money) binds the body only, and a rate or
    percentage every area.
    """

    model_config = ConfigDict(populate_by_name=True)

    value: float
    unit: Unit
    kind: TargetKind
    upper: float | None = None
    from_: date | None = Field(default=None, alias="from")
    source: str | None = None
    applies_to: Literal["body", "all_areas"] | None = None

    @field_validator("applies_to", mode="before")
    @classmethod
    def _old_word(cls, value: object) -> object:
        return "body" if value == "partnership" else value

    @model_validator(mode="after")
    def _band_has_upper(self) -> Target:
        if self.kind == "band" and (self.upper is None or self.upper < self.value):
            raise ValueError("a band target needs 'upper' at or above 'value'")
        if self.kind != "band" and self.upper is not None:
            raise ValueError("'upper' is only for band targets")
        return self


class Scorecard(Params):
    section: str
    subsection: str


class Indicator(Params):
    """One catalogue entry.

    ``aggregation`` says how monthly figures combine into a quarter or a year: ``sum`` adds
    counts; ``ratio`` adds numerators and denominators (proportions, means); ``population``
    adds numerators over a population denominator that is averaged, not added (rates);
    ``last`` takes the latest month (snapshots such as people delayed at the census date);
    ``mean`` averages the months' values (averages published without their parts); ``none``
    means the figures cannot be combined over time (no quarter or year rows). ``ratio`` and
    ``population`` need numerators and denominators: ``prepare`` refuses them for an indicator
    whose rows carry values only. Without ``aggregation``, the method's default
    (:data:`DEFAULT_AGGREGATION`) applies.
    """

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=40)
    set: IndicatorSet
    title: str = Field(min_length=3)
    description: str
    unit: Unit
    method: Method
    polarity: Polarity
    frequency: Frequency
    aggregation: Aggregation | None = None
    decimals: int = Field(default=1, ge=0, le=4)
    targets: tuple[Target, ...] = Field(default=(), alias="target")
    tolerance: float | None = Field(default=None, ge=0)
    scorecard: Scorecard
    national_outcomes: tuple[int, ...] = ()
    themes: tuple[str, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    benchmarks: tuple[Literal["comparator", "country"], ...] = ()
    """``[comparator]`` (or ``[country]``, its old name): compared with the comparator area."""
    source: str
    disclosure: Literal["public", "management"] = "public"
    standardise: Standardise | None = None
    """For method ``dsr``: standardise the rate from age-banded counts (see the README)."""

    @field_validator("targets", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, dict) else value

    @field_validator("aggregation")
    @classmethod
    def _aggregation_fits_method(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("method") == "count" and value in ("ratio", "population"):
            raise ValueError(
                f"'{value}' combines numerators over denominators, and a count has no "
                "denominator; use sum, mean, last or none"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        for target in self.targets:
            if target.unit != self.unit:
                raise ValueError(
                    f"target unit '{target.unit}' does not match the indicator's unit '{self.unit}'"
                )
            wanted = {"higher_is_better": "min", "lower_is_better": "max"}.get(self.polarity)
            if target.kind != "band" and target.kind != wanted:
                raise ValueError(
                    f"a '{target.kind}' target contradicts polarity '{self.polarity}'"
                    + ("; neutral indicators can only have band targets" if wanted is None else "")
                )
        if self.standardise is not None:
            if self.method not in ("dsr", "isr", "smr"):
                raise ValueError(
                    "'standardise' is for methods dsr, isr and smr (age-standardised rates)"
                )
            if self.standardise.by not in self.breakdowns:
                raise ValueError(
                    f"standardise.by '{self.standardise.by}' must be one of the indicator's "
                    "breakdowns (the age bands are a breakdown of its counts)"
                )
        if self.tolerance is not None and not self.targets:
            raise ValueError("'tolerance' is set but there is no target")
        if self.unit == "percent":
            for target in self.targets:
                if not 0 <= target.value <= 100 and target.kind != "band":
                    raise ValueError(f"percent target {target.value} is outside 0-100")
        starts = [t.from_ or date.min for t in self.targets]
        if len(set(starts)) != len(starts):
            raise ValueError("two targets apply from the same date; give each a distinct 'from'")
        return self

    @property
    def benchmarked(self) -> bool:
        """Whether the indicator is compared with the comparator (``benchmarks``)."""
        return bool(self.benchmarks)

    @property
    def multiplier(self) -> float:
        return MULTIPLIER.get(self.unit, 1.0)

    @property
    def time_aggregation(self) -> Aggregation:
        return self.aggregation or DEFAULT_AGGREGATION[self.method]

    @property
    def period_kind(self) -> str:
        """The kind of period the indicator is published for (month, quarter, ...)."""
        return PERIOD_KIND_OF_FREQUENCY[self.frequency]

    @property
    def size_dependent(self) -> bool:
        """Whether the value grows with the size of the area (counts, hours, money)."""
        return self.unit in SIZE_DEPENDENT_UNITS

    @property
    def unit_label(self) -> str:
        return UNIT_LABEL[self.unit]

    def target_on(self, day: date) -> Target | None:
        """The target in force on ``day``: the latest whose ``from`` is not after it."""
        applicable = [t for t in self.targets if (t.from_ or date.min) <= day]
        return max(applicable, key=lambda t: t.from_ or date.min, default=None)


@dataclass(frozen=True)
class Catalogue:
    """Every indicator, in file order, with the framework it was checked against."""

    indicators: tuple[Indicator, ...]
    framework: Framework
    sources: Mapping[str, Path]
    standards: Mapping[str, StandardPopulation] = field(default_factory=dict)
    """The standard population of each indicator with ``standardise``, by indicator id."""

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __getitem__(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def __contains__(self, indicator_id: object) -> bool:
        return any(ind.id == indicator_id for ind in self.indicators)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(ind.id for ind in self.indicators)

    def standard(self, ind: Indicator) -> StandardPopulation:
        """The standard population ``ind`` (with ``standardise``) is weighted by."""
        return self.standards[ind.id]

    def by_set(self, name: str) -> tuple[Indicator, ...]:
        return tuple(ind for ind in self.indicators if ind.set == name)


def load_catalogue(folder: Path, framework_file: Path | None = None) -> Catalogue:
    """Read every ``*.yaml`` in ``folder`` (sorted) into a validated :class:`Catalogue`.

    Raises
    ------
    PerfreportError
        One line naming the file, line, entry and field at fault: an unknown field, a missing
        or mismatched unit, a duplicate id, a scorecard place, theme or outcome the framework
        does not have.
    """
    framework = load_framework(framework_file or folder.parent / "framework.yaml")
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise PerfreportError(f"{folder}: no indicator files (*.yaml) in the catalogue folder")
    indicators: list[Indicator] = []
    sources: dict[str, Path] = {}
    standards: dict[str, StandardPopulation] = {}
    for path in files:
        for position, item in enumerate(entries(read_yaml(path), "indicators"), start=1):
            name = _entry_name(item, position)
            indicator = validate(Indicator, item, entry=name)
            _check_against_framework(indicator, framework, item, name)
            if indicator.id in sources:
                first = sources[indicator.id]
                raise PerfreportError(
                    located(
                        path,
                        f"{name}: field 'id': duplicate id, already defined in {first}",
                        line=item.line_of(("id",)),
                    )
                )
            sources[indicator.id] = path
            indicators.append(indicator)
            if indicator.standardise is not None:
                standards[indicator.id] = load_standard(
                    indicator.standardise, folder.parent, item, name
                )
    return Catalogue(tuple(indicators), framework, sources, standards)


def _entry_name(item: Located, position: int) -> str:
    ident = item.value.get("id") if isinstance(item.value, dict) else None
    return f"entry '{ident}'" if ident else f"entry {position}"


def _check_against_framework(ind: Indicator, fw: Framework, item: Located, name: str) -> None:
    def fail(field: tuple[str, ...], message: str) -> None:
        raise PerfreportError(
            located(
                item.path, f"{name}: field '{'.'.join(field)}': {message}", line=item.line_of(field)
            )
        )

    if ind.scorecard.section not in fw.sections:
        fail(
            ("scorecard", "section"),
            f"{ind.scorecard.section!r} is not a scorecard section; "
            f"expected one of {', '.join(fw.sections)}",
        )
    if ind.scorecard.subsection not in fw.subsections(ind.scorecard.section):
        fail(
            ("scorecard", "subsection"),
            f"{ind.scorecard.subsection!r} is not a sub-section of "
            f"{ind.scorecard.section!r}; expected one of {', '.join(fw.subsections(ind.scorecard.section))}",
        )
    for theme in ind.themes:
        if theme not in fw.theme_ids:
            fail(
                ("themes",),
                f"{theme!r} is not a strategic theme; expected one of {', '.join(fw.theme_ids)}",
            )
    for outcome in ind.national_outcomes:
        if outcome not in fw.national_outcomes:
            fail(("national_outcomes",), f"{outcome} is not a national outcome number")
