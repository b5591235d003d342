"""The strategic performance report's inputs: outcomes, priorities, measures, projects, survey.

Read from ``params/strategic.yaml`` and shaped like the regulator's report (seed, section 1.4):
each strategic outcome has priorities, each priority has measures, and each measure is an
indicator from the catalogue or a customer-survey question. Operational-plan projects carry
the plan's reference (``1a``, ``1b`` …), whose number is the outcome they serve.

Survey questions use five-point Likert scales. :func:`likert_summary` gives each option's count
and share, the agreeing and disagreeing shares ("strongly" and "tend to" together, as the
regulator reports them) and the margin of error of the agreeing share, with the finite
population correction when the number invited is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from perfreport.config.catalogue import Catalogue
from perfreport.config.located import Located
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import read_yaml
from perfreport.errors import PerfreportError, located
from perfreport.methods.rounding import format_number
from perfreport.methods.stats import margin_of_error
from perfreport.methods.suppressed import SYMBOL

LIKERT = {
    "agree": (
        "Strongly agree",
        "Tend to agree",
        "Neither agree nor disagree",
        "Tend to disagree",
        "Strongly disagree",
    ),
    "satisfied": (
        "Very satisfied",
        "Somewhat satisfied",
        "Neither satisfied nor unsatisfied",
        "Somewhat unsatisfied",
        "Very unsatisfied",
    ),
}
"""Response options from most to least positive; the first two are positive, the last two negative."""
POSITIVE_WORD = {"agree": ("agreed", "disagreed"), "satisfied": ("satisfied", "unsatisfied")}
PROJECT_STATUS = {
    "complete": "Complete",
    "on_track": "On track",
    "at_risk": "At risk",
    "delayed": "Delayed",
}


class Measure(Params):
    text: str = Field(min_length=3)
    indicator: str | None = None
    question: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Measure:
        self.exactly_one("indicator", "question", "give exactly one of 'indicator' or 'question'")
        return self


class Priority(Params):
    title: str = Field(min_length=3)
    measures: tuple[Measure, ...] = Field(min_length=1)


class Outcome(Params):
    id: int = Field(ge=1)
    title: str = Field(min_length=3)
    priorities: tuple[Priority, ...] = Field(min_length=1)


class Project(Params):
    ref: str = Field(pattern=r"^[1-9][0-9]*[a-z]$")
    outcome: int
    title: str = Field(min_length=3)
    status: Literal["complete", "on_track", "at_risk", "delayed"]
    update: str = Field(min_length=3)


class Question(Params):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    text: str = Field(min_length=3)
    scale: Literal["agree", "satisfied"]
    responses: tuple[int, int, int, int, int]

    @model_validator(mode="after")
    def _counts(self) -> Question:
        if any(n < 0 for n in self.responses):
            raise ValueError("response counts cannot be negative")
        if sum(self.responses) == 0:
            raise ValueError("a question needs at least one response")
        return self


class Survey(Params):
    title: str
    fieldwork_end: date
    population: int | None = Field(None, ge=1)
    questions: tuple[Question, ...] = Field(min_length=1)


class Strategy(Params):
    outcomes: tuple[Outcome, ...] = Field(min_length=1)
    projects: tuple[Project, ...] = ()
    survey: Survey | None = None

    def question(self, question_id: str) -> Question:
        assert self.survey is not None
        return next(q for q in self.survey.questions if q.id == question_id)

    def projects_of(self, outcome: int) -> list[Project]:
        return sorted((p for p in self.projects if p.outcome == outcome), key=_ref_order)


def _ref_order(project: Project) -> tuple[int, str]:
    return int(project.ref[:-1]), project.ref[-1]


def load_strategy(path: Path, catalogue: Catalogue) -> Strategy:
    """Read and validate ``params/strategic.yaml``: every measure's indicator is in the catalogue,
    every question in the survey, every project's reference starts with its outcome's number;
    outcome and question ids are unique, and the survey's population (the number invited) is
    at least the responses to each question."""
    doc = read_yaml(path)
    strategy = validate(Strategy, doc)
    questions = {q.id for q in strategy.survey.questions} if strategy.survey else set()
    outcomes = {o.id for o in strategy.outcomes}

    def fail(loc: tuple[str | int, ...], message: str) -> None:
        raise PerfreportError(located(path, message, line=doc.line_of(loc)))

    _no_duplicates(doc, "outcome", ("outcomes",), [o.id for o in strategy.outcomes])
    if strategy.survey is not None:
        survey = strategy.survey
        _no_duplicates(doc, "question", ("survey", "questions"), [q.id for q in survey.questions])
        _check_population(doc, survey)
    for i, outcome in enumerate(strategy.outcomes):
        for j, priority in enumerate(outcome.priorities):
            for k, m in enumerate(priority.measures):
                loc = ("outcomes", i, "priorities", j, "measures", k)
                if m.indicator is not None and m.indicator not in catalogue:
                    fail(
                        (*loc, "indicator"),
                        f"outcome {outcome.id}: field 'indicator': {m.indicator!r} is not in the "
                        "indicator catalogue",
                    )
                if m.question is not None and m.question not in questions:
                    fail(
                        (*loc, "question"),
                        f"outcome {outcome.id}: field 'question': {m.question!r} is not a survey question",
                    )
    seen: set[str] = set()
    for i, project in enumerate(strategy.projects):
        if project.outcome not in outcomes:
            fail(
                ("projects", i, "outcome"),
                f"project {project.ref}: field 'outcome': {project.outcome} is not an outcome",
            )
        if project.ref[:-1] != str(project.outcome):
            fail(
                ("projects", i, "ref"),
                f"project {project.ref}: field 'ref': an outcome {project.outcome} project is "
                f"numbered {project.outcome}a, {project.outcome}b …",
            )
        if project.ref in seen:
            fail(("projects", i, "ref"), f"project {project.ref}: field 'ref': duplicate reference")
        seen.add(project.ref)
    return strategy


def _no_duplicates(
    doc: Located, kind: str, where: tuple[str, ...], idents: Sequence[int | str]
) -> None:
    for i, ident in enumerate(idents):
        if ident in idents[:i]:
            raise PerfreportError(
                located(
                    doc.path,
                    f"{kind} {ident}: field 'id': duplicate id, give each {kind} its own",
                    line=doc.line_of((*where, i, "id")),
                )
            )


def _check_population(doc: Located, survey: Survey) -> None:
    """The number invited is at least every question's responses: the finite population
    correction of :func:`~perfreport.methods.stats.margin_of_error` (which the report uses) needs it."""
    most = max(survey.questions, key=lambda q: sum(q.responses))
    if survey.population is not None and survey.population < sum(most.responses):
        raise PerfreportError(
            located(
                doc.path,
                f"survey: field 'population': {survey.population:,} people invited is fewer "
                f"than the {sum(most.responses):,} responses to question {most.id}; the "
                "population is the number invited, at least the responses to every question",
                line=doc.line_of(("survey", "population")),
            )
        )


@dataclass(frozen=True)
class LikertSummary:
    question: Question
    counts: tuple[int, ...]
    total: int
    shares: tuple[float, ...]
    """Each option's percentage of all responses."""
    positive: float
    negative: float
    margin: float
    """Margin of error of ``positive``, in percentage points."""

    @property
    def options(self) -> tuple[str, ...]:
        return LIKERT[self.question.scale]

    def describe(self, withheld: Sequence[bool] = ()) -> str:
        """``'71% agreed (43% strongly), 12% disagreed; 3,046 responses, margin of error ±1.6 points'``.

        ``withheld`` marks options whose counts disclosure control withholds: a share adding
        some but not all of them would give one back (the total less the shown options gives
        their sum), so it shows as ``[c]``.

        >>> q = Question(id="Q", text="Supported", scale="agree", responses=(41, 37, 12, 3, 0))
        >>> likert_summary(q).describe(withheld=(False, False, True, True, False))
        '84% agreed (44% strongly), [c] disagreed; 93 responses, margin of error ±7.5 points'
        """
        yes, no = POSITIVE_WORD[self.question.scale]
        strongest = self.options[0].split()[0].lower()
        hidden = {i for i, gone in enumerate(withheld) if gone}

        def share(options: set[int], value: float) -> str:
            return SYMBOL if options & hidden and not hidden <= options else _pct(value)

        return (
            f"{share({0, 1}, self.positive)} {yes} ({share({0}, self.shares[0])} {strongest}), "
            f"{share({3, 4}, self.negative)} {no}; {self.total:,} responses, "
            f"margin of error ±{format_number(self.margin, 1)} points"
        )


def _pct(value: float) -> str:
    return f"{format_number(value, 0)}%"


def likert_summary(
    question: Question, population: int | None = None, confidence: float = 0.95
) -> LikertSummary:
    """Counts, shares, positive and negative shares and the margin of error of one question.

    >>> q = Question(id="Q", text="Registration is beneficial", scale="agree",
    ...              responses=(1310, 854, 517, 213, 152))
    >>> likert_summary(q, population=31000).describe()
    '71% agreed (43% strongly), 12% disagreed; 3,046 responses, margin of error ±1.5 points'
    """
    counts = question.responses
    total = sum(counts)
    shares = tuple(100 * n / total for n in counts)
    positive = shares[0] + shares[1]
    margin = 100 * margin_of_error(total, population, p=positive / 100, confidence=confidence)
    return LikertSummary(question, counts, total, shares, positive, shares[3] + shares[4], margin)
