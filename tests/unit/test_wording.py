"""params/wording.yaml: the words reports print for the kind of organisation, typed and strict."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from perfreport.config.areas import load_areas
from perfreport.config.wording import Wording, load_wording
from perfreport.errors import PerfreportError
from perfreport.reports.narrative import NARRATIVE, narrative, words


def test_without_the_file_reports_use_a_partnerships_words(tmp_path: Path) -> None:
    wording = load_wording(tmp_path)
    assert wording == Wording()
    assert (wording.body, wording.body_heading) == ("partnership", "Partnership")
    assert wording.plans_section == "section 6.4" and wording.plans_table == "table 5"
    assert wording.statute == "the Public Bodies (Joint Working) (Scotland) Act 2014"


def test_the_demo_file_says_what_the_defaults_say() -> None:
    params = Path(__file__).resolve().parents[2] / "params"
    assert load_wording(params) == Wording()


def test_a_field_given_changes_only_that_field(tmp_path: Path) -> None:
    (tmp_path / "wording.yaml").write_text("body: council\n", encoding="utf-8")
    wording = load_wording(tmp_path)
    assert (wording.body, wording.body_heading) == ("council", "Council")
    assert wording.plans_section == "section 6.4"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("boddy: council\n", r"wording\.yaml:1: .*boddy"),
        ("body: ''\n", r"wording\.yaml:1: .*body"),
    ],
)
def test_a_misspelt_or_empty_field_is_an_error_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "wording.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(PerfreportError, match=message):
        load_wording(tmp_path)


TRUST_WORDING = """\
body: trust
plans_section: section 4
plans_table: table 2
statute: the National Health Service Act 2006
publisher: NHS foundation trust
framework: NHS Oversight Framework
rag_tables: table 3
activities_section: section 5
strategic_plan: Trust Strategy
national_sets: NHS England's oversight metrics
national_sources: National figures are NHS England's.
"""
TRUST_AREAS = """\
area_types:
  - {id: trust, name: NHS trust, parent: icb, role: body}
  - {id: site, name: hospital site, parent: trust, role: part}
  - {id: icb, name: integrated care board, parent: england}
  - {id: england, name: country, role: comparator}
areas:
  - {code: E92000001, name: England, type: england, slug: england}
  - {code: QMF, name: North East London ICB, type: icb, parent: E92000001, slug: nel}
  - {code: R1H, name: Barts Health, type: trust, parent: QMF, slug: barts}
  - {code: R1H12, name: Royal London Hospital, type: site, parent: R1H, slug: royal-london}
"""
SCOTTISH = re.compile(
    r"partnership|Scotland|Scottish|Integrated Performance|integration|Commissioning|locality"
    r"|localities|section 6\.4|tables 3 and 4",
    re.I,
)


def test_a_trusts_reports_say_trust_and_england_and_nothing_of_a_partnership(tmp_path):
    (tmp_path / "wording.yaml").write_text(TRUST_WORDING, encoding="utf-8")
    (tmp_path / "areas.yaml").write_text(TRUST_AREAS, encoding="utf-8")
    areas = load_areas(tmp_path / "areas.yaml")
    text = []
    for code in ("R1H", "R1H12"):
        values = words(load_wording(tmp_path), areas, areas.get(code))
        for cycle, paragraphs in NARRATIVE.items():
            text += [str(narrative(cycle, key, values).markup) for key in paragraphs]
    page = "\n".join(text)
    assert not SCOTTISH.search(page), SCOTTISH.search(page)
    assert "<h2>Comparison with the trust and England</h2>" in page
    assert "<h2>Comparison with England</h2>" in page
    assert "<h2>National indicators against England</h2>" in page
    assert "NHS England's oversight metrics, for the trust and for England" in page
    assert "<h2>Hospital sites</h2>" in page and "the trust reports by hospital site." in page
    assert "The National Health Service Act 2006 requires every NHS foundation trust" in page
    assert "Targets are the trust's (NHS Oversight Framework, section 4)" in page


def test_the_default_wording_is_a_partnerships_word_for_word(areas):
    values = words(Wording(), areas, areas.get("CS-RST"))
    locality = str(narrative("locality", "about", values).markup)
    assert (
        "Targets are the partnership's (Integrated Performance Framework, section 6.4); count "
        "targets apply to the partnership as a whole, not to each locality.</p>"
    ) in locality
    comparison = str(narrative("locality", "comparison", values).markup)
    assert comparison.startswith("<h2>Comparison with the partnership and Scotland</h2>\n<p>")
    assert str(narrative("quarterly", "comparison", values).markup).startswith(
        "<h2>Comparison with Scotland</h2>"
    )
    assert "<h2>Localities</h2>" in str(narrative("annual", "localities", values).markup)


def test_an_unknown_paragraph_is_one_line_naming_the_known_ones(areas):
    with pytest.raises(
        PerfreportError, match=r"no paragraph 'sumary' .* known: comparison, about$"
    ):
        narrative("locality", "sumary", words(Wording(), areas, areas.get("CS-RST")))


def test_the_notebooks_markdown_names_no_organisation():
    for path in sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                found = re.search(r"partnership|Scotland|Integrated Performance", cell.source)
                assert found is None, (path.name, cell.source)
