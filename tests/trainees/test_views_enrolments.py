"""Enrolment actions on a cohort: add existing or new trainees, status changes (single and bulk)."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from tests import factories
from trainees.models import Enrolment, EnrolmentEvent, Organisation, Trainee


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _new_person(**changes):
    data = {"family_name": "Nguyen", "given_names": "Thi Lan", "native_name": "Nguyễn Thị Lan",
            "email": "Lan.Nguyen@VNCERT.gov.vn", "gender": "F", "nationality": "VN", "job_title": "Analyst",
            "date_of_birth": "1990-04-01", "organisation": "VNCERT/CC", "organisation_country": "",
            "sector": "GOV", "org_type": "national_csirt", "status": "accepted"}
    return data | changes


# --- adding participants ------------------------------------------------------------------------

def test_search_finds_existing_trainees_by_name_or_email_but_not_those_already_in(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    somchai = factories.trainee(family_name="Srisuk", given_names="Somchai", email="somchai@ncsa.or.th")
    inside = factories.trainee(family_name="Srisuk", given_names="Malee", email="malee@ncsa.or.th")
    factories.enrolment(inside, cohort)
    db.session.commit()
    html = _text(client.get(f"/cohorts/{cohort.id}/enrol?q=srisuk"))
    assert "SRISUK Somchai" in html and "SRISUK Malee" not in html
    assert "SRISUK Somchai" in _text(client.get(f"/cohorts/{cohort.id}/enrol?q=SOMCHAI@ncsa"))
    assert "SRISUK Somchai" in _text(client.get(f"/cohorts/{cohort.id}/enrol?q=somchai srisuk"))
    assert "Nobody outside this cohort matches" in _text(client.get(f"/cohorts/{cohort.id}/enrol?q=zzz"))
    response = client.post(f"/cohorts/{cohort.id}/enrol/existing",
                           data={"trainee_id": somchai.id, "status": "nominated", "q": "srisuk"})
    assert response.status_code == 302 and "q=srisuk" in response.headers["Location"]
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.trainee_id == somchai.id))
    assert enrolment.cohort_id == cohort.id and enrolment.status == "nominated"


def test_adding_someone_twice_is_refused_with_a_message(client, db, login_as):
    login_as("organiser")
    enrolment = factories.enrolment()
    db.session.commit()
    response = client.post(f"/cohorts/{enrolment.cohort_id}/enrol/existing",
                           data={"trainee_id": enrolment.trainee_id, "status": "nominated"}, follow_redirects=True)
    assert f"{enrolment.trainee.full_name} is already in this cohort." in _text(response)


def test_enrolment_beyond_capacity_flashes_a_warning(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort(code="SMALL", capacity=1)
    factories.enrolment(cohort_obj=cohort, status="confirmed")
    extra = factories.trainee()
    db.session.commit()
    response = client.post(f"/cohorts/{cohort.id}/enrol/existing",
                           data={"trainee_id": extra.id, "status": "nominated"}, follow_redirects=True)
    html = _text(response)
    assert "added to SMALL" in html and "SMALL is over capacity: 2 seats taken for 1 places." in html


def test_waitlisted_people_do_not_take_a_seat(client, db, login_as):
    """2 accepted and 2 waitlisted on a 6-seat cohort: 2 seats taken (the cohort list and page agree)."""
    login_as("organiser")
    cohort = factories.cohort(code="SIX", capacity=6)
    for status in ("accepted", "accepted", "waitlisted", "waitlisted"):
        factories.enrolment(cohort_obj=cohort, status=status)
    db.session.commit()
    assert "2 of 6 seats taken" in _text(client.get(f"/cohorts/{cohort.id}/enrol"))
    detail = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _text(client.get(f"/cohorts/{cohort.id}"))))
    assert "2 / 6 seats taken" in detail


def test_new_trainee_inline_creates_person_organisation_and_enrolment(client, db, login_as):
    user = login_as("organiser")
    cohort = factories.cohort()
    db.session.commit()
    form = _text(client.get(f"/cohorts/{cohort.id}/enrol"))
    assert 'name="given_names"' in form and "Viet Nam" in form and "National CSIRT" in form
    response = client.post(f"/cohorts/{cohort.id}/enrol/new", data=_new_person())
    assert response.status_code == 302
    trainee = db.session.scalar(select(Trainee).where(Trainee.email == "lan.nguyen@vncert.gov.vn"))
    assert trainee.full_name == "NGUYEN Thi Lan" and trainee.native_name == "Nguyễn Thị Lan"
    org = trainee.organisation
    assert (org.name, org.country, org.sector_code, org.org_type) == ("VNCERT/CC", "VN", "GOV", "national_csirt")
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.trainee_id == trainee.id))
    assert enrolment.status == "accepted"
    event = db.session.scalar(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment.id))
    assert event.actor_id == user.id
    # a second person of the same organisation (other spelling) reuses it
    client.post(f"/cohorts/{cohort.id}/enrol/new", data=_new_person(email="b@vncert.gov.vn",
                                                                     organisation="vncert/cc "))
    assert db.session.scalar(select(func.count(Organisation.id))) == 1



def test_sector_and_type_are_not_asked_again_for_an_existing_organisation(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    org = factories.organisation(name="Lao CERT", country="LA", sector_code="GOV", org_type="national_csirt")
    db.session.commit()
    form = _text(client.get(f"/cohorts/{cohort.id}/enrol"))
    assert "Needed only when the organisation is new" in form
    response = client.post(f"/cohorts/{cohort.id}/enrol/new", data=_new_person(
        nationality="LA", organisation="lao cert", sector="", org_type=""))
    assert response.status_code == 302, _text(response)[-2000:]
    trainee = db.session.scalar(select(Trainee).where(Trainee.email == "lan.nguyen@vncert.gov.vn"))
    assert trainee.organisation_id == org.id
    db.session.expire_all()
    assert (org.sector_code, org.org_type) == ("GOV", "national_csirt")

def test_new_trainee_errors_are_shown_next_to_fields_and_nothing_is_written(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    factories.trainee(email="taken@example.org")
    db.session.commit()
    orgs_before = db.session.scalar(select(func.count(Organisation.id)))
    cases = [
        ({"email": "TAKEN@example.org"}, "email", "A trainee with the e-mail taken@example.org already exists."),
        ({"email": "not-an-address"}, "email", "This is not a valid e-mail address."),
        ({"given_names": ""}, "given_names", "Given names are required"),
        ({"nationality": ""}, "nationality", "Choose a nationality."),
        ({"sector": ""}, "sector", "“VNCERT/CC” is a new organisation: choose its sector and its type"),
        ({"org_type": ""}, "org_type", "“VNCERT/CC” is a new organisation: choose its sector and its type"),
        ({"organisation": ""}, "organisation", "An organisation name is required."),
        ({"date_of_birth": "1 April 1990"}, "date_of_birth", "Enter the date as YYYY-MM-DD"),
    ]
    for changes, field, message in cases:
        html = _text(client.post(f"/cohorts/{cohort.id}/enrol/new", data=_new_person(**changes)))
        assert f'id="{field}-errors"' in html and message in html, (changes, html[-3000:])
        assert 'value="Nguyen"' in html  # the user's input is kept
    # the duplicate e-mail case got as far as creating the organisation: it was rolled back
    assert db.session.scalar(select(func.count(Organisation.id))) == orgs_before
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0


# --- status changes ---------------------------------------------------------------------------

def test_status_page_offers_only_legal_targets_and_applies_a_change_with_reason(client, db, login_as):
    user = login_as("organiser")
    enrolment = factories.enrolment(status="nominated")
    db.session.commit()
    html = _text(client.get(f"/enrolments/{enrolment.id}/status"))
    options = {o for o in ("accepted", "waitlisted", "rejected", "withdrawn", "no_show", "confirmed", "completed")
               if f'value="{o}"' in html}
    assert options == {"accepted", "waitlisted", "rejected", "withdrawn", "no_show"}
    response = client.post(f"/enrolments/{enrolment.id}/status", data={"target": "waitlisted",
                                                                       "reason": "quota for VN reached"})
    assert response.status_code == 302
    db.session.expire_all()
    assert enrolment.status == "waitlisted"
    event = db.session.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment.id)
                               .order_by(EnrolmentEvent.id)).all()[-1]
    assert (event.from_status, event.to_status, event.reason, event.actor_id) == (
        "nominated", "waitlisted", "quota for VN reached", user.id)
    history = _text(client.get(f"/enrolments/{enrolment.id}/status"))
    assert "quota for VN reached" in history and user.display_name in history


def test_an_illegal_transition_posted_anyway_is_refused_with_the_service_message(client, db, login_as):
    login_as("organiser")
    enrolment = factories.enrolment(status="nominated")
    db.session.commit()
    response = client.post(f"/enrolments/{enrolment.id}/status", data={"target": "completed", "reason": "x"})
    html = _text(response)
    assert response.status_code == 200
    assert "Nominated → Completed is not allowed." in html and 'id="target-errors"' in html
    db.session.expire_all()
    assert enrolment.status == "nominated"
    assert db.session.scalar(select(func.count(EnrolmentEvent.id))
                             .where(EnrolmentEvent.enrolment_id == enrolment.id)) == 1


def test_a_reason_is_required_for_rejection(client, db, login_as):
    login_as("organiser")
    enrolment = factories.enrolment(status="nominated")
    db.session.commit()
    html = _text(client.post(f"/enrolments/{enrolment.id}/status", data={"target": "rejected", "reason": " "}))
    assert "Say why the enrolment becomes Rejected." in html and 'id="reason-errors"' in html
    db.session.expire_all()
    assert enrolment.status == "nominated"


def test_final_states_offer_no_change(client, db, login_as):
    login_as("organiser")
    enrolment = factories.enrolment(status="withdrawn")
    db.session.commit()
    html = _text(client.get(f"/enrolments/{enrolment.id}/status"))
    assert "No further change is possible from Withdrawn." in html


def test_bulk_change_applies_to_selected_rows_and_reports_skipped_ones(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    a = factories.enrolment(cohort_obj=cohort, status="accepted")
    b = factories.enrolment(cohort_obj=cohort, status="accepted")
    done = factories.enrolment(cohort_obj=cohort, status="completed")
    untouched = factories.enrolment(cohort_obj=cohort, status="accepted")
    other_cohort = factories.enrolment(status="accepted")
    db.session.commit()
    page = _text(client.get(f"/cohorts/{cohort.id}"))
    assert f'name="enrolment_ids" value="{a.id}" form="bulk"' in page
    response = client.post(f"/cohorts/{cohort.id}/enrolments/status", data={
        "enrolment_ids": [a.id, b.id, done.id, other_cohort.id], "target": "confirmed", "reason": "visa issued"},
        follow_redirects=True)
    html = _text(response)
    assert "2 enrolments changed." in html
    assert "1 skipped:" in html and f"{done.trainee.full_name}: Completed → Confirmed is not allowed" in html
    db.session.expire_all()
    assert [a.status, b.status, done.status, untouched.status, other_cohort.status] == [
        "confirmed", "confirmed", "completed", "accepted", "accepted"]
    event = db.session.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == a.id)
                               .order_by(EnrolmentEvent.id)).all()[-1]
    assert event.reason == "visa issued"


def test_bulk_change_without_selection_says_so(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    factories.enrolment(cohort_obj=cohort)
    db.session.commit()
    response = client.post(f"/cohorts/{cohort.id}/enrolments/status", data={"target": "completed"},
                           follow_redirects=True)
    assert "Tick at least one participant." in _text(response)


def test_status_page_preselects_no_target_and_an_empty_choice_changes_nothing(client, db, login_as):
    login_as("organiser")
    enrolment = factories.enrolment(status="confirmed")
    db.session.commit()
    html = _text(client.get(f"/enrolments/{enrolment.id}/status"))
    select = re.search(r'<select[^>]*id="target".*?</select>', html, re.S).group(0)
    assert "selected" not in select and '<option value="">' in select  # the browser shows "— choose —"
    assert "cannot be changed afterwards" in html  # final states are announced before they are chosen
    response = client.post(f"/enrolments/{enrolment.id}/status", data={"target": "", "reason": ""})
    html = _text(response)
    assert response.status_code == 200 and 'id="target-errors"' in html and "Choose the new status." in html
    db.session.expire_all()
    assert enrolment.status == "confirmed"


def test_a_refused_bulk_change_keeps_the_ticks_and_choices_and_shows_the_error_in_the_bulk_box(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    a = factories.enrolment(cohort_obj=cohort, status="nominated")
    b = factories.enrolment(cohort_obj=cohort, status="nominated")
    c = factories.enrolment(cohort_obj=cohort, status="nominated")
    db.session.commit()
    response = client.post(f"/cohorts/{cohort.id}/enrolments/status",
                           data={"enrolment_ids": [a.id, c.id], "target": "rejected", "reason": ""})
    html = _text(response)
    assert response.status_code == 200  # rendered again, not redirected: nothing the user chose is lost
    assert f'value="{a.id}" form="bulk" id="sel-{a.id}" aria-label="Select {a.trainee.full_name}" checked' in html
    assert f'id="sel-{b.id}" aria-label="Select {b.trainee.full_name}">' in html  # not ticked
    assert f'id="sel-{c.id}" aria-label="Select {c.trainee.full_name}" checked' in html
    bulk_box = re.search(r'<form method="post" id="bulk".*?</form>', html, re.S).group(0)
    assert '<option selected value="rejected">' in bulk_box or '<option value="rejected" selected>' in bulk_box
    assert 'id="bulk-errors"' in bulk_box and "Say why the enrolment becomes Rejected." in bulk_box
    assert '<select aria-describedby="bulk-errors" aria-invalid="true" id="target" name="target" required>' in bulk_box
    assert "No status was changed." in html
    db.session.expire_all()
    assert [a.status, b.status, c.status] == ["nominated"] * 3


def test_a_new_person_with_a_registered_email_points_to_the_registered_person(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    known = factories.trainee(family_name="Phommavong", given_names="Khamla", email="khamla@laocert.la.example")
    db.session.commit()
    html = _text(client.post(f"/cohorts/{cohort.id}/enrol/new", data=_new_person(email="Khamla@LaoCERT.la.example")))
    assert "PHOMMAVONG Khamla is already in the register with the e-mail khamla@laocert.la.example." in html
    assert f'href="/cohorts/{cohort.id}/enrol?q=khamla@laocert.la.example"' in html
    search = _text(client.get(f"/cohorts/{cohort.id}/enrol?q=khamla%40laocert.la.example"))
    assert f'name="trainee_id" value="{known.id}"' in search  # one click from adding them


def test_a_bulk_change_to_a_final_status_must_be_confirmed(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    a = factories.enrolment(cohort_obj=cohort, status="accepted")
    b = factories.enrolment(cohort_obj=cohort, status="accepted")
    db.session.commit()
    data = {"enrolment_ids": [a.id, b.id], "target": "withdrawn", "reason": "visa refused"}
    html = _text(client.post(f"/cohorts/{cohort.id}/enrolments/status", data=data))
    assert "Withdrawn is final and cannot be undone: tick the box to confirm." in html
    assert 'value="visa refused"' in html  # the reason typed is kept
    box = re.search(r'<form method="post" id="bulk".*?</form>', html, re.S).group(0)
    assert '<input id="confirm_final" name="confirm_final" type="checkbox" value="y">' in box  # not ticked yet
    html = _text(client.post(f"/cohorts/{cohort.id}/enrolments/status", data=data | {"confirm_final": "y",
                                                                                    "enrolment_ids": []}))
    assert '<input checked id="confirm_final" name="confirm_final" type="checkbox" value="y">' in html  # kept
    db.session.expire_all()
    assert [a.status, b.status] == ["accepted", "accepted"]
    response = client.post(f"/cohorts/{cohort.id}/enrolments/status", data=data | {"confirm_final": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [a.status, b.status] == ["withdrawn", "withdrawn"]
    # a status that can still be changed later needs no such confirmation
    c = factories.enrolment(cohort_obj=cohort, status="accepted")
    db.session.commit()
    client.post(f"/cohorts/{cohort.id}/enrolments/status", data={"enrolment_ids": [c.id], "target": "confirmed"})
    db.session.expire_all()
    assert c.status == "confirmed"


def test_the_cohort_pages_blank_bulk_box_is_what_the_unsubmitted_form_shows(app):
    """The cohort page writes its bulk box from a ``BulkStatusBox`` without binding the form (issue 17): blank,
    it holds what the form holds before a submission — same menu, nothing chosen, ticked or typed, no error —
    and its labels are the form's own, in both languages."""
    from flask_babel import force_locale

    from core.i18n import _
    from trainees.forms import BulkStatusBox, BulkStatusForm, bulk_target_choices

    for lang in ("en", "ja"):
        with app.test_request_context("/cohorts/1"), force_locale(lang):
            form = BulkStatusForm()
            form.target.choices = bulk_target_choices()
            assert BulkStatusBox.blank() == BulkStatusBox.of(form)
            box = BulkStatusBox.blank()
            assert (box.target, box.reason, box.confirm_final, box.errors, box.selected) == (None, "", False, (), set())
            shown = {name: str(label) for name, label in box.labels.items()}
            fields = {"target": form.target, "reason": form.reason, "confirm_final": form.confirm_final,
                      "bulk_submit": form.submit}
            assert shown == {name: str(field.label.text) for name, field in fields.items()}
            assert box.choices[0] == ("", _("— choose —")) and len(box.choices) == 10
