"""Whole-file problems: one line naming the file and the fix, exit status 2, warehouse unchanged."""

from __future__ import annotations

import codecs
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import Workbook

from tests.helpers import COMPLAINTS_SPEC, run_cli

GOOD = "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9\n2025-02,CS-RST,10,10\n"


@pytest.fixture
def project(project_copy: Path, cli) -> Path:
    """A project whose warehouse already holds one good load."""
    (project_copy / "params" / "sources" / "council_complaints.yaml").write_text(COMPLAINTS_SPEC)
    good = project_copy / "good.csv"
    good.write_text(GOOD)
    result = cli("ingest", "council_complaints", str(good), cwd=project_copy)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(
        "good.csv: 2 rows read, 2 accepted, 0 quarantined, 0 filtered, 0 revised; load 1"
    )
    return project_copy


def state(project: Path) -> tuple:
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("observations", "loads", "quarantine", "revisions")
        )


@pytest.fixture
def refused(cli):
    return lambda project, path, *extra, spec="council_complaints": _refused(
        cli, project, path, *extra, spec=spec
    )


def _refused(cli, project: Path, path: Path, *extra: str, spec: str) -> str:
    before = state(project)
    result = cli("ingest", spec, str(path), *extra, cwd=project)
    assert result.code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert state(project) == before
    assert lines[0].startswith(f"perfreport: error: {path}:")
    return lines[0].removeprefix(f"perfreport: error: {path}:").lstrip()


def write(project: Path, name: str, data: bytes | str) -> Path:
    path = project / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_missing_and_renamed_columns_are_named(project, refused, cli):
    path = write(project, "renamed.csv", "Month,Locality,Complaints,On Time\n2025-01,CS-CLK,12,9\n")
    assert refused(project, path) == (
        "missing column 'On time' (renamed 'On Time'?) needed by source spec 'council_complaints'; "
        "the file has 'Month', 'Locality', 'Complaints', 'On Time'"
    )
    path = write(project, "missing.csv", "Month,Locality,Complaints\n2025-01,CS-CLK,12\n")
    assert refused(project, path).startswith("missing column 'On time' needed by source spec")


def test_empty_file_and_header_only(project, refused, cli):
    assert refused(project, write(project, "empty.csv", b"")) == "file is empty"
    assert refused(
        project, write(project, "header.csv", "Month,Locality,Complaints,On time\n")
    ) == ("file has a header row but no data rows")


def test_wrong_delimiter(project, refused, cli):
    path = write(project, "semi.csv", GOOD.replace(",", ";"))
    assert refused(project, path) == (
        "1: the header is one column but holds semicolons: the file looks delimited by semicolons, "
        "not the commas source spec 'council_complaints' says (delimiter)"
    )


def test_windows_1252_and_byte_order_mark_are_read(project, refused, cli):
    cp1252 = (
        "Month,Locality,Complaints,On time,Note\n2025-03,CS-CLK,12,9,caf\u00e9 \u2013 \u00a3\n"
    ).encode("cp1252")
    result = cli(
        "ingest", "council_complaints", str(write(project, "excel.csv", cp1252)), cwd=project
    )
    assert result.code == 0 and "1 accepted" in result.stdout, result.stderr
    bom = ("\ufeff" + GOOD.replace("2025-01", "2024-11").replace("2025-02", "2024-12")).encode(
        "utf-8"
    )
    result = cli("ingest", "council_complaints", str(write(project, "bom.csv", bom)), cwd=project)
    assert result.code == 0 and "2 accepted" in result.stdout, result.stderr
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        encodings = con.execute(
            "SELECT source_file, encoding FROM loads ORDER BY load_id"
        ).fetchall()
    assert encodings == [("good.csv", "utf-8"), ("excel.csv", "cp1252"), ("bom.csv", "utf-8")]


def test_undecodable_and_binary_files(project, refused, cli):
    bad = b"Month,Locality,Complaints,On time\n2025-01,CS-\x81\x8d,\xff\xfe,1\n"
    message = refused(project, write(project, "bad.csv", bad))
    assert message.startswith(
        "cannot decode the file as utf-8 (byte 0x81 at offset 45), utf-8-sig (byte 0x81"
    )
    assert "cp1252 (byte 0x81 at offset 45); save it as UTF-8" in message
    utf16 = write(project, "utf16.csv", GOOD.encode("utf-16"))
    assert refused(project, utf16).startswith(
        "file is not text (it holds NUL bytes; UTF-16 or binary?)"
    )


def test_file_over_the_size_limit(project, refused, cli):
    (project / "params" / "sources" / "tiny.yaml").write_text(
        COMPLAINTS_SPEC.replace("name: council_complaints", "name: tiny") + "max_size_mb: 0.00001\n"
    )
    assert refused(project, write(project, "big.csv", GOOD), spec="tiny") == (
        "file is 0.0 MB, over the 1e-05 MB limit of source spec 'tiny' (max_size_mb)"
    )


XLSX_SPEC = COMPLAINTS_SPEC.replace("name: council_complaints", "name: xl").replace(
    "format: csv", "format: xlsx"
)


def workbook(path: Path, merged: bool) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Complaints"
    if merged:
        sheet.append(["When and where", None, "Counts", None])
        sheet.merge_cells("A1:B1")
        sheet.merge_cells("C1:D1")
    sheet.append(["Month", "Locality", "Complaints", "On time"])
    sheet.append(["2025-01", "CS-CLK", 12, 9])
    book.save(path)
    return path


def test_excel_merged_header_needs_an_explicit_header_row(project, refused, cli):
    (project / "params" / "sources" / "xl.yaml").write_text(XLSX_SPEC)
    path = workbook(project / "merged.xlsx", merged=True)
    assert refused(project, path, spec="xl") == (
        "sheet 'Complaints' has merged header cells A1:B1 (a multi-row header); set header_row in "
        "source spec 'xl' to the one row that names every column, below the merged cells"
    )
    (project / "params" / "sources" / "xl.yaml").write_text(XLSX_SPEC + "header_row: 2\n")
    result = cli("ingest", "xl", str(path), cwd=project)
    assert result.code == 0 and "1 rows read, 1 accepted" in result.stdout, result.stderr


def test_excel_without_merges_and_parquet(project, refused, cli):
    (project / "params" / "sources" / "xl.yaml").write_text(XLSX_SPEC)
    result = cli("ingest", "xl", str(workbook(project / "plain.xlsx", merged=False)), cwd=project)
    assert result.code == 0 and "1 accepted" in result.stdout, result.stderr
    (project / "params" / "sources" / "pq.yaml").write_text(
        COMPLAINTS_SPEC.replace("name: council_complaints", "name: pq").replace(
            "format: csv", "format: parquet"
        )
    )
    frame = pd.DataFrame(
        {"Month": ["2024-10"], "Locality": ["CS-UST"], "Complaints": [7], "On time": [7]}
    )
    frame.to_parquet(project / "extract.parquet")
    result = cli("ingest", "pq", str(project / "extract.parquet"), cwd=project)
    assert result.code == 0 and "1 accepted" in result.stdout, result.stderr


def test_bad_spec_and_unknown_spec_are_one_line(project, refused, cli):
    (project / "params" / "sources" / "broken.yaml").write_text(
        COMPLAINTS_SPEC.replace("format: csv", "format: json")
    )
    result = cli("validate", "broken", "good.csv", cwd=project)
    assert result.code == 2
    assert (
        "broken.yaml:2: source spec 'broken': field 'format': 'json' is not allowed"
        in result.stderr
    )
    result = cli("ingest", "nosuch", "good.csv", cwd=project)
    assert result.code == 2 and "source spec 'nosuch' not found; known specs:" in result.stderr


def test_validate_is_a_dry_run_with_status_1_when_rows_would_be_quarantined(project, refused, cli):
    before = state(project)
    path = write(
        project,
        "mixed.csv",
        "Month,Locality,Complaints,On time\n2025-03,CS-CLK,5,9\n2025-03,CS-UST,5,4\n",
    )
    result = cli("validate", "council_complaints", str(path), cwd=project)
    assert result.code == 1
    assert result.stdout.splitlines() == [
        "  row 2: numerator 9 is greater than denominator 5",
        "mixed.csv: 2 rows read, 1 accepted, 1 quarantined, 0 filtered, 0 revised; "
        "nothing written (validate)",
    ]
    assert state(project) == before


def test_excel_header_with_an_empty_cell_is_a_multi_row_header(project, refused, cli):
    (project / "params" / "sources" / "xl.yaml").write_text(XLSX_SPEC)
    book = Workbook()
    sheet = book.active
    sheet.title = "Complaints"
    sheet.append(["Month", None, "Complaints", "On time"])
    sheet.append([None, "Locality", None, None])
    sheet.append(["2025-01", "CS-CLK", 12, 9])
    book.save(project / "two_rows.xlsx")
    assert refused(project, project / "two_rows.xlsx", spec="xl") == (
        "sheet 'Complaints' header row 1 has an empty cell at B1 (a multi-row header?); set "
        "header_row in source spec 'xl' to the row that names every column"
    )


HEADER = "Month,Locality,Complaints,On time,Note\n"


def test_a_file_mixing_utf8_and_windows_1252_is_refused_at_its_first_odd_line(project, refused):
    mixed = (
        HEADER.encode()
        + "2025-03,CS-CLK,12,9,Caf\u00e9\n".encode("utf-8")
        + b"2025-03,CS-RST,10,8,plain\n"
        + "2025-03,CS-UST,7,7,Caf\u00e9\n".encode("cp1252")
    )
    assert refused(project, write(project, "mixed.csv", mixed)) == (
        "4: the file mixes encodings: line 4 is not UTF-8 (byte 0xe9 at column 23) but 1 other "
        "line with accents (the first is line 2) is UTF-8; save the whole file in one "
        "encoding, UTF-8"
    )


def test_mostly_windows_1252_with_one_utf8_line_names_the_utf8_line(project, refused):
    mixed = (
        HEADER.encode()
        + "2025-03,CS-CLK,12,9,Caf\u00e9\n".encode("cp1252")
        + "2025-03,CS-RST,10,8,na\u00efve\n".encode("cp1252")
        + "2025-03,CS-UST,7,7,\u00a3 5\n".encode("utf-8")
    )
    assert refused(project, write(project, "mostly1252.csv", mixed)) == (
        "4: the file mixes encodings: line 4 is UTF-8 ('\u00a3' written as bytes c2 a3) but 2 other "
        "lines with accents (the first is line 2) are not (Windows-1252?); save the whole file "
        "in one encoding, UTF-8"
    )


def test_a_byte_order_mark_then_windows_1252_is_refused(project, refused):
    data = codecs.BOM_UTF8 + (HEADER + "2025-03,CS-CLK,12,9,Caf\u00e9\n").encode("cp1252")
    assert refused(project, write(project, "bom1252.csv", data)) == (
        "2: the file starts with a UTF-8 byte-order mark but line 2 is not UTF-8 (byte 0xe9 at "
        "column 24; Windows-1252?): the file mixes encodings; save the whole file in one "
        "encoding, UTF-8"
    )


def test_a_utf8_file_under_a_spec_saying_windows_1252_is_refused_not_garbled(project, refused):
    (project / "params" / "sources" / "ansi.yaml").write_text(
        COMPLAINTS_SPEC.replace("name: council_complaints", "name: ansi") + "encoding: cp1252\n"
    )
    utf8 = (HEADER + "2025-03,CS-CLK,12,9,Caf\u00e9\n").encode("utf-8")
    assert refused(project, write(project, "utf8.csv", utf8), spec="ansi") == (
        "2: the file is UTF-8, not the cp1252 source spec 'ansi' says (encoding): line 2 has "
        "'\u00e9' written as bytes c3 a9, which cp1252 would read as '\u00c3\u00a9'; set encoding: "
        "utf-8 in the spec, or save the file as cp1252"
    )
    bom = codecs.BOM_UTF8 + GOOD.encode()
    assert refused(project, write(project, "bom.csv", bom), spec="ansi").startswith(
        "1: the file is UTF-8, not the cp1252 source spec 'ansi' says (encoding): it starts with "
        "a UTF-8 byte-order mark;"
    )


def test_a_spec_saying_windows_1252_reads_windows_1252_and_ascii(project, refused, cli):
    (project / "params" / "sources" / "ansi.yaml").write_text(
        COMPLAINTS_SPEC.replace("name: council_complaints", "name: ansi") + "encoding: cp1252\n"
    )
    data = (HEADER + "2025-04,CS-CLK,12,9,Caf\u00e9 \u2013 \u00a3\n").encode("cp1252")
    result = cli("ingest", "ansi", str(write(project, "ansi.csv", data)), cwd=project)
    assert result.code == 0 and "1 accepted" in result.stdout, result.stderr
    ascii_only = GOOD.replace("2025-0", "2024-0")
    result = cli("ingest", "ansi", str(write(project, "ascii.csv", ascii_only)), cwd=project)
    assert result.code == 0 and "2 accepted" in result.stdout, result.stderr
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT encoding FROM loads ORDER BY load_id").fetchall() == [
            ("utf-8",),
            ("cp1252",),
            ("cp1252",),
        ]


def test_mixed_encodings_exit_2_through_the_command(project):
    mixed = (
        HEADER.encode()
        + "2025-03,CS-CLK,12,9,Caf\u00e9\n".encode("utf-8")
        + "2025-03,CS-UST,7,7,Caf\u00e9\n".encode("cp1252")
    )
    path = write(project, "mixed.csv", mixed)
    result = run_cli("validate", "council_complaints", str(path), cwd=project)
    assert result.code == 2
    assert result.stderr.startswith(f"perfreport: error: {path}:3: the file mixes encodings")
    assert result.stdout == ""


PARQUET_SPEC = COMPLAINTS_SPEC.replace("name: council_complaints", "name: pq").replace(
    "format: csv", "format: parquet"
)


def test_a_file_that_is_not_an_xlsx_workbook_is_one_line(project, refused):
    (project / "params" / "sources" / "xl.yaml").write_text(XLSX_SPEC)
    assert refused(project, write(project, "f.xlsx", b"not a zip"), spec="xl") == (
        "not an Excel .xlsx workbook (an old .xls? save it as .xlsx)"
    )
    old = write(project, "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert refused(project, old, spec="xl") == (
        "not an Excel .xlsx workbook but an Excel 97-2003 .xls or a password-protected "
        "workbook; save it as .xlsx without a password"
    )
    import zipfile

    with zipfile.ZipFile(project / "parts.xlsx", "w") as archive:  # a zip, but not a workbook
        archive.writestr("readme.txt", "hello")
    assert refused(project, project / "parts.xlsx", spec="xl").startswith(
        "not a readable .xlsx workbook (KeyError: "
    )
    good = workbook(project / "good.xlsx", merged=False)
    cut = write(project, "cut.xlsx", good.read_bytes()[: good.stat().st_size // 2])
    assert refused(project, cut, spec="xl") == (
        "not an Excel .xlsx workbook (an old .xls? save it as .xlsx)"
    )


def test_a_broken_sheet_xml_is_one_line(project, refused):
    import zipfile

    (project / "params" / "sources" / "xl.yaml").write_text(XLSX_SPEC)
    good = workbook(project / "good.xlsx", merged=False)
    with (
        zipfile.ZipFile(good) as source,
        zipfile.ZipFile(project / "broken.xlsx", "w") as broken,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"</sheetData>", b"<row><c><v>1</v>")
            broken.writestr(item, data)
    assert refused(project, project / "broken.xlsx", spec="xl").startswith(
        "not a readable .xlsx workbook ("
    )


def test_merged_cells_below_the_header_or_namespaced_are_read_from_the_sheet_xml(
    project, refused, cli
):
    import zipfile

    (project / "params" / "sources" / "xl.yaml").write_text(XLSX_SPEC)
    book = Workbook()
    sheet = book.active
    sheet.title = "Complaints"
    sheet.append(["Month", "Locality", "Complaints", "On time"])
    sheet.append(["2025-01", "CS-CLK", 12, 9])
    sheet.append(["2025-02", "CS-CLK", 12, 9])
    sheet.merge_cells("A3:A4")  # in the data: not a header problem
    book.save(project / "body.xlsx")
    result = cli("validate", "xl", str(project / "body.xlsx"), cwd=project)
    assert result.code == 0 and "2 rows read, 2 accepted" in result.stdout, result.stderr
    merged = workbook(project / "merged.xlsx", merged=True)
    with (
        zipfile.ZipFile(merged) as source,
        zipfile.ZipFile(project / "prefixed.xlsx", "w") as prefixed,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b'<mergeCell ref="C1:D1"', b'<x:mergeCell ref="C1:D1"')
            prefixed.writestr(item, data)
    assert refused(project, project / "prefixed.xlsx", spec="xl").startswith(
        "sheet 'Complaints' has merged header cells A1:B1 (a multi-row header)"
    )


def test_a_parquet_column_of_bytes_that_are_not_utf8_is_one_line(project, refused, cli):
    (project / "params" / "sources" / "pq.yaml").write_text(PARQUET_SPEC)
    frame = pd.DataFrame(
        {
            "Month": ["2025-01", "2025-02"],
            "Locality": ["CS-CLK", "CS-CLK"],
            "Complaints": ["12", "3"],
            "On time": [b"9", b"\xff\xfe"],
        }
    )
    frame.to_parquet(project / "bytes.parquet")
    assert refused(project, project / "bytes.parquet", spec="pq") == (
        "row 2 column 'On time' holds bytes that are not UTF-8 text (byte 0xff at position 1); "
        "write it as a UTF-8 string column"
    )
    frame.assign(**{"On time": [b"9", b"3"]}).to_parquet(project / "utf8.parquet")
    result = cli("validate", "pq", str(project / "utf8.parquet"), cwd=project)
    assert result.code == 0 and "2 accepted" in result.stdout, result.stderr


def test_a_file_that_is_not_parquet_or_is_cut_short_is_one_line(project, refused):
    (project / "params" / "sources" / "pq.yaml").write_text(PARQUET_SPEC)
    assert refused(project, write(project, "f.parquet", GOOD), spec="pq").startswith(
        "not a readable Parquet file (ArrowInvalid: "
    )
    frame = pd.DataFrame({"Month": ["2025-01"] * 1000, "Locality": ["CS-CLK"] * 1000})
    frame.assign(Complaints="1", **{"On time": "1"}).to_parquet(project / "whole.parquet")
    data = (project / "whole.parquet").read_bytes()
    cut = write(project, "cut.parquet", data[:100] + data[len(data) // 2 :])
    assert refused(project, cut, spec="pq").startswith("not a readable Parquet file (")


def test_a_csv_row_with_a_trailing_comma_is_refused_naming_its_line_and_field_count(
    project, refused
):
    """pandas would take the first column as the index and shift every other one."""
    path = write(project, "trailing.csv", GOOD + "2025-03,CS-UST,7,7,\n")
    assert refused(project, path) == (
        "4: the row starting on line 4 has 5 fields; the header (line 1) has 4: a trailing "
        "comma, or a comma inside a cell that is not quoted? every row needs the header's 4 "
        "fields"
    )
    first = write(project, "first.csv", "Month,Locality,Complaints,On time\n2025-01,CS-CLK,12,9,\n")
    assert refused(project, first).startswith("2: the row starting on line 2 has 5 fields")
    short = write(project, "short.csv", GOOD + "2025-03,CS-UST,7\n")
    assert refused(project, short) == (
        "4: the row starting on line 4 has 3 fields; the header (line 1) has 4: a row cut short, "
        "or a missing delimiter? every row needs the header's 4 fields"
    )


def test_field_counts_are_checked_below_the_header_only_and_blank_lines_pass(project, cli):
    (project / "params" / "sources" / "titled.yaml").write_text(
        COMPLAINTS_SPEC.replace("name: council_complaints", "name: titled") + "header_row: 3\n"
    )
    path = write(project, "titled.csv", "Complaints by month\n\n" + GOOD + "\n,,,\n")
    result = cli("validate", "titled", str(path), cwd=project)
    assert result.code == 0 and "2 rows read, 2 accepted" in result.stdout, result.stderr
    quoted_comma = write(project, "quoted.csv", GOOD + '2025-03,"CS, UST",7,"7"\n')
    result = cli("validate", "council_complaints", str(quoted_comma), cwd=project)
    assert result.code == 1, result.stderr
    assert result.stdout.splitlines()[0] == "  row 4: unknown area code 'CS, UST'"
