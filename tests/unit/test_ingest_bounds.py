"""Bounds: too many columns or too long a cell is refused before parsing; messages quote little."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from perfreport.ingest.limits import MAX_QUOTED_CHARS, quoted, quoted_list
from tests.conftest import run_cli
from tests.unit.test_ingest_rows import COMPLAINTS_SPEC

GOOD = "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9\n2025-02,CS-RST,10,10\n"
SPEC = "council_complaints"


@pytest.fixture
def project(project_copy: Path) -> Path:
    (project_copy / "params" / "sources" / f"{SPEC}.yaml").write_text(COMPLAINTS_SPEC)
    return project_copy


def spec_with(project: Path, name: str, extra: str, fmt: str = "csv") -> str:
    (project / "params" / "sources" / f"{name}.yaml").write_text(
        COMPLAINTS_SPEC.replace(f"name: {SPEC}", f"name: {name}").replace(
            "format: csv", f"format: {fmt}"
        )
        + extra
    )
    return name


def refused(cli, project: Path, path: Path, spec: str = SPEC) -> str:
    result = cli("validate", spec, str(path), cwd=project)
    assert result.code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0].removeprefix(f"perfreport: error: {path}:").lstrip()


def test_quoted_keeps_at_most_80_characters_and_says_how_long_the_cell_was():
    assert quoted("CS-XXX") == "'CS-XXX'"
    assert quoted("x" * MAX_QUOTED_CHARS) == "'" + "x" * 80 + "'"
    assert quoted("x" * 100_000_000) == "'" + "x" * 79 + "\u2026' (100,000,000 characters)"
    assert quoted_list(["a", "b"]) == "'a', 'b'"
    assert quoted_list([f"c{i}" for i in range(25)]) == (
        ", ".join(f"'c{i}'" for i in range(20)) + " and 5 more"
    )


def test_a_million_columns_is_refused_before_parsing(project):
    """Its time and memory are measured side by side with pandas by ``nox -s benchmark``
    (benchmarks/ingest_hostile.py), not here."""
    path = project / "wide.csv"
    path.write_bytes((b"a," * 1_000_000 + b"a\n") * 5)  # 10 MB
    done = run_cli("validate", SPEC, str(path), cwd=project)
    assert done.code == 2
    assert done.stderr.strip() == (
        f"perfreport: error: {path}:1: the row starting on line 1 has 1,000,001 columns, over "
        f"the 1,000 source spec '{SPEC}' allows (max_columns); is the delimiter right, or is the "
        "extract pivoted?"
    )


def test_an_unclosed_quote_making_one_long_cell_is_refused_naming_where_it_starts(project, cli):
    tail = "".join(f"2024-{m:02d},CS-UST,7,7\n" for m in range(1, 13)) * 1000
    path = project / "quote.csv"
    path.write_text(GOOD + '2025-03,CS-UST,"7,7\n' + tail)
    assert refused(cli, project, path) == (
        "4: a cell in the row starting on line 4 is longer than the 10,000 characters source spec "
        f"'{SPEC}' allows (max_cell_chars); it runs on to line 531: an unclosed quote?"
    )


def test_a_200_kb_cell_is_refused_without_quoting_it(project, cli):
    path = project / "long.csv"
    path.write_text(GOOD + "2025-03,CS-UST,7," + "9" * 200_000 + "\n")
    message = refused(cli, project, path)
    assert message == (
        "4: a cell in the row starting on line 4 is longer than the 10,000 characters source spec "
        f"'{SPEC}' allows (max_cell_chars)"
    )


def test_cells_up_to_the_limit_pass_and_quarantine_reasons_quote_80_characters(project, cli):
    path = project / "notes.csv"
    note = "n" * 10_000
    path.write_text(
        "Month,Locality,Complaints,On time,Note\n"
        f"2025-01,CS-CLK,12,9,{note}\n"
        f"2025-02,CS-CLK,12,{'x' * 5000},short\n"
        f"2025-03,{'A' * 9000},12,9,short\n"
    )
    result = cli("validate", SPEC, str(path), cwd=project)
    assert result.code == 1, result.stderr
    assert result.stdout.splitlines() == [
        "notes.csv: 3 rows read, 1 accepted, 2 quarantined",
        "  row 3: numerator (On time) '" + "x" * 79 + "\u2026' (5,000 characters) is not a number",
        "  row 4: unknown area code '" + "A" * 79 + "\u2026' (9,000 characters)",
    ]


def test_the_limits_are_set_in_the_source_spec(project, cli):
    narrow = spec_with(project, "narrow", "max_columns: 4\n")
    path = project / "five.csv"
    path.write_text("Month,Locality,Complaints,On time,Note\n2025-01,CS-CLK,12,9,x\n")
    assert refused(cli, project, path, narrow) == (
        "1: the row starting on line 1 has 5 columns, over the 4 source spec 'narrow' allows "
        "(max_columns); is the delimiter right, or is the extract pivoted?"
    )
    short = spec_with(project, "short", "max_cell_chars: 9\n")
    path.write_text(GOOD)
    assert refused(cli, project, path, short) == (
        "1: a cell in the row starting on line 1 is longer than the 9 characters source spec "
        "'short' allows (max_cell_chars)"
    )
    roomy = spec_with(project, "roomy", "max_columns: 5\nmax_cell_chars: 10\n")
    path.write_text("Month,Locality,Complaints,On time,Note\n2025-01,CS-CLK,12,9,x\n")
    result = cli("validate", roomy, str(path), cwd=project)
    assert result.code == 0 and "1 accepted" in result.stdout, result.stderr


def test_a_missing_column_message_lists_20_names_each_cut_to_80_characters(project, cli):
    names = [f"{i:03d}" + "c" * 300 for i in range(600)]
    path = project / "many.csv"
    path.write_text(",".join(["Month", "Locality", "Complaints", *names]) + "\n1,2,3" + ",4" * 600)
    message = refused(cli, project, path)
    assert message.startswith(
        f"missing column 'On time' needed by source spec '{SPEC}'; the file has 'Month', "
        "'Locality', 'Complaints', '000" + "c" * 76 + "\u2026' (303 characters), '001"
    )
    assert message.endswith("(303 characters) and 583 more")
    assert len(message) < 20 * 110


def test_a_file_of_one_row_repeated_names_at_most_10_other_rows_per_duplicate(project, cli):
    path = project / "repeated.csv"
    path.write_text("Month,Locality,Complaints,On time\n" + "2025-01,CS-CLK,12,9\n" * 30)
    result = cli("validate", SPEC, str(path), cwd=project)
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines[1] == (
        "  row 2: duplicate of row 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 19 more (same indicator, "
        "area, period and breakdown)"
    )
    assert lines[2] == (
        "  row 3: duplicate of row 2, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 19 more (same indicator, "
        "area, period and breakdown)"
    )


def test_excel_rows_wider_than_the_limit_and_long_cells_are_refused(project, cli):
    xl = spec_with(project, "xl", "", fmt="xlsx")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Complaints")
    sheet.append(["Month", "Locality", "Complaints", "On time", *range(997)])
    book.save(project / "wide.xlsx")
    assert refused(cli, project, project / "wide.xlsx", xl) == (
        "sheet 'Complaints' row 1 (to column ALM) has 1,001 columns, over the 1,000 source spec "
        "'xl' allows (max_columns); is the delimiter right, or is the extract pivoted?"
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Complaints")
    sheet.append(["Month", "Locality", "Complaints", "On time"])
    sheet.append(["2025-01", "CS-CLK", 12, "9" * 20_000])
    book.save(project / "long.xlsx")
    assert refused(cli, project, project / "long.xlsx", xl) == (
        "sheet 'Complaints' cell D2 (20,000 characters) is longer than the 10,000 characters "
        "source spec 'xl' allows (max_cell_chars)"
    )


def test_excel_empty_cells_at_the_end_of_a_row_do_not_count(project, cli):
    xl = spec_with(project, "xl", "max_columns: 4\n", fmt="xlsx")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Complaints")
    sheet.append(["Month", "Locality", "Complaints", "On time", None, None])
    sheet.append(["2025-01", "CS-CLK", 12, 9, None, ""])
    book.save(project / "trailing.xlsx")
    result = cli("validate", xl, str(project / "trailing.xlsx"), cwd=project)
    assert result.code == 0 and "1 accepted" in result.stdout, result.stderr


def test_parquet_schema_wider_than_the_limit_and_long_cells_are_refused(project, cli):
    pq = spec_with(project, "pq", "", fmt="parquet")
    wide = pd.DataFrame({f"c{i}": ["1"] for i in range(1001)})
    wide.to_parquet(project / "wide.parquet")
    assert refused(cli, project, project / "wide.parquet", pq) == (
        "the schema has 1,001 columns, over the 1,000 source spec 'pq' allows (max_columns); is "
        "the delimiter right, or is the extract pivoted?"
    )
    long = pd.DataFrame(
        {
            "Month": ["2025-01", "2025-02"],
            "Locality": ["CS-CLK", "CS-CLK"],
            "Complaints": ["1", "2"],
            "On time": ["1", "x" * 20_000],
        }
    )
    long.to_parquet(project / "long.parquet")
    assert refused(cli, project, project / "long.parquet", pq) == (
        "row 2 column 'On time' (20,000 characters) is longer than the 10,000 characters source "
        "spec 'pq' allows (max_cell_chars)"
    )
