"""Filling a ministry template (様式): placeholders, table anchors, formatting kept, upload checks."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Border, Font, PatternFill, Side
from sqlalchemy import select

from core.errors import ServiceError
from reports import template_fill
from reports.filters import ReportFilter
from tests.reports import dataset

THIN = Side(style="thin")


def make_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "様式1"
    ws["A1"] = "実績報告 {{fy}} ({{ programme }})"
    ws["A3"], ws["B3"] = "Enrolments", "{{enrolments}}"
    ws["B3"].font = Font(bold=True, color="FF0000")
    ws["B3"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["A4"], ws["B4"] = "Completion rate", "{{completion_rate}}"
    ws["A5"], ws["B5"] = "Female share", "{{ Female_Share }}"
    ws["B5"].number_format = "0%"
    ws["B6"] = "Participants: {{participants}} persons from {{countries}} countries, {{person_days}} person-days"
    ws["B7"] = "{{budget_yen}}"
    ws["B8"] = "{{generated}}"
    ws["B9"] = '=CONCATENATE("{{enrolments}}", "x")'  # the form's own formula stays a formula
    ws.merge_cells("D1:F1")
    ws["D1"] = "Ministry form No. 3"
    ws.column_dimensions["A"].width = 33
    ws["A10"] = "{{table:by_country:headers}}"
    for col in "ABCDEFGH":
        ws[f"{col}10"].border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
    ws["A20"] = "{{table:by_fiscal_year}}"
    ws["C12"] = "this cell will be overwritten"
    ws["J1"] = "{{table:nonexistent}}"
    ws["J2"] = "see {{table:by_sector}} here"
    other = wb.create_sheet("Sectors")
    other["B2"] = "{{table:by_sector}}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def ds(db):
    data = dataset.build()
    db.session.commit()
    return data


def _fill(filt: ReportFilter, content: bytes | None = None):
    from reports import statistics, workbook

    data = statistics.compute(filt)
    return template_fill.fill(content or make_template(), workbook.template_values(data, filt, "en", None),
                              workbook.template_tables(data, filt, "en", False))


def test_placeholders_and_tables_filled_with_formatting_kept(ds):
    result = _fill(ReportFilter(fy_from=2024, fy_to=2024))
    wb = load_workbook(io.BytesIO(result.content))
    ws = wb["様式1"]
    assert ws["A1"].value == "実績報告 FY2024 ()"
    assert ws["B3"].value == 5 and ws["B3"].data_type == "n"
    assert ws["B3"].font.bold and ws["B3"].font.color.rgb == "00FF0000" and ws["B3"].fill.fgColor.rgb == "00FFFF00"
    assert ws["B4"].value == pytest.approx(3 / 5) and ws["B4"].number_format == "0.0%"
    assert ws["B5"].value == pytest.approx(4 / 5) and ws["B5"].number_format == "0%"  # the form's own format
    assert ws["B6"].value == "Participants: 4 persons from 2 countries, 9 person-days"
    assert ws["B7"].value == "{{budget_yen}}"
    assert ws["B8"].is_date
    assert ws["B9"].data_type == "f" and ws["B9"].value == '=CONCATENATE("{{enrolments}}", "x")'
    assert "D1:F1" in {str(r) for r in ws.merged_cells.ranges} and ws.column_dimensions["A"].width == 33
    table = [tuple(c.value for c in row) for row in ws["A10:H14"]]
    assert table == [
        ("Country code", "Country", "Enrolments", "Completed", "Female", "Male", "Other/not stated", "Person-days"),
        ("TH", "Thailand", 2, 1, 2, 0, 0, 3),
        ("VN", "Viet Nam", 3, 2, 2, 1, 0, 6),
        ("ASEAN", "ASEAN", 5, 3, 4, 1, 0, 9),
        ("Total", "Total", 5, 3, 4, 1, 0, 9),
    ]
    assert all(ws[f"{c}13"].border.top.style == "thin" for c in "ABCDEFGH")  # anchor row style copied down
    assert [tuple(c.value for c in row) for row in ws["A20:G20"]] == [(2024, 2, 5, 3, 2, 9, 5)]
    sectors = [tuple(c.value for c in row) for row in wb["Sectors"]["B2:H4"]]
    assert sectors[0] == ("ELE", "Electric power", 1, 0, 0, 1, 0) and sectors[-1][0] == "GOV"
    assert result.tables == 3
    text = " ".join(result.warnings)
    assert "{{budget_yen}}" in text and "様式1!B7" in text
    assert "{{table:nonexistent}}" in text
    assert "must be alone in its cell" in text
    assert "様式1!A10" in text and "C12" in text  # overwrote a non-empty cell


def test_formula_like_values_are_written_as_text(ds):
    wb = Workbook()
    wb.active["A1"] = "{{table:participants}}"
    buffer = io.BytesIO()
    wb.save(buffer)
    result = _fill(ReportFilter(cohort="CSIRT-2025A"), buffer.getvalue())
    ws = load_workbook(io.BytesIO(result.content)).active
    evil = [c for row in ws.iter_rows() for c in row if c.value == dataset.EVIL_ORG]
    assert evil and all(c.data_type == "s" and c.quotePrefix for c in evil)
    with zipfile.ZipFile(io.BytesIO(result.content)) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def _zip(entries: dict[str, bytes], encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    content = bytearray(buffer.getvalue())
    if encrypted:  # zipfile cannot write encrypted entries: set the "encrypted" flag bit by hand
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = 0
            while (start := content.find(signature, start)) != -1:
                content[start + offset] |= 0x1
                start += 4
    return bytes(content)


WORKBOOK_PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"PK\x03\x04 junk", "form.xls", ".xlsx"),
    (b"", "form.xlsx", "empty"),
    (b"just some text, not a zip", "form.xlsx", "not an Excel workbook"),
    (_zip({"readme.txt": b"hello"}), "form.xlsx", "not an Excel workbook"),
    (_zip({**WORKBOOK_PARTS, "xl/worksheets/sheet1.xml": b"\0" * (5 * 1024 * 1024)}), "form.xlsx", "zip bomb"),
    (_zip({"[Content_Types].xml": b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
           "xl/workbook.xml": b"<workbook/>"}), "form.xlsx", "macros"),
    (_zip(WORKBOOK_PARTS, encrypted=True), "form.xlsx", "Encrypted"),
])
def test_upload_checks_refuse_bad_files(app, content, filename, message):
    with app.test_request_context(), pytest.raises(ServiceError) as error:
        template_fill.check_upload(content, filename)
    assert message in error.value.message


def test_upload_size_limit_and_total_unpacked_size(app):
    with app.test_request_context():
        with pytest.raises(ServiceError, match="the limit is 1.0 MB"):
            template_fill.check_upload(b"x" * (1024 * 1024 + 1), "form.xlsx", max_bytes=1024 * 1024)
        many = {**WORKBOOK_PARTS, **{f"xl/media/{i}.bin": bytes(range(256)) * 4096 for i in range(70)}}
        with pytest.raises(ServiceError, match="would unpack to 70.0 MB"):
            template_fill.check_upload(_zip(many), "form.xlsx", max_bytes=50 * 1024 * 1024)
        template_fill.check_upload(make_template(), "Form.XLSX")  # a real workbook passes


def test_damaged_workbook_is_a_message_not_a_500(app):
    with app.test_request_context(), pytest.raises(ServiceError, match="not an Excel workbook"):
        template_fill.fill(_zip(WORKBOOK_PARTS), {}, {})


# --- through the page --------------------------------------------------------------------------------

def _post(client, content: bytes, filename: str = "form.xlsx", **fields):
    data = {"template": (io.BytesIO(content), filename), "lang": "en", **fields}
    return client.post("/reports/template", data=data, content_type="multipart/form-data")


def test_page_documents_every_placeholder(client, ds, login_as):
    login_as("organiser")
    html = client.get("/reports/template").get_data(as_text=True)
    for name in template_fill.PLACEHOLDERS:
        assert "{{" + name + "}}" in html
    for name in template_fill.TABLES:
        assert "{{table:" + name + "}}" in html


def test_round_trip_without_warnings_downloads_directly(client, ds, login_as):
    login_as("organiser")
    wb = Workbook()
    wb.active["A1"], wb.active["B1"] = "{{enrolments}}", "{{table:by_fiscal_year}}"
    buffer = io.BytesIO()
    wb.save(buffer)
    response = _post(client, buffer.getvalue(), programme="ASEAN-CSIRT")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filled = load_workbook(io.BytesIO(response.data)).active
    assert filled["A1"].value == 8  # ASEAN-CSIRT: everything but E in ISMS-2025
    assert [c.value for c in filled[1]][1:] == [2024, 2, 5, 3, 2, 9, 5]
    assert [c.value for c in filled[2]][1:] == [2025, 2, 3, 2, 3, 7, 8]


def test_round_trip_with_warnings_shows_them_and_offers_a_stored_download(client, db, ds, login_as, app, tmp_path,
                                                                          monkeypatch):
    from datetime import timedelta

    from core.db import utcnow
    from core.filestore import StoredFile

    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    owner = login_as("organiser")
    response = _post(client, make_template(), fy_from="2024", fy_to="2024")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "The form was filled, with warnings" in html
    assert "Unknown placeholder {{budget_yen}}" in html
    fields = dict(re.findall(r'<input type="hidden" name="(key)" value="([^"]*)">', html))
    assert len(fields["key"]) == 32 and len(html) < 20000  # a key in the page, not the whole workbook
    download = client.post("/reports/template/download", data=fields)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == "attachment; filename=form-filled.xlsx"
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert download.headers["Cache-Control"] == "no-store, private"
    assert load_workbook(io.BytesIO(download.data))["様式1"]["B3"].value == 5
    assert list(tmp_path.iterdir()) == []
    for bad in ({"key": "0" * 32}, {}, {"key": "../../etc/passwd"}):
        assert client.post("/reports/template/download", data=bad).status_code == 302
    client.post("/logout")
    login_as("organiser")  # another organiser: not theirs
    refused = client.post("/reports/template/download", data=fields)
    assert refused.status_code == 302
    assert "expired" in client.get(refused.headers["Location"]).get_data(as_text=True)
    client.post("/logout")
    login_as(user=owner)
    db.session.scalars(select(StoredFile).where(StoredFile.key == fields["key"])).one().expires_at = \
        utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post("/reports/template/download", data=fields).status_code == 302  # past its hour


def test_bad_upload_and_bad_filters_show_messages(client, ds, login_as):
    login_as("organiser")
    html = _post(client, b"not a workbook", "form.xlsx").get_data(as_text=True)
    assert "not an Excel workbook" in html
    html = _post(client, make_template(), fy_from="later").get_data(as_text=True)
    assert "Give a fiscal year as four digits" in html
    html = client.post("/reports/template", data={"lang": "en"}).get_data(as_text=True)
    assert "Choose an .xlsx file." in html
