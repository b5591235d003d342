"""Performance improvement plans (Integrated Performance Framework, table 5).

"The method of mitigating a risk for performance measures will be through a Performance
Improvement Plan (Table 5) which will be triggered on an indicator turning amber or red."
Each plan records the table's seven contents: the indicator (and areas), why it was flagged,
whether the risk is new (and if not, why), the mitigation, who is responsible, when it will be
back to green, and when the plan will be reviewed. Plans live in
``params/improvement_plans.yaml`` and are validated against the catalogue and areas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import Field, model_validator

from perfreport.config.areas import Areas
from perfreport.config.catalogue import Catalogue
from perfreport.config.entries import Entries
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import entries, read_yaml
from perfreport.errors import PerfreportError, located


class ImprovementPlan(Params):
    """One plan: the seven contents of framework table 5, plus when it started."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    indicator: str
    areas: tuple[str, ...] = Field(min_length=1)
    reason: str = Field(min_length=3)
    new_risk: bool
    not_new_because: str | None = None
    mitigation: str = Field(min_length=3)
    owner: str = Field(min_length=2)
    started: date
    expected_green: date
    review: date
    closed: date | None = None

    @model_validator(mode="after")
    def _dates_and_history(self) -> ImprovementPlan:
        if not self.new_risk and not self.not_new_because:
            raise ValueError(
                "a risk that is not new needs 'not_new_because' (framework table 5, item 3)"
            )
        if self.expected_green < self.started:
            raise ValueError("'expected_green' is before 'started'")
        if self.review < self.started:
            raise ValueError("'review' is before 'started'")
        if self.closed is not None and self.closed < self.started:
            raise ValueError("'closed' is before 'started'")
        return self

    def current_on(self, day: date) -> bool:
        """Whether the plan is in force on ``day`` (started, not closed)."""
        return self.started <= day and (self.closed is None or day < self.closed)

    def overdue_review(self, day: date) -> bool:
        return self.review < day

    def covers(self, indicator: str, area: str) -> bool:
        return self.indicator == indicator and area in self.areas


@dataclass(frozen=True)
class Plans(Entries[ImprovementPlan]):
    def for_indicator(self, indicator: str, area: str, day: date) -> ImprovementPlan | None:
        """The latest-started plan in force on ``day`` for the indicator in the area."""
        current = [p for p in self.items if p.covers(indicator, area) and p.current_on(day)]
        return max(current, key=lambda p: p.started, default=None)


def load_plans(path: Path, catalogue: Catalogue, areas: Areas) -> Plans:
    """Read and validate ``params/improvement_plans.yaml`` (an empty list is allowed)."""
    if not path.is_file():
        return Plans(())
    items: list[ImprovementPlan] = []
    for position, item in enumerate(entries(read_yaml(path), "plans"), start=1):
        ident = item.value.get("id") if isinstance(item.value, dict) else None
        name = f"plan '{ident}'" if ident else f"plan {position}"
        plan = validate(ImprovementPlan, item, entry=name)
        if plan.indicator not in catalogue:
            raise PerfreportError(
                located(
                    path,
                    f"{name}: field 'indicator': {plan.indicator!r} is not in the "
                    "indicator catalogue",
                    line=item.line_of(("indicator",)),
                )
            )
        for code in plan.areas:
            if code not in areas:
                raise PerfreportError(
                    located(
                        path,
                        f"{name}: field 'areas': unknown area {code!r}",
                        line=item.line_of(("areas",)),
                    )
                )
        if any(p.id == plan.id for p in items):
            raise PerfreportError(
                located(path, f"{name}: field 'id': duplicate id", line=item.line_of(("id",)))
            )
        items.append(plan)
    return Plans(tuple(items))


@dataclass(frozen=True)
class PlanException:
    """Something the framework says must be escalated about plans (section 6.4)."""

    kind: str
    indicator: str
    area: str
    plan: str | None
    text: str


def plan_exceptions(
    plans: Plans, statuses: dict[tuple[str, str], str], day: date
) -> list[PlanException]:
    """Amber or red without a plan, plans past review, plans past their green date while red.

    ``statuses`` maps (indicator, area) to the framework status on ``day``.
    """
    out: list[PlanException] = []
    for (indicator, area), status in sorted(statuses.items()):
        plan = plans.for_indicator(indicator, area, day)
        if status in ("amber", "red") and plan is None:
            out.append(
                PlanException(
                    "no_plan",
                    indicator,
                    area,
                    None,
                    f"{indicator} is {status} in {area} with no improvement plan",
                )
            )
        if plan is None:
            continue
        if plan.overdue_review(day):
            out.append(
                PlanException(
                    "review_overdue",
                    indicator,
                    area,
                    plan.id,
                    f"plan {plan.id} was due for review on {plan.review:%d %B %Y}",
                )
            )
        if status == "red" and plan.expected_green < day:
            out.append(
                PlanException(
                    "green_date_passed",
                    indicator,
                    area,
                    plan.id,
                    f"plan {plan.id} expected {indicator} green by {plan.expected_green:%d %B %Y}; "
                    "it is still red",
                )
            )
    return out
