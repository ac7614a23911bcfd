"""core.spreadsheets: the one xlsx/CSV writer (formats, header row, formula-injection safety)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from core.spreadsheets import (
    DATE,
    DECIMAL,
    INTEGER,
    PERCENT,
    Cell,
    Chart,
    ChartSeries,
    Column,
    Table,
    WorkbookWriter,
    csv_bytes,
    is_formula_like,
    set_cell,
    write_xlsx,
)

DANGEROUS = ["=1+1", '=HYPERLINK("http://x","y")', "+81 3 1234", "-2+3", "@SUM(A1)", "\tcmd", "\rx", "\nx",
             "=cmd|' /C calc'!A0"]


def _xlsx(sheets) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def _worksheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def test_header_row_is_bold_frozen_filtered_and_columns_sized():
    table = Table([Column("Name"), Column("Count", INTEGER), Column("A rather long header text", PERCENT)],
                  [("Viet Nam", 3, 0.5), ("A much longer organisation name here", 12, 0.25)])
    book = load_workbook(io.BytesIO(_xlsx([("Data", table)])))
    ws = book["Data"]
    assert [c.value for c in ws[1]] == ["Name", "Count", "A rather long header text"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:C3"
    assert ws.column_dimensions["A"].width >= len("A much longer organisation name here")
    assert ws.column_dimensions["C"].width >= len("A rather long header text")


def test_number_formats_and_cell_types():
    table = Table([Column("int", INTEGER), Column("pct", PERCENT), Column("dec", DECIMAL), Column("day", DATE)],
                  [(1234, 0.755, Decimal("1.5"), date(2025, 3, 31)), (True, None, float("nan"), None)])
    ws = load_workbook(io.BytesIO(_xlsx([("S", table)])))["S"]
    a2, b2, c2, d2 = ws[2]
    assert (a2.value, a2.data_type, a2.number_format) == (1234, "n", "#,##0")
    assert (b2.value, b2.data_type, b2.number_format) == (0.755, "n", "0.0%")
    assert (c2.value, c2.number_format) == (1.5, "0.00")
    assert d2.is_date and d2.value == datetime(2025, 3, 31) and d2.number_format == "yyyy-mm-dd"
    assert ws["A3"].value == 1  # booleans become 1/0
    assert ws["B3"].value is None and ws["C3"].value is None and ws["D3"].value is None  # NaN is left blank


def test_cell_overrides_the_column_kind():
    table = Table([Column("Indicator"), Column("Value", INTEGER)],
                  [("Enrolments", Cell(9, INTEGER)), ("Rate", Cell(0.5, PERCENT)), ("Empty", Cell(None, DECIMAL))])
    ws = load_workbook(io.BytesIO(_xlsx([("S", table)])))["S"]
    assert ws["B2"].number_format == "#,##0" and ws["B3"].number_format == "0.0%" and ws["B4"].value is None


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_stored_as_text(text):
    assert is_formula_like(text)
    table = Table([Column("Organisation"), Column("n", INTEGER)], [(text, 1)])
    content = _xlsx([("S", table)])
    ws = load_workbook(io.BytesIO(content))["S"]
    assert ws["A2"].data_type == "s"
    # XlsxWriter escapes a carriage return as _x000D_ (Excel shows it as CR; openpyxl returns it raw).
    assert ws["A2"].value.replace("_x000D_", "\r") == text
    assert ws["A2"].quotePrefix
    xml = _worksheet_xml(content)
    assert "<f>" not in xml and "<f " not in xml


def test_text_in_a_number_column_and_urls_stay_plain_strings():
    table = Table([Column("n", INTEGER), Column("url")], [("=1+2", "http://example.org")])
    content = _xlsx([("S", table)])
    ws = load_workbook(io.BytesIO(content))["S"]
    assert ws["A2"].data_type == "s" and ws["A2"].value == "=1+2"
    assert ws["B2"].hyperlink is None and ws["B2"].value == "http://example.org"


def test_native_chart_is_written():
    buffer = io.BytesIO()
    with WorkbookWriter(buffer) as book:
        sheet = book.write_table("Data", Table([Column("k"), Column("v", INTEGER)], [("a", 1), ("b", 2)]))
        book.add_chart(sheet, "D2", Chart("Values", ChartSeries("", "Data", 0, 1, 2),
                                          [ChartSeries("v", "Data", 1, 1, 2)], kind="bar"))
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart and "Data!$B$2:$B$3" in chart


def test_streaming_many_rows_in_order():
    buffer = io.BytesIO()
    with WorkbookWriter(buffer) as book:
        sheet = book.add_sheet("Big", [Column("i", INTEGER), Column("s")])
        assert sheet.write_rows((i, f"row {i}") for i in range(5000)) == 5000
    ws = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)["Big"]
    last = list(ws.iter_rows(min_row=5001, max_row=5001, values_only=True))[0]
    assert last == (4999, "row 4999")


def test_csv_has_bom_and_neutralises_formulas_but_not_negative_numbers():
    table = Table([Column("Organisation"), Column("n", INTEGER), Column("day", DATE)],
                  [('=HYPERLINK("http://x","y")', -3, date(2025, 4, 1)), ("東京大学", 2, None),
                   ("@evil", Cell(0.5, PERCENT), None)])
    content = csv_bytes(table)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Organisation", "n", "day"]
    assert rows[1] == ["'=HYPERLINK(\"http://x\",\"y\")", "-3", "2025-04-01"]
    assert rows[2] == ["東京大学", "2", ""]
    assert rows[3] == ["'@evil", "0.5", ""]


def test_set_cell_in_an_existing_workbook_never_makes_a_formula():
    wb = Workbook()
    ws = wb.active
    ws["B2"].number_format = "0.00%"
    set_cell(ws["A1"], '=HYPERLINK("http://x","y")')
    set_cell(ws["A2"], 0.25, "0.0%")
    set_cell(ws["B2"], 0.25, "0.0%")
    set_cell(ws["A3"], "plain")
    buffer = io.BytesIO()
    wb.save(buffer)
    again = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert again["A1"].data_type == "s" and again["A1"].quotePrefix
    assert again["A2"].number_format == "0.0%"  # General cell gets the suggested format
    assert again["B2"].number_format == "0.00%"  # the template's own format wins
    assert again["A3"].value == "plain" and not again["A3"].quotePrefix


def test_drop_downs_come_from_a_hidden_sheet_and_only_warn():
    from core.spreadsheets import add_drop_downs, new_workbook, workbook_bytes

    book = new_workbook()
    sheet = book.create_sheet("Data")
    add_drop_downs(book, sheet, [("colour", 2, ["red", "=1+1"]), ("size", 4, ["S", "M", "L"])], last_row=50,
                   error="Not in the list.")
    read = load_workbook(io.BytesIO(workbook_bytes(book)))
    lists = read["Lists"]
    assert lists.sheet_state == "hidden"
    assert [lists.cell(r, 1).value for r in (1, 2, 3)] == ["colour", "red", "=1+1"]
    assert lists["A3"].data_type == "s"  # a value in a list never becomes a formula
    rules = {str(v.sqref): v for v in read["Data"].data_validations.dataValidation}
    assert set(rules) == {"B2:B50", "D2:D50"}
    assert rules["B2:B50"].formula1 == "Lists!$A$2:$A$3" and rules["D2:D50"].formula1 == "Lists!$B$2:$B$4"
    assert all(v.type == "list" and v.errorStyle == "warning" and v.error == "Not in the list."
               for v in rules.values())


def test_reader_passes_over_empty_first_sheets_only_when_asked():
    from core.spreadsheets import read_workbook_upload

    book = Workbook()
    book.active.title = "Cover"
    book.active["A1"] = "   "  # blank text is no data
    data_sheet = book.create_sheet("Data")
    data_sheet.append(["name"])
    data_sheet.append(["An"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    assert read_workbook_upload(data).sheets[0].name == "Cover"
    found = read_workbook_upload(data, first_with_data=True)
    assert [s.name for s in found.sheets] == ["Data"] and found.sheets[0].rows[1] == (2, ["An"])
    empty = Workbook()
    buffer = io.BytesIO()
    empty.save(buffer)
    assert read_workbook_upload(buffer.getvalue(), first_with_data=True).sheets[0].name == "Sheet"
