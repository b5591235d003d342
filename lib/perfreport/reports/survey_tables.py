"""The strategic report's customer survey: how many responded, and every question's Likert
responses with counts, shares and margins of error, small counts withheld by disclosure
control."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from perfreport.assess.disclosure import suppress_parts
from perfreport.config.disclosure import Disclosure
from perfreport.config.strategy import LIKERT, LikertSummary, Survey
from perfreport.methods.rounding import format_number
from perfreport.methods.suppressed import SYMBOL
from perfreport.present.tables import Html, Section, Table


def survey_method(survey: Survey | None, summaries: dict[str, LikertSummary]) -> Html:
    """How many responded (the most to any question), of how many invited, and when."""
    if survey is None:
        return Html(Markup("<p>No customer survey is recorded for this period.</p>"))
    most = max(s.total for s in summaries.values())
    invited = f" of the {survey.population:,} people invited" if survey.population else ""
    return Html(
        Markup("<p>{}: up to {} responses per question{}, fieldwork ending {}.</p>").format(
            survey.title, f"{most:,}", invited, f"{survey.fieldwork_end:%d %B %Y}"
        )
    )


def survey_table(summaries: dict[str, LikertSummary], rule: Disclosure | None) -> Section:
    """Every question's responses by option (count and share), with its margin of error."""
    tables = []
    for scale, options in LIKERT.items():
        shown = [s for s in summaries.values() if s.question.scale == scale]
        if not shown:
            continue
        rows = [_survey_row(s, rule) for s in shown]
        yes = "Agreed" if scale == "agree" else "Satisfied"
        tables.append(
            Table(
                f"Customer survey: responses to {'agreement' if scale == 'agree' else 'satisfaction'} "
                "questions, count (percentage)",
                ("Question", *options, "Responses", yes, "Margin of error (95%)"),
                rows,
                _survey_data(shown),
                numeric=(False, *[True] * (len(options) + 3)),
            )
        )
    return Section("Responses by question", tables, level=3)


def withheld(s: LikertSummary, rule: Disclosure | None) -> list[bool]:
    """Which of a question's options disclosure control withholds (small ones, and a
    second where one alone would be given back by the total)."""
    return suppress_parts(s.counts, rule) if rule else [False] * len(s.counts)


def _survey_row(s: LikertSummary, rule: Disclosure | None) -> tuple[str, ...]:
    """A question's counts and shares, with small counts withheld (disclosure control):
    the options add up to the responses, so a second option goes with a small one, and the
    share agreeing goes when only one of its two options is withheld."""
    hidden = withheld(s, rule)
    cells = [
        SYMBOL if gone else f"{n:,} ({_pct(share)})"
        for n, share, gone in zip(s.counts, s.shares, hidden, strict=True)
    ]
    agreed = SYMBOL if hidden[0] != hidden[1] else _pct(s.positive)
    return (s.question.text, *cells, f"{s.total:,}", agreed, f"±{s.margin:.1f} points")


def _pct(value: float) -> str:
    return f"{format_number(value, 0)}%"


def _survey_data(summaries: list[LikertSummary]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "question": s.question.id,
                "option": option,
                "count": n,
                "percent": share,
                "responses": s.total,
                "margin_of_error_points": s.margin,
            }
            for s in summaries
            for option, n, share in zip(s.options, s.counts, s.shares, strict=True)
        ]
    )
