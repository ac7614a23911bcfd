"""Issue 13 item 2: an MSEL upload goes through the one guarded reader (zip bomb, far-away cells)."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

from openpyxl import Workbook

from exercises import msel

HEADER = ["#", "Module", "Scenario time", "Planned offset (min)", "Channel", "From", "To / audience", "Title",
          "Body", "Expected actions", "Contingency"]


def _msel_bytes(rows=(("", "Morning", "T+00:00", 0, "email", "A", "B", "First", "Body", "", "no"),)) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "MSEL"
    ws.append(HEADER)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, member: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            content = source.read(name)
            archive.writestr(name, change(content) if name == member else content)
    return buffer.getvalue()


def _peak_bytes(function, *args):
    tracemalloc.start()
    try:
        result = function(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_small_file_that_unpacks_to_a_huge_sheet_is_refused_unread():
    """The sheet's XML padded with whitespace (legal XML) compresses about 1000:1."""
    padding = b" " * (64 << 20)
    bomb = _rewrite(_msel_bytes(), "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"</sheetData>",
                                                                                       padding + b"</sheetData>"))
    assert len(bomb) < 200_000
    parsed, peak = _peak_bytes(msel.parse_workbook, bomb)
    assert parsed.injects == [] and "zip bomb" in parsed.errors[0]
    assert peak < 16 << 20, peak  # the member list alone decides: nothing is unpacked into memory


def _claiming_xfd(last_row: int) -> bytes:
    """The issue's shape: a 12-16 KB sheet whose <dimension> claims A1:XFD<last_row> and whose rows each hold
    one blank cell; openpyxl padded every such row to 16,384 cells (about 250 MB for 2,000 rows)."""
    extra = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t> </t></is></c></row>' % (n, n)
                     for n in range(3, last_row + 1))
    return _rewrite(_msel_bytes(), "xl/worksheets/sheet1.xml",
                    lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD%d"' % last_row, xml)
                    .replace(b"</sheetData>", extra + b"</sheetData>"))


def test_a_sheet_claiming_a_huge_dimension_costs_no_memory():
    data = _claiming_xfd(2001)
    assert len(data) < 20_000
    parsed, peak = _peak_bytes(msel.parse_workbook, data)
    assert peak < 16 << 20, peak
    assert parsed.injects == [] and "reaches beyond row 1500" in parsed.errors[0]  # 500 injects + slack
    within = _claiming_xfd(1400)
    parsed, peak = _peak_bytes(msel.parse_workbook, within)
    assert peak < 16 << 20, peak
    assert parsed.errors == [] and [i["title"] for i in parsed.injects] == ["First"]


def test_a_cell_far_to_the_right_is_refused_before_reading():
    data = _rewrite(_msel_bytes(), "xl/worksheets/sheet1.xml",
                    lambda xml: xml.replace(b"</sheetData>", b'<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t>'
                                            b"</is></c></row></sheetData>"))
    parsed = msel.parse_workbook(data)
    assert parsed.injects == [] and "columns beyond CZ" in parsed.errors[0]


def test_macros_are_refused():
    data = _rewrite(_msel_bytes(), "[Content_Types].xml",
                    lambda xml: xml.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml"))
    assert "macros" in msel.parse_workbook(data).errors[0]
