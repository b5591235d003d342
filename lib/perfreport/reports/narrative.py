"""The notebooks' narrative that depends on the organisation, written once, worded by the project.

A markdown cell cannot hold a variable, so a sentence that names the reporting body, the
comparator, the framework or the kind of part an area is ("Comparison with the partnership and
Scotland", "Targets are the partnership's (Integrated Performance Framework, section 6.4)")
is here, and a notebook shows it with ``report.narrative("comparison")``. The words come from
``params/wording.yaml`` (:class:`~perfreport.config.wording.Wording`) and the names from
``params/areas.yaml``; with the defaults the text is a Scottish partnership's.
"""

from __future__ import annotations

from collections.abc import Mapping

from perfreport.config.areas import Area, Areas
from perfreport.config.wording import Wording
from perfreport.errors import PerfreportError
from perfreport.present.commentary import render_markdown
from perfreport.present.tables import Html

COMPARED = (
    "Rates and percentages can be compared between areas of different size; counts cannot, so "
    "their difference is not shown."
)
QUARTER_ROLL_UP = (
    "Monthly indicators are combined into the quarter: counts are added, percentages and rates "
    "are recalculated from the quarter's numerators and denominators, and snapshot measures take "
    "the last month. Annual and biennial indicators show their latest published year."
)
ROUNDED = "Figures are rounded half away from zero"

NARRATIVE: Mapping[str, Mapping[str, str]] = {
    "annual": {
        "glance": "Each indicator's latest value is compared with the {body}'s target: "
        "**green** meets it, **amber** misses it by no more than the indicator's tolerance, "
        "**red** misses it by more.",
        "national": "## National indicators{against_comparator}\n\n{national_sets}, for the "
        "{body}{and_for_comparator}, over the last six years.",
        "objectives": "Each objective of the {strategic_plan} is rated from the indicators and "
        "activities linked to it.",
        "localities": "## {Parts}\n\nThe latest value of each indicator the {body} reports by "
        "{part}.",
        "delivery": "Activities in the {body}'s delivery plans, rated by progress against the "
        "time elapsed ({framework}, {activities_section}).",
        "about": "{Statute} requires every {publisher} to publish an annual performance report. "
        "{national_sources} Monthly indicators are added up, or recalculated from their "
        "numerators and denominators, over the financial year. Calendar-year indicators are "
        f"shown in the financial year in which the calendar year ends. {ROUNDED}.",
    },
    "locality": {
        "comparison": f"## Comparison with {{against}}\n\n{COMPARED}",
        "about": f"{QUARTER_ROLL_UP} {ROUNDED}, as official statistics are. Targets are the "
        "{body}'s ({framework}, {plans_section}); count targets apply to the {body} as a whole, "
        "not to each {part}.",
    },
    "monthly": {
        "exceptions": "An indicator is an exception when it is **red**, when its SPC chart shows "
        "**special cause of concern** this month, or when the improvement plan the framework "
        "requires is missing, past its review date, or past its date for being back to green "
        "({framework}, {plans_section}).",
        "measures": "Status follows the framework's rules ({rag_tables}): green has no risk, "
        "amber has a risk mitigated by an improvement plan, red has a risk that is not. The "
        "trend is the direction over the last twelve months where it is statistically "
        "significant.",
        "about": "Values are the {body}'s monthly figures as loaded into the warehouse. SPC "
        "charts use NHS England's Making Data Count rules: a point outside the process limits, "
        "a run of seven on one side of the mean, seven rising or falling, or two of three near a "
        f"limit. {ROUNDED}.",
    },
    "quarterly": {
        "summary": "Status follows the {framework} ({rag_tables}). **Green**: no risk. "
        "**Amber**: a risk (performance not managed, no improvement, or something unexpected) "
        "mitigated by a current performance improvement plan. **Red**: a risk that is not "
        "mitigated.",
        "comparison": f"## Comparison{{with_comparator}}\n\n{COMPARED}",
        "about": f"{QUARTER_ROLL_UP} Commentary is written by the {{body}}'s analysts and "
        f"reviewed before publication. {ROUNDED}, as official statistics are.",
    },
    "scorecard": {
        "overview": "How many indicators in each section and sub-section are green, amber or "
        "red under the framework's rules ({rag_tables}), have no target, or have no data. "
        "Sub-sections with no indicator yet are listed so that gaps in measurement show.",
        "about": "Each indicator shows its latest value up to the end of the financial year, "
        "with the previous year's value in brackets, as the {body}'s other reports do. "
        f"{ROUNDED}.",
    },
    "strategic": {
        "about": "Indicator measures show their latest value up to the end of the half year, "
        "compared with the {body}'s target. Project updates are written by project leads and "
        f"listed by their operational-plan reference. {ROUNDED}.",
    },
}
"""Each cycle's organisation-dependent paragraphs (Markdown; ``##`` is a section heading)."""


def words(wording: Wording, areas: Areas, area: Area) -> dict[str, str]:
    """What the narrative's ``{placeholders}`` stand for, for a report on ``area``."""
    body = areas.body_of(area.code)
    comparator = areas.comparator
    part_types = [areas.type_of(a) for a in areas.parts_of(body.code)] or [
        t for t in areas.types if t.role == "part"
    ]
    part, parts = (part_types[0].name, part_types[0].names) if part_types else ("part", "parts")
    name = comparator.name if comparator else ""
    return {
        **{field: str(value) for field, value in wording.model_dump().items()},
        "Statute": _capital(wording.statute),
        "part": part,
        "Parts": _capital(parts),
        "against": f"the {wording.body}" + (f" and {name}" if name else ""),
        "against_comparator": f" against {name}" if name else "",
        "and_for_comparator": f" and for {name}" if name else "",
        "with_comparator": f" with {name}" if name else "",
    }


def narrative(cycle: str, key: str, values: Mapping[str, str]) -> Html:
    """The paragraph ``key`` of ``cycle``'s narrative, worded with ``values`` (:func:`words`)."""
    text = NARRATIVE.get(cycle, {}).get(key)
    if text is None:
        known = ", ".join(NARRATIVE.get(cycle, {})) or "none"
        raise PerfreportError(
            f"report.narrative: no paragraph {key!r} for cycle {cycle!r}; known: {known}"
        )
    return Html(render_markdown(text.format_map(values), top_heading=1))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
