"""The tables, charts and notes of the council's learning and performance report
(:mod:`perfreport.reports.council`), each built from the report's prepared headlines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
from markupsafe import Markup

from perfreport.assess.rag import describe_value, rag_of
from perfreport.assess.results import read_categories
from perfreport.assess.scorecard import goal_delta, with_previous
from perfreport.assess.series import latest_on_or_before, shown_value, value_in
from perfreport.config.areas import Area
from perfreport.config.catalogue import Catalogue
from perfreport.config.learning import Learning
from perfreport.methods.rounding import format_number
from perfreport.methods.suppressed import SUPPRESSED, Suppressed
from perfreport.present.charts import Chart, category_bars
from perfreport.present.commentary import commentary_for, render_markdown
from perfreport.present.tables import Group, Html, Section, Table, rag_badge
from perfreport.reports.context import ReportContext
from perfreport.reports.locality_view import Headline, LocalityView
from perfreport.store.warehouse import connect


def published(view: LocalityView, h: Headline) -> Headline:
    """``h`` at its latest period with a figure up to the report's: a national set published
    in arrears (ASCOF for 2022-23 in a report on 2023-24) has no figure for the report's own
    year yet, only a "no data" row, and the report shows the latest figures published."""
    if h.value is not None:
        return h
    series = view.series[h.indicator.id]
    shown = series[series["value"].notna() | series["suppressed"].astype(bool)]
    latest = latest_on_or_before(shown, view.area.code, view.period.end)
    if latest is None:
        return h
    period, earlier = latest["period"], latest["period"].year_earlier()
    comparator = view.comparator
    return replace(
        h,
        period=period,
        value=shown_value(latest),
        rag=rag_of(latest, view.family),
        previous_period=earlier,
        previous_value=value_in(series, view.area.code, earlier),
        country=value_in(series, comparator.code, period) if comparator else None,
    )


def by_theme(ctx: ReportContext, area: Area, line: Headline) -> list[Table | Chart]:
    """A count indicator's categories (its first breakdown) for the area and the line's period,
    largest first, as a table with each one's share and a bar chart."""
    ind = line.indicator
    with connect(ctx.project.warehouse, read_only=True) as con:
        rows = read_categories(
            con,
            ctx.disclosure,
            ind.id,
            area.code,
            line.period.end,
            total_withheld=isinstance(line.value, Suppressed),
        )
    rows = rows[rows["breakdown"] == ind.breakdowns[0]]
    rows = rows.sort_values("value", ascending=False, na_position="last", kind="stable")
    total = None if isinstance(line.value, Suppressed) else line.value
    values = [None if pd.isna(v) else float(v) for v in rows["value"]]
    cells = [
        (str(c), format_number(SUPPRESSED if gone else v, 0), _share(v, total))
        for c, v, gone in zip(rows["category"], values, rows["suppressed"], strict=True)
    ]
    cells.append(("All themes", format_number(line.value, 0), "100%" if total else ""))
    what = f"{ind.title}, {area.name}, {line.period.label}"
    about = f"{ind.title[:1].lower()}{ind.title[1:]} in {area.name}, {line.period.label}"
    data = rows.assign(indicator_id=ind.id, area_code=area.code, period=line.period.id)
    table = Table(
        f"{what}: number by theme and share of all",
        ("Theme", "Number", "Share of all"),
        cells,
        data,
        numeric=(False, True, True),
    )
    series = pd.Series(list(rows["value"]), index=list(rows["category"]), dtype="Float64")
    return [
        table,
        category_bars(series, label="Number", caption=what, alt=_theme_alt(about, cells)),
    ]


def _share(value: float | None, total: float | None) -> str:
    if value is None or not total:
        return ""
    return f"{format_number(100 * value / total, 0)}%"


def _theme_alt(what: str, cells: list[tuple[str, str, str]]) -> str:
    """The chart's text alternative: every theme's number, then the largest and its share."""
    themes = cells[:-1]
    listed = "; ".join(f"{theme} {number}" for theme, number, _ in themes)
    top = themes[0] if themes and themes[0][2] else None
    finding = f" The largest theme is {top[0]}, {top[2]} of all {cells[-1][1]}." if top else ""
    return f"Bar chart of {what}, by theme: {listed}.{finding}"


def against_target(view: LocalityView, lines: Sequence[Headline | None], what: str) -> Table:
    """Each line's value with last year's in brackets, its target, status and why."""
    shown = [h for h in lines if h is not None]
    rows = [
        (
            h.indicator.title,
            h.period.label,
            with_previous(h.indicator, h.value, h.previous_value),
            h.target_text,
            rag_badge(h.rag),
            h.rag.reason.capitalize(),
        )
        for h in shown
    ]
    return Table(
        f"{what}: value (last year in brackets) against its target, {view.area.name}",
        ("Measure", "Period", "Value (last year)", "Target", "Status", "Why"),
        rows,
        view.data(shown),
        numeric=(False, False, True),
    )


def survey_goals(area: Area, lines: Sequence[Headline]) -> Group:
    """Each question's share agreeing against its goal (``69%  Goal: 75.0% (-6%)``), and a
    note naming where the goals are set."""
    rows = [(h.indicator.title, _against_goal(h)) for h in lines]
    when = f" {lines[0].period.label}" if lines else ""
    table = Table(
        f"Staff survey{when}: staff agreeing with each question against its goal, {area.name}",
        ("Question", "Agreeing, against the goal"),
        rows,
        pd.DataFrame(
            [
                {
                    "indicator_id": h.indicator.id,
                    "period": h.period.id,
                    "value": h.value,
                    "goal": h.target_value,
                }
                for h in lines
            ]
        ),
        numeric=(False, True),
    )
    sources = dict.fromkeys(
        t.source for h in lines for t in [h.indicator.target_on(h.period.end)] if t and t.source
    )
    note = Markup("<p>Goal refers to target performance in {}.</p>").format(" and ".join(sources))
    return Group([table, Html(note)] if sources else [table])


def _against_goal(h: Headline) -> str:
    if h.value is None or isinstance(h.value, Suppressed) or h.target_value is None:
        return format_number(h.value)
    return goal_delta(h.value, h.target_value, decimals=h.indicator.decimals)


def performance_intro(view: LocalityView, lines: Sequence[Headline]) -> Html:
    """``Set out below is the council's performance for 2022/23 and the comparison with the
    England average. Figures for 2021/22 are given in brackets.``"""
    if not lines:
        return Html(Markup("<p>No performance measures have figures yet.</p>"))
    year = max((h.period for h in lines), key=lambda p: p.end)
    against = (
        f" and the comparison with the {view.comparator.name} average" if view.comparator else ""
    )
    return Html(
        Markup(
            "<p>Set out below is the {}'s performance for {}{}. Figures for {} are given in brackets.</p>"
        ).format(view.wording.body, year.label, against, year.year_earlier().label)
    )


def performance_table(view: LocalityView, lines: Sequence[Headline], learning: Learning) -> Table:
    """Each measure (with its note, if any): the area's value and the comparator's, each with
    last year's in brackets (``76.9% (76.8%)``)."""
    country = view.comparator
    columns = ["Measure", view.area.name, *([country.name] if country else [])]
    rows, records = [], []
    for h in lines:
        number = learning.note_number(h.indicator.id)
        title = h.indicator.title + (f" (see note {number})" if number else "")
        cells = [with_previous(h.indicator, h.value, h.previous_value)]
        records.append(_record(h, view.area.code, h.value, h.previous_value))
        if country:
            before = _earlier(view, h, country)
            cells.append(with_previous(h.indicator, h.country, before))
            records.append(_record(h, country.code, h.country, before))
        rows.append((title, *cells))
    subsection = lines[0].indicator.scorecard.subsection if lines else "Performance"
    year = max((h.period for h in lines), key=lambda p: p.end) if lines else view.period
    return Table(
        f"{subsection} measures, {' and '.join(columns[1:])}, {year.label} "
        f"({year.year_earlier().label} in brackets)",
        columns,
        rows,
        pd.DataFrame(records),
        numeric=(False, True, True),
    )


def _earlier(view: LocalityView, h: Headline, area: Area) -> float | None:
    if h.previous_period is None:
        return None
    return value_in(view.series[h.indicator.id], area.code, h.previous_period)


def _record(
    h: Headline, area: str, value: float | None, previous: float | None
) -> dict[str, object]:
    return {
        "indicator_id": h.indicator.id,
        "area_code": area,
        "period": h.period.id,
        "value": value,
        "previous_period": h.previous_period.id if h.previous_period else None,
        "previous_value": previous,
    }


def commentary(ctx: ReportContext, area: Area, lines: Sequence[Headline]) -> Section:
    """Each measure worse than the comparator (by its polarity, as published), and each the
    analysts wrote commentary for: the two figures, then the commentary or a line saying none
    is written yet (so that a measure needing it is never passed over in silence)."""
    folder = ctx.project.params / "commentary"
    parts: list[Section | Html] = []
    for h in lines:
        text = commentary_for(folder, h.period, h.indicator.id, area.code)
        behind = worse_than_comparator(h)
        if text is None and not behind:
            continue
        said = [Html(render_markdown(text, top_heading=5))] if text is not None else []
        if behind:
            said.insert(0, Html(_behind(h, area, ctx.areas.comparator)))
        if text is None:
            said.append(Html(Markup("<p>No commentary has been written for this measure yet.</p>")))
        parts.append(Section(h.indicator.title, said, level=4))
    if not parts:
        parts = [Html(Markup("<p>No measure is below the comparator or has commentary.</p>"))]
    return Section("Where improvement is needed", parts, level=3)


def _behind(h: Headline, area: Area, comparator: Area | None) -> Markup:
    """``'West Sussex: 58.9%; England: 82.3% (worse than England).'``"""
    other = comparator.name if comparator else "the comparator"
    return Markup("<p>{}: {}; {}: {} (worse than {}).</p>").format(
        area.name, describe_value(h.indicator, h.value), other,
        describe_value(h.indicator, h.country), other,
    )  # fmt: skip


def worse_than_comparator(h: Headline) -> bool:
    """Whether the measure's published value is worse than the comparator's (polarity-aware)."""
    if h.value is None or h.country is None or h.indicator.polarity == "neutral":
        return False
    mine, theirs = (round(v, h.indicator.decimals) for v in (h.value, h.country))
    return mine < theirs if h.indicator.polarity == "higher_is_better" else mine > theirs


def notes(catalogue: Catalogue, learning: Learning) -> Section:
    """The numbered notes on measures, in order."""
    items = Markup("").join(
        Markup("<li><strong>{}.</strong> {}</li>").format(catalogue[n.indicator].title, n.text)
        for n in learning.notes
    )
    body = Markup("<ol>{}</ol>").format(items) if learning.notes else Markup("<p>No notes.</p>")
    return Section("Notes", [Html(body)], level=3)
