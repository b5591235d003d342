"""params/wording.yaml: the words reports print for the kind of organisation, typed and strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfreport.config.wording import Wording, load_wording
from perfreport.errors import PerfreportError


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
