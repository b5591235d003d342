from perfreport.commentary import commentary_for, commentary_in
from perfreport.periods import parse_period
from tests.conftest import REPO

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
