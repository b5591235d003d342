"""Strict YAML: what YAML 1.1 would silently misread is an error naming the file and line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from perfreport.errors import PerfreportError
from perfreport.yamlfile import read_yaml
from tests.conftest import REPO


def read(tmp_path: Path, text: str) -> object:
    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    return read_yaml(path).value


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(PerfreportError) as caught:
        read(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_key_given_twice_names_both_lines(tmp_path):
    text = "indicators:\n  - id: T-1\n    target: {value: 80}\n    tolerance: 5\n    target: 90\n"
    assert error(tmp_path, text) == (
        f"{tmp_path / 'params.yaml'}:5: field 'indicators[0].target': duplicate key, already "
        "given on line 3; give each key once"
    )


def test_a_key_given_twice_in_a_flow_mapping(tmp_path):
    assert re.search(
        r"params\.yaml:2: field 'plans\[0\]\.id': duplicate key, already given on line 2",
        error(tmp_path, "plans:\n  - {id: A, id: B}\n"),
    )


@pytest.mark.parametrize(
    ("text", "written", "write"),
    [
        ("0100", "0100", "100"),
        ("010", "010", "10"),
        ("007.5", "007.5", "7.5"),
        ("-08", "-08", "-8"),
    ],
)
def test_a_number_with_a_leading_zero_says_what_to_write(tmp_path, text, written, write):
    message = error(tmp_path, f"target:\n  value: {text}\n")
    assert message == (
        f"{tmp_path / 'params.yaml'}:2: field 'target.value': {written} is a number with a "
        f"leading zero (YAML 1.1 reads 0100 as octal, 64): write {write}, or '{written}' in "
        "quotes for text"
    )


@pytest.mark.parametrize("word", ["yes", "No", "ON", "off", "y", "N", "YES"])
def test_yaml_1_1_booleans_are_refused(tmp_path, word):
    message = error(tmp_path, f"plans:\n  - new_risk: {word}\n")
    assert message.endswith(
        f"params.yaml:2: field 'plans[0].new_risk': {word} is a YAML 1.1 boolean (yes, no, on, "
        f"off, y, n): write true or false, or quote it ('{word}') for text"
    )


def test_a_boolean_key_is_refused_too(tmp_path):
    assert "params.yaml:2: field 'a': key on is a YAML 1.1 boolean" in error(
        tmp_path, "a:\n  on: 1\n"
    )


def test_a_base_60_number_and_an_impossible_date_are_refused(tmp_path):
    assert "field 'at': 1:30 is read as a base-60 number (90): quote it ('1:30')" in error(
        tmp_path, "at: 1:30\n"
    )
    assert error(tmp_path, "x: 1\ndue: 2025-13-01\n").endswith(
        "params.yaml:2: field 'due': 2025-13-01 is not a date (month must be in 1..12); "
        "write dates as YYYY-MM-DD"
    )


def test_what_is_meant_still_reads(tmp_path):
    value = read(
        tmp_path,
        "a: [0, 0.5, -0.25, 100, 1.0e+3, true, false, 'yes', \"0100\", n/a, 2025-03-31]\n"
        "b: &base {c: 1}\n"
        "d: {<<: *base, c: 2}\n"
        "text: |\n  yes\n",
    )
    assert value == {
        "a": [0, 0.5, -0.25, 100, 1000.0, True, False, "yes", "0100", "n/a", date(2025, 3, 31)],
        "b": {"c": 1},
        "d": {"c": 2},
        "text": "yes\n",
    }


def test_every_shipped_params_file_is_strict_yaml():
    files = sorted((REPO / "params").rglob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        read_yaml(path)
