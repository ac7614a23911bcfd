"""The organiser's and the trainee's to-do: items appear and disappear with the state, constant queries."""

from __future__ import annotations

from datetime import date, timedelta

from completion.models import SurveyInstance, SurveyParticipation
from core.jobs import FailedJob
from notifications import todo
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


def test_every_kind_of_organiser_item_in_urgency_order_in_one_query(app, db, count_queries):
    """All seven kinds at once (the organiser to-do is one statement): failed jobs, completion decisions and the
    'more' line, a survey with few answers, a closed call, overdue action plans and self-assessments, and an
    upcoming cohort's trainees without an account (a trainee with one is not counted)."""
    from completion.models import ActionPlan
    from core.db import utcnow
    from impact.models import Assessment
    from tests.impact.test_notifications import _inst
    from tests.nominations.builders import focal_point, nominate, open_call

    for n in range(7):  # end dates 16..10 days ago: AW-0 has waited longest
        _ended_cohort(db, f"AW-{n}", n=1).__getitem__(0).end_date = TODAY - timedelta(days=16 - n)
    surveyed, (answered, *_rest) = _ended_cohort(db, "SURV", n=3)
    for e in (answered, *_rest):
        e.status = "completed"
    survey = SurveyInstance(cohort_id=surveyed.id, title="Reaction", opens_on=TODAY - timedelta(days=3),
                            closes_on=TODAY + timedelta(days=2))
    db.session.add(survey)
    db.session.flush()
    db.session.add(SurveyParticipation(instance_id=survey.id, enrolment_id=answered.id))
    call = open_call({"VN": 2})
    vn = focal_point("VN")
    nominate(call, vn, 1)
    call.opens_on, call.closes_on = TODAY - timedelta(days=10), TODAY - timedelta(days=1)
    planned = factories.cohort(code="PLANS", start_date=TODAY - timedelta(days=90), end_date=TODAY - timedelta(days=85))
    for status, submitted in (("completed", 20), ("completed", 20), ("completed", 3)):
        db.session.add(ActionPlan(enrolment_id=factories.enrolment(factories.trainee(), planned, status=status).id,
                                  title="Plan", submitted_at=utcnow() - timedelta(days=submitted)))
    assessed = factories.cohort(code="ASSESS", start_date=TODAY - timedelta(days=60),
                                end_date=TODAY - timedelta(days=55))
    db.session.add(Assessment(organisation_id=factories.organisation().id, instrument_id=_inst(db).id,
                              cohort_id=assessed.id, kind="baseline", due_date=TODAY - timedelta(days=1)))
    upcoming = factories.cohort(code="SOON", start_date=TODAY + timedelta(days=10), end_date=TODAY + timedelta(days=12))
    for _n in range(2):
        factories.enrolment(factories.trainee(), upcoming, status="accepted")
    account = factories.user(role="trainee")
    factories.enrolment(factories.trainee(user_id=account.id, email=account.email), upcoming, status="accepted")
    db.session.add(FailedJob(task_path="x.build_report", task_id="1", error="boom"))
    db.session.commit()
    with app.test_request_context(), count_queries() as counter:
        admin = [(i.text, i.link) for i in todo.organiser_items(is_admin=True)]
        organiser = [i.text for i in todo.organiser_items(is_admin=False)]
    assert counter.count == 2, counter.statements  # one statement per call
    assert admin == [
        ("1 background jobs failed", "/admin/jobs"),
        *[(f"AW-{n} awaits completion decisions (1 trainees)", f"/cohorts/{c}/completion")
          for n, c in enumerate(_cohort_ids(db, [f"AW-{n}" for n in range(5)]))],
        ("2 more cohorts await completion decisions", "/completion"),  # AW-5 and AW-6 (SURV's are decided)
        (f"SURV: survey “Reaction” closes on {survey.closes_on.isoformat()} with 1 of 3 answers",
         f"/cohorts/{surveyed.id}/surveys"),
        (f"Call “{call.title}” closed on {call.closes_on.isoformat()}: 1 candidates await a decision",
         f"/nominations/calls/{call.id}"),
        ("PLANS: 2 action plans wait for the supervisor for more than 14 days", f"/cohorts/{planned.id}/action-plans"),
        ("ASSESS: 1 self-assessments are overdue", f"/impact/cohorts/{assessed.id}"),
        ("SOON starts soon: 2 trainees have no portal account", f"/cohorts/{upcoming.id}"),
    ]
    assert organiser == [text for text, _link in admin[1:]]


def _cohort_ids(db, codes):
    from sqlalchemy import select

    from trainees.models import Cohort

    ids = dict(db.session.execute(select(Cohort.code, Cohort.id).where(Cohort.code.in_(codes))).all())
    return [ids[code] for code in codes]


def test_trainee_to_do_names_each_course_due_and_links_to_its_outline(app, client, db, login_as, count_queries):
    """A trainee with two courses due saw "A course is due on …" twice, with no title and a link to the home
    page; each item now names its course and opens that course's outline, in the same one query."""
    from courses.models import Course, CourseAssignment

    user = factories.user(role="trainee")
    trainee = factories.trainee(user_id=user.id, email=user.email)
    cohort = factories.cohort(code="LEARN-1", start_date=TODAY - timedelta(days=5), end_date=TODAY + timedelta(days=30))
    factories.enrolment(trainee, cohort, status="confirmed")
    assignments = []
    for code, title, days in (("C-A", "Incident triage basics", 3), ("C-B", "Risk assessment <in practice>", 9)):
        course = Course(code=code, title=title)
        db.session.add(course)
        db.session.flush()
        assignments.append(CourseAssignment(cohort_id=cohort.id, course_id=course.id,
                                            due_on=TODAY + timedelta(days=days)))
    db.session.add_all(assignments)
    db.session.commit()
    user_id, first, second = user.id, assignments[0].id, assignments[1].id
    with app.test_request_context(), count_queries() as counter:
        items = todo.trainee_items(user_id)
    assert counter.count == 1, counter.statements
    assert [(i.text, i.link) for i in items] == [
        (f"Finish the course “Incident triage basics” by {(TODAY + timedelta(days=3)).isoformat()}", f"/learn/{first}"),
        (f"Finish the course “Risk assessment <in practice>” by {(TODAY + timedelta(days=9)).isoformat()}",
         f"/learn/{second}"),
    ]
    login_as(user=user)
    page = client.get("/me").get_data(as_text=True)
    assert "Risk assessment &lt;in practice&gt;" in page and "A course is due on" not in page
