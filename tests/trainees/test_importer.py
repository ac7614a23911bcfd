"""Reading and checking import files (pure logic: no app, no database)."""

from __future__ import annotations

import io
import random
import string
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter

from accounts.services import normalize_email
from core.errors import ServiceError
from trainees.imports import reader as importer
from trainees.imports.reader import ImportFileError, Limits, parse_file
from trainees.imports.template import build_template

from .import_files import HEADER, csv_bytes, row, xlsx_bytes

TODAY = date(2025, 1, 1)


def parse(data: bytes, name: str = "trainees.xlsx", **limits):
    return parse_file(data, name, Limits(**limits) if limits else None, today=TODAY)


def only_row(data: bytes, name: str = "trainees.xlsx"):
    parsed = parse(data, name)
    assert len(parsed.rows) == 1
    return parsed.rows[0]


def messages(parsed_row) -> dict[str, str]:
    return {p.column: p.message for p in parsed_row.errors}


# --- headers ----------------------------------------------------------------------------------

def test_headers_are_case_and_space_insensitive():
    header = ["Family Name", " GIVEN_NAMES ", "E-mail", "Gender", "NATIONALITY", "Organisation",
              "Organisation Country", "sector", "Org Type", "Job title", "Date of Birth", "Status"]
    parsed_row = only_row(xlsx_bytes([row(email="A@Example.VN", status="accepted")], header=header, columns=HEADER))
    assert parsed_row.is_valid, parsed_row.errors
    assert parsed_row.values["email"] == "a@example.vn"
    assert parsed_row.values["status"] == "accepted"
    assert parsed_row.values["organisation"] == "VNCERT"


def test_japanese_header_aliases():
    header = ["姓", "名", "メール", "性別", "国籍", "所属", "所属国", "分野", "組織種別", "役職", "生年月日", "状態"]
    values = row(family_name="山田", given_names="花子", email="hanako@example.jp", gender="女性", nationality="日本",
                 organisation="情報処理推進機構", organisation_country="JP", sector="政府・行政サービス",
                 org_type="政府機関", job_title="主任", date_of_birth="1985/4/1", status="参加確定")
    parsed_row = only_row(csv_bytes([values], header=header, columns=HEADER), "roster.csv")
    assert parsed_row.is_valid, parsed_row.errors
    assert parsed_row.values == {
        "family_name": "山田", "given_names": "花子", "email": "hanako@example.jp", "gender": "F",
        "nationality": "JP", "organisation": "情報処理推進機構", "organisation_country": "JP", "sector": "GOV",
        "org_type": "government", "job_title": "主任", "date_of_birth": date(1985, 4, 1), "status": "confirmed"}


def test_ステータス_is_also_accepted_for_status():
    header = [*HEADER[:-1], "ステータス"]
    parsed_row = only_row(csv_bytes([row(status="waitlisted")], header=header, columns=HEADER), "a.csv")
    assert parsed_row.values["status"] == "waitlisted"


def test_unknown_columns_are_ignored_with_a_note():
    parsed = parse(csv_bytes([row(remarks="vegetarian")], header=[*HEADER, "Remarks"]), "a.csv")
    assert parsed.rows[0].is_valid
    assert any("Remarks" in note and "ignored" in note for note in parsed.notes)
    assert "Remarks" not in parsed.columns


def test_missing_required_columns_is_one_clear_error():
    header = ["family_name", "given_names", "nationality", "organisation", "org_type"]
    with pytest.raises(ImportFileError) as caught:
        parse(csv_bytes([row()], header=header), "a.csv")
    assert "Required columns are missing: email, sector" in caught.value.message


def test_the_same_column_twice_is_refused():
    with pytest.raises(ImportFileError, match="both mean email"):
        parse(csv_bytes([row()], header=[*HEADER, "メール"], columns=[*HEADER, "email"]), "a.csv")


def test_optional_columns_may_be_left_out():
    columns = ["given_names", "email", "nationality", "organisation", "sector", "org_type"]
    parsed_row = only_row(csv_bytes([row()], header=columns), "a.csv")
    assert parsed_row.is_valid
    assert parsed_row.values.get("gender") is None and "status" not in parsed_row.values


# --- encodings ---------------------------------------------------------------------------------

@pytest.mark.parametrize("bom", [False, True])
def test_utf8_csv_with_and_without_bom(bom):
    parsed = parse(csv_bytes([row(given_names="Thị Mai")], bom=bom), "a.csv")
    assert parsed.rows[0].values["given_names"] == "Thị Mai"
    assert parsed.rows[0].values["family_name"] == "Nguyen"  # the BOM is not part of the first header
    assert parsed.notes == []


def test_cp932_csv_from_japanese_excel_is_read_with_a_note():
    data = csv_bytes([row(family_name="山田", given_names="太郎", organisation="経済産業省",
                          organisation_country="JP")], encoding="cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = parse(data, "a.csv")
    assert parsed.rows[0].values["family_name"] == "山田"
    assert parsed.rows[0].values["organisation"] == "経済産業省"
    assert any("Shift_JIS (CP932)" in note for note in parsed.notes)


def test_semicolon_and_tab_separated_csv():
    for delimiter in (";", "\t"):
        parsed = parse(csv_bytes([row(email="x@example.org")], delimiter=delimiter), "a.csv")
        assert parsed.rows[0].values["email"] == "x@example.org"


def test_text_in_no_known_encoding_is_refused():
    with pytest.raises(ImportFileError, match="encoding is not recognised"):
        parse(b"given_names,email\r\n\x81\xff\xfe,x@example.org\r\n", "a.csv")


# --- values ------------------------------------------------------------------------------------

def test_values_are_nfkc_normalised_and_trimmed():
    values = row(family_name="  Ｎｇｕｙｅｎ ", given_names="Van   An\u200b", email="ＡＮ＠ＥＸＡＭＰＬＥ．ＶＮ",
                 nationality=" ｖｎ ", organisation="ＶＮＣＥＲＴ　 Centre", job_title="ｴﾝｼﾞﾆｱ")
    parsed_row = only_row(xlsx_bytes([values]))
    assert parsed_row.is_valid, parsed_row.errors
    assert parsed_row.values["family_name"] == "Nguyen"
    assert parsed_row.values["given_names"] == "Van An"
    assert parsed_row.values["email"] == "an@example.vn"
    assert parsed_row.values["nationality"] == "VN"
    assert parsed_row.values["organisation"] == "VNCERT Centre"
    assert parsed_row.values["job_title"] == "エンジニア"


@pytest.mark.parametrize(("text", "code"), [("VN", "VN"), ("vnm", "VN"), ("Viet Nam", "VN"), ("Vietnam", "VN"),
                                            ("Lao PDR", "LA"), ("LAO", "LA"), ("Timor-Leste", "TL"),
                                            ("Brunei", "BN")])
def test_countries_as_codes_and_english_names(text, code):
    parsed_row = only_row(csv_bytes([row(nationality=text, organisation_country=text)]), "a.csv")
    assert (parsed_row.values["nationality"], parsed_row.values["organisation_country"]) == (code, code)


@pytest.mark.parametrize(("text", "code"), [("F", "F"), ("female", "F"), ("Male", "M"), ("x", "X"),
                                            ("other", "X"), ("", None)])
def test_gender_codes_and_words(text, code):
    assert only_row(csv_bytes([row(gender=text)]), "a.csv").values["gender"] == code


def test_sector_and_org_type_by_code_or_name():
    parsed_row = only_row(csv_bytes([row(sector="Finance", org_type="ministry")]), "a.csv")
    assert (parsed_row.values["sector"], parsed_row.values["org_type"]) == ("FIN", "government")
    parsed_row = only_row(csv_bytes([row(sector="ele", org_type="State-owned enterprise")]), "a.csv")
    assert (parsed_row.values["sector"], parsed_row.values["org_type"]) == ("ELE", "soe")


@pytest.mark.parametrize(("text", "status"), [("", None), ("Accepted", "accepted"), ("No-show", "no_show"),
                                              ("no show", "no_show"), ("辞退", "withdrawn")])
def test_status_codes_and_names(text, status):
    assert only_row(csv_bytes([row(status=text)]), "a.csv").values["status"] == status


def test_every_bad_cell_gets_a_message_with_its_row_and_column():
    bad = row(email="not-an-email", gender="maybe", nationality="Atlantis", sector="Spaceflight",
              org_type="guild", status="graduated", given_names="", date_of_birth="03/04/1990")  # ambiguous
    parsed = parse(csv_bytes([row(), bad]), "a.csv")
    assert parsed.rows[0].is_valid
    problems = messages(parsed.rows[1])
    assert set(problems) == {"email", "gender", "nationality", "sector", "org_type", "status", "given_names",
                             "date_of_birth"}
    assert "not a valid e-mail address" in problems["email"]
    assert problems["given_names"] == "a value is required."
    lines = [p.line(parsed.rows[1].number) for p in parsed.rows[1].errors]
    assert "row 3: nationality: “Atlantis” is not a country: use an ISO code (VN or VNM) or the English name " \
           "(Viet Nam)." in lines


def test_organisation_country_defaults_to_empty_and_long_values_are_refused():
    parsed_row = only_row(csv_bytes([row(job_title="x" * 201)]), "a.csv")
    assert parsed_row.values["organisation_country"] is None
    assert messages(parsed_row)["job_title"] == "is too long (201 characters; at most 200)."


def test_control_characters_are_refused():
    assert "control characters" in messages(only_row(csv_bytes([row(given_names="An\x07")]), "a.csv"))["given_names"]


def test_formula_like_text_is_kept_as_plain_text():
    texts = {"family_name": "=HYPERLINK(\"http://evil\",\"x\")", "given_names": "+81 3 1234", "job_title": "@SUM(A1)",
             "organisation": "-Org-"}
    for data, name in ((xlsx_bytes([row(**texts)]), "a.xlsx"), (csv_bytes([row(**texts)]), "a.csv")):
        parsed_row = only_row(data, name)
        assert parsed_row.is_valid, parsed_row.errors
        assert {k: parsed_row.values[k] for k in texts} == texts


# --- dates -------------------------------------------------------------------------------------

def test_dates_as_iso_text_and_as_real_excel_date_cells():
    rows = [row(date_of_birth="1990-05-14"), row(date_of_birth="1990/5/4"), row(date_of_birth=date(1979, 12, 31)),
            row(date_of_birth=datetime(1982, 3, 9, 0, 0)), row(date_of_birth="")]
    parsed = parse(xlsx_bytes(rows))
    assert [r.values["date_of_birth"] for r in parsed.rows] == [
        date(1990, 5, 14), date(1990, 5, 4), date(1979, 12, 31), date(1982, 3, 9), None]


def test_impossible_future_and_numeric_dates_are_refused():
    rows = [row(date_of_birth="1990-02-30"), row(date_of_birth="2030-01-01"), row(date_of_birth=33007),
            row(date_of_birth="May 1990"), row(date_of_birth="1850-01-01")]
    parsed = parse(xlsx_bytes(rows))
    assert [messages(r)["date_of_birth"] for r in parsed.rows] == [
        "“1990-02-30” is not a real date.",
        "2030-01-01 is in the future.",
        "“33007” is a number, not a date: type the date as YYYY-MM-DD or format the cell as a date.",
        "“May 1990” is not a date: use YYYY-MM-DD (for example 1990-05-14).",
        "1850-01-01 is before 1900; check the year.",
    ]


def test_day_first_month_first_and_japanese_era_dates_where_unambiguous():
    cases = {
        "14/05/1990": date(1990, 5, 14), "05/14/1990": date(1990, 5, 14), "7.7.1990": date(1990, 7, 7),
        "平成2年5月14日": date(1990, 5, 14), "H2.5.14": date(1990, 5, 14), "令和元年5月1日": date(2019, 5, 1),
        "昭和64年1月7日": date(1989, 1, 7), "１９９０年５月１４日": date(1990, 5, 14), "r1/5/1": date(2019, 5, 1),
    }
    parsed = parse(xlsx_bytes([row(date_of_birth=text) for text in cases]))
    assert [r.values.get("date_of_birth") for r in parsed.rows] == list(cases.values())
    refused = parse(xlsx_bytes([row(date_of_birth="03/04/1990"), row(date_of_birth="平成31年5月1日"),
                                row(date_of_birth="31/02/1990")]))
    assert [messages(r)["date_of_birth"] for r in refused.rows] == [
        "“03/04/1990” could be 1990-04-03 or 1990-03-04: write it as YYYY-MM-DD.",
        "“平成31年5月1日” is outside the 平成 era; check the era and the year.",
        "“31/02/1990” is not a real date.",
    ]


# --- duplicates, row numbers, sheets -------------------------------------------------------------

def test_an_empty_first_sheet_is_passed_over_for_the_first_sheet_with_data():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([row(email="s@example.org")], sheet_title="Data")))
    workbook.create_sheet("Cover", 0)  # empty, and first
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue())
    assert parsed.rows[0].values["email"] == "s@example.org"
    assert any("first one with data, “Data”" in note for note in parsed.notes)


def test_each_duplicate_email_row_is_reported():
    rows = [row(email="dup@example.org"), row(), row(email="DUP@example.org"), row(email="Dup@Example.org")]
    parsed = parse(csv_bytes(rows), "a.csv")
    assert [r.is_valid for r in parsed.rows] == [False, True, False, False]
    assert messages(parsed.rows[0])["email"] == "dup@example.org appears more than once in the file (rows 2, 4, 5)."


def test_row_numbers_are_spreadsheet_rows_and_blank_rows_are_skipped():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(HEADER)
    sheet.append([row()[c] for c in HEADER])
    sheet.append([])
    sheet.append([row(email="bad")[c] for c in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue())
    assert [r.number for r in parsed.rows] == [3, 5]
    assert parsed.rows[1].errors[0].line(5).startswith("row 5: email:")


def test_the_sheet_named_trainees_is_read_even_when_not_first():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([row(email="t@example.org")])))
    notes = workbook.create_sheet("Notes", 0)
    notes["A1"] = "read me"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert parse(buffer.getvalue()).rows[0].values["email"] == "t@example.org"


# --- formulas in .xlsx ---------------------------------------------------------------------------

def test_formula_cell_with_a_saved_value_gives_that_value_as_text():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    sheet = workbook.add_worksheet("Trainees")
    sheet.write_row(0, 0, HEADER)
    values = row()
    sheet.write_row(1, 0, [values[c] for c in HEADER])
    sheet.write_formula(1, HEADER.index("job_title"), '="Incident "&"handler"', None, "Incident handler")
    sheet.write_formula(1, HEADER.index("given_names"), "=1+2", None, 3)
    workbook.close()
    parsed_row = only_row(buffer.getvalue())
    assert parsed_row.is_valid, parsed_row.errors
    assert parsed_row.values["job_title"] == "Incident handler"
    assert parsed_row.values["given_names"] == "3"
    assert {n.column for n in parsed_row.notes} == {"job_title", "given_names"}


def test_formula_cell_without_a_saved_value_is_invalid():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([row()])))
    workbook.active["J2"] = "=UPPER(B2)"  # job_title; openpyxl stores no cached value
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "formula without a saved value" in messages(only_row(buffer.getvalue()))["job_title"]


# --- whole-file problems -----------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def test_renamed_binary_files_are_refused():
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        parse(PNG, "photo.xlsx")
    with pytest.raises(ImportFileError, match="binary data"):
        parse(PNG, "photo.csv")
    with pytest.raises(ImportFileError, match="binary data"):
        parse(b"given_names,email\r\nA\x00n,a@example.org\r\n", "nul.csv")
    with pytest.raises(ImportFileError, match="Excel workbook with a .csv name"):
        parse(xlsx_bytes([row()]), "roster.csv")
    with pytest.raises(ImportFileError, match="old-style .xls file or a password-protected"):
        parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        parse(buffer.getvalue(), "report.xlsx")


def _zip_bomb(size: int) -> bytes:
    """A real workbook plus a member of ``size`` zero bytes (compresses about 1000:1)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([row()])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        with archive.open("xl/media/padding.bin", "w") as member:
            chunk = b"\x00" * (1 << 20)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def test_zip_bomb_is_refused_from_the_member_list():
    bomb = _zip_bomb(32 << 20)
    assert len(bomb) < 200_000
    with pytest.raises(ImportFileError, match="zip bomb"):
        parse(bomb)


def test_too_much_unpacked_data_is_refused_even_at_a_modest_ratio():
    with pytest.raises(ImportFileError, match="zip bomb"):
        parse(xlsx_bytes([row() for _ in range(50)]), max_unpacked=4000)


def test_a_member_whose_declared_size_lies_fails_its_check():
    data = bytearray(xlsx_bytes([row()]))
    size = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml").file_size
    # Central directory entry: signature, …, uncompressed size at +24, file name at +46.
    entry = data.find(b"xl/worksheets/sheet1.xml", data.find(b"PK\x01\x02")) - 46
    assert data[entry:entry + 4] == b"PK\x01\x02"
    data[entry + 24:entry + 28] = (size // 10).to_bytes(4, "little")
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        parse(bytes(data))


def test_far_away_cells_are_refused_before_loading_the_sheet():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([row()])))
    workbook.active["A1048576"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFileError, match="reaches beyond row 21000"):
        parse(buffer.getvalue())
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([row()])))
    workbook.active["XFD2"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFileError, match="columns beyond CZ"):
        parse(buffer.getvalue())


def _rewrite_sheet(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            content = source.read(name)
            archive.writestr(name, change(content) if name == "xl/worksheets/sheet1.xml" else content)
    return buffer.getvalue()


@pytest.mark.parametrize("reference", [b'r="A200000"', b'r = "A200000"', b'r\t=\t"A200000"', b"r='A200000'",
                                       b'r="a200000"', b'r="A0000200000"', b'r="XFD2"', b'r="xfd2"', b'r="DA2"'])
def test_far_away_cells_in_unusual_spellings_are_refused(reference):
    """calamine accepts all these spellings, so the guard must see them too."""
    data = _rewrite_sheet(xlsx_bytes([row()]), lambda xml: xml.replace(b'r="A2"', reference, 1))
    with pytest.raises(ImportFileError, match="reaches beyond row|columns beyond CZ"):
        parse(data)


def _rewrite_member(data: bytes, member: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            content = source.read(name)
            archive.writestr(name, change(content) if name == member else content)
    return buffer.getvalue()


def test_sheet_targets_are_resolved_like_calamine_and_a_missing_one_is_refused():
    data = xlsx_bytes([row()])
    rels, original = "xl/_rels/workbook.xml.rels", b'Target="/xl/worksheets/sheet1.xml"'
    relative = _rewrite_member(data, rels, lambda x: x.replace(original, b'Target="worksheets/sheet1.xml"'))
    assert len(parse(relative).rows) == 1
    for target in (b'Target="/xl/other/sheet9.xml"', b'Target="xl/worksheets/sheet1.xml"'):  # the latter: xl/xl/…
        missing = _rewrite_member(data, rels, lambda x, t=target: x.replace(original, t))
        with pytest.raises(ImportFileError, match="not an Excel workbook"):
            parse(missing)


def test_a_far_away_row_without_cell_references_is_refused():
    def change(xml: bytes) -> bytes:
        import re

        return re.sub(rb' r="[A-Z]+2"', b"", xml).replace(b'<row r="2"', b'<row r="900000"')

    with pytest.raises(ImportFileError, match="reaches beyond row"):
        parse(_rewrite_sheet(xlsx_bytes([row()]), change))


def test_namespace_declarations_do_not_trigger_the_extent_guard():
    data = _rewrite_sheet(xlsx_bytes([row()]), lambda xml: xml.replace(
        b"<worksheet ", b'<worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ',
        1))
    assert len(parse(data).rows) == 1


def test_empty_and_header_only_files_are_refused():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    with pytest.raises(ImportFileError, match="The file is empty"):
        parse(buffer.getvalue())
    with pytest.raises(ImportFileError, match="The file is empty"):
        parse(b"", "a.csv")
    with pytest.raises(ImportFileError, match="The file is empty"):
        parse(b"\r\n ,  ,\r\n\r\n", "a.csv")
    with pytest.raises(ImportFileError, match="header row but no trainees"):
        parse(xlsx_bytes([]))
    with pytest.raises(ImportFileError, match="header row but no trainees"):
        parse(csv_bytes([]), "a.csv")


def test_size_and_row_limits():
    with pytest.raises(ImportFileError, match="the limit is"):
        parse(csv_bytes([row()]), "a.csv", max_bytes=100)
    with pytest.raises(ImportFileError, match="at most 3 can be imported"):
        parse(xlsx_bytes([row() for _ in range(4)]), max_rows=3)
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        parse(csv_bytes([row() for _ in range(5)]), "a.csv", max_rows=3)
    assert len(parse(xlsx_bytes([row() for _ in range(3)]), max_rows=3).rows) == 3


@pytest.mark.parametrize("name", ["roster.xls", "roster.xlsm", "roster.txt", "roster"])
def test_other_file_types_are_refused(name):
    with pytest.raises(ImportFileError, match=r"\.xlsx"):
        parse(csv_bytes([row()]), name)


def test_the_downloadable_template_is_a_valid_import_file():
    parsed = parse(build_template())
    assert parsed.columns == list(HEADER)
    assert len(parsed.rows) == 1 and parsed.rows[0].is_valid, parsed.rows[0].errors
    assert parsed.rows[0].values["date_of_birth"] == date(1990, 5, 14)
    assert parsed.notes == []


# --- the e-mail shortcut agrees with normalize_email ---------------------------------------------

EMAILS = ["a@b.co", "A.B@Example.ORG", "first.last+tag@sub.example.co.jp", "x@localhost", "x@a.test", "x@a.invalid",
          "x@a.local", "x@a.onion", "x@1.2.3.4", "x@example", "x@-a.com", "x@a-.com", "x@ab--cd.com", "x@xn--a.com",
          "x@xn--bcher-kva.example", ".x@a.com", "x.@a.com", "x..y@a.com", "x@a..com", "x@a.c", "x@a.123",
          "o'brien@example.ie", "q!#$%&'*+/=?^_`{|}~-@example.org", "user@[127.0.0.1]", "\"quoted\"@example.org",
          "a" * 64 + "@example.org", "a" * 65 + "@example.org", "x@" + "a" * 63 + ".com", "x@" + "a" * 64 + ".com",
          "x@" + ".".join(["a" * 60] * 5) + ".com", "ünïcode@example.org", "x@exämple.org", "x @a.com", "x@a.com.",
          "x@a.arpa", "x@sub.localhost", "@a.com", "x@", "x", ""]


def _reference(text: str) -> str | None:
    try:
        return normalize_email(text)
    except ServiceError:
        return None


def _ours(text: str) -> str | None:
    try:
        return importer._email(text)
    except ServiceError:
        return None


def test_email_shortcut_never_disagrees_with_normalize_email():
    rng = random.Random(20240601)
    alphabet = string.ascii_letters + string.digits + ".-_+@'!#"
    samples = list(EMAILS)
    for _ in range(3000):
        local = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        domain = "".join(rng.choice(string.ascii_lowercase + string.digits + ".-") for _ in range(rng.randint(1, 14)))
        samples.append(f"{local}@{domain}{rng.choice(['', '.com', '.org', '.test', '.x1'])}")
    for text in samples:
        assert _ours(text) == _reference(text), text
