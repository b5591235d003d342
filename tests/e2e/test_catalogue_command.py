"""`perfreport check` on catalogues: one line and exit status 2 for a mistake, 0 for the shipped project."""

from __future__ import annotations

import re

import pytest

from tests.helpers import GOOD_ENTRY, run_cli, write_catalogue


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace("    source: test\n", "    source: test\n    colour: red\n"),
            r"zz_test\.yaml:14: entry 'T-1': field 'colour': is not a known field",
        ),
        (
            lambda t: t.replace("{value: 80, unit: percent, kind: min}", "{value: 80, kind: min}"),
            r"zz_test\.yaml:10: entry 'T-1': field 'target\.unit': is required but missing",
        ),
        (
            lambda t: t.replace("id: T-1", "id: NI-2"),
            r"zz_test\.yaml:2: entry 'NI-2': field 'id': duplicate id",
        ),
        (
            lambda t: t.replace("  - id: T-1\n", "  - id: T-1\n    title: [oops\n"),
            r"zz_test\.yaml:\d+: not valid YAML",
        ),
        (
            lambda t: t.replace("    tolerance: 5\n", "    tolerance: 5\n    tolerance: 3\n"),
            r"zz_test\.yaml:12: field 'indicators\[0\]\.tolerance': duplicate key, already "
            r"given on line 11; give each key once$",
        ),
        (
            lambda t: t.replace("{value: 80,", "{value: 0100,"),
            r"zz_test\.yaml:10: field 'indicators\[0\]\.target\.value': 0100 is a number with a "
            r"leading zero \(YAML 1\.1 reads 0100 as octal, 64\): write 100, or '0100' in quotes "
            r"for text$",
        ),
        (
            lambda t: t.replace("tolerance: 5", "tolerance: 010"),
            r"zz_test\.yaml:11: field 'indicators\[0\]\.tolerance': 010 is a number with a "
            r"leading zero .*: write 10, or '010' in quotes for text$",
        ),
    ],
    ids=[
        "unknown-field",
        "missing-target-unit",
        "duplicate-id",
        "broken-yaml",
        "duplicate-key",
        "leading-zero-target",
        "leading-zero-tolerance",
    ],
)
def test_command_line_exits_2_with_one_line_and_no_traceback(project_copy, edit, expected):
    write_catalogue(project_copy, edit(GOOD_ENTRY))
    result = run_cli("check", cwd=project_copy)
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.match(r"^perfreport: error: .*" + expected, lines[0]), lines[0]
    assert "Traceback" not in result.stderr


def test_check_passes_on_the_shipped_project(project_copy):
    result = run_cli("check", cwd=project_copy)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == (
        "ok: params/ checked: 42 indicators, 19 areas, 6 cycles, RAG settings (mdc SPC rules), "
        "wording (partnership), 4 improvement plans, 10 activities, 5 objectives, 4 strategic outcomes, "
        "3 commentary files, 2 source specs"
    )
