"""Completion, surveys, action plans and certificates: services and views."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import pypdf
import pytest
from sqlalchemy import inspect, select

from completion import services
from completion.models import (
    ActionPlan,
    Certificate,
    SurveyAnswer,
    SurveyParticipation,
    SurveyResponse,
)
from core.db import utcnow
from tests import factories
from trainees.models import Enrolment, EnrolmentEvent


@pytest.fixture
def cohort_setup(db):
    """A cohort with two required sessions and three confirmed trainees with portal accounts."""
    cohort = factories.cohort(title="CSIRT Incident Handling", start_date=date(2024, 6, 3),
                              end_date=date(2024, 6, 7))
    s1, s2 = factories.session(cohort, date(2024, 6, 3)), factories.session(cohort, date(2024, 6, 4))
    people = []
    for n, marks in enumerate((("present", "present"), ("present", "absent"), ("late", "excused"))):
        account = factories.user(role="trainee")
        trainee = factories.trainee(user_id=account.id, family_name=f"Tran{n}", given_names=f"Minh {n}")
        enrolment = factories.enrolment(trainee, cohort, status="confirmed")
        factories.attendance(s1, enrolment, marks[0])
        factories.attendance(s2, enrolment, marks[1])
        people.append((account, trainee, enrolment))
    db.session.commit()
    return cohort, people


def _login(client, user):
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302


# --- completion ---------------------------------------------------------------------------------

def test_completion_page_shows_rules_and_finalises_with_history(client, db, login_as, cohort_setup):
    cohort, people = cohort_setup
    organiser = login_as("organiser")
    rules = {"rules-min_attendance_pct": "75", "rules-submit": "1"}
    response = client.post(f"/cohorts/{cohort.id}/completion", data=rules)
    assert response.status_code == 302
    page = client.get(f"/cohorts/{cohort.id}/completion").get_data(as_text=True)
    # attendance: 100 %, 50 %, 50 % (late counts, excused does not)
    assert page.count("not eligible") == 2 and page.count(">eligible<") == 1
    decisions = {f"decision-{people[0][2].id}": "completed", f"decision-{people[1][2].id}": "incomplete",
                 f"decision-{people[2][2].id}": "keep"}
    review = client.post(f"/cohorts/{cohort.id}/completion",
                         data={**decisions, "final-reason": "Reviewed", "final-submit": "1"})
    assert review.status_code == 200 and "1 will become incomplete, 1 completed" in review.get_data(as_text=True)
    db.session.expire_all()
    assert [db.session.get(Enrolment, p[2].id).status for p in people] == ["confirmed"] * 3  # nothing yet
    client.post(f"/cohorts/{cohort.id}/completion",
                data={**decisions, "final-reason": "Reviewed", "final-confirm": "1"})
    db.session.expire_all()
    statuses = [db.session.get(Enrolment, p[2].id).status for p in people]
    assert statuses == ["completed", "incomplete", "confirmed"]
    event = db.session.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == people[0][2].id,
                                                            EnrolmentEvent.to_status == "completed")).one()
    assert event.reason == "Reviewed" and event.actor_id == organiser.id


def test_not_eligible_trainees_default_to_keep_as_is(client, db, login_as, cohort_setup):
    cohort, people = cohort_setup
    login_as("organiser")
    client.post(f"/cohorts/{cohort.id}/completion", data={"rules-min_attendance_pct": "75", "rules-submit": "1"})
    page = client.get(f"/cohorts/{cohort.id}/completion").get_data(as_text=True)
    selected = dict(re.findall(r'name="decision-(\d+)">.*?<option value="(\w+)"[^>]*selected', page, re.S))
    assert selected == {str(people[0][2].id): "completed", str(people[1][2].id): "keep",
                        str(people[2][2].id): "keep"}


def test_completion_can_be_finalised_later_from_incomplete(db, cohort_setup):
    cohort, people = cohort_setup
    enrolment = people[1][2]
    services.finalise_completion(cohort, {enrolment.id: "incomplete"}, "first review")
    changed, problems = services.finalise_completion(cohort, {enrolment.id: "completed"}, "final report received")
    assert changed == 1 and problems == []
    assert enrolment.status == "completed"


def test_invalid_percentage_is_refused(client, db, login_as, cohort_setup):
    cohort, _ = cohort_setup
    login_as("organiser")
    rules = {"rules-min_attendance_pct": "120", "rules-submit": "1"}
    response = client.post(f"/cohorts/{cohort.id}/completion", data=rules)
    assert response.status_code == 200
    assert "Number must be between 0 and 100" in response.get_data(as_text=True)


# --- surveys ------------------------------------------------------------------------------------

def _open_survey(cohort, anonymous=True):
    reaction, _ = services.ensure_default_templates()
    today = date.today()
    return services.create_survey(cohort, reaction, title="End of course", opens_on=today - timedelta(days=1),
                                  closes_on=today + timedelta(days=7), anonymous=anonymous)


def _answers(instance, likert: int, choice: int = 0, text: str = ""):
    out = {}
    for item in instance.items:
        out[item.id] = str(likert) if item.kind == "likert" else str(choice) if item.kind == "single_choice" else text
    return out


def test_anonymous_responses_carry_no_trainee_reference(db, cohort_setup):
    cohort, people = cohort_setup
    instance = _open_survey(cohort, anonymous=True)
    assert services.submit_response(instance, people[0][2], _answers(instance, 5, text="Great")) == {}
    response = db.session.scalars(select(SurveyResponse)).one()
    assert response.enrolment_id is None
    assert not hasattr(response, "trainee_id")
    # no column of the response or its answers points at an enrolment, trainee or user
    for model in (SurveyResponse, SurveyAnswer):
        fks = {fk.column.table.name for c in inspect(model).columns for fk in c.foreign_keys}
        assert fks <= {"survey_instances", "survey_items", "survey_responses", "enrolments"}
    assert len(response.id) == 32 and not response.id.isdigit()  # random id, not a sequence
    assert db.session.scalars(select(SurveyParticipation)).one().enrolment_id == people[0][2].id


def test_named_survey_links_the_response(db, cohort_setup):
    cohort, people = cohort_setup
    instance = _open_survey(cohort, anonymous=False)
    services.submit_response(instance, people[1][2], _answers(instance, 3))
    assert db.session.scalars(select(SurveyResponse)).one().enrolment_id == people[1][2].id


def test_survey_statistics_match_hand_computed_values(app, client, db, login_as, cohort_setup, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_MIN_RESPONSES", 3)  # three answers below
    cohort, people = cohort_setup
    instance = _open_survey(cohort)
    services.submit_response(instance, people[0][2], _answers(instance, 5, 0, "More labs"))
    services.submit_response(instance, people[1][2], _answers(instance, 4, 1))
    services.submit_response(instance, people[2][2], _answers(instance, 2, 1))
    db.session.commit()
    from completion.queries import survey_results

    results, answered, eligible = survey_results(instance)
    first = results[0]
    assert (first.n, round(first.mean, 4), round(first.top2, 4)) == (3, round(11 / 3, 4), round(2 / 3, 4))
    choice = next(r for r in results if r.item.kind == "single_choice")
    assert choice.option_counts == [1, 2, 0]
    text = next(r for r in results if r.item.kind == "text")
    assert text.comments == ["More labs"]
    assert (answered, eligible) == (3, 3)
    login_as("organiser")
    page = client.get(f"/surveys/{instance.id}").get_data(as_text=True)
    assert "3.67" in page and "67%" in page and "More labs" in page and "3 / 3 (100%)" in page


def test_survey_rules_closed_twice_and_required(db, cohort_setup):
    cohort, people = cohort_setup
    instance = _open_survey(cohort)
    errors = services.submit_response(instance, people[0][2], {})
    assert errors and all(m == "Please answer this question." for m in errors.values())
    bad = _answers(instance, 7)
    assert "Choose a value from 1 to 5." in services.submit_response(instance, people[0][2], bad).values()
    services.submit_response(instance, people[0][2], _answers(instance, 4))
    with pytest.raises(services.ServiceError, match="already answered"):
        services.submit_response(instance, people[0][2], _answers(instance, 4))
    with pytest.raises(services.ServiceError, match="open from"):
        services.submit_response(instance, people[1][2], _answers(instance, 4), today=date.today() + timedelta(30))


def test_trainee_answers_survey_in_the_portal_and_cannot_use_anothers_enrolment(client, db, cohort_setup):
    cohort, people = cohort_setup
    instance = _open_survey(cohort)
    db.session.commit()
    _login(client, people[0][0])
    assert "End of course" in client.get("/me/after-course").get_data(as_text=True)
    assert client.get(f"/me/surveys/{instance.id}/{people[1][2].id}").status_code == 404
    data = {f"item-{k}": v for k, v in _answers(instance, 4, 2, "ok").items()}
    response = client.post(f"/me/surveys/{instance.id}/{people[0][2].id}", data={**data, "submit": "1"})
    assert response.status_code == 302
    assert "answered, thank you" in client.get("/me/after-course").get_data(as_text=True)


def test_followups_scheduled_at_3_6_12_months(db, cohort_setup):
    cohort, _ = cohort_setup
    created = services.schedule_followups(cohort)
    assert [s.opens_on for s in created] == [date(2024, 9, 7), date(2024, 12, 7), date(2025, 6, 7)]
    assert services.schedule_followups(cohort) == []
    assert services.add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)


# --- action plans -------------------------------------------------------------------------------

def test_action_plan_errors_show_at_their_field_and_draft_keeps_the_valid_parts(client, db, cohort_setup):
    cohort, people = cohort_setup
    account, trainee, enrolment = people[0]
    _login(client, account)
    form = {"title": "Hospital CSIRT", "goals": "Reporting line", "milestones-0-text": "Charter",
            "milestones-0-due": "31/09/2024", "milestones-1-text": "Drill", "milestones-1-due": "2024-10-15",
            "supervisor_email": "not-an-address", "save": "1"}
    response = client.post(f"/me/action-plans/{enrolment.id}", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="milestones-0-due"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="milestones-0-due"',
                     page)
    assert "Write the date as YYYY-MM-DD" in page and 'id="supervisor_email-errors"' in page
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.enrolment_id == enrolment.id))
    assert plan.title == "Hospital CSIRT" and plan.goals == "Reporting line" and plan.supervisor_email == ""
    assert plan.milestones == [{"text": "Charter", "due": ""}, {"text": "Drill", "due": "2024-10-15"}]


def test_action_plan_supervisor_link_is_single_use_and_expires(client, db, outbox, cohort_setup):
    cohort, people = cohort_setup
    account, trainee, enrolment = people[0]
    _login(client, account)
    form = {"title": "Set up a hospital CSIRT", "goals": "Incident reporting line",
            "milestones-0-text": "Charter approved", "milestones-0-due": "2024-09-30",
            "supervisor_name": "Dr Hoa", "supervisor_email": "hoa@example.org", "send": "1"}
    response = client.post(f"/me/action-plans/{enrolment.id}", data=form, follow_redirects=True)
    assert "sent to hoa@example.org" in response.get_data(as_text=True)
    link = re.search(r"http://localhost(/ack/[\w-]+)", outbox[-1].body).group(1)
    client.post("/logout")
    assert "Set up a hospital CSIRT" in client.get(link).get_data(as_text=True)
    done = client.post(link, data={"comment": "Approved", "submit": "1"})
    assert "You have acknowledged" in done.get_data(as_text=True)
    assert client.get(link).status_code == 410
    plan = db.session.scalars(select(ActionPlan)).one()
    db.session.refresh(plan)
    assert plan.acknowledged_at is not None and plan.supervisor_comment == "Approved"
    # an expired link
    other = services.save_action_plan(people[1][2], title="Plan", goals="", milestones=[], supervisor_name="",
                                      supervisor_email="boss@example.org")
    raw = services.submit_action_plan(other)
    other.ack_token_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "expired" in client.get(f"/ack/{raw}").get_data(as_text=True)


def test_trainee_cannot_open_anothers_plan(client, db, cohort_setup):
    cohort, people = cohort_setup
    _login(client, people[0][0])
    assert client.get(f"/me/action-plans/{people[1][2].id}").status_code == 404
    assert client.post(f"/me/action-plans/{people[1][2].id}", data={"title": "x", "save": "1"}).status_code == 404


def test_plan_validation_messages(db, cohort_setup):
    _, people = cohort_setup
    with pytest.raises(services.ServiceError, match="Milestone dates"):
        services.save_action_plan(people[0][2], title="P", goals="", milestones=[{"text": "a", "due": "31/12"}],
                                  supervisor_name="", supervisor_email="")
    plan = services.save_action_plan(people[0][2], title="P", goals="", milestones=[], supervisor_name="",
                                     supervisor_email="")
    with pytest.raises(services.ServiceError, match="supervisor's e-mail"):
        services.submit_action_plan(plan)


# --- certificates -------------------------------------------------------------------------------

def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_certificates_issue_download_verify_and_revoke(client, db, login_as, cohort_setup):
    cohort, people = cohort_setup
    services.finalise_completion(cohort, {people[0][2].id: "completed", people[1][2].id: "incomplete"}, "ok")
    db.session.commit()
    login_as("organiser")
    client.post(f"/cohorts/{cohort.id}/certificates", data={"kind": "completion"})
    client.post(f"/cohorts/{cohort.id}/certificates", data={"kind": "completion"})  # second time: nothing new
    certs = db.session.scalars(select(Certificate)).all()
    assert len(certs) == 1
    cert = certs[0]
    assert cert.holder_name == "TRAN0 Minh 0" and cert.issuer_name == "AOTS"  # FY2024 → AOTS
    assert len(cert.verify_code) >= 24
    text = _pdf_text(client.get(f"/certificates/{cert.id}.pdf").data)
    for expected in ("Certificate of Completion", "修了証書", "TRAN0 Minh 0", "CSIRT Incident Handling",
                     cert.serial, "3 June 2024", "2024年6月3日", "2024年6月7日", "AOTS"):
        assert expected in text
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/cohorts/{cohort.id}/certificates.zip").data))
    assert [n.startswith(cert.serial) for n in archive.namelist()] == [True]
    client.post(f"/cohorts/{cohort.id}/certificates", data={"kind": "attendance"})
    assert db.session.scalar(select(Certificate).where(Certificate.kind == "attendance")) is not None

    client.post("/logout")
    page = client.get(f"/verify/{cert.verify_code}").get_data(as_text=True)
    assert "Valid certificate" in page and "TRAN0 Minh 0" in page and "Jun 3, 2024" in page
    assert people[0][1].email not in page and cert.serial not in page  # nothing more than name, course, dates
    assert client.get("/verify/not-a-code").status_code == 404

    login_as("organiser")
    assert client.post(f"/certificates/{cert.id}/revoke", data={"reason": ""}).status_code == 200
    client.post(f"/certificates/{cert.id}/revoke", data={"reason": "Issued in error"})
    client.post("/logout")
    assert "has been revoked" in client.get(f"/verify/{cert.verify_code}").get_data(as_text=True)


def test_historic_issuer_name_is_kept(db):
    cohort = factories.cohort(start_date=date(2015, 9, 1), end_date=date(2015, 9, 10))
    enrolment = factories.enrolment(cohort_obj=cohort, status="completed")
    cert = services.issue_certificates(cohort, "completion")[0]
    assert cert.issuer_name == "HIDA" and enrolment.id == cert.enrolment_id


def test_trainee_downloads_own_certificate_only(client, db, cohort_setup):
    cohort, people = cohort_setup
    services.finalise_completion(cohort, {p[2].id: "completed" for p in people}, "ok")
    certs = services.issue_certificates(cohort, "completion")
    db.session.commit()
    mine = next(c for c in certs if c.enrolment_id == people[0][2].id)
    theirs = next(c for c in certs if c.enrolment_id == people[1][2].id)
    _login(client, people[0][0])
    response = client.get(f"/me/certificates/{mine.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert client.get(f"/me/certificates/{theirs.id}.pdf").status_code == 404
    assert client.get(f"/certificates/{theirs.id}.pdf").status_code == 403  # organiser route


def test_verification_page_is_rate_limited(client, db):
    for _ in range(30):
        client.get("/verify/unknown-code")
    assert client.get("/verify/unknown-code").status_code == 429


def test_action_plan_waits_for_confirmation(client, db, cohort_setup):
    cohort, people = cohort_setup
    account, trainee, _confirmed = people[0]
    other_cohort = factories.cohort()
    accepted = factories.enrolment(trainee, other_cohort, status="accepted")
    db.session.commit()
    _login(client, account)
    response = client.post(f"/me/action-plans/{accepted.id}", data={"title": "Too early", "save": "1"})
    assert response.status_code == 302
    assert db.session.scalar(select(ActionPlan).where(ActionPlan.enrolment_id == accepted.id)) is None
    assert "open once your participation is confirmed" in client.get("/me/after-course").get_data(as_text=True)


def test_built_in_survey_templates_are_stored_in_english_even_from_a_japanese_request(app, db):
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        reaction, _followup = services.ensure_default_templates()
    assert reaction.items[0].text == "The course objectives were clear to me from the start."


def _embedded_fonts(data: bytes) -> dict[str, bool]:
    """{base font name: has an embedded font program} for every font the PDF's pages use."""
    fonts: dict[str, bool] = {}
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def test_certificate_embeds_its_japanese_and_vietnamese_glyphs(db):
    from completion import pdf

    cohort = factories.cohort(title="CSIRT 構築研修", start_date=date(2026, 6, 1), end_date=date(2026, 6, 12))
    factories.enrolment(cohort_obj=cohort, status="completed",
                        trainee_obj=factories.trainee(family_name="Nguyễn", given_names="Văn An"))
    cert = services.issue_certificates(cohort, "completion")[0]
    data = pdf.render_certificate(cert, "https://example.org/verify/x")
    fonts = _embedded_fonts(data)
    japanese = [name for name in fonts if name.endswith("+IPAexGothic")]
    assert japanese and all(fonts[name] for name in japanese), fonts
    # every font that draws text is embedded (Helvetica is only ReportLab's unused initial font)
    assert all(embedded for name, embedded in fonts.items() if name != "/Helvetica"), fonts
    text = _pdf_text(data)
    assert "修了証書" in text and "CSIRT 構築研修" in text and "Signature / 署名" in text and "Seal / 印" in text
    assert "Ễ" in text.replace("\n", "")  # drawn in the Latin fallback font, which is embedded too


def test_built_in_survey_texts_are_shown_in_the_readers_language(client, db, login_as, cohort_setup):
    """Issue 14 acceptance 2: built-in items are stored in English and were shown in English on Japanese pages;
    an organiser's own wording is shown as written."""
    cohort, people = cohort_setup
    reaction, _followup = services.ensure_default_templates()
    instance = services.create_survey(cohort, reaction, title="End-of-course survey",
                                      opens_on=date.today() - timedelta(days=1), closes_on=date.today(),
                                      anonymous=False)
    instance.items[-1].text = "Anything else? (our own question)"
    people[0][0].locale = "ja"
    db.session.commit()
    _login(client, people[0][0])
    page = client.get(f"/me/surveys/{instance.id}/{people[0][2].id}").get_data(as_text=True)
    assert "The course objectives were clear to me from the start." not in page
    assert "研修の目的は、開始時から明確だった。" in page and "研修終了時アンケート" in page
    assert "Anything else? (our own question)" in page and "End-of-course survey" not in page
    client.post("/logout")
    organiser = login_as("organiser")
    organiser.locale = "ja"
    db.session.commit()
    results = client.get(f"/surveys/{instance.id}").get_data(as_text=True)
    assert "End-of-course survey" not in results and "<h1>研修終了時アンケート</h1>" in results
