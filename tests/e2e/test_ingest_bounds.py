"""Bounds: too many columns or too long a cell is refused before parsing; messages quote little."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from perfreport.store.ingest.limits import MAX_QUOTED_CHARS, quoted, quoted_list
from tests.helpers import COMPLAINTS_SPEC, run_cli

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
        "  row 3: numerator (On time) '" + "x" * 79 + "\u2026' (5,000 characters) is not a number",
        "  row 4: unknown area code '" + "A" * 79 + "\u2026' (9,000 characters)",
        "notes.csv: 3 rows read, 1 accepted, 2 quarantined, 0 filtered, 0 revised; "
        "nothing written (validate)",
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
    assert lines[0] == (
        "  row 2: duplicate of row 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 19 more (same indicator, "
        "area, period and breakdown)"
    )
    assert lines[1] == (
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


def dictionary_column(value: str, rows: int):
    """A column of ``rows`` copies of ``value``, dictionary-encoded (as Parquet stores it)."""
    import numpy as np
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, dtype=np.int32)), [value])


def write_parquet(path: Path, rows: int, **extra) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as papq

    columns = {"Month": "2025-01", "Locality": "CS-CLK", "Complaints": "12", "On time": "9"}
    table = pa.table({name: dictionary_column(v, rows) for name, v in {**columns, **extra}.items()})
    papq.write_table(table, path, compression="zstd")
    return path


def test_a_parquet_bomb_is_refused_from_its_footer_before_any_row_is_decoded(project, cli):
    """Two million rows in 40 KB: pandas took 3.6 GB; its memory beside pandas and pyarrow is
    measured by ``nox -s benchmark`` (benchmarks/ingest_hostile.py)."""
    pq = spec_with(project, "pq", "", fmt="parquet")
    path = write_parquet(project / "bomb.parquet", 2_000_000)
    assert path.stat().st_size < 100_000
    assert refused(cli, project, path, pq) == (
        "the file has 2,000,000 rows, over the 250,000 source spec 'pq' allows (max_rows; set it "
        "in the spec for a longer extract)"
    )
    roomy = spec_with(project, "roomy", "max_rows: 3000000\n", fmt="parquet")
    wider = write_parquet(project / "wider.parquet", 2_000_000, Note="", Notes="")
    assert refused(cli, project, wider, roomy) == (
        "the file has 2,000,000 rows by 6 columns, more cells than a CSV within the 10 MB limit "
        "of source spec 'roomy' can hold (max_size_mb, which bounds what a file unpacks to as well "
        "as its size)"
    )
    assert refused(cli, project, path, roomy).startswith(  # 8,000,000 cells, and their text
        "by row 750,000 the file holds over 10 MB of cells once unpacked (counted as the CSV it "
        "would be)"
    )


def test_a_parquet_cell_repeated_by_every_row_is_counted_for_every_row(project, cli):
    """One 5,000-character note, stored once in the dictionary, is 5,000 characters a row."""
    pq = spec_with(project, "pq", "max_size_mb: 0.1\n", fmt="parquet")
    path = write_parquet(project / "notes.parquet", 100, Note="n" * 5_000)
    assert refused(cli, project, path, pq).startswith(
        "by row 100 the file holds over 0.1 MB of cells once unpacked (counted as the CSV it "
        "would be), over the 0.1 MB limit of source spec 'pq' (max_size_mb)"
    )
    few = write_parquet(project / "few.parquet", 10, Note="n" * 5_000)
    result = cli("validate", pq, str(few), cwd=project)
    assert result.code == 1 and "10 rows read" in result.stdout, result.stderr


def test_parquet_column_chunks_that_unpack_too_far_are_refused_from_the_footer(project, cli):
    import pyarrow as pa
    import pyarrow.parquet as papq

    pq = spec_with(project, "pq", "max_size_mb: 0.1\n", fmt="parquet")
    rows = 2_000
    table = pa.table(
        {
            "Month": ["2025-01"] * rows,
            "Locality": ["CS-CLK"] * rows,
            "Complaints": ["12"] * rows,
            "On time": ["9" * 2_000] * rows,  # 4 MB stored plainly, compressed to a few KB
        }
    )
    papq.write_table(table, project / "plain.parquet", use_dictionary=False, compression="zstd")
    assert refused(cli, project, project / "plain.parquet", pq) == (
        "the column chunks (as the footer states) unpack to 3.9 MB, over 20 times the 0.1 MB "
        "limit of source spec 'pq' (max_size_mb): ordinary files compress far less (a zip bomb?)"
    )


def test_csv_rows_over_max_rows_are_refused_before_parsing_blank_rows_included(project, cli):
    few = spec_with(project, "few", "max_rows: 3\n")
    path = project / "four.csv"
    path.write_text(GOOD + "2025-03,CS-UST,7,7\n\n")
    assert refused(cli, project, path, few) == (
        "5: the file has more than 3 rows below the header (the next starts on line 5), over the "
        "3 source spec 'few' allows (max_rows; set it in the spec for a longer extract)"
    )
    path.write_text(GOOD + "2025-03,CS-UST,7,7\n")
    result = cli("validate", few, str(path), cwd=project)
    assert result.code == 0 and "3 rows read, 3 accepted" in result.stdout, result.stderr


def test_the_default_row_limit_follows_max_size_mb(project):
    from perfreport.store.ingest import load_spec
    from perfreport.store.ingest.spec import ROWS_PER_MB

    assert load_spec(project / "params" / "sources" / f"{SPEC}.yaml").row_limit == 250_000
    assert ROWS_PER_MB * 10 == 250_000
    big = spec_with(project, "big", "max_size_mb: 100\n")
    assert load_spec(project / "params" / "sources" / f"{big}.yaml").row_limit == 2_500_000
    set_ = spec_with(project, "set", "max_size_mb: 100\nmax_rows: 7\n")
    assert load_spec(project / "params" / "sources" / f"{set_}.yaml").row_limit == 7


def test_excel_rows_over_max_rows_are_refused_while_streaming(project, cli):
    xl = spec_with(project, "xl", "max_rows: 3\n", fmt="xlsx")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Complaints")
    sheet.append(["Month", "Locality", "Complaints", "On time"])
    for month in range(1, 5):
        sheet.append([f"2025-{month:02d}", "CS-CLK", 12, 9])
    book.save(project / "four.xlsx")
    assert refused(cli, project, project / "four.xlsx", xl) == (
        "sheet 'Complaints' has more than 3 rows below the header (row 5 is one more), over the "
        "3 source spec 'xl' allows (max_rows; set it in the spec for a longer extract)"
    )


def test_an_excel_row_far_below_the_data_counts_the_empty_rows_before_it(project, cli):
    """A cell at row 1,048,576 (the last Excel has) makes openpyxl yield a million empty rows."""
    xl = spec_with(project, "xl", "max_rows: 100\n", fmt="xlsx")
    book = Workbook()
    sheet = book.active
    sheet.title = "Complaints"
    sheet.append(["Month", "Locality", "Complaints", "On time"])
    sheet.append(["2025-01", "CS-CLK", 12, 9])
    sheet.cell(row=1_048_576, column=1, value="x")
    book.save(project / "far.xlsx")
    assert refused(cli, project, project / "far.xlsx", xl).startswith(
        "sheet 'Complaints' has more than 100 rows below the header (row 102 is one more)"
    )


def test_an_excel_zip_bomb_is_refused_from_the_zip_directory(project, cli):
    import zipfile

    xl = spec_with(project, "xl", "max_size_mb: 0.05\n", fmt="xlsx")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Complaints")
    sheet.append(["Month", "Locality", "Complaints", "On time"])
    sheet.append(["2025-01", "CS-CLK", 12, 9])
    book.save(project / "plain.xlsx")
    with (
        zipfile.ZipFile(project / "plain.xlsx") as source,
        zipfile.ZipFile(project / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 2_000_000, 1)
            bomb.writestr(item, data)
    assert (project / "bomb.xlsx").stat().st_size < 0.05 * 1024 * 1024
    assert refused(cli, project, project / "bomb.xlsx", xl).startswith(
        "the workbook's parts unpack to 1.9 MB, over 20 times the 0.05 MB limit of source spec "
        "'xl' (max_size_mb): ordinary files compress far less (a zip bomb?)"
    )


def test_excel_cells_are_counted_against_max_size_mb_as_the_csv_they_would_be(project, cli):
    xl = spec_with(project, "xl", "max_size_mb: 0.01\n", fmt="xlsx")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Complaints")
    sheet.append(["Month", "Locality", "Complaints", "On time", "Note"])
    for _ in range(20):
        sheet.append(["2025-01", "CS-CLK", 12, 9, "n" * 1_000])
    book.save(project / "notes.xlsx")
    assert refused(cli, project, project / "notes.xlsx", xl).startswith(
        "by sheet 'Complaints' row 12 the file holds over 0.01 MB of cells once unpacked"
    )
