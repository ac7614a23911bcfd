"""The organiser's and the trainee's to-do: items appear and disappear with the state, constant queries."""

from __future__ import annotations

from datetime import date, timedelta

from completion.models import SurveyInstance, SurveyParticipation
from core.jobs import FailedJob
from tests import factories

TODAY = date.today()


def _ended_cohort(db, code, n=2):
    cohort = factories.cohort(code=code, start_date=TODAY - timedelta(days=20), end_date=TODAY - timedelta(days=16))
    enrolments = [factories.enrolment(factories.trainee(), cohort, status="confirmed") for _ in range(n)]
    db.session.commit()
    return cohort, enrolments


def test_an_ended_cohort_awaiting_decisions_is_on_the_home_page_until_decided(client, db, login_as):
    cohort, enrolments = _ended_cohort(db, "AHRD-2026-TH")
    login_as("organiser")
    home = client.get("/").get_data(as_text=True)
    assert "AHRD-2026-TH awaits completion decisions (2 trainees)" in home
    assert f'href="/cohorts/{cohort.id}/completion"' in home
    for page in ("/cohorts", "/completion"):  # the lists show the same state as a badge
        assert "Awaits completion decisions (2)" in client.get(page).get_data(as_text=True), page
    for e in enrolments:
        e.status = "completed"
    db.session.commit()
    assert "awaits completion decisions" not in client.get("/").get_data(as_text=True)
    assert "Awaits completion decisions" not in client.get("/completion").get_data(as_text=True)


def test_low_response_survey_and_failed_jobs_for_admins(client, db, login_as):
    cohort, enrolments = _ended_cohort(db, "LOW-RESP")
    for e in enrolments:
        e.status = "completed"
    survey = SurveyInstance(cohort_id=cohort.id, title="Reaction", opens_on=TODAY - timedelta(days=3),
                            closes_on=TODAY + timedelta(days=2))
    db.session.add(survey)
    db.session.add(FailedJob(task_path="x.build_report", task_id="1", error="boom"))
    db.session.commit()
    login_as("admin")
    home = client.get("/").get_data(as_text=True)
    assert "survey “Reaction” closes on" in home and "with 0 of 2 answers" in home
    assert "1 background jobs failed" in home
    db.session.add_all([SurveyParticipation(instance_id=survey.id, enrolment_id=e.id) for e in enrolments])
    db.session.commit()
    assert "Reaction" not in client.get("/").get_data(as_text=True)


def test_home_page_query_count_does_not_grow_with_cohorts(client, db, login_as, count_queries):
    _ended_cohort(db, "FEW-1")
    login_as("admin")
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for n in range(6):
        _ended_cohort(db, f"MANY-{n}")
    with count_queries() as many:
        html = client.get("/").get_data(as_text=True)
    assert html.count("awaits completion decisions (2 trainees)") == 5  # the five waiting longest by name
    assert "2 more cohorts await completion decisions" in html and 'href="/completion"' in html
    assert many.count == few.count, (few.statements, many.statements)


def test_trainee_sees_their_own_open_survey_on_my_training(client, db, login_as, count_queries):
    user = factories.user(role="trainee")
    trainee = factories.trainee(user_id=user.id, email=user.email)
    cohort, _ = _ended_cohort(db, "MINE-1", n=0)
    enrolment = factories.enrolment(trainee, cohort, status="completed")
    survey = SurveyInstance(cohort_id=cohort.id, title="Three months on", opens_on=TODAY, closes_on=TODAY)
    db.session.add(survey)
    db.session.commit()
    login_as(user=user)
    page = client.get("/me").get_data(as_text=True)
    assert "Answer the survey “Three months on”" in page
    assert "Submit your action plan for MINE-1" in page
    db.session.add(SurveyParticipation(instance_id=survey.id, enrolment_id=enrolment.id))
    db.session.commit()
    assert "Three months on" not in client.get("/me").get_data(as_text=True)
