"""``params/wording.yaml``: the words reports print that depend on the kind of organisation.

A report names its reporting body ("the partnership's annual performance report"), its
performance framework and the parts of it that reports cite (where it asks for improvement
plans, its RAG tables), the law its annual report is published under, and the national
indicator sets and their sources. These come from the project, not from the package, so that one package serves
partnerships, councils and regulators alike. Every field has a default (a Scottish health and
social care partnership's words); a project without the file gets them all.

Area names (the partnership's, Scotland's) and the names of area types (locality) come from
``params/areas.yaml``, not from here.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import read_yaml

WORDING_FILE = "wording.yaml"


class Wording(Params):
    """``params/wording.yaml``: what the reports call things (see the module docstring);
    unknown fields are refused."""

    body: str = Field("partnership", min_length=1)
    """The reporting body in a sentence, lower case: "the partnership's 4 strategic outcomes"."""
    plans_section: str = Field("section 6.4", min_length=1)
    """Where the framework asks for an improvement plan for every amber or red indicator."""
    plans_table: str = Field("table 5", min_length=1)
    """The framework's table that says what an improvement plan holds."""
    statute: str = Field("the Public Bodies (Joint Working) (Scotland) Act 2014", min_length=1)
    """The law the annual performance report is published under."""
    publisher: str = Field("integration authority", min_length=1)
    """Who the statute requires to publish the annual report: "every integration authority"."""
    framework: str = Field("Integrated Performance Framework", min_length=1)
    """The performance framework's name, as references to its sections cite it."""
    rag_tables: str = Field("tables 3 and 4", min_length=1)
    """The framework's tables of what makes an indicator green, amber or red."""
    activities_section: str = Field("section 5.6", min_length=1)
    """Where the framework says how delivery-plan activities are rated."""
    strategic_plan: str = Field("Strategic Commissioning Plan", min_length=1)
    """The plan whose objectives the annual report rates."""
    national_sets: str = Field(
        "The Scottish Government's Core Suite of Integration Indicators and the Ministerial "
        "Strategic Group (MSG) indicators",
        min_length=1,
    )
    """The national indicator sets the annual report compares with the comparator."""
    national_sources: str = Field(
        "National figures are Public Health Scotland's; survey-based indicators come from the "
        "biennial Health and Care Experience Survey.",
        min_length=1,
    )
    """Where the annual report's national figures come from (one or more sentences)."""

    @property
    def body_heading(self) -> str:
        """The body at the start of a heading: ``'Partnership'``."""
        return self.body[:1].upper() + self.body[1:]


def load_wording(params: Path) -> Wording:
    """The wording in ``params/wording.yaml`` under the ``params`` folder (defaults where the
    file or a field is absent)."""
    path = params / WORDING_FILE
    if not path.is_file():
        return Wording()
    return validate(Wording, read_yaml(path))
