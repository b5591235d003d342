"""``params/learning.yaml``: what a council's learning and performance report shows.

The report (cycle ``learning``, :mod:`perfreport.reports.council`) has four parts, each named
here by catalogue indicator: feedback by theme (count indicators with a breakdown, a table and
a chart each), the complaint learning stage against its deadline, the staff survey's questions
against their goals, and the performance table of one indicator set (ASCOF) beside the
comparator. It also lists what the council's audits taught it (``learning_themes``) and
numbered notes on performance measures (``notes``: "see note 1").
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from perfreport.config.catalogue import Catalogue, IndicatorSet
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import read_yaml
from perfreport.errors import PerfreportError, located

LEARNING_FILE = "learning.yaml"


class Note(Params):
    """A numbered note on a performance measure (numbered in file order)."""

    indicator: str
    text: str = Field(min_length=1)


class Learning(Params):
    """``params/learning.yaml`` (see the module docstring); unknown fields are refused."""

    feedback: tuple[str, ...] = Field(min_length=1)
    """Count indicators broken down by theme (compliments, complaints)."""
    learning_stage: str
    """The percentage of learning stages completed within their deadline."""
    staff_survey: tuple[str, ...] = Field(min_length=1)
    """Survey questions (percent agreeing) with a target each: their goals."""
    performance: IndicatorSet = "ascof"
    """The indicator set of the performance table (each measure beside the comparator)."""
    learning_themes: tuple[str, ...] = Field(min_length=1)
    notes: tuple[Note, ...] = ()

    def note_number(self, indicator: str) -> int | None:
        """The number of the note on ``indicator`` (1 for the first), or None."""
        found = [i for i, n in enumerate(self.notes, start=1) if n.indicator == indicator]
        return found[0] if found else None


def load_learning(params: Path, catalogue: Catalogue) -> Learning:
    """Read and cross-check ``params/learning.yaml`` under ``params``.

    Raises
    ------
    PerfreportError
        One line naming the file, line and field: a missing file, an indicator not in the
        catalogue, a feedback indicator without a breakdown, a survey question without a goal,
        a note on a measure that is not in the performance table or a second note on one.
    """
    path = params / LEARNING_FILE
    if not path.is_file():
        raise PerfreportError(
            f"{path}: not found; the learning and performance report reads its sections here"
        )
    doc = read_yaml(path)
    learning = validate(Learning, doc)

    def fail(where: tuple[str | int, ...], message: str) -> None:
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in where)
        raise PerfreportError(
            located(path, f"field '{field.replace('.[', '[')}': {message}", line=doc.line_of(where))
        )

    named = [("learning_stage",), *[("feedback", i) for i in range(len(learning.feedback))]]
    named += [("staff_survey", i) for i in range(len(learning.staff_survey))]
    named += [("notes", i, "indicator") for i in range(len(learning.notes))]
    for where in named:
        ident = _at(learning, where)
        if ident not in catalogue:
            fail(where, f"{ident!r} is not in the indicator catalogue")
    for i, ident in enumerate(learning.feedback):
        if not catalogue[ident].breakdowns:
            fail(("feedback", i), f"{ident!r} has no breakdowns in the catalogue")
    for i, ident in enumerate(learning.staff_survey):
        if not catalogue[ident].targets:
            fail(("staff_survey", i), f"{ident!r} has no target (its goal) in the catalogue")
    for i, note in enumerate(learning.notes):
        if catalogue[note.indicator].set != learning.performance:
            fail(
                ("notes", i, "indicator"),
                f"{note.indicator!r} is not in the performance table (set {learning.performance!r})",
            )
        if learning.note_number(note.indicator) != i + 1:
            fail(("notes", i, "indicator"), f"{note.indicator!r} already has a note")
    return learning


def _at(learning: Learning, where: tuple[str | int, ...]) -> str:
    value: object = learning
    for part in where:
        value = getattr(value, part) if isinstance(part, str) else value[part]  # type: ignore[index]
    return str(value)
