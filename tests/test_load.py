"""Loading: every cell stays the string that was typed; bad input gets one clear message."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import xlwt
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dedupe_kit import InputError, candidates, compare, load, normalize, profile, run
from dedupe_kit._perf import is_filled
from dedupe_kit.export import export, line_ending
from dedupe_kit.load import _SPACE_FIRST_BYTES, DELIMITERS, _filled, _read_csv_arrow, _read_csv_text
from dedupe_kit.merge import merge
from dedupe_kit.preflight import check_import

TRAPS = ["02134", "+33 6 12 34 56 78", "NA", "None", "null", "N/A", "nan", "", " padded ", "0044123", "TRUE", "1e5"]


def write_csv(path: Path, rows: list[list[str]], *, encoding="utf-8", delimiter=",", bom=False) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


# --- lossless round trip ------------------------------------------------------------------------

cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff") | st.sampled_from("\n\r\t"),
    max_size=12,
) | st.sampled_from(TRAPS)
header_name = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"), min_size=1, max_size=10
).filter(lambda s: s.strip())


@st.composite
def tables(draw):
    header = draw(st.lists(header_name, min_size=1, max_size=5, unique=True))
    rows = draw(st.lists(st.lists(cell_text, min_size=len(header), max_size=len(header)), max_size=8))
    return header, rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=tables(), delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_any_table_of_strings_loads_back_cell_for_cell(tmp_path, table, delimiter, encoding):
    header, rows = table
    assume(not header[0].lstrip().startswith("<"))  # a file that starts with a tag may be a web page
    path = write_csv(tmp_path / "t.csv", [header, *rows], encoding=encoding, delimiter=delimiter)
    assume(not _reads_as_json(path, encoding))  # a file of one cell "{}" is JSON, and load says so
    contacts = load(path, delimiter=delimiter)
    assert contacts.columns == header
    assert contacts.frame.to_numpy().tolist() == rows
    assert list(contacts.frame.index) == list(range(len(rows)))
    assert contacts.frame.index.name == "source_row"


def _reads_as_json(path: Path, encoding: str) -> bool:
    with open(path, encoding=encoding, newline="") as file:
        text = file.read()
    if not text.lstrip().startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=tables().filter(lambda t: len(t[0]) >= 2),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_the_delimiter_is_detected(tmp_path, table, delimiter):
    header, rows = table
    others = set(",;\t|") - {delimiter}
    if any(ch in others for row in [header, *rows] for cell in row for ch in cell):
        return  # a stray other delimiter in a cell makes the file ambiguous to any reader
    path = write_csv(tmp_path / "t.csv", [header, *rows], delimiter=delimiter)
    assume(not _reads_as_json(path, "utf-8"))  # "[1,2]": JSON, which load refuses as such
    contacts = load(path)
    assert contacts.delimiter == delimiter
    assert contacts.frame.to_numpy().tolist() == rows


def test_identifier_traps_survive(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Contact ID", "Zip", "Last Name"], ["007", "02134", "None"], ["NA", "+1", "null"]])
    frame = load(path).frame
    assert frame.to_numpy().tolist() == [["007", "02134", "None"], ["NA", "+1", "null"]]
    assert all(type(v) is str for v in frame.to_numpy().ravel())


@pytest.mark.parametrize(
    "encoding, bom", [("utf-8", False), ("utf-8", True), ("utf-16", False), ("cp1252", False), ("utf-16-le", False)]
)
def test_exports_encodings_are_detected(tmp_path, encoding, bom):
    rows = [["Prénom", "Nom", "Ville"], ["François", "Lefèvre", "Orléans"], ["Zoë", "Müller", "Besançon"],
            ["Hélène", "Gaëlle’s", "Montréal – Nord"]]
    if encoding == "utf-16-le":  # UTF-16 without a BOM
        rows = rows[:3]
    contacts = load(write_csv(tmp_path / "t.csv", rows, encoding=encoding, bom=bom))
    assert contacts.frame.to_numpy().tolist() == rows[1:]
    assert contacts.columns == rows[0]


def test_a_cyrillic_windows_export_is_detected(tmp_path):
    # RetailCRM's and other Russian exports opened and saved in Excel are Windows-1251, with ";".
    rows = [["ID", "Фамилия", "Имя", "Телефон"], ["101", "Иванова", "Мария", "8 916 123 45 67"],
            ["102", "Петров", "Сергей", "+7 903 555-12-34"]]
    contacts = load(write_csv(tmp_path / "t.csv", rows, encoding="cp1251", delimiter=";"))
    assert (contacts.encoding, contacts.columns, contacts.frame.to_numpy().tolist()) == ("cp1251", rows[0], rows[1:])


def test_quoted_newlines_and_crlf_are_kept(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b'Name,Notes\r\nAnn,"line one\r\nline two"\r\nBob,"a, b"\r\n')
    contacts = load(path)
    assert contacts.frame["Notes"].tolist() == ["line one\r\nline two", "a, b"]
    assert contacts.lines.tolist() == [2, 4]


def _written(rows: list[list[str]], delimiter: str, line_end: str) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return buffer.getvalue()


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet='ab",;\t|\r\n ', max_size=40) | tables().map(lambda t: _written([t[0], *t[1]], ",", "\r\n")),
       delimiter=st.sampled_from(DELIMITERS))
def test_arrow_reads_the_cells_and_lines_the_csv_module_reads(text, delimiter):
    fast = _read_csv_arrow(text, delimiter)
    if fast is None:  # Arrow declined: the csv module reads the file
        return
    header, frame, lines, filled = fast
    expected_header, expected, expected_lines, left_out, header_line = _read_csv_text(text, delimiter, Path("t.csv"))
    assert (left_out, header_line) == (([], []), 1)  # Arrow reads no file with rows of another length
    assert header == expected_header and list(frame.columns) == list(expected.columns)
    assert frame.to_numpy().tolist() == expected.to_numpy().tolist()
    assert lines.tolist() == expected_lines.tolist()
    if len(set(header)) == len(header):  # `load` refuses a header with a name twice, before it looks at these
        assert {name: cells.tolist() for name, cells in filled.items()} == {
            name: is_filled(frame[name]).tolist() for name in header}


def test_arrow_tells_blank_cells_as_str_isspace_does():
    spaces = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000 and chr(c).isspace()]
    assert sorted({c.encode()[0] for c in spaces}) == np.flatnonzero(_SPACE_FIRST_BYTES).tolist()
    cells = ["", " ", "x", " x", "\u00a0", "\u00a0é", "é", "\u3000\u2003\t", "\u200b", "\u2029 y", "\x1c", "ñ "] + spaces
    column = pa.chunked_array([cells[:5], [], cells[5:]])  # several chunks, one empty
    assert _filled(column).tolist() == is_filled(np.array(cells, dtype=object)).tolist()
    assert _filled(column.slice(3)).tolist() == is_filled(np.array(cells[3:], dtype=object)).tolist()


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_arrow_reads_exports_with_quoted_line_breaks(line_end):
    rows = [["ID", "Notes", "Phone"], ["007", "one\r\ntwo\nthree", "+33 6"], ["NA", 'say "hi", ok', ""],
            ["", "", "None"], ["9", "last\rline, here", "x"]]
    for text in (_written(rows, ",", line_end), _written(rows, ",", line_end).rstrip(line_end)):
        header, frame, lines, _ = _read_csv_arrow(text, ",")
        assert header == rows[0] and frame.to_numpy().tolist() == rows[1:]
        assert lines.tolist() == [2, 5, 6, 7] == _read_csv_text(text, ",", Path("t.csv"))[2].tolist()
    assert _read_csv_arrow("A,B\n1,2\n\n3,4\n", ",") is None  # a blank line: Arrow would lose count of lines
    assert _read_csv_arrow("A,B\n1,2\n3\n", ",") is None  # a ragged row: the csv module names it
    assert _read_csv_arrow('"A\nB",C\n1,2\n', ",") is None  # a header over two lines


def test_arrow_reads_the_header_from_the_text_s_start_and_the_bytes_given():
    text = "ID,Notes\n" + "".join(f'{i:07d},"note {i},\nnext line"\n' for i in range(60_000))  # 1.7 MB
    header, frame, lines, _ = _read_csv_arrow(text, ",", text.encode("utf-8"))
    assert header == ["ID", "Notes"] and frame.iloc[-1].tolist() == ["0059999", "note 59999,\nnext line"]
    assert lines.tolist() == _read_csv_text(text, ",", Path("t.csv"))[2].tolist()
    wide = "A," + "B" * (1 << 17) + "\n1,2\n"  # a header over 64 KB: the csv module reads the file
    assert _read_csv_arrow(wide, ",") is None and _read_csv_text(wide, ",", Path("t.csv"))[0] == ["A", "B" * (1 << 17)]


def test_header_only_is_zero_contacts(tmp_path):
    contacts = load(write_csv(tmp_path / "t.csv", [["First Name", "Email"]]))
    assert len(contacts) == 0
    assert contacts.columns == ["First Name", "Email"]
    assert contacts.field_map.emails == ("Email",)


def test_blank_lines_between_rows_are_skipped_and_lines_counted(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("A,B\n1,2\n\n3,4\n")
    contacts = load(path)
    assert contacts.frame.to_numpy().tolist() == [["1", "2"], ["3", "4"]]
    assert contacts.lines.tolist() == [2, 4]
    assert contacts.where(1, "B") == f"{path}, line 4 (row 1), column 'B'"


def test_the_input_file_is_never_modified(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Email"], ["a@b.co"]])
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    load(path)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


# --- workbooks -----------------------------------------------------------------------------------


def test_xlsx_first_sheet_or_named_sheet(tmp_path):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Contacts"
    first.append(["Contact ID", "Zip", "Score", "Joined", "Active", "Notes"])
    first.append(["00042", "02134", 3.0, dt.datetime(2024, 5, 1), True, None])
    first.append(["NA", 2134, 2.5, dt.date(2023, 1, 2), False, "None"])
    first.append([12345678901234567890, 1e16, 0.1 + 0.2, None, None, -0.0])  # numbers as Excel shows them
    other = book.create_sheet("Other")
    other.append(["Email"])
    other.append(["x@y.co"])
    path = tmp_path / "book.xlsx"
    book.save(path)

    contacts = load(path)
    assert contacts.frame.to_numpy().tolist() == [
        ["00042", "02134", "3", "2024-05-01", "TRUE", ""],
        ["NA", "2134", "2.5", "2023-01-02", "FALSE", "None"],
        ["12345678901234600000", "10000000000000000", "0.3", "", "", "0"],  # 15 digits, not the double's 21
    ]
    assert contacts.lines.tolist() == [2, 3, 4]
    assert load(path, sheet="Other").frame["Email"].tolist() == ["x@y.co"]
    with pytest.raises(InputError, match=r"no sheet named 'Nope'; the sheets are 'Contacts', 'Other'"):
        load(path, sheet="Nope")
    text = tmp_path / "contacts.csv"
    text.write_text("First Name,Email\nAnn,a@x.co\n")
    with pytest.raises(InputError, match=r"contacts.csv: is a text file, not a workbook: it has no sheet 'Other'"):
        load(text, sheet="Other")  # not ignored
    with pytest.raises(InputError, match=r"book.xlsx: is an Excel workbook, not a text file: it has no encoding "
                                         r"'cp1252' nor delimiter ';' \(its cells are read as Excel shows them\)"):
        load(path, encoding="cp1252", delimiter=";")  # nor these
    with pytest.raises(InputError, match=r"not a text file: it has no delimiter ';' \("):
        load(path, delimiter=";")


def test_a_hidden_sheet_is_not_the_one_read_by_default(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Code", "Meaning"])  # a lookup table, hidden, first in the workbook
    book.active.sheet_state = "hidden"
    book.create_sheet("Contacts").append(["Contact ID", "Email"])
    book["Contacts"].append(["C1", "ann@example.com"])
    book.active = 1
    book.save(path := tmp_path / "export.xlsx")
    assert load(path).frame.columns.tolist() == ["Contact ID", "Email"]
    assert load(path, sheet="Sheet").frame.columns.tolist() == ["Code", "Meaning"]  # when asked for


def test_an_empty_sheet_is_named_with_the_sheets_to_pick_instead(tmp_path):
    book = openpyxl.Workbook()  # its first sheet, 'Sheet', left empty
    book.create_sheet("Contacts").append(["Contact ID", "Email"])
    book.save(path := tmp_path / "export.xlsx")
    with pytest.raises(InputError, match=r"export\.xlsx: sheet 'Sheet' is empty; pick the contacts' sheet with --sheet "
                                         r"\(sheet= in Python\): 'Contacts'$"):
        load(path)
    del book["Contacts"]
    book.save(path)
    with pytest.raises(InputError, match=r"export\.xlsx: sheet 'Sheet' is empty; export the contacts with their"):
        load(path)


def test_a_cover_sheet_without_rows_is_named_with_the_sheets_to_pick_instead(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active["A1"] = "Contacts as of May"  # a cover sheet before the contacts' sheet: a cell alone
    book.create_sheet("Contacts").append(["Contact ID", "Email"])
    book["Contacts"].append(["C1", "ann@example.com"])
    book.save(path := tmp_path / "export.xlsx")
    with pytest.raises(InputError, match=r"export\.xlsx: sheet 'Cover' has a header but no rows; pick the contacts' "
                                         r"sheet with --sheet \(sheet= in Python\): 'Contacts'$"):
        load(path)
    assert load(path, sheet="Contacts").frame["Email"].tolist() == ["ann@example.com"]
    del book["Contacts"]
    book.save(path)
    assert load(path).frame.columns.tolist() == ["Contacts as of May"]  # no other sheet: a header alone, as in a CSV


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_numbers_in_a_format_of_digits_keep_the_leading_zeros_excel_shows(tmp_path, suffix):
    rows = [["Contact ID", "Zip", "Phone", "SSN", "Score"], [42, 2134, 4155550123, 12345678, 2.5],
            ["00043", 1234567, None, "n/a", 7]]
    codes = ["000000", "00000", "000-000-0000", "000\\-00\\-0000", "00000"]
    path = tmp_path / f"export{suffix}"
    if suffix == ".xlsx":
        book = openpyxl.Workbook()
        book.active.append(["Other"])
        sheet = book.create_sheet("Contacts")  # not the first sheet: its own cells' formats
        for r, row in enumerate(rows, start=1):
            sheet.append(row)
            for column, code in zip("ABCDE", codes):
                sheet[f"{column}{r}"].number_format = code if r > 1 else "General"
        book.save(path)
    else:  # Excel 97: a lone number is an RK record, numbers side by side one MULRK, a large one a NUMBER
        book = xlwt.Workbook()
        book.add_sheet("Other").write(0, 0, "Other")
        sheet = book.add_sheet("Contacts")
        for r, row in enumerate(rows):
            for c, (value, code) in enumerate(zip(row, codes)):
                sheet.write(r, c, value, xlwt.easyxf(num_format_str=code) if r else xlwt.Style.default_style)
        book.save(path)
    assert load(path, sheet="Contacts").frame.to_numpy().tolist() == [
        ["000042", "02134", "415-555-0123", "012-34-5678", "2.5"],
        ["00043", "1234567", "", "n/a", "00007"],  # a text as typed; more digits than the format's, all shown
    ]


def test_xlsx_formulas_without_a_saved_value_are_named_as_lost(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Other"])
    sheet = book.create_sheet("Contacts")
    sheet.append(["Contact ID", "First Name", "Last Name", "Email", "Full Name"])
    sheet.append(["C1", "Ann", "Smith", "ann@example.com", '=B2&" "&C2'])  # openpyxl computes no formula
    sheet.append(["C2", "Ann", "Smith", '=LOWER("ANN@EXAMPLE.COM")', "=1+1"])
    sheet.append(["C3", "Bob", "Jones", "bob@example.com", '=IF(A4="","",A4)'])
    book.save(path := tmp_path / "export.xlsx")
    with zipfile.ZipFile(path) as zipped:
        parts = {name: zipped.read(name) for name in zipped.namelist()}
    sheet_xml = "xl/worksheets/sheet2.xml"
    blank_result = b'<c r="E4" t="str"><f>IF(A4="","",A4)</f><v></v>'  # as Excel saves a formula's result ""
    parts[sheet_xml] = (parts[sheet_xml].replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")  # saved, as Excel does
                        .replace(b'<c r="E4"><f>IF(A4="","",A4)</f><v />', blank_result))
    with zipfile.ZipFile(path, "w") as zipped:
        for name, part in parts.items():
            zipped.writestr(name, part)
    contacts = load(path, sheet="Contacts")
    assert contacts.frame.to_numpy().tolist() == [["C1", "Ann", "Smith", "ann@example.com", ""],
                                                  ["C2", "Ann", "Smith", "", "2"],
                                                  ["C3", "Bob", "Jones", "bob@example.com", ""]]
    assert contacts.formula_note == (
        f"{path}: sheet 'Contacts': 2 cells hold a formula without a saved value (the program that wrote the workbook "
        "did not compute it), read as blank: row 2, column E ('Full Name'); row 3, column D ('Email'); open the "
        "workbook in Excel or LibreOffice and save it, so that the values are saved, and load it again")
    assert contacts.formula_note in str(profile(contacts))
    assert f"warning: {contacts.formula_note}" in run(contacts, progress=False).summary()
    assert load(path, sheet="Sheet").formula_note is None


def test_an_opendocument_workbook_is_read_by_calamine_too(tmp_path):
    cells = [[f'<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>'
              for cell in row] for row in (["Contact ID", "Email"], ["C1", "ann@example.com"])]
    table = "".join(f"<table:table-row>{''.join(row)}</table:table-row>" for row in cells)
    kind = "application/vnd.oasis.opendocument.spreadsheet"
    with zipfile.ZipFile(path := tmp_path / "export.ods", "w") as book:  # as LibreOffice saves it, in short
        book.writestr("mimetype", kind)
        book.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                      f'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="{kind}"/>'
                      "</manifest:manifest>")
        book.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
                      'office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:'
                      f'names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table '
                      f'table:name="Contacts">{table}</table:table></office:spreadsheet></office:body>'
                      "</office:document-content>")
    assert load(path).frame.to_numpy().tolist() == [["C1", "ann@example.com"]]


def test_an_excel_97_workbook_is_read_as_its_bytes_say_whatever_its_name(tmp_path):
    book = xlwt.Workbook()
    sheet = book.add_sheet("Contacts")
    for r, row in enumerate([["Contact ID", "Prénom", "Zip", "Joined"], ["00042", "Zoé", 2134, dt.date(2024, 5, 1)]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value, xlwt.easyxf(num_format_str="YYYY-MM-DD") if isinstance(value, dt.date) else xlwt.Style.default_style)
    book.save(tmp_path / "export.xls")
    (tmp_path / "export.csv").write_bytes((tmp_path / "export.xls").read_bytes())  # saved under the wrong name
    for name in ("export.xls", "export.csv"):
        contacts = load(tmp_path / name)
        assert contacts.frame.to_numpy().tolist() == [["00042", "Zoé", "2134", "2024-05-01"]]
        assert (contacts.encoding, contacts.lines.tolist(), line_ending(contacts)) == ("xlsx", [2], "\n")


def test_a_value_past_a_workbooks_last_named_column_is_named_by_its_cell(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Contact ID", "First Name", "Email"])
    book.active.append(["1", "Ann", "a@x.example", "", "stray"])
    book.save(path := tmp_path / "export.xlsx")
    with pytest.raises(InputError, match=r"sheet 'Sheet', row 2, column E: has a value past the last named column "
                                         r"\(C, 'Email'\)"):
        load(path)


def test_xlsx_sheet_rows_are_counted_from_the_top_and_a_chart_sheet_is_no_sheet_of_contacts(tmp_path):
    book = openpyxl.Workbook()
    book.create_chartsheet("Chart", 0)  # first in the workbook
    sheet = book.worksheets[0]
    sheet["A3"], sheet["B3"], sheet["A4"], sheet["B4"], sheet["A6"], sheet["B6"] = "Email", "Zip", "a@x.co", 2134, "b@x.co", "007"
    book.save(tmp_path / "book.xlsx")
    contacts = load(tmp_path / "book.xlsx")
    assert contacts.frame.to_numpy().tolist() == [["a@x.co", "2134"], ["b@x.co", "007"]]
    assert contacts.lines.tolist() == [4, 6]  # blank rows above and between count, as Excel numbers them


# --- bad input: one clear message naming the file, line and column ----------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: file not found"):
        load(tmp_path / "nope.csv")


@pytest.mark.parametrize("content", [b"", b"\r\n \r\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty; export the contacts with their header row"):
        load(path)


def test_duplicate_column_names(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Name", "Email", "Email"], ["a", "b", "c"]])
    with pytest.raises(InputError, match=r"t\.csv: line 1 \(header\): columns 2 and 3 are both named 'Email'"):
        load(path)


def test_a_header_below_the_first_line_is_named_where_it_is(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("sep=,\nName,Email,Email\na,b,c\n")
    with pytest.raises(InputError, match=r"t\.csv: line 2 \(header\): columns 2 and 3 are both named 'Email'"):
        load(path)
    path.write_text("My Contacts Report\n\nContact ID,,Email\n0031,Ann,a@x.com\n")  # below a report's title
    with pytest.raises(InputError, match=r"t\.csv: line 3 \(header\): column 2 has a blank name"):
        load(path)
    book = openpyxl.Workbook()
    for row in ([], [], ["Name", "", "Email"], ["a", "b", "c"]):  # two blank rows first
        book.active.append(row)
    book.save(tmp_path / "t.xlsx")
    with pytest.raises(InputError, match=r"t\.xlsx: sheet row 3 \(header\): column 2 has a blank name"):
        load(tmp_path / "t.xlsx")


def test_blank_column_name(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Name", " ", "Email"], ["a", "b", "c"]])
    with pytest.raises(InputError, match=r"t\.csv: line 1 \(header\): column 2 has a blank name"):
        load(path)


def test_ragged_rows_are_all_listed(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('Name,Email,Phone\nAnn,a@b.co,1\nBob,"multi\nline",2,extra\nCy,c@d.co\nDee,d@e.co,4\n')
    with pytest.raises(InputError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 2 row(s) do not have the header's 3 fields (delimiter ',')")
    assert "line 3 (row 1) has 4 fields" in message
    assert "line 5 (row 2) has 2 fields" in message


@pytest.mark.parametrize("header, row, advice", [
    ("Contact ID,First Name,Email,", "1,Ann,ann@example.com",
     "The header ends with ',' after its last name 'Email' (a column without a name) and the rows do not: remove "
     "that ',' from the header."),
    ("Contact ID,First Name,Email", "1,Ann,ann@example.com,",
     "Every row ends with ',' after its last cell and the header does not: end the header with ',' too (a column "
     "without a name or a value is left out)."),
])
def test_a_trailing_delimiter_on_the_header_or_on_the_rows_alone_is_named(tmp_path, header, row, advice):
    """Not a read that shifts the values, nor the advice to quote cells, for a delimiter at the end of a line."""
    path = tmp_path / "t.csv"
    path.write_text(f"{header}\n{row}\n{row.replace('1,Ann,ann', '2,Bob,bob')}\n")
    with pytest.raises(InputError) as info:
        load(path)
    assert str(info.value).startswith(f"{path}: 2 row(s) do not have the header's {header.count(',') + 1} fields")
    assert str(info.value).endswith("\n" + advice)
    path.write_text(f"{header}\n{row}\n2,Bob,bob@example.org,x\n")  # not every row so: the usual advice
    with pytest.raises(InputError, match=r" fields\nQuote cells that contain the delimiter"):
        load(path)


def test_quoted_cells_after_a_delimiter_and_a_space_are_read_without_the_space_and_quotes(tmp_path):
    path = tmp_path / "t.csv"  # as some scripts join cells: '", "'; a quote after a space opens no cell in CSV
    path.write_text('"Contact ID", "First Name", "Last Name", "Notes"\n"C1", "Ann", "Ray, Jr", "two\nlines"\n'
                    '"C2", "Bob", "Lee", ""\n')
    contacts = load(path)
    assert contacts.frame.columns.tolist() == ["Contact ID", "First Name", "Last Name", "Notes"]
    assert contacts.frame.to_numpy().tolist() == [["C1", "Ann", "Ray, Jr", "two\nlines"], ["C2", "Bob", "Lee", ""]]
    assert (contacts.field_map.first_name, contacts.lines.tolist()) == ("First Name", [2, 4])
    path.write_text("Contact ID, First Name\nC1, Ann\n")  # spaces without quotes: kept, as typed
    assert load(path).frame.columns.tolist() == ["Contact ID", " First Name"]


def test_a_quote_escaped_with_a_backslash_is_named_as_the_cause_of_a_ragged_row(tmp_path):
    path = tmp_path / "t.csv"  # as MySQL writes a quote in a quoted cell: \" ends the cell, and the comma splits it
    path.write_text('Contact ID,First Name,Notes,Email\n1,Ann,"said \\"hi, ok\\"",ann@example.com\n'
                    '2,Bob,x,bob@example.com\n')
    advice = ('A quote inside a quoted cell is written \\" there (a backslash before it, as MySQL and some scripts '
              'write it), which ends the cell: CSV writes such a quote twice (""). Export the file again with quotes '
              'written so.')
    with pytest.raises(InputError, match=re.escape(f"\n  line 2 (row 0) has 5 fields\n{advice}") + "$"):
        load(path)


def test_a_quote_left_open_is_named_where_its_cell_starts(tmp_path):
    path = tmp_path / "t.csv"  # the quote before Boston never closes: the next quote, on line 5, closes it
    path.write_text('Contact ID,First Name,City,Company\n1,Ann,"Boston,Acme\n2,Bob,Salem,Initech\n3,Cy,Lynn,Umbrella\n'
                    '4,Di,Troy,"Wayne Inc"\n5,Ed,Rome,Stark\n')
    with pytest.raises(InputError) as info:
        load(path)
    assert str(info.value) == (
        f"{path}: 1 row(s) do not have the header's 4 fields (delimiter ','):\n"
        "  line 2 (row 0) has 3 fields: a quoted cell starts on line 2 and runs to line 5 (a quote missing?)\n"
        "Quote cells that contain the delimiter or a line break, or pass the right delimiter.")


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_quote_left_open_that_a_later_quote_ends_is_refused_not_read_as_one_cell(tmp_path, line_end):
    """The inch mark of Cy's note ends the cell Ann's quote opens: both readers took Bob's row and most of
    Cy's into Ann's note, the row has the header's number of fields, and 5 contacts were 3 without a word."""
    path = tmp_path / "t.csv"
    rows = ["Contact ID,First Name,Notes,Email", "1,Zoe,ok,z@example.com", '2,Ann,"5 screen,a@example.com',
            "3,Bob,ok,b@example.com", '4,Cy,wants 7" tablet,c@example.com', "5,Di,ok,d@example.com", ""]
    path.write_bytes(line_end.join(rows).encode())
    with pytest.raises(InputError, match=re.escape(
            f"{path}: line 3 (row 1), column 'Notes': a quoted cell opens there and does not close where a cell ends "
            "(line 5: ',' expected after '\"'), so lines 3–5 would be read into that one cell; close the quote where "
            "its cell ends (a quote inside a quoted cell is written twice) and load the file again") + "$"):
        load(path)
    rows[2] = '2,Ann,"5"" screen,\nnot 7""",a@example.com'  # the quotes as a quoted cell writes them
    rows[4] = '4,Cy,"wants 7"" tablet",c@example.com'
    path.write_bytes(line_end.join(rows).encode())
    assert load(path).frame["Notes"].tolist() == ["ok", '5" screen,\nnot 7"', "ok", 'wants 7" tablet', "ok"]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_quote_never_closed_in_the_last_column_is_refused_not_read_as_one_cell(tmp_path, line_end):
    path = tmp_path / "t.csv"  # both readers took rows 2 and 3 into Ann's note: one row, and no word
    path.write_bytes(line_end.join(["Contact ID,First Name,Notes", "1,Zoe,x", '2,Ann,"open', "3,Bob,x", "4,Cy,y", ""])
                     .encode())
    with pytest.raises(InputError, match=rf"^{re.escape(str(path))}: line 3 \(row 1\): a quoted cell opens there and "
                                         "is never closed"):
        load(path)
    path.write_text('Contact ID,First Name,Notes\n1,Zoe,x\n2,Ann,"two\nlines"\n')  # closed: one cell of two lines
    assert load(path).frame["Notes"].tolist() == ["x", "two\nlines"]


SALESFORCE_FOOTER = ('\n\n"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."\n'
                     '"Confidential Information - Do Not Distribute"\n"Generated By:  Ann Admin  12/3/2024 10:00 AM"\n'
                     '"Acme Corp"\n')


def test_a_report_footer_after_the_data_is_left_out_and_said(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text('"Contact ID","First Name","Phone"\n"0031","Ann","(212) 555-0142"\n"0032","Ann",""' + SALESFORCE_FOOTER)
    contacts = load(path)
    assert contacts.frame["Contact ID"].tolist() == ["0031", "0032"] and contacts.footer == (5, 6, 7, 8)
    assert contacts.left_out_note() == (f"left out of {path}, as not contacts: lines 5–8 (a report's footer after "
                                        "the data, such as Salesforce's 'Generated By' lines)")
    assert contacts.left_out_note() in str(profile(contacts))
    assert f"warning: {contacts.left_out_note()}" in run(contacts, progress=False).summary()


def test_a_report_title_above_the_header_is_left_out_and_said(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("My Contacts Report\nFiltered By: all contacts\n\nContact ID,First Name,Email\n0031,Ann,a@x.com\n"
                    "0032,Ann,a@x.com\n")
    contacts = load(path)
    assert (contacts.frame.columns.tolist(), contacts.frame["Contact ID"].tolist()) == (
        ["Contact ID", "First Name", "Email"], ["0031", "0032"])
    assert contacts.lines.tolist() == [5, 6] and contacts.title == (1, 2)
    assert contacts.left_out_note() == f"left out of {path}, as not contacts: lines 1–2 (a title above the header)"
    book = openpyxl.Workbook()
    for row in (["My Contacts Report"], [], ["Contact ID", "First Name", "Email"], ["0031", "Ann", "a@x.com"]):
        book.active.append(row)
    book.save(tmp_path / "report.xlsx")
    contacts = load(tmp_path / "report.xlsx")
    assert contacts.frame.columns.tolist() == ["Contact ID", "First Name", "Email"] and contacts.lines.tolist() == [4]
    assert contacts.left_out_note().endswith("sheet row 1 (a title above the header)")


@pytest.mark.parametrize("text, columns, title", [
    # a spreadsheet pads every row to the same width, a title's too
    ("My Contacts Report,,\n,,\nContact ID,First Name,Email\n0031,Ann,a@x.com\n", ["Contact ID", "First Name", "Email"], (1, 2)),
    # and leaves a trailing delimiter on the header and the rows
    ("My Contacts Report\n\nContact ID,First Name,Email,\n0031,Ann,a@x.com,\n", ["Contact ID", "First Name", "Email"],
     (1,)),
])
def test_a_report_title_as_a_spreadsheet_saves_it_is_left_out(tmp_path, text, columns, title):
    path = tmp_path / "report.csv"
    path.write_text(text)
    contacts = load(path)
    assert (contacts.columns, contacts.frame["Contact ID"].tolist(), contacts.title) == (columns, ["0031"], title)


def test_a_report_footer_as_a_spreadsheet_saves_it_is_left_out(tmp_path):
    path = tmp_path / "report.csv"  # Salesforce's footer, padded to the header's width by a spreadsheet
    path.write_text("Contact ID,First Name,Email\n0031,Ann,a@x.com\n0032,,\n,,\nAcme Corp,,\n\"Generated By: Ann\",,\n")
    contacts = load(path)
    assert (contacts.frame["Contact ID"].tolist(), contacts.lines.tolist(), contacts.footer) == (["0031", "0032"], [2, 3],
                                                                                                (4, 5, 6))
    assert contacts.filled("Email").tolist() == [True, False]
    path.write_text("Contact ID,First Name,Email\n0031,Ann,a@x.com\n,,\n0032,,\n")  # a row with an ID alone: a contact
    assert load(path).frame["Contact ID"].tolist() == ["0031", "", "0032"]


def test_excels_sep_line_names_the_delimiter_and_is_not_a_row(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\nContact ID;First Name;Email\n0031;Ann;a@x.com\n0032;Ann, Jr;a@x.com\n")
    contacts = load(path)
    assert contacts.delimiter == ";" and contacts.frame.columns.tolist() == ["Contact ID", "First Name", "Email"]
    assert contacts.frame["First Name"].tolist() == ["Ann", "Ann, Jr"] and contacts.lines.tolist() == [3, 4]
    path.write_text("sep=;\nContact ID;First Name;Email\n0031;Ann\n")
    with pytest.raises(InputError, match=r"line 3 \(row 0\) has 2 fields"):  # lines counted from the file's first
        load(path)


def test_excels_sep_line_is_not_written_back_for_an_import_to_read_as_the_header(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\nContact ID;First Name;Email\n0031;Ann;a@x.com\n0032;Ann;\n0033;Bob;b@x.com\n")
    export(merge(load(path), [0, 0, 2]), tmp_path / "out")
    assert (tmp_path / "out" / "cleaned.csv").read_text() == "Contact ID;First Name;Email\n0031;Ann;a@x.com\n" \
                                                            "0033;Bob;b@x.com\n"
    for name in ("fix_1_clear.csv", "fix_2_update.csv", "merged_away.csv"):  # the header first, with the delimiter
        assert (tmp_path / "out" / name).read_text().startswith(("Contact ID;", "source_row;")), name


def test_a_wrong_delimiter_given_names_the_one_the_header_uses(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email\n0031,Ann,ann@example.com\n0032,Bob;Jr,bob@example.org\n")
    for delimiter in (";", "\t"):  # not a run over one column named 'Contact ID,First Name,Email' (or a ragged row)
        with pytest.raises(InputError, match=re.escape(
                f"{path}: line 1 (header): read with the delimiter {delimiter!r} given, it is one column, "
                "'Contact ID,First Name,Email', but it seems to use ',': give the delimiter ',', or none to have it "
                "detected")):
            load(path, delimiter=delimiter)
    assert load(path, delimiter=",").columns == ["Contact ID", "First Name", "Email"]
    path.write_text("Batch, misc\nhello\n")  # one column whose name holds a comma, no column of contacts: read
    assert load(path, delimiter=";").columns == ["Batch, misc"]


def test_a_one_column_file_is_not_read_as_a_title_above_a_stray_wide_row(tmp_path):
    path = tmp_path / "emails.csv"
    path.write_text("Email\nann@x.com\nbob@y.com,extra\n")
    with pytest.raises(InputError, match=r"line 3 \(row 1\) has 2 fields"):
        load(path)


def test_a_line_of_spaces_is_no_row(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Contact ID,First Name,Email\n1,Ann,a@x.example\n \n2,Bob,b@x.example\n   \n")
    contacts = load(path)  # not a ragged row of one field
    assert contacts.frame["First Name"].tolist() == ["Ann", "Bob"] and contacts.lines.tolist() == [2, 4]
    path.write_text("Notes\n \nx\n")  # a file of one column: a cell of a space is a row
    assert load(path).frame["Notes"].tolist() == [" ", "x"]


@pytest.mark.parametrize("ending", ["\n\x1a", "\x1a", "\r\n\x1a\x1a"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_the_ctrl_z_that_old_windows_tools_end_a_file_with_is_no_row_nor_part_of_the_last_cell(
        tmp_path, ending, encoding):
    path = tmp_path / "export.csv"
    text = f"Contact ID,Last Name,Phone\n007,Zoë,+15550100001\n008,Lee,+15550100002{ending}"
    path.write_bytes(text.encode(encoding))
    contacts = load(path)  # not a ragged row of one field, nor a phone ending in Ctrl-Z
    assert contacts.frame["Phone"].tolist() == ["+15550100001", "+15550100002"]
    assert contacts.frame["Contact ID"].tolist() == ["007", "008"] and contacts.lines.tolist() == [2, 3]
    path.write_bytes(b"\x1a")
    with pytest.raises(InputError, match="the file is empty"):
        load(path)


@pytest.mark.parametrize("tail", ['\n"Acme Corp"\n"Generated By: Ann"\n',  # no blank line before: not a footer
                                  SALESFORCE_FOOTER + '"0033","Bob","1"\n'])  # rows after it: not a footer
def test_rows_of_one_cell_that_are_not_a_footer_are_ragged(tmp_path, tail):
    path = tmp_path / "report.csv"
    path.write_text('"Contact ID","First Name","Phone"\n"0031","Ann","(212) 555-0142"' + tail)
    with pytest.raises(InputError, match=r"row\(s\) do not have the header's 3 fields"):
        load(path)


def test_undecodable_bytes_name_line_and_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("First Name,Last Name\nAnn,Smith\nZoé,Müller\n".encode("utf-8").replace("é".encode(), b"\xe9"))
    with pytest.raises(InputError, match=(
        r"t\.csv: line 3 \(row 1\), column 'First Name': bytes b'\\xe9' cannot be decoded as utf-8; "
        r"line 3 \('Müller'\) is UTF-8, so this text was saved in another encoding")):
        load(path)  # Müller decodes: another encoding would garble it
    # fewer UTF-8 letters than broken bytes, and a U+FFFD an old import left, are still two encodings
    path.write_bytes("Contact ID,First Name,Notes\n1,Zoë,imported as caf\ufffd\n".encode("utf-8")
                     + "2,Léa,\ufffd\n3,René,\n".encode("cp1252", errors="replace").replace(b"?", b""))
    with pytest.raises(InputError, match=r"line 3 \(row 1\), column 'First Name': bytes b'\\xe9' cannot be decoded "
                                         r"as utf-8; line 2 \('Zoë'\) is UTF-8, so this text"):
        load(path)
    path.write_bytes("Contact ID,First Name\n1,Zoë\n".encode("utf-16")[:-1])  # a UTF-16 file cut short
    with pytest.raises(InputError, match=r"cannot be decoded as utf-16; the file ends in the middle of a character: "
                                         r"it was cut short"):
        load(path)


def test_a_file_of_another_encoding_is_not_called_mixed_for_a_few_bytes_that_decode_as_utf8_by_chance(tmp_path):
    path = tmp_path / "t.csv"  # GB18030's 伟 is UTF-8's ΰ; 王 beside it is no UTF-8
    path.write_bytes("Contact ID,First Name,Last Name\nC1,伟,王\nC2,芳,李\n".encode("gb18030"))
    with pytest.raises(InputError) as info:
        load(path)
    assert str(info.value) == (
        f"{path}: line 2 (row 0), column 'Last Name': bytes b'\\xcd' cannot be decoded as utf-8; pass the file's "
        "encoding with --encoding (encoding= in Python): cp1252 for Western European text, cp1251 for Cyrillic, "
        "gb18030 for Chinese, big5 for Traditional Chinese, shift_jis for Japanese or euc-kr for Korean; or re-export "
        "it as UTF-8; most of the file is not UTF-8, but if line 2 ('ΰ') reads right, the file mixes UTF-8 with "
        "another encoding: correct it instead")
    assert load(path, encoding="gb18030").frame["Last Name"].tolist() == ["王", "李"]


def test_the_encoding_that_failed_is_not_the_one_advised(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("Contact ID,First Name,Last Name\nC1,美咲,佐藤\n".encode("shift_jis"))
    with pytest.raises(InputError, match=r"cannot be decoded as cp1252; pass the file's encoding with --encoding "
                                         r"\(encoding= in Python\): cp1251 for Cyrillic, gb18030 for Chinese, .*"
                                         r"shift_jis for Japanese or euc-kr for Korean; or re-export it as UTF-8$"):
        load(path, encoding="cp1252")
    assert load(path, encoding="shift_jis").frame["First Name"].tolist() == ["美咲"]


@pytest.mark.parametrize("head, blank, line", [("sep=;\r\n", False, 4), ("Contacts report;;\r\n;;\r\n", False, 5),
                                               ("", True, 4), ("", False, 3)])
def test_a_byte_that_does_not_decode_is_named_by_the_row_load_gives_it(tmp_path, head, blank, line):
    lines = ["Contact ID;First Name;Last Name", "1;Ann;Lee", *([""] if blank else []), "2;Bob;R\x00y"]  # Bob: row 1
    text = head + "\r\n".join(lines) + "\r\n"
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode().replace(b"\x00", b"\xe9"))
    with pytest.raises(InputError, match=rf"line {line} \(row 1\), column 'Last Name': bytes b'\\xe9'"):
        load(path, encoding="utf-8")
    path.write_bytes(text.encode())  # a zero byte, in the same place
    with pytest.raises(InputError, match=rf"line {line} \(row 1\), column 'Last Name': holds a NUL"):
        load(path)
    path.write_bytes("First Name,Last Name\nAnn,Smith\nZoé,Muller\n".encode("cp1252"))
    assert load(path).frame["First Name"].tolist() == ["Ann", "Zoé"]  # all cp1252: detected


def test_a_byte_order_mark_of_utf8_before_text_of_another_encoding(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "Contact ID,First Name,Last Name\nC1,Renée,Roy\n".encode("cp1252"))
    with pytest.raises(InputError, match=(  # the byte where it is, not 3 bytes (the mark) before it
            r"line 2 \(row 0\), column 'First Name': bytes b'\\xe9' cannot be decoded as utf-8-sig; pass the file's "
            r"encoding with --encoding .* or euc-kr for Korean \(the byte order mark of UTF-8 it starts with is then "
            r"left out\); or re-export it as UTF-8$")):
        load(path)
    contacts = load(path, encoding="cp1252")  # as the message says: the mark is no text
    assert contacts.columns == ["Contact ID", "First Name", "Last Name"] and contacts.encoding == "cp1252"
    assert contacts.frame["First Name"].tolist() == ["Renée"]
    export(merge(contacts, np.arange(1)), tmp_path / "out")
    assert (tmp_path / "out" / "cleaned.csv").read_bytes() == path.read_bytes()[3:]


def test_a_second_byte_order_mark_is_no_part_of_the_header(tmp_path):
    """A tool that read the mark as text and wrote the file with a mark of its own: the first
    column is 'Contact ID', not '\\ufeffContact ID' (which a config's or a CRM's 'Contact ID' misses)."""
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbfContact ID,First Name\nC1,Ann\n")
    contacts = load(path, fields={"record_id": "Contact ID"})
    assert contacts.columns == ["Contact ID", "First Name"] and contacts.encoding == "utf-8-sig"
    export(merge(contacts, np.arange(1)), tmp_path / "out")
    assert (tmp_path / "out" / "cleaned.csv").read_bytes() == b"\xef\xbb\xbfContact ID,First Name\nC1,Ann\n"  # one mark


def test_explicit_encoding_that_does_not_fit(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["First Name", "City"], ["Ann", "Orléans"]], encoding="cp1252")
    with pytest.raises(InputError, match=r"line 2 \(row 0\), column 'City': bytes b'\\xe9' cannot be decoded as utf-8"):
        load(path, encoding="utf-8")
    assert load(path, encoding="cp1252").frame["City"].tolist() == ["Orléans"]


def test_an_encoding_given_for_a_file_with_a_byte_order_mark_reads_the_mark_as_no_text(tmp_path):
    rows = [["Contact ID", "First Name"], ["007", "Zoë"]]
    path = write_csv(tmp_path / "t.csv", rows, bom=True)
    for encoding in ("utf-8", "UTF8", "utf-8-sig"):  # not a column "\ufeffContact ID"
        contacts = load(path, encoding=encoding)
        assert contacts.columns == rows[0] and contacts.field_map.record_id == "Contact ID"
    utf16 = write_csv(tmp_path / "u.csv", rows, encoding="utf-16")  # Python's utf-16 writes its mark
    assert load(utf16, encoding="utf-16-le").columns == rows[0]
    with pytest.raises(InputError, match=r"t.csv: the file starts with the byte order mark of UTF-8, so it is not "
                                         r"cp1252: read it as utf-8, or without an encoding"):
        load(path, encoding="cp1252")  # not "ï»¿Contact ID", and no record ID


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("logo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", r"is not a text table \(it holds binary data\)"),
        ("page.csv", b"<!DOCTYPE html><html><body><table></table></body></html>", r"is an HTML/XML document"),
        ("data.csv", b'[{"email": "a@b.co"}]', r"is JSON, not a table"),
        ("broken.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, r"cannot be read as an Excel workbook"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", r"cannot be read as an Excel workbook, \.xlsx or \.xls"),
    ],
)
def test_a_file_that_is_not_a_table(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=rf"{re.escape(name)}: {message}"):
        load(path)


def test_a_dataframe_read_with_pandas_is_refused_with_what_to_give_each_stage(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Contact ID", "Email", "Phone"], ["00101", "ann@example.com", "0612345678"],
                                          ["00102", "", "0612345678"]])
    frame = pd.read_csv(path)  # as in a notebook: 101, NaN, 612345678
    contacts = load(path)
    lost = r"not a DataFrame; pandas.read_csv changes an export's cells \(it drops the leading zeros"
    with pytest.raises(InputError, match=rf"^load takes the export file's path \('export.csv'\), {lost}"):
        load(frame)
    with pytest.raises(InputError, match=rf"^run takes the export file's path \('export.csv'\) or the Contacts that "
                                         rf"load\('export.csv'\) returns, {lost}"):
        run(frame, progress=False)
    with pytest.raises(InputError, match=rf"^check_import takes the export file's path .* {lost}"):
        check_import(frame, path, progress=False)
    for stage, call in [("normalize", lambda: normalize(frame)), ("profile", lambda: profile(frame)),
                        ("candidates", lambda: candidates(frame, normalize(contacts))),
                        ("compare", lambda: compare(contacts.frame, normalize(contacts),
                                                    pd.MultiIndex.from_tuples([(0, 1)]))),
                        ("merge", lambda: merge(contacts.frame, [0, 0]))]:
        with pytest.raises(InputError, match=rf"^{stage} takes the Contacts that load\('export.csv'\) returns, {lost}"):
            call()
    with pytest.raises(InputError, match=r"^load takes the export file's path \('export.csv'\), not a StringIO$"):
        load(io.StringIO(path.read_text()))


def test_contacts_whose_frame_was_changed_in_place_in_a_notebook_are_refused(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Contact ID", "Last Name", "Email", "Notes"],
                                          ["00101", "Doe", "ann@example.com", "vip"],
                                          ["00102", "Doe", "ann@example.com", ""],
                                          ["00103", "Roe", "bo@example.org", ""]])
    contacts = load(path)
    contacts.frame["VIP"] = contacts.frame["Notes"] == "vip"
    with pytest.raises(InputError, match=r"^profile: column 'VIP' of contacts.frame holds bool values, not text: "
                                         r"every cell is a str, as load reads it \(\'\' when blank\)"):
        profile(contacts)
    contacts.frame["VIP"] = contacts.frame["VIP"].map({True: "yes", False: ""})  # as the message says
    result = run(contacts, progress=False)
    assert result.crosswalk["record_id"].tolist() == ["00101", "00102", "00103"]
    contacts.frame["VIP"] = contacts.frame["VIP"] == "yes"  # after the run, before its files: the merge refuses it
    with pytest.raises(InputError, match=r"^merge: column 'VIP' of contacts.frame holds bool values, not text"):
        result.write(tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()  # nothing written
    contacts.frame["VIP"] = contacts.frame["VIP"].map({True: "yes", False: ""})
    contacts.frame["Segment"] = contacts.frame["Notes"].astype("category")
    with pytest.raises(InputError, match=r"^run: column 'Segment' of contacts.frame holds category values"):
        run(contacts, progress=False)
    contacts = load(path)
    contacts.frame.sort_values("Contact ID", ascending=False, inplace=True)  # source_row 2, 1, 0
    with pytest.raises(InputError, match=r"^run: the rows of contacts.frame are no longer those load read"):
        run(contacts, progress=False)
    contacts = load(path)
    contacts.frame.drop(columns=["Email"], inplace=True)
    with pytest.raises(InputError, match=r"^run: column 'Email', of the role emails, is no longer in contacts.frame "
                                         r"\(dropped or renamed in place\); load the file again \(load\(path, "
                                         r"fields=\{'emails': \[\]\}\) gives the role no column\)"):
        run(contacts, progress=False)
    contacts = load(path, fields={"emails": []})
    contacts.frame.drop(columns=["Email"], inplace=True)
    assert run(contacts, progress=False).crosswalk["record_id"].tolist() == ["00101", "00102", "00103"]


def test_a_column_added_in_a_notebook_with_none_or_nan_cells_is_refused_naming_it(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Contact ID", "Last Name", "Email"], ["00101", "Doe", "ann@example.com"],
                                          ["00102", "Doe", "ann@example.com"], ["00103", "Roe", "bo@example.org"]])
    for blank in (None, float("nan")):
        contacts = load(path)
        contacts.frame["x"] = contacts.frame["Email"].where(contacts.frame["Last Name"] == "Doe", blank)
        with pytest.raises(InputError, match=rf"^run: column 'x' of contacts.frame holds {blank!r} in row 2, not "
                                             r"text: every cell is a str.*give the column text \(.fillna\(''\)\)"):
            run(contacts, progress=False).write(tmp_path / "out", progress=False)
    contacts.frame["x"] = contacts.frame["x"].fillna("")  # as the message says
    run(contacts, progress=False).write(tmp_path / "out", progress=False)
    assert (tmp_path / "out" / "cleaned.csv").read_text().splitlines()[1:] == [
        "00101,Doe,ann@example.com,ann@example.com", "00103,Roe,bo@example.org,"]


def test_a_none_or_nan_set_in_place_in_a_column_of_the_file_is_refused_naming_it(tmp_path):
    # load works out which cells of every column are filled: a None set later went by it, crashing a stage
    path = write_csv(tmp_path / "t.csv", [["Contact ID", "Last Name", "Email", "City", "Owner"],
                                          ["00101", "Doe", "ann@example.com", "Boston", "Kim"],
                                          ["00102", "Doe", "ann@example.com", "Boston", "Lee"],
                                          ["00103", "Roe", "bo@example.org", "Salem", ""]])
    for column in ("Email", "City", "Owner"):
        for blank in (None, float("nan")):
            contacts = load(path)
            groups = run(contacts, progress=False).crosswalk["cluster_id"].to_numpy()
            contacts.frame.loc[1, column] = blank
            for stage, call in [("normalize", lambda: normalize(contacts)), ("merge", lambda: merge(contacts, groups)),
                                ("run", lambda: run(contacts, progress=False))]:
                with pytest.raises(InputError, match=rf"^{stage}: column '{column}' of contacts.frame holds "
                                                     rf"{blank!r} in row 1, not text.*\(.fillna\(''\)\)"):
                    call()


def test_a_stray_zero_byte_in_a_text_export_is_named_where_it_is(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"Contact ID;Email;Notes\n1;a@x.com;ok\n2;b@x.com;call\x00back\n")
    with pytest.raises(InputError, match=r"t\.csv: line 3 \(row 1\), column 'Notes': holds a NUL character"):
        load(path)
    path.write_bytes(b"Contact ID,E\x00mail\n1,a@x.com\n")
    with pytest.raises(InputError, match=r"t\.csv: line 1 \(header\), column 2: holds a NUL character"):
        load(path)


@pytest.mark.parametrize("commas, named", [(",", "3"), (",,,", "3, 4, 5")])
def test_empty_last_columns_of_trailing_delimiters_are_left_out_as_in_a_workbook(tmp_path, monkeypatch, commas, named):
    path = tmp_path / "t.csv"  # as Excel saves a sheet with empty columns after the last named one
    path.write_text(f"Name,Email{commas}\nann,a@x.com{commas}\nbo,{commas}\n")
    fast = load(path)
    monkeypatch.setattr(sys.modules["dedupe_kit.load"], "_read_csv_arrow", lambda *args: None)  # the csv module reads
    for read in (fast, load(path)):
        assert read.columns == ["Name", "Email"] and read.frame["Email"].tolist() == ["a@x.com", ""]
        assert read.blank_columns == len(commas) and read.filled("Email").tolist() == [True, False]
    path.write_text(f"Name,Email{commas}\nann,a@x.com{commas}x\n")  # a value under a blank name
    blank = "; ".join(f"column {i} has a blank name" for i in named.split(", "))
    with pytest.raises(InputError, match=f"line 1 \\(header\\): {blank}; give every column a unique name"):
        load(path)
    path.write_text("Name,Email,,,\nann,a@x.com,,x,\n")  # the columns up to the value are named, the empty last one
    with pytest.raises(InputError, match=r"\(header\): column 3 has a blank name; column 4 has a blank name; give"):
        load(path)


def test_each_column_is_rebuilt_cell_for_cell_one_string_per_distinct_value():
    from dedupe_kit._perf import packed
    from dedupe_kit.load import _frame

    values = ["007", "", "+33 6 12", "NA", "two\nlines"]
    rebuilt = packed(values)
    assert rebuilt == values and all(new is not old for new, old in zip(rebuilt, values) if len(old) > 1)
    with_nul = ["a\0b", "c"]  # a NUL in a cell: the strings are kept as they are
    assert packed(with_nul) == with_nul
    rows = [["1", "Ann"], ["2", ""], ["3", "".join(["A", "nn"])], ["4", "Ann"]]  # equal names, other objects
    frame = _frame(["ID", "Name"], rows)
    assert frame.to_dict("list") == {"ID": ["1", "2", "3", "4"], "Name": ["Ann", "", "Ann", "Ann"]} and rows == []
    assert frame.at[0, "Name"] is frame.at[2, "Name"] is frame.at[3, "Name"]  # values repeat: one object each
    assert list(_frame(["ID"], []).columns) == ["ID"]
