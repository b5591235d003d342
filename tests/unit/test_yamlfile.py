"""Strict YAML: what YAML 1.1 would silently misread is an error naming the file and line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from perfreport.config import yamlfile
from perfreport.config.yamlfile import LOADER, read_yaml
from perfreport.errors import PerfreportError
from tests.helpers import REPO


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


# --- what a file is made of: UTF-8 text, characters YAML allows ------------------------------


def error_bytes(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "params.yaml"
    path.write_bytes(data)
    with pytest.raises(PerfreportError) as caught:
        read_yaml(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_file_not_in_utf8_names_the_line_column_and_byte(tmp_path):
    assert error_bytes(tmp_path, b"a: 1\n# caf\xe9\n") == (
        f"{tmp_path / 'params.yaml'}:2: not UTF-8 text (byte 0xe9 at column 6): save the file "
        "as UTF-8"
    )
    # the column counts characters, as an editor does, not bytes
    assert error_bytes(tmp_path, "a: 'é'\nb: 'ü".encode() + b"\xff'\n").endswith(
        "params.yaml:2: not UTF-8 text (byte 0xff at column 6): save the file as UTF-8"
    )
    assert error_bytes(tmp_path, "a: 1\n".encode("utf-16")).endswith(
        "params.yaml:1: not UTF-8 text (byte 0xff at column 1; the file is UTF-16): save the "
        "file as UTF-8"
    )


def test_a_utf8_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_yaml(path).value == {"a": 1}


@pytest.mark.parametrize("char", ["\x07", "\x00", "\x1b", "\x7f", "\x9f", "\ufffe"])
def test_a_character_yaml_forbids_names_the_line_and_column(tmp_path, char):
    message = error_bytes(tmp_path, f"a: 1\nb: x{char}y\n".encode())
    kind = "character" if char == "\ufffe" else "a control character"
    assert message == (
        f"{tmp_path / 'params.yaml'}:2: {kind} (U+{ord(char):04X}) at column 5, which YAML does "
        "not allow: delete it (an invisible character is often pasted in from another program)"
    )


def test_tabs_and_windows_line_endings_are_fine(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_bytes(b"a: 1\t# a comment after a tab\r\nb: 'x\ty'\r\n")
    assert read_yaml(path).value == {"a": 1, "b": "x\ty"}


# --- every error PyYAML raises is one line naming the file and line --------------------------

PYYAML_ERRORS = {
    "reader": ("a: 1\nb: x\x07y\n", yaml.reader.ReaderError, 2, "a control character"),
    "scanner-quote": (
        "a: 1\nb: 'not closed\n",
        yaml.scanner.ScannerError,
        3,
        "not valid YAML: found unexpected end of stream (while scanning a quoted scalar on line 2)",
    ),
    "scanner-tab": ("a:\n\tb: 1\n", yaml.scanner.ScannerError, 2, "not valid YAML: found "),
    "parser": (
        "a: 1\n- b\n",
        yaml.parser.ParserError,
        2,
        "(while parsing a block mapping on line 1)",
    ),
    "composer-alias": ("a: 1\nb: *nowhere\n", yaml.composer.ComposerError, 2, "undefined alias"),
    "composer-two-documents": (
        "a: 1\n---\nb: 2\n",
        yaml.composer.ComposerError,
        2,
        "not valid YAML: but found another document",
    ),
    "constructor-unhashable-key": (
        "a: 1\n? [1, 2]\n: x\n",
        yaml.constructor.ConstructorError,
        2,
        "not valid YAML: found unhashable key",
    ),
    "constructor-merge": (
        "a: 1\nb: {<<: 1}\n",
        yaml.constructor.ConstructorError,
        2,
        "not valid YAML: expected a mapping or list of mappings for merging",
    ),
    "constructor-unknown-tag": (
        "a: 1\nb: !thing x\n",
        yaml.constructor.ConstructorError,
        2,
        "field 'b': the tag !thing is not used in params files",
    ),
    "constructor-value-tag": (
        "a: 1\nb: =\n",
        yaml.constructor.ConstructorError,
        2,
        "field 'b': = is a YAML 1.1 special value: quote it ('=') for text",
    ),
}


@pytest.mark.parametrize(
    ("text", "raised", "line", "says"), PYYAML_ERRORS.values(), ids=PYYAML_ERRORS
)
def test_each_pyyaml_error_is_one_line_with_file_and_line(tmp_path, text, raised, line, says):
    for loader in {LOADER, yaml.SafeLoader}:  # libyaml's and PyYAML's own raise the same class
        with pytest.raises(raised):
            yaml.load(text, Loader=loader)
    message = error_bytes(tmp_path, text.encode())
    assert message.startswith(f"{tmp_path / 'params.yaml'}:{line}: "), message
    assert says in message


def test_a_reader_error_the_character_check_misses_is_still_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlfile, "_NOT_PRINTABLE", re.compile(r"(?!)"))
    message = error_bytes(tmp_path, "a: 'é'\nb: x\x07y\n".encode())
    assert message.startswith(f"{tmp_path / 'params.yaml'}:2: not valid YAML: "), message


def test_every_pyyaml_error_class_is_a_yaml_error():
    """What read_yaml catches (YAMLError, MarkedYAMLError) covers every class PyYAML raises."""
    for raised in (
        yaml.reader.ReaderError,
        yaml.scanner.ScannerError,
        yaml.parser.ParserError,
        yaml.composer.ComposerError,
        yaml.constructor.ConstructorError,
    ):
        assert issubclass(raised, yaml.YAMLError)


def test_an_unreadable_file_is_one_line(tmp_path):
    folder = tmp_path / "params.yaml"
    folder.mkdir()
    with pytest.raises(PerfreportError, match=r"params\.yaml: file not found"):
        read_yaml(folder)


# --- tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!int 'xyz'", "!!int"),  # PyYAML: ValueError
        ("a: !!bool maybe", "!!bool"),  # KeyError
        ("a: !!timestamp soon", "!!timestamp"),  # AttributeError
        ("a: !!int ''", "!!int"),  # IndexError
        ("a: !!null x", "!!null"),  # silently None
        ("a: !!int 1:99", "!!int"),  # silently 159
        ("a: !!binary aGk=", "!!binary"),
        ("a: !!set {x, y}", "!!set"),
        ("a: !!omap [{x: 1}]", "!!omap"),
        ("a: !!python/tuple [1]", "!!python/tuple"),
        ("a: !local x", "!local"),
        ("? !!float 1\n: x", "!!float"),
    ],
)
def test_a_tag_that_changes_the_type_is_refused(tmp_path, text, tag):
    message = error(tmp_path, text + "\n")
    assert "params.yaml:1: " in message
    assert f"the tag {tag} is not used in params files: write the value without it" in message


def test_a_tag_that_changes_nothing_or_makes_text_reads(tmp_path):
    assert read(tmp_path, "a: !!str 123\nb: !!int 5\nc: !!map {d: 1}\ne: !!str\n") == {
        "a": "123",
        "b": 5,
        "c": {"d": 1},
        "e": "",
    }


@pytest.mark.parametrize(
    ("text", "base", "value"),
    [("0x1A", "hexadecimal", 26), ("0b101", "binary", 5), ("-0x10", "hexadecimal", -16)],
)
def test_hexadecimal_and_binary_numbers_are_refused(tmp_path, text, base, value):
    assert error(tmp_path, f"code: {text}\n").endswith(
        f"params.yaml:1: field 'code': {text} is read as a {base} number ({value}): write "
        f"{value}, or '{text}' in quotes for text"
    )


# --- keys: compared by the value they are read as, written plainly ---------------------------


@pytest.mark.parametrize("again", ["+1", "1.0", "true", "'1'", '"1.0"', "' 1 '"])
def test_a_key_written_differently_is_still_a_duplicate(tmp_path, again):
    text = f"national_outcomes:\n  1: Live well\n  2: Independent\n  {again}: Later\n"
    shown = again.replace('"', "'")
    assert error(tmp_path, text).endswith(
        f"params.yaml:4: field 'national_outcomes.{again.strip(chr(39) + chr(34))}': duplicate "
        f"key ({shown} and 1 are the same key), already given on line 2; give each key once"
    )


def test_a_hexadecimal_key_is_refused_before_it_can_collide(tmp_path):
    text = "national_outcomes:\n  1: Live well\n  0x1: Later\n"
    assert error(tmp_path, text).endswith(
        "params.yaml:3: field 'national_outcomes': key 0x1 is read as a hexadecimal number (1): "
        "write 1, or '0x1' in quotes for text"
    )


QUOTE_IT = "in quotes for text"
KEY_IS = "a key is text or a whole number"


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("+3", f"+3 is a whole number written with a plus sign: write 3, or '+3' {QUOTE_IT}"),
        (
            "1_000",
            f"1_000 is a whole number written with underscores: write 1000, or '1_000' {QUOTE_IT}",
        ),
        (
            "3.0",
            f"3.0 is a decimal number; {KEY_IS}: write 3, or '3.0' {QUOTE_IT}",
        ),
        (
            "2.5",
            f"2.5 is a decimal number; {KEY_IS}: write '2.5' {QUOTE_IT}",
        ),
        ("true", f"true is a boolean; {KEY_IS}: write 'true' {QUOTE_IT}"),
        ("~", "~ is read as empty (null): give the key"),
        ("null", "null is read as empty (null): give the key"),
    ],
)
def test_a_key_is_text_or_a_plainly_written_whole_number(tmp_path, key, problem):
    text = f"national_outcomes:\n  5: Live well\n  {key}: Other\n"
    assert error(tmp_path, text).endswith(
        f"params.yaml:3: field 'national_outcomes': key {problem}"
    )


def test_plain_keys_of_every_kind_meant_still_read(tmp_path):
    text = "m:\n  1: a\n  -2: b\n  0: c\n  x1: d\n  '+3': e\n  2024-04-01: f\n  1.5.2: g\n"
    assert read(tmp_path, text) == {
        "m": {1: "a", -2: "b", 0: "c", "x1": "d", "+3": "e", date(2024, 4, 1): "f", "1.5.2": "g"}
    }


@pytest.mark.parametrize("levels", [yamlfile.MAX_NESTING + 2, 990, 5000])
def test_deep_nesting_is_one_line_however_deep_the_caller(tmp_path, levels):
    def called_from_deep(frames: int) -> str:
        if frames:
            return called_from_deep(frames - 1)
        return error(tmp_path, "a: " + "[" * levels + "]" * levels + "\n")

    assert "params.yaml:1: not valid YAML: " in called_from_deep(100)


def test_nesting_params_files_need_reads(tmp_path):
    levels = yamlfile.MAX_NESTING - 1
    assert read(tmp_path, "a: " + "[" * levels + "1" + "]" * levels + "\n")


def test_a_missing_key_is_refused(tmp_path):
    assert error(tmp_path, "m:\n  a: 1\n  ?\n  : x\n").endswith(
        "params.yaml:3: field 'm': key is missing: write it before the colon"
    )
