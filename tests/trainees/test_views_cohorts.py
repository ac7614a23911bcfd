"""Cohort pages: list with filters, create/edit with validation, detail, sessions."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from sqlalchemy import func, select

from core.audit import AuditEvent
from tests import factories
from trainees.models import Attendance, Cohort, CohortSession


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _form(programme, **changes):
    data = {"programme_id": programme.id, "code": "CS-2024-JP1", "title": "CSIRT establishment",
            "modality": "invitation_jp", "host_country": "JP", "city": "Tokyo", "venue": "AOTS Tokyo Kenshu Center",
            "start_date": "2024-06-03", "end_date": "2024-06-14", "language": "en", "capacity": "20",
            "status": "planned", "notes": ""}
    return data | changes


# --- list -------------------------------------------------------------------------------------

def test_empty_cohort_list_links_to_create_the_first(client, login_as):
    login_as("organiser")
    html = _text(client.get("/cohorts"))
    assert "No cohorts yet" in html and 'href="/cohorts/new"' in html


def test_list_filters_by_fiscal_year_modality_country_status_and_text(client, db, login_as):
    login_as("organiser")
    programme = factories.programme()
    factories.cohort(programme, code="JP-2019", title="Invitation course", start_date=date(2019, 7, 1),
                     end_date=date(2019, 7, 12))
    factories.cohort(programme, code="TH-2024", title="Bangkok workshop", modality="workshop_in_country",
                     host_country="TH", start_date=date(2024, 8, 5), end_date=date(2024, 8, 8), status="open")
    factories.cohort(programme, code="EL-2025", title="Online ISMS", modality="elearning", host_country=None,
                     start_date=date(2025, 2, 1), end_date=date(2025, 3, 31))
    db.session.commit()

    def codes(query):
        html = _text(client.get("/cohorts" + query))
        return {c for c in ("JP-2019", "TH-2024", "EL-2025") if f">{c}</a>" in html}

    assert codes("") == {"JP-2019", "TH-2024", "EL-2025"}
    assert codes("?fy=2024") == {"TH-2024", "EL-2025"}  # February 2025 is still FY2024
    assert codes("?modality=workshop_in_country") == {"TH-2024"}
    assert codes("?country=TH") == {"TH-2024"}
    assert codes("?status=open") == {"TH-2024"}
    assert codes("?q=isms") == {"EL-2025"}
    assert codes("?q=jp-20") == {"JP-2019"}
    assert codes("?fy=2019&modality=elearning") == set()
    html = _text(client.get("/cohorts?fy=2019&modality=elearning"))
    assert "No cohorts match these filters." in html
    # human names, not codes, in filters and rows
    html = _text(client.get("/cohorts"))
    assert "Invitation training in Japan" in html and "Thailand" in html and "FY2019" in html
    assert "Open for nominations" in html


def test_list_shows_enrolment_counts_and_over_capacity(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort(code="FULL", capacity=2)
    for status in ("confirmed", "completed", "nominated", "withdrawn"):
        factories.enrolment(cohort_obj=cohort, status=status)
    db.session.commit()
    html = _text(client.get("/cohorts"))
    assert "3 / 2" in html and "over capacity" in html
    assert '<td class="num">2</td>' in html  # counted: confirmed + completed


def test_list_is_paginated(client, db, login_as, app):
    login_as("organiser")
    programme = factories.programme()
    per_page = app.config["PER_PAGE"]
    for i in range(per_page + 3):
        factories.cohort(programme, code=f"P{i:03d}")
    db.session.commit()
    first = _text(client.get("/cohorts"))
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = _text(client.get("/cohorts?page=2"))
    assert second.count('href="/cohorts/') - second.count('href="/cohorts/new"') == 3


def test_bad_filter_values_do_not_break_any_list(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    db.session.commit()
    for url in ("/cohorts?fy=abc&modality=<script>&status=x&page=-1&country=%00&q=a%00b&programme=x",
                "/trainees?q=%00&nationality=%00&sector=??&gender=Q&cohort=abc&organisation=-1&page=999",
                "/organisations?q=%00x&country=ZZ&sector=%00&org_type=x", f"/cohorts/{cohort.id}/enrol?q=%00"):
        assert client.get(url).status_code == 200, url


def test_nul_characters_in_form_input_are_dropped_not_a_server_error(client, db, login_as):
    login_as("organiser")
    programme = factories.programme()
    db.session.commit()
    response = client.post("/cohorts/new", data=_form(programme, code="NUL\x00-1", title="Ti\x00tle"))
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == "NUL-1"))
    assert cohort.title == "Title"


# --- create and edit --------------------------------------------------------------------------

def test_cohort_form_without_programmes_points_to_create_one(client, login_as):
    login_as("organiser")
    html = _text(client.get("/cohorts/new"))
    assert "Create a programme first" in html and 'href="/programmes/new"' in html


def test_create_cohort_then_see_it(client, db, login_as):
    login_as("organiser")
    programme = factories.programme()
    db.session.commit()
    form = _text(client.get(f"/cohorts/new?programme={programme.id}"))
    assert 'type="date"' in form and f'<option selected value="{programme.id}">' in form
    response = client.post("/cohorts/new", data=_form(programme))
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == "CS-2024-JP1"))
    assert response.status_code == 302 and response.headers["Location"] == f"/cohorts/{cohort.id}"
    assert (cohort.fiscal_year, cohort.training_days, cohort.capacity) == (2024, 12, 20)
    html = _text(client.get(f"/cohorts/{cohort.id}"))
    assert "CSIRT establishment" in html and "Japan" in html and "12 days" in html and "AOTS" in html


def test_create_errors_appear_next_to_their_fields(client, db, login_as):
    login_as("organiser")
    programme = factories.programme()
    factories.cohort(programme, code="TAKEN")
    db.session.commit()
    cases = [
        ({"end_date": "2024-06-01"}, "end_date", "The end date is before the start date."),
        ({"start_date": "03/06/2024"}, "start_date", "Enter the date as YYYY-MM-DD"),
        ({"start_date": ""}, "start_date", "Give a start date."),
        ({"code": "taken"}, "code", "A cohort with the code taken already exists."),
        ({"capacity": "0"}, "capacity", "Capacity must be at least 1"),
        ({"capacity": "many"}, "capacity", "Enter a whole number."),
        ({"title": ""}, "title", "Give the course title."),
        ({"modality": "teleport"}, "modality", "Not a valid choice"),
    ]
    for changes, field, message in cases:
        response = client.post("/cohorts/new", data=_form(programme, **changes))
        html = _text(response)
        assert response.status_code == 200, changes
        assert f'id="{field}-errors"' in html and message in html, (changes, field)
        assert 'value="CSIRT establishment"' in html or field == "title"  # input kept
    assert db.session.scalar(select(func.count(Cohort.id))) == 1




def test_new_cohort_preselects_no_programme_unless_asked_and_requires_one(client, db, login_as):
    login_as("organiser")
    programme = factories.programme()
    factories.programme()
    db.session.commit()
    select_box = re.search(r'<select[^>]*id="programme_id".*?</select>', _text(client.get("/cohorts/new")), re.S)
    assert '<option selected value="">' in select_box.group(0)  # "— choose —", no programme
    assert not re.search(r'selected value="\d', select_box.group(0))
    response = client.post("/cohorts/new", data=_form(programme, programme_id=""))
    html = _text(response)
    assert response.status_code == 200 and 'id="programme_id-errors"' in html and "Choose a programme." in html
    assert 'value="CSIRT establishment"' in html
    assert db.session.scalar(select(func.count(Cohort.id))) == 0

def test_end_before_start_is_reported_together_with_the_other_field_errors(client, db, login_as):
    login_as("organiser")
    programme = factories.programme()
    db.session.commit()
    factories.cohort(programme, code="TAKEN")
    db.session.commit()
    html = _text(client.post("/cohorts/new", data=_form(programme, code="taken", title="", capacity="0",
                                                        end_date="2024-06-01")))
    for field, message in (("end_date", "The end date is before the start date."), ("title", "Give the course title."),
                           ("capacity", "Capacity must be at least 1"),
                           ("code", "A cohort with the code taken already exists.")):
        assert f'id="{field}-errors"' in html and message in html, field
    assert db.session.scalar(select(func.count(Cohort.id))) == 1


def test_session_errors_are_reported_together(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()  # 3–7 June 2024
    db.session.commit()
    data = {"title": "", "date": "2024-06-20", "start_time": "09:30", "end_time": "08:00",
            "timezone": "Bangkok", "session_type": "lecture"}
    html = _text(client.post(f"/cohorts/{cohort.id}/sessions/new", data=data))
    for field in ("title", "date", "end_time", "timezone"):
        assert f'id="{field}-errors"' in html, field
    assert "within the cohort's dates (2024-06-03 – 2024-06-07)" in html and "ends before it starts" in html
    assert db.session.scalar(select(func.count(CohortSession.id))) == 0

def test_edit_cohort_and_warn_when_capacity_drops_below_seats_taken(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort(code="EDIT-ME", capacity=10)
    for _ in range(3):
        factories.enrolment(cohort_obj=cohort, status="confirmed")
    db.session.commit()
    page = _text(client.get(f"/cohorts/{cohort.id}/edit"))
    assert 'value="2024-06-03"' in page and 'value="EDIT-ME"' in page
    response = client.post(f"/cohorts/{cohort.id}/edit", data=_form(cohort.programme, code="EDIT-ME",
                                                                     capacity="2"), follow_redirects=True)
    html = _text(response)
    assert "Changes saved." in html
    assert "EDIT-ME is over capacity: 3 seats taken for 2 places." in html
    assert "Over capacity: 3 people take a seat for 2 places." in html
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.update")) is not None


def test_moving_the_dates_away_from_existing_sessions_warns(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    factories.session(cohort, date(2024, 6, 3))
    db.session.commit()
    response = client.post(f"/cohorts/{cohort.id}/edit", data=_form(cohort.programme, code=cohort.code,
                                                                     start_date="2024-07-01", end_date="2024-07-05"),
                           follow_redirects=True)
    assert "1 session now lies outside the cohort's dates; move or delete it." in _text(response)


def test_edit_refuses_end_before_start_without_changing_anything(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    db.session.commit()
    html = _text(client.post(f"/cohorts/{cohort.id}/edit", data=_form(cohort.programme, code=cohort.code,
                                                                       end_date="2024-01-01")))
    assert "The end date is before the start date." in html
    db.session.expire_all()
    assert cohort.end_date == date(2024, 6, 7)


# --- detail -----------------------------------------------------------------------------------

def test_detail_lists_participants_with_human_names_and_attendance(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    org = factories.organisation("Lao CERT", country="LA", sector_code="GOV", org_type="national_csirt")
    person = factories.trainee(org, family_name="Phommachanh", given_names="Keo", nationality="LA")
    enrolment = factories.enrolment(person, cohort, status="confirmed")
    s1, s2 = factories.session(cohort, title="Opening"), factories.session(cohort, title="Forensics")
    factories.attendance(s1, enrolment, "present")
    factories.attendance(s2, enrolment, "absent")
    db.session.commit()
    html = _text(client.get(f"/cohorts/{cohort.id}"))
    assert "PHOMMACHANH Keo" in html and "Lao PDR" in html and "Lao CERT" in html
    assert "Confirmed" in html and "50&nbsp;%" in html.replace("\xa0", "&nbsp;")
    assert "Opening" in html and "Forensics" in html
    assert f'href="/sessions/{s1.id}/attendance"' in html


def test_detail_without_participants_or_sessions_has_empty_states(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    db.session.commit()
    html = _text(client.get(f"/cohorts/{cohort.id}"))
    assert "Add the first participant" in html and "Add the first session" in html


def test_unknown_ids_give_404(client, login_as):
    login_as("organiser")
    for url in ("/cohorts/999999", "/cohorts/999999/edit", "/cohorts/999999/enrol",
                "/cohorts/999999/sessions/new", "/sessions/999999/edit", "/sessions/999999/delete",
                "/sessions/999999/attendance", "/enrolments/999999/status"):
        assert client.get(url).status_code == 404, url
    for url in ("/cohorts/999999/enrolments/status", "/cohorts/999999/attendance-lock",
                "/cohorts/999999/enrol/existing", "/cohorts/999999/enrol/new"):
        assert client.post(url).status_code == 404, url


# --- sessions ---------------------------------------------------------------------------------

def test_add_session_inside_dates_and_refuse_outside(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()  # 3–7 June 2024
    db.session.commit()
    data = {"title": "Incident handling", "date": "2024-06-04", "start_time": "09:30", "end_time": "12:00",
            "timezone": "Asia/Tokyo", "session_type": "hands_on", "venue": "Room 2", "attendance_required": "y"}
    assert client.post(f"/cohorts/{cohort.id}/sessions/new", data=data).status_code == 302
    session = db.session.scalar(select(CohortSession).where(CohortSession.cohort_id == cohort.id))
    assert (session.title, session.session_type, session.start_time.hour) == ("Incident handling", "hands_on", 9)
    html = _text(client.post(f"/cohorts/{cohort.id}/sessions/new", data=data | {"date": "2024-06-20"}))
    assert 'id="date-errors"' in html and "within the cohort's dates (2024-06-03 – 2024-06-07)" in html
    html = _text(client.post(f"/cohorts/{cohort.id}/sessions/new", data=data | {"end_time": "08:00"}))
    assert 'id="end_time-errors"' in html and "ends before it starts" in html
    html = _text(client.post(f"/cohorts/{cohort.id}/sessions/new", data=data | {"timezone": "Mars/Olympus"}))
    assert 'id="timezone-errors"' in html and "Unknown time zone" in html
    assert db.session.scalar(select(func.count(CohortSession.id))) == 1



def test_a_new_session_defaults_to_the_host_country_or_the_previous_session_time_zone(client, db, login_as):
    login_as("organiser")
    bangkok = factories.cohort(code="TH-1", host_country="TH")
    hanoi = factories.cohort(code="VN-1", host_country="VN")
    factories.session(hanoi, timezone="Asia/Bangkok")  # whatever the organiser used last time wins
    online = factories.cohort(code="EL-1", host_country=None)
    db.session.commit()
    assert 'value="Asia/Bangkok"' in _text(client.get(f"/cohorts/{bangkok.id}/sessions/new"))
    assert 'value="Asia/Bangkok"' in _text(client.get(f"/cohorts/{hanoi.id}/sessions/new"))
    html = _text(client.get(f"/cohorts/{online.id}/sessions/new"))
    assert 'id="timezone"' in html and 'list="timezones"' in html and 'value="Asia/Tokyo"' in html
    assert '<option value="Asia/Vientiane">' in html  # suggestions for the common zones

def test_edit_session(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    session = factories.session(cohort, title="Old")
    db.session.commit()
    assert 'value="Old"' in _text(client.get(f"/sessions/{session.id}/edit"))
    data = {"title": "New", "date": "2024-06-07", "timezone": "Asia/Bangkok", "session_type": "ceremony"}
    assert client.post(f"/sessions/{session.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert (session.title, session.date, session.attendance_required) == ("New", date(2024, 6, 7), False)
    html = _text(client.post(f"/sessions/{session.id}/edit", data=data | {"date": "2025-01-01"}))
    assert "within the cohort's dates" in html


def test_delete_session_asks_first_then_deletes_with_marks(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    session = factories.session(cohort, title="Doomed")
    factories.attendance(session, factories.enrolment(cohort_obj=cohort))
    db.session.commit()
    session_id = session.id
    page = _text(client.get(f"/sessions/{session.id}/delete"))
    assert "Delete the session “Doomed”?" in page and "Its 1 attendance mark will be deleted too." in page
    assert db.session.get(CohortSession, session.id) is not None  # GET deletes nothing
    response = client.post(f"/sessions/{session.id}/delete", follow_redirects=True)
    assert "Session deleted with 1 attendance mark." in _text(response)
    db.session.expire_all()
    assert db.session.get(CohortSession, session_id) is None
    assert db.session.scalar(select(func.count(Attendance.id))) == 0


def test_codes_are_shown_with_japanese_names_for_a_japanese_user(client, db, login_as):
    user = factories.user(role="organiser", locale="ja")
    login_as(user=user)
    org = factories.organisation("VNCERT", country="VN", sector_code="FIN", org_type="national_csirt")
    cohort = factories.cohort(modality="workshop_in_country", host_country="TH")
    factories.enrolment(factories.trainee(org, nationality="VN"), cohort, status="completed")
    db.session.commit()
    listing = _text(client.get("/cohorts"))
    assert "現地ワークショップ" in listing and "タイ" in listing and "2024年度（令和6年度）" in listing
    detail = _text(client.get(f"/cohorts/{cohort.id}"))
    assert "ベトナム" in detail and "修了" in detail
    assert "金融" in _text(client.get("/organisations"))
