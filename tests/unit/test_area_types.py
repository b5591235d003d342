"""Area types declared in areas.yaml (their hierarchy and roles), and the cycles and catalogue
entries that name them: open vocabularies, each mistake one line naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfreport.config.area_types import DEFAULT_AREA_TYPES
from perfreport.config.areas import load_areas
from perfreport.config.cycles import load_cycles
from perfreport.errors import PerfreportError
from tests.helpers import REPO, make_indicator

TYPES = """\
area_types:
  - {id: trust, name: NHS trust, parent: icb, role: body}
  - {id: icb, name: integrated care board, parent: region}
  - {id: region, name: region, parent: england}
  - {id: england, name: country, role: comparator}
  - {id: site, name: hospital site, parent: trust, role: part}
"""
AREAS = """\
areas:
  - {code: E92000001, name: England, type: england, slug: england}
  - {code: E40000003, name: London, type: region, parent: E92000001, slug: london}
  - {code: E54000027, name: North East London ICB, type: icb, parent: E40000003, slug: nel}
  - {code: R1H, name: Barts Health, type: trust, parent: E54000027, slug: barts}
  - {code: R1H01, name: Royal London Hospital, type: site, parent: R1H, slug: royal-london}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "areas.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_declared_hierarchy_gives_each_area_its_body_parts_and_comparator(tmp_path):
    areas = load_areas(write(tmp_path, TYPES + AREAS))
    assert [t.id for t in areas.types] == ["trust", "icb", "region", "england", "site"]
    assert areas.body_of("R1H01").code == "R1H" and areas.body_of("R1H").code == "R1H"
    assert areas.body_of("E40000003").code == "E40000003"  # no body above a region
    assert [a.code for a in areas.parts_of("R1H")] == ["R1H01"]
    assert areas.comparator.code == "E92000001" and areas.country == areas.comparator
    assert areas.partnership_of("R1H01") == areas.body_of("R1H01")
    assert (
        areas.role_of("E54000027") is None and areas.type_of(areas.get("R1H")).names == "NHS trusts"
    )


def test_without_area_types_the_six_of_a_partnership_apply(areas):
    assert areas.types == DEFAULT_AREA_TYPES
    assert [(t.id, t.parent, t.role) for t in areas.types] == [
        ("partnership", None, "body"),
        ("locality", "partnership", "part"),
        ("council", "partnership", None),
        ("health_board", "country", None),
        ("comparator_group", None, None),
        ("country", None, "comparator"),
    ]
    assert areas.body_of("CS-RST").code == "S37000005" and areas.comparator.name == "Scotland"
    assert [a.code for a in areas.parts_of("S37000005")] == ["CS-CLK", "CS-RST", "CS-UST"]
    assert areas.type_of(areas.get("CS-RST")).names == "localities"
    assert load_areas(REPO / "params" / "areas.yaml").types == DEFAULT_AREA_TYPES


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "parent: icb, role: body",
            "parent: ccg, role: body",
            r"areas\.yaml:2: area type 'trust': field 'parent': unknown area type 'ccg'; declared: ",
        ),
        (
            "{id: england, name: country, role: comparator}",
            "{id: england, name: country, parent: trust, role: comparator}",
            r"areas\.yaml:2: area type 'trust': field 'parent': the hierarchy goes round in a "
            r"circle: trust → icb → region → england → trust$",
        ),
        (
            "role: comparator",
            "role: national",
            r"areas\.yaml:5: area type 'england': field 'role': 'national' is not allowed; "
            r"expected 'body', 'part' or 'comparator'",
        ),
        (
            "type: icb, parent",
            "type: ics, parent",
            r"areas\.yaml:10: area 'E54000027': field 'type': 'ics' is not a declared area type; "
            r"declared: trust, icb, region, england, site$",
        ),
        (
            "type: trust, parent: E54000027",
            "type: trust, parent: E40000003",
            r"areas\.yaml:11: area 'R1H': field 'parent': E40000003 is of type 'region'; a 'trust' "
            r"area's parent must be of type 'icb'$",
        ),
        (
            "parent: trust, role: part",
            "role: part",
            r"areas\.yaml:6: area type 'site': field 'parent': a part needs a parent type",
        ),
        (
            "{id: region, name: region",
            "{id: icb, name: region",
            r"areas\.yaml:4: area type 'icb': field 'id': duplicate id 'icb'$",
        ),
    ],
)
def test_each_mistake_in_the_hierarchy_is_one_line_naming_file_line_entry_and_field(
    tmp_path, old, new, message
):
    text = TYPES + AREAS
    assert text.count(old) == 1
    with pytest.raises(PerfreportError, match=message):
        load_areas(write(tmp_path, text.replace(old, new)))


CYCLE = """\
organisation: An NHS trust
cycles:
  - id: board_report-2
    title: Board report
    notebook: notebooks/monthly.ipynb
    period: month
    areas: {areas}
    reads: {reads}
"""


def cycles(tmp_path: Path, areas: str, reads: str = "[body]"):
    write(tmp_path, TYPES + AREAS)
    (tmp_path / "notebooks").mkdir(exist_ok=True)
    (tmp_path / "notebooks" / "monthly.ipynb").write_text("{}", encoding="utf-8")
    path = tmp_path / "cycles.yaml"
    path.write_text(CYCLE.format(areas=areas, reads=reads), encoding="utf-8")
    return load_cycles(path, tmp_path)


def test_a_cycle_id_is_any_slug_and_its_areas_are_declared_types_or_all(tmp_path):
    cycle = cycles(tmp_path, "[trust, site]").get("board_report-2")
    assert cycle.areas == ("trust", "site") and cycle.covers("site") and not cycle.covers("icb")
    every = cycles(tmp_path, "[all]").get("board_report-2")
    assert all(every.covers(t) for t in ("trust", "icb", "england"))


def test_reads_takes_roles_and_the_old_words_for_them(tmp_path):
    assert cycles(tmp_path, "[trust]", "[parts, comparator]").items[0].reads == (
        "parts",
        "comparator",
    )
    old = cycles(tmp_path, "[trust]", "[partnership, localities, country]").items[0]
    assert old.reads == ("body", "parts", "comparator")
    with pytest.raises(PerfreportError, match=r"cycles\.yaml:8: .*field 'reads\[0\]': 'icb'"):
        cycles(tmp_path, "[trust]", "[icb]")


@pytest.mark.parametrize(
    ("areas", "message"),
    [
        (
            "[trust, locality]",
            r"cycles\.yaml:7: cycle 'board_report-2': field 'areas': 'locality' "
            r"is not a declared area type; declared: england, icb, region, site, trust, or write "
            r"\[all\] for every area$",
        ),
        ("[all, trust]", r"cycles\.yaml:7: .*field 'areas': 'all' already means every area"),
    ],
)
def test_a_cycles_areas_must_be_declared_types(tmp_path, areas, message):
    with pytest.raises(PerfreportError, match=message):
        cycles(tmp_path, areas)


def test_the_framework_cycles_still_load():
    loaded = load_cycles(REPO / "params" / "cycles.yaml", REPO)
    assert loaded.get("annual").reads == ("parts", "comparator")
    assert loaded.get("locality").areas == ("partnership", "locality")
    assert loaded.get("monthly").reads == ("body", "comparator")


def test_catalogue_breakdowns_scopes_and_benchmarks_are_open():
    ind = make_indicator(breakdowns=["theme", "locality"], benchmarks=["comparator"])
    assert ind.breakdowns == ("theme", "locality") and ind.benchmarked
    assert make_indicator(benchmarks=["country"]).benchmarked
    assert not make_indicator().benchmarked
    target = {"value": 80, "unit": "percent", "kind": "min"}
    assert (
        make_indicator(target={**target, "applies_to": "partnership"}).targets[0].applies_to
        == "body"
    )
    assert make_indicator(target={**target, "applies_to": "body"}).targets[0].applies_to == "body"
    with pytest.raises(ValueError, match="breakdowns"):
        make_indicator(breakdowns=["By Theme"])


@pytest.mark.parametrize(
    ("areas", "message"),
    [
        (
            "  - {code: T1, name: Trust one, type: trust, parent: T2, slug: t1}\n"
            "  - {code: T2, name: Trust two, type: trust, parent: T1, slug: t2}\n",
            r"areas\.yaml:4: area 'T1': field 'parent': the parents go round in a circle: "
            r"T1 → T2 → T1$",
        ),
        (
            "  - {code: T3, name: Trust three, type: trust, parent: T3, slug: t3}\n",
            r"areas\.yaml:4: area 'T3': field 'parent': the parents go round in a circle: "
            r"T3 → T3$",
        ),
    ],
)
def test_parents_that_go_round_in_a_circle_are_refused(tmp_path, areas, message):
    """A loop of parents would make every walk up the hierarchy (the body an area belongs to)
    run for ever: refused when the file is read."""
    text = "area_types:\n  - {id: trust, name: NHS trust}\nareas:\n" + areas
    with pytest.raises(PerfreportError, match=message):
        load_areas(write(tmp_path, text))


@pytest.mark.parametrize(
    ("types", "message"),
    [
        (
            "  - {id: all, name: everything}\n",
            r"area type 'all': field 'id': 'all' means every area in a cycle's areas",
        ),
        (
            "  - {id: england, name: England, role: comparator}\n"
            "  - {id: scotland, name: Scotland, role: comparator}\n",
            r"area type 'scotland': field 'role': area type 'england' is the comparator already",
        ),
    ],
)
def test_an_area_type_called_all_and_a_second_comparator_are_refused(tmp_path, types, message):
    with pytest.raises(PerfreportError, match=message):
        load_areas(write(tmp_path, f"area_types:\n{types}areas: []\n"))
