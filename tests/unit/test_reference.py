"""docs/reference.md is what the models that validate params generate: the docs cannot drift."""

from __future__ import annotations

import importlib
import inspect
import re
import typing

from pydantic import BaseModel

from perfreport.build.reference import SECTIONS, Section, readable, reference
from perfreport.build.reference_notes import NOTES
from perfreport.config.catalogue import Indicator
from perfreport.store.ingest.spec import SourceSpec
from tests.helpers import README, REPO

REFERENCE = REPO / "docs" / "reference.md"


def test_docs_reference_is_what_the_models_generate():
    assert REFERENCE.read_text(encoding="utf-8") == reference(), (
        "docs/reference.md is out of date: python -m perfreport.build.reference > docs/reference.md"
    )


def rows(text: str, model: str) -> dict[str, list[str]]:
    """The table of ``### model``: each key's type, default and description cells."""
    block = text.split(f"\n### {model}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    found = {}
    for line in block.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if cells and cells[0].startswith("`"):
            found[cells[0].strip("`")] = cells[1:]
    return found


def test_every_field_of_a_source_spec_and_an_indicator_is_there_by_its_yaml_name():
    text = reference()
    spec, indicator = rows(text, "SourceSpec"), rows(text, "Indicator")
    assert set(spec) == {f.alias or n for n, f in SourceSpec.model_fields.items()}
    assert set(indicator) == {f.alias or n for n, f in Indicator.model_fields.items()}
    assert spec["format"][:2] == ["one of: `csv`, `xlsx`, `parquet`", "**required**"]
    assert spec["max_size_mb"][:2] == ["number, above 0", "`10`"]
    assert spec["complete_extract"][1] == "`false`"
    assert indicator["decimals"][:2] == ["whole number, at least 0, at most 4", "`1`"]
    assert "in" in rows(text, "Filter")  # the YAML key, not the Python name in_
    assert rows(text, "Target")["kind"][0] == "one of: `min`, `max`, `band`"


def test_the_keys_the_issue_found_undocumented_are_described():
    """`in:` filters, complete_extract, aggregation, decimals and band targets (issue 14)."""
    text = reference()
    for model, key, words in (
        ("Filter", "in", "Keep only rows"),
        ("SourceSpec", "complete_extract", "complete data"),
        ("Indicator", "aggregation", "`sum` adds counts"),
        ("Indicator", "decimals", "Decimal places"),
        ("Target", "kind", "`band`: between `value` and `upper`"),
        ("DemoSettings", "extracts", "ingested as they are"),
    ):
        assert words in rows(text, model)[key][2], (model, key)


def test_a_field_docstring_wins_over_a_note_and_every_note_names_a_field():
    text = reference()
    assert rows(text, "SourceSpec")["max_columns"][2].startswith("Refuse a file with a row")
    models = {model.__name__: model for section in SECTIONS for model in _section_models(section)}
    for key in NOTES:
        model, field = key.split(".")
        assert field in models[model].model_fields, key


def _section_models(section: Section) -> list[type[BaseModel]]:
    return [
        value
        for name in section.modules
        for value in vars(importlib.import_module(name)).values()
        if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == name
    ]


def test_types_read_as_words():
    assert readable(typing.Literal["sum", "mean"]) == "one of: `sum`, `mean`"
    assert readable(dict[str, int]) == "mapping of text to whole number"
    assert readable(float | dict[str, str] | None) == "number or mapping of text to text"


def test_the_readme_links_the_reference():
    assert "(docs/reference.md)" in README
