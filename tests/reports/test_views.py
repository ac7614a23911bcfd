"""Dashboard, workbook downloads and access rules through the HTTP client."""

from __future__ import annotations

import re
from datetime import date

import pytest

from reports.filters import ReportFilter
from tests import factories
from tests.reports import dataset
from tests.reports.helpers import build, open_book, rows


@pytest.fixture
def ds(db):
    data = dataset.build()
    db.session.commit()
    return data


def _kpis(html: str) -> dict[str, str]:
    return {label.strip(): value for value, label in
            re.findall(r'<li><span class="value">([^<]*)</span>\s*([^<]+)</li>', html)}


def test_dashboard_needs_an_organiser(client, db, login_as):
    assert client.get("/reports/").status_code == 302  # anonymous: sign in first
    login_as("trainee")
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/export.xlsx").status_code == 403


def test_dashboard_shows_kpis_charts_tables_and_definitions(client, ds, login_as):
    login_as("organiser")
    response = client.get("/reports/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    kpis = _kpis(html)
    assert kpis["Cohorts"] == "5" and kpis["Participants (distinct trainees)"] == "7"
    assert kpis["Enrolments"] == "9" and kpis["Completed"] == "6" and kpis["Completion rate"] == "66.7%"
    assert kpis["Countries"] == "5" and kpis["Female share"] == "44.4%" and kpis["Person-days"] == "21"
    assert kpis["ASEAN enrolments"] == "7"
    assert html.count('<svg class="chart"') == 5
    assert html.count("<caption>") == 5  # a data table beside every chart
    assert 'href="/reports/"' in html and ">Reports<" in html  # navigation entry
    assert "Definitions" in html and "distinct session dates" in html
    assert "<script" not in html  # no chart library, nothing from a CDN
    assert dataset.EVIL_ORG not in html  # organisation names are not shown; escaping covered by Jinja


def test_filtered_page_and_file_agree_and_export_carries_filters(client, ds, login_as):
    login_as("organiser")
    args = {"fy_from": "2024", "fy_to": "2024", "nationality": "VN"}
    html = client.get("/reports/", query_string=args).get_data(as_text=True)
    kpis = _kpis(html)
    # The export form carries exactly the same filters as hidden fields.
    export_form = re.search(r'<form method="get" action="/reports/export.xlsx".*?</form>', html, re.S).group(0)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', export_form))
    assert hidden == {"fy_from": "2024", "fy_to": "2024", "nationality": "VN"}
    response = client.get("/reports/export.xlsx", query_string={**hidden, "lang": "en"})
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    summary = {r[0]: r[1] for r in rows(open_book(response.data), "Summary")[1:]}
    assert str(summary["Enrolments"]) == kpis["Enrolments"] == "3"  # A in C1 and C2, B in C1
    assert str(summary["Participants"]) == kpis["Participants (distinct trainees)"] == "2"
    assert str(summary["Person-days"]) == kpis["Person-days"] == "6"  # A 2 + 3, B 1
    assert str(summary["Cohorts"]) == kpis["Cohorts"]


def test_filter_results_match_for_every_filter_field(client, ds, login_as):
    login_as("organiser")
    for args in ({"programme": "ISMS"}, {"cohort": "csirt-2024a"}, {"modality": "workshop_in_country"},
                 {"sector": "GOV"}, {"org_type": "private"}, {"fy_from": "2025"}, {"fy_to": "2024"}):
        kpis = _kpis(client.get("/reports/", query_string=args).get_data(as_text=True))
        book = open_book(client.get("/reports/export.xlsx", query_string=args).data)
        summary = {r[0]: r[1] for r in rows(book, "Summary")[1:]}
        assert kpis["Enrolments"] == str(summary["Enrolments"]), args
        assert len(rows(book, "Participants")) - 1 == summary["Enrolments"], args
        expected = build(ReportFilter.parse(args))
        assert rows(open_book(expected), "By country") == rows(book, "By country"), args


def test_bad_filters_show_messages_next_to_fields_and_no_500(client, ds, login_as):
    login_as("organiser")
    response = client.get("/reports/", query_string={"fy_from": "20x4", "programme": "NOPE", "sector": "ZZZ"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Give a fiscal year as four digits" in html
    assert "Unknown sector code." in html
    assert 'aria-invalid="true"' in html
    download = client.get("/reports/export.xlsx", query_string={"programme": "NOPE"})
    assert download.status_code == 302 and "/reports/?programme=NOPE" in download.headers["Location"]
    assert "No programme has the code NOPE." in client.get(download.headers["Location"]).get_data(as_text=True)


def test_export_without_names_and_in_japanese(client, ds, login_as):
    login_as("organiser")
    response = client.get("/reports/export.xlsx", query_string={"no_pii": "1", "lang": "ja"})
    book = open_book(response.data)
    headers = [c.value for c in book["Participants"][1]]
    assert "姓" not in headers and "名" not in headers and headers[0] == "受講ID"
    assert "ja" in response.headers["Content-Disposition"]


def test_export_is_audited(client, ds, login_as, db):
    from sqlalchemy import select

    from core.audit import AuditEvent

    user = login_as("organiser")
    client.get("/reports/export.xlsx", query_string={"no_pii": "1", "programme": "ISMS"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.export"))
    assert event.actor_id == user.id and "ISMS" in event.summary and "no names" in event.summary


def test_cohort_workbook_route(client, ds, login_as, app):
    login_as("organiser")
    cohort = ds.cohorts["C1"]
    with app.test_request_context():
        from flask import url_for

        assert url_for("reports.cohort_workbook", cohort_id=cohort.id) == f"/reports/cohorts/{cohort.id}.xlsx"
    response = client.get(f"/reports/cohorts/{cohort.id}.xlsx")
    assert response.status_code == 200
    book = open_book(response.data)
    assert [r[0] for r in rows(book, "By cohort")[1:]] == ["CSIRT-2024A"]
    assert {r[11] for r in rows(book, "Participants")[1:]} == {"CSIRT-2024A"}
    assert client.get("/reports/cohorts/999999.xlsx").status_code == 404


def test_dashboard_query_count_is_constant(client, db, login_as, count_queries):
    login_as("organiser")
    dataset.build()
    db.session.commit()
    with count_queries() as small:
        assert client.get("/reports/").status_code == 200
    # Much more data: more programmes, cohorts, countries, sectors, attendance.
    programme = factories.programme("BIG")
    for i in range(12):
        cohort = factories.cohort(programme, f"BIG-{i}", start_date=date(2013 + i, 7, 1),
                                  end_date=date(2013 + i, 7, 5))
        session = factories.session(cohort)
        for j, country in enumerate(("KH", "LA", "MM", "ID", "MY", "SG", "BN")):
            org = factories.organisation(None, country, ("ICT", "FIN", "MED", "WAT")[j % 4],
                                         ("private", "regulator", "ngo")[j % 3])
            enrolment = factories.enrolment(factories.trainee(org, nationality=country, gender="MF"[j % 2]), cohort,
                                            ("completed", "confirmed", "incomplete")[j % 3])
            factories.attendance(session, enrolment, "present")
    db.session.commit()
    with count_queries() as large:
        html = client.get("/reports/").get_data(as_text=True)
    assert ">BIG-11<" in html
    assert large.count == small.count, (small.statements, large.statements)


def test_dashboard_in_japanese_uses_japanese_names_and_definitions(client, ds, login_as):
    login_as(user=factories.user(role="organiser", locale="ja"))
    html = client.get("/reports/").get_data(as_text=True)
    assert "2024年度（令和6年度）" in html  # fiscal-year labels
    assert "東ティモール" in html  # country names
    assert "受講者数（延べ）は状態が「参加確定」" in html  # the Definitions panel
    assert '<option value="ja" selected>' in html  # the workbook language follows the page


def test_completion_table_links_each_cohort_workbook(client, ds, login_as):
    login_as("organiser")
    html = client.get("/reports/").get_data(as_text=True)
    for cohort in ds.cohorts.values():
        assert f'href="/reports/cohorts/{cohort.id}.xlsx"' in html
