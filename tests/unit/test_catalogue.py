"""The shipped catalogue, and the one-line errors for bad catalogue YAML."""

from __future__ import annotations

import re
from datetime import date

import pytest

from perfreport.config.catalogue import load_catalogue
from perfreport.errors import PerfreportError
from tests.helpers import GOOD_ENTRY, write_catalogue

# Integrated Performance Framework 2024, appendix 1: Core National Indicators and MSG indicators.
APPENDIX_1_CORE = [
    f"NI-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)
]
APPENDIX_1_MSG = ["MSG-1a", "MSG-2a", "MSG-3a", "MSG-4", "MSG-5a", "MSG-6"]


def test_ships_the_national_indicators_of_appendix_1(catalogue):
    assert [i.id for i in catalogue.by_set("core_suite")] == APPENDIX_1_CORE
    assert sorted(i.id for i in catalogue.by_set("msg")) == sorted(APPENDIX_1_MSG)
    assert [i.id for i in catalogue.by_set("national")] == ["DD-ADB"]  # PHS's delayed beds
    assert catalogue["NI-19"].title.startswith("Days people aged 75+ spend in hospital")
    assert catalogue["MSG-4"].title == "Delayed discharge bed days"


def test_local_kpis_cover_the_framework(catalogue):
    local = catalogue.by_set("local")
    assert len(local) >= 12
    titles = " ".join(i.title.lower() for i in local)
    for topic in ("delayed", "care at home", "carer", "20 working days", "absence", "budget"):
        assert topic in titles
    sections = {i.scorecard.section for i in catalogue}
    assert sections == {"Outcomes", "Delivery", "Management Indicators", "Stakeholders"}


def test_entries_are_fully_described(catalogue):
    for ind in catalogue:
        assert ind.unit and ind.polarity and ind.frequency and ind.source
        for target in ind.targets:
            assert target.unit == ind.unit
        assert set(ind.themes) <= set(catalogue.framework.theme_ids)
    com = catalogue["L-COM-01"]
    assert (com.unit, com.polarity, com.multiplier) == ("percent", "higher_is_better", 100.0)
    assert com.target_on(date(2025, 3, 31)).value == 80
    assert com.tolerance == 5
    assert catalogue["NI-12"].multiplier == 100_000
    assert catalogue["MSG-1a"].time_aggregation == "sum"
    assert catalogue["NI-12"].time_aggregation == "population"
    assert catalogue["L-DD-01"].time_aggregation == "last"


@pytest.mark.parametrize(
    ("edit", "line", "expected"),
    [
        (
            lambda t: t.replace("    source: test\n", "    source: test\n    colour: red\n"),
            14,
            "entry 'T-1': field 'colour': is not a known field",
        ),
        (
            lambda t: t.replace("{value: 80, unit: percent, kind: min}", "{value: 80, kind: min}"),
            10,
            "entry 'T-1': field 'target.unit': is required but missing",
        ),
        (
            lambda t: t.replace("    unit: percent\n", ""),
            2,
            "entry 'T-1': field 'unit': is required but missing",
        ),
        (
            lambda t: t.replace("unit: percent, kind", "unit: count, kind"),
            2,
            "entry 'T-1': target unit 'count' does not match the indicator's unit 'percent'",
        ),
        (
            lambda t: t.replace("subsection: Complaints and enquiries", "subsection: Finance"),
            12,
            "entry 'T-1': field 'scorecard.subsection': 'Finance' is not a sub-section of 'Stakeholders'",
        ),
        (
            lambda t: t.replace("polarity: higher_is_better", "polarity: upwards"),
            8,
            "entry 'T-1': field 'polarity': 'upwards' is not allowed",
        ),
        (
            lambda t: t.replace("kind: min", "kind: max"),
            2,
            "entry 'T-1': a 'max' target contradicts polarity 'higher_is_better'",
        ),
    ],
    ids=[
        "unknown-field",
        "missing-target-unit",
        "missing-unit",
        "target-unit-mismatch",
        "bad-subsection",
        "bad-polarity",
        "contradictory-target",
    ],
)
def test_bad_entry_is_one_line_naming_file_line_entry_and_field(project_copy, edit, line, expected):
    path = write_catalogue(project_copy, edit(GOOD_ENTRY))
    with pytest.raises(PerfreportError) as caught:
        load_catalogue(project_copy / "params" / "catalogue")
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: {expected}"), message
    assert "\n" not in message


def test_duplicate_id_names_both_files(project_copy):
    path = write_catalogue(project_copy, GOOD_ENTRY.replace("id: T-1", "id: MSG-4"))
    with pytest.raises(
        PerfreportError,
        match=re.escape(
            f"{path}:2: entry 'MSG-4': field 'id': duplicate id, already defined in "
            f"{project_copy / 'params' / 'catalogue' / 'msg.yaml'}"
        ),
    ):
        load_catalogue(project_copy / "params" / "catalogue")
