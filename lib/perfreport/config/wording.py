"""``params/wording.yaml``: the words reports print that depend on the kind of organisation.

A report names its reporting body ("the partnership's annual performance report"), the part of
the performance framework that asks for improvement plans, and the law its annual report is
published under. These come from the project, not from the package, so that one package serves
partnerships, councils and regulators alike. Every field has a default (a Scottish health and
social care partnership's words); a project without the file gets them all.

Area names (the partnership's, Scotland's) come from ``params/areas.yaml``, not from here.
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
