import pytest

from perfreport.errors import PerfreportError
from perfreport.methods.periods import parse_period
from perfreport.present.commentary import (
    check_commentary,
    commentary_for,
    commentary_in,
    render_markdown,
)
from tests.helpers import REPO

FOLDER = REPO / "params" / "commentary"
Q4 = parse_period("2024-25-Q4")


def test_area_commentary_is_preferred_then_the_partnerships():
    assert commentary_for(FOLDER, Q4, "L-ENG-01", "CS-RST").startswith(
        "Rural Stirling's feedback fell"
    )
    assert commentary_for(FOLDER, Q4, "MSG-4", "CS-RST").startswith(
        "Delayed discharge bed days remain"
    )
    assert commentary_for(FOLDER, Q4, "NI-1") is None
    assert commentary_for(FOLDER, parse_period("2024-25-Q3"), "MSG-4") is None


def test_every_demo_commentary_names_a_catalogue_indicator(catalogue, areas):
    found = commentary_in(FOLDER, Q4)
    assert set(found) == {"MSG-4", "L-COM-01", "L-ENG-01@CS-RST"}
    for name in found:
        indicator, _, area = name.partition("@")
        assert indicator in catalogue and (not area or area in areas)


HOSTILE = """# Why it changed

Delays rose in **January**; see [the plan](https://example.org/plan) and [notes](../notes.html).

- a <script>document.title = 'owned'</script>list item
- [click me](javascript:alert(1)) and [this](JaVaScRiPt:alert(2)) and [data](data:text/html,hi)

<img src=x onerror="alert(3)"> <b onmouseover="alert(4)" style="color:red">bold</b>
<iframe src="https://example.org"></iframe><style>body{display:none}</style>

| Month | Delays |
|---|---:|
| January | 52 |
"""


def test_commentary_keeps_structure_and_drops_everything_that_runs():
    html = str(render_markdown(HOSTILE, top_heading=4))
    for gone in ("<script", "owned", "onerror", "onmouseover", "javascript:", "data:", "alert(",
                 "<img", "<iframe", "<style", "display:none", "style="):  # fmt: skip
        assert gone not in html.lower(), gone
    assert "<h4>Why it changed</h4>" in html
    assert '<a href="https://example.org/plan" rel="noopener noreferrer">the plan</a>' in html
    assert '<a href="../notes.html"' in html
    assert "<li>a list item</li>" in html
    assert '<a rel="noopener noreferrer">click me</a>' in html  # the text stays, the link goes
    assert "<b>bold</b>" in html
    assert '<th scope="col">Month</th>' in html and "<td>January</td>" in html


def test_headings_move_down_but_never_below_h6():
    html = str(render_markdown("# One\n\n##### Five\n\n<h2>Two</h2>", top_heading=3))
    assert "<h3>One</h3>" in html and "<h6>Five</h6>" in html and "<h4>Two</h4>" in html


def test_check_commentary_counts_the_demo_files_and_names_a_misplaced_one(
    tmp_path, catalogue, areas
):
    assert check_commentary(FOLDER, catalogue, areas) == sum(
        1 for p in FOLDER.glob("*/*.md") if not p.name.startswith(".")
    )
    (tmp_path / "2024-25-Q4").mkdir()
    (tmp_path / "2024-25-Q4" / "NOPE.md").write_text("x", encoding="utf-8")
    with pytest.raises(PerfreportError, match="'NOPE', which is not in the indicator catalogue"):
        check_commentary(tmp_path, catalogue, areas)
    (tmp_path / "2024-25-Q4" / "NOPE.md").unlink()
    (tmp_path / "Q4").mkdir()
    with pytest.raises(PerfreportError, match="folder name 'Q4' is not a period id"):
        check_commentary(tmp_path, catalogue, areas)
