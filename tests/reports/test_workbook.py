"""The report workbook opened with openpyxl: sheets, headers, types, every number of the fixed dataset."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from tests.reports import dataset
from tests.reports.helpers import build, open_book, rows, sheet_xml

SHEETS = ["Summary", "Participants", "By country", "By sector", "By cohort", "By fiscal year", "Learning",
          "Definitions"]
HEADERS = {
    "Summary": ["Indicator", "Value"],
    "Participants": ["Enrolment ID", "Trainee ID", "Family name", "Given names", "Gender", "Nationality",
                     "Organisation", "Organisation country", "Sector", "Org type", "Public/Private", "Cohort",
                     "Fiscal year", "Modality", "Status", "Attendance %", "Pre-test %", "Post-test %", "Completed"],
    "By country": ["Country code", "Country", "Enrolments", "Completed", "Female", "Male", "Other/not stated",
                   "Person-days"],
    "By sector": ["Sector code", "Sector", "Public", "Private", "Other", "Enrolments", "Completed"],
    "By cohort": ["Cohort", "Title", "Fiscal year", "Modality", "Host country", "Start", "End", "Training days",
                  "Enrolments", "Completed", "Countries", "Person-days"],
    "By fiscal year": ["Fiscal year", "Cohorts", "Enrolments", "Completed", "Countries", "Person-days",
                       "Cumulative enrolments"],
    "Learning": ["Cohort", "Paired trainees", "Mean pre %", "Mean post %", "Normalised gain"],
    "Definitions": ["Figure", "Definition"],
}


@pytest.fixture
def ds(db):
    return dataset.build()


@pytest.fixture
def book(ds):
    return open_book(build())


def test_sheet_order_headers_frozen_bold_autofilter(book):
    assert book.sheetnames == SHEETS
    for name in SHEETS:
        ws = book[name]
        assert [c.value for c in ws[1]] == HEADERS[name], name
        assert all(c.font.bold for c in ws[1]), name
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", name
        assert ws.column_dimensions["A"].width > 0


def test_summary_values_and_types(book):
    ws = book["Summary"]
    values = {r[0]: r[1] for r in rows(book, "Summary")[1:]}
    assert values == {
        "Cohorts": 5, "Participants": 7, "Enrolments": 9, "Completed": 6, "Completion rate": pytest.approx(6 / 9),
        "Countries": 5, "Female share": pytest.approx(4 / 9), "Person-days": 21, "Mean pre-test": None,
        "Mean post-test": None, "Normalised gain": None, "Satisfaction (mean 1–5)": None, "Exercises run": 0,
    }
    cells = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(2, ws.max_row + 1)}
    assert cells["Enrolments"].data_type == "n" and cells["Enrolments"].number_format == "#,##0"
    assert cells["Completion rate"].data_type == "n" and cells["Completion rate"].number_format == "0.0%"


def test_participants_sheet(ds, book):
    got = rows(book, "Participants")[1:]
    e = ds.enrolments
    t = ds.trainees
    evil = dataset.EVIL_ORG
    expected = [
        # C1 by family name: Chaiyaporn, Nguyen, Tran
        (e["Cc", "C1"].id, t["Cc"].id, "Chaiyaporn", "Somsri", "Female", "Thailand", "Bangkok Commercial Bank",
         "Thailand", "Finance", "Private company", "Private", "CSIRT-2024A", 2024, "Invitation training in Japan",
         "Completed", 0, None, None, 1),
        (e["A", "C1"].id, t["A"].id, "Nguyen", "Thi Anh", "Female", "Viet Nam", "VNCERT", "Viet Nam",
         "Government and administrative services", "National CSIRT", "Public", "CSIRT-2024A", 2024,
         "Invitation training in Japan", "Completed", 0.75, None, None, 1),
        (e["B", "C1"].id, t["B"].id, "Tran", "Van Binh", "Male", "Viet Nam", "Electricity of Viet Nam", "Viet Nam",
         "Electric power", "State-owned enterprise", "Public", "CSIRT-2024A", 2024, "Invitation training in Japan",
         "Incomplete", 0.25, None, None, 0),
        (e["A", "C2"].id, t["A"].id, "Nguyen", "Thi Anh", "Female", "Viet Nam", "VNCERT", "Viet Nam",
         "Government and administrative services", "National CSIRT", "Public", "CSIRT-2024B", 2024,
         "In-country workshop", "Completed", None, None, None, 1),
        (e["G", "C2"].id, t["G"].id, "Wongsakul", "Pimchanok", "Female", "Thailand", "Bangkok Commercial Bank",
         "Thailand", "Finance", "Private company", "Private", "CSIRT-2024B", 2024, "In-country workshop",
         "Confirmed", None, None, None, 0),
        (e["D", "C3"].id, t["D"].id, "Santos", "Jose Rizal", "Male", "Philippines", evil, "Philippines",
         "Information and communications", "Private company", "Private", "CSIRT-2025A", 2025,
         "Online live training", "Confirmed", None, None, None, 0),
        (e["F", "C3"].id, t["F"].id, "Yamada", "Hanako", "Not stated", "Japan", "Kanto Institute of Technology",
         "Japan", "Education and research", "Academia", "Other", "CSIRT-2025A", 2025, "Online live training",
         "Completed", None, None, None, 1),
        (e["E", "C5"].id, t["E"].id, None, "Mariazinha", "Other", "Timor-Leste",
         "Ministry of Transport and Communications", "Timor-Leste", "Government and administrative services",
         "Government ministry or agency", "Public", "CSIRT-2025B", 2025, "In-country workshop", "Completed",
         None, None, None, 1),
        (e["E", "C4"].id, t["E"].id, None, "Mariazinha", "Other", "Timor-Leste",
         "Ministry of Transport and Communications", "Timor-Leste", "Government and administrative services",
         "Government ministry or agency", "Public", "ISMS-2025", 2025, "Invitation training in Japan", "Completed",
         None, None, None, 1),
    ]
    assert got == expected
    ws = book["Participants"]
    for row in range(2, ws.max_row + 1):
        for col in (1, 2, 13, 19):
            assert ws.cell(row, col).data_type == "n"
    assert ws.cell(3, 16).number_format == "0.0%"


def test_breakdown_sheets(book):
    assert rows(book, "By country")[1:] == [
        ("JP", "Japan", 1, 1, 0, 0, 1, 1),
        ("PH", "Philippines", 1, 0, 0, 1, 0, 1),
        ("TH", "Thailand", 2, 1, 2, 0, 0, 3),
        ("TL", "Timor-Leste", 2, 2, 0, 0, 2, 10),
        ("VN", "Viet Nam", 3, 2, 2, 1, 0, 6),
        ("ASEAN", "ASEAN", 7, 4, 4, 2, 1, 15),
        ("Total", "Total", 9, 6, 4, 2, 3, 21),
    ]
    assert rows(book, "By sector")[1:] == [
        ("EDU", "Education and research", 0, 0, 1, 1, 1),
        ("ELE", "Electric power", 1, 0, 0, 1, 0),
        ("FIN", "Finance", 0, 2, 0, 2, 1),
        ("GOV", "Government and administrative services", 4, 0, 0, 4, 4),
        ("ICT", "Information and communications", 0, 1, 0, 1, 0),
        ("Total", "Total", 5, 3, 1, 9, 6),
    ]
    assert rows(book, "By cohort")[1:] == [
        ("CSIRT-2024A", "CSIRT fundamentals 2024", 2024, "Invitation training in Japan", "Japan",
         datetime(2024, 6, 3), datetime(2024, 6, 7), 5, 3, 2, 2, 3),
        ("CSIRT-2024B", "Incident handling workshop Hanoi", 2024, "In-country workshop", "Viet Nam",
         datetime(2025, 3, 31), datetime(2025, 4, 2), 3, 2, 1, 2, 6),
        ("CSIRT-2025A", "Online threat intelligence", 2025, "Online live training", None,
         datetime(2025, 4, 1), datetime(2025, 4, 1), 1, 2, 1, 2, 2),
        ("CSIRT-2025B", "Dili CSIRT workshop", 2025, "In-country workshop", "Timor-Leste",
         datetime(2025, 10, 20), datetime(2025, 10, 24), 5, 1, 1, 1, 5),
        ("ISMS-2025", "ISMS implementation", 2025, "Invitation training in Japan", "Japan",
         datetime(2025, 10, 27), datetime(2025, 10, 31), 5, 1, 1, 1, 5),
    ]
    assert book["By cohort"]["F2"].number_format == "yyyy-mm-dd" and book["By cohort"]["F2"].is_date
    assert rows(book, "By fiscal year")[1:] == [(2024, 2, 5, 3, 2, 9, 5), (2025, 3, 4, 3, 3, 12, 9)]
    assert rows(book, "Learning")[1:] == [
        ("CSIRT-2024A", 0, None, None, None), ("CSIRT-2024B", 0, None, None, None),
        ("CSIRT-2025A", 0, None, None, None), ("CSIRT-2025B", 0, None, None, None),
        ("ISMS-2025", 0, None, None, None),
    ]


def test_definitions_sheet_states_every_figure(book):
    figures = {r[0] for r in rows(book, "Definitions")[1:]}
    for figure in ("Enrolments", "Completed", "Participants", "Cohorts", "Countries", "Completion rate",
                   "Female share", "Training days", "Person-days", "Attendance %", "Fiscal year", "ASEAN",
                   "Normalised gain", "Filters"):
        assert figure in figures
    text = " ".join(r[1] for r in rows(book, "Definitions")[1:])
    assert "confirmed, completed or incomplete" in text and "distinct session dates" in text


def test_native_charts_on_summary_country_and_sector(ds):
    xml = sheet_xml(build())
    charts = [n for n in xml if n.startswith("xl/charts/chart")]
    assert len(charts) == 3
    workbook_xml = xml["xl/workbook.xml"]
    sheet_ids = re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="rId(\d+)"', workbook_xml)
    with_drawing = {name for name, rid in sheet_ids if "<drawing " in xml[f"xl/worksheets/sheet{rid}.xml"]}
    assert with_drawing == {"Summary", "By country", "By sector"}
    assert "'By fiscal year'" in xml[charts[0]] or "'By fiscal year'" in "".join(xml[c] for c in charts)


def test_formula_like_organisation_comes_out_as_text(ds):
    content = build()
    book = open_book(content)
    ws = book["Participants"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value == dataset.EVIL_ORG]
    assert cells, "the organisation is in the sheet"
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    for name, xml in sheet_xml(content).items():
        if name.startswith("xl/worksheets/"):
            assert "<f>" not in xml and "<f " not in xml, name


def _all_text(book) -> list[str]:
    out = []
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            out += [v.isoformat() if isinstance(v, date | datetime) else str(v) for v in row if v is not None]
    return out


def _all_dates(book) -> set[date]:
    return {v.date() if isinstance(v, datetime) else v for ws in book.worksheets
            for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, date | datetime)}


def test_no_pii_leaves_no_name_email_or_birthday_anywhere(ds):
    book = open_book(build(no_pii=True))
    assert "Family name" not in [c.value for c in book["Participants"][1]]
    assert "Given names" not in [c.value for c in book["Participants"][1]]
    text = "\n".join(_all_text(book))
    for secret in ds.names + ds.emails + [d.isoformat() for d in ds.birthdays]:
        assert not re.search(rf"\b{re.escape(secret)}\b", text), secret
    assert not (_all_dates(book) & set(ds.birthdays))
    assert len(rows(book, "Participants")) == 10  # still one row per counted enrolment
    with_names = open_book(build())
    assert [r[0] for r in rows(book, "Participants")] == [r[0] for r in rows(with_names, "Participants")]


def test_default_export_has_names_but_never_email_or_birthday(ds):
    book = open_book(build())
    text = "\n".join(_all_text(book))
    assert "Nguyen" in text
    for secret in ds.emails + [d.isoformat() for d in ds.birthdays]:
        assert secret not in text
    assert not (_all_dates(book) & set(ds.birthdays))


def test_japanese_headers_and_names(ds):
    book = open_book(build(lang="ja"))
    assert book.sheetnames == SHEETS  # sheet names are part of the contract and stay English
    assert [c.value for c in book["Summary"][1]] == ["指標", "値"]
    assert [c.value for c in book["By country"][1]] == [
        "国コード", "国名", "受講者数（延べ）", "修了者数", "女性", "男性", "その他・無回答", "研修人日"]
    assert [c.value for c in book["Participants"][1]][-1] == "修了"
    country = {r[0]: r[1] for r in rows(book, "By country")[1:]}
    assert country["JP"] == "日本" and country["合計"] == "合計"
    assert rows(book, "By sector")[1][1] == "教育・研究"
    summary = {r[0]: r[1] for r in rows(book, "Summary")[1:]}
    assert summary["受講者数（延べ）"] == 9 and summary["参加者数（実人数）"] == 7
    assert any("受講者数" in r[0] for r in rows(book, "Definitions")[1:])


def test_empty_database_still_gives_every_sheet(db):
    book = open_book(build())
    assert book.sheetnames == SHEETS
    assert rows(book, "By country")[1:] == [("ASEAN", "ASEAN", 0, 0, 0, 0, 0, 0), ("Total", "Total", 0, 0, 0, 0, 0, 0)]
    assert len(rows(book, "Participants")) == 1
