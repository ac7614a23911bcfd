"""Scheduled work with a frozen clock: every rule is given ``today``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from completion.models import ActionPlan, SurveyInstance, SurveyParticipation
from core.db import utcnow
from core.mailqueue import OutgoingMail
from courses.models import Course, CourseAssignment
from notifications import reminders
from notifications.models import Notification, ReminderPolicy, ScheduledSend
from notifications.services import set_email_frequency
from tests import factories

OPENS = date(2026, 3, 2)


@pytest.fixture
def setup(db):
    cohort = factories.cohort(code="AHRD-2025-FU", start_date=date(2025, 11, 3), end_date=date(2025, 11, 7))
    en = factories.user(role="trainee", locale="en")
    ja = factories.user(role="trainee", locale="ja")
    t_en = factories.trainee(user_id=en.id, email=en.email)
    t_ja = factories.trainee(user_id=ja.id, email=ja.email)
    no_account = factories.trainee(email="no.account@example.org")
    enrolments = [factories.enrolment(t, cohort, status="completed") for t in (t_en, t_ja, no_account)]
    factories.enrolment(factories.trainee(), cohort, status="withdrawn")  # not counted: never reminded
    survey = SurveyInstance(cohort_id=cohort.id, title="Three months on", kind="followup_3m",
                            opens_on=OPENS, closes_on=OPENS + timedelta(days=28))
    db.session.add(survey)
    db.session.commit()
    return cohort, survey, (en, ja), enrolments


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _run(db, today):
    result = reminders.run_all(today)
    db.session.commit()
    return result


def test_a_survey_opens_on_its_date_and_invitations_go_out_once(db, setup, outbox):
    cohort, survey, (en, ja), enrolments = setup
    assert _run(db, OPENS - timedelta(days=1))["surveys"] == 0  # not open yet
    assert _run(db, OPENS)["surveys"] == 3
    assert sorted(m.to[0] for m in outbox) == sorted([en.email, ja.email, "no.account@example.org"])
    subjects = {m.to[0]: m.subject for m in outbox}
    assert subjects[en.email] == "Survey open: Three months on"
    assert subjects[ja.email] != subjects[en.email]  # in the recipient's language (Japanese)
    notes = db.session.scalars(select(Notification).where(Notification.user_id == en.id)).all()
    assert [n.kind for n in notes] == ["survey_open"] and f"/me/surveys/{survey.id}/" in notes[0].link
    assert _run(db, OPENS)["surveys"] == 0  # a second run (a restart) sends nothing again
    assert len(outbox) == 3


def test_no_second_reminder_the_same_day_and_none_after_answering(db, setup, outbox):
    cohort, survey, users, enrolments = setup
    db.session.add(ReminderPolicy(cohort_id=cohort.id, enabled=True, days_before_due=3, nonrespondent_after_days=7,
                                  nonrespondent_every_days=3, nonrespondent_max=2))
    db.session.commit()
    _run(db, OPENS)
    db.session.add(SurveyParticipation(instance_id=survey.id, enrolment_id=enrolments[0].id))  # answered
    db.session.commit()
    outbox.clear()
    assert _run(db, OPENS + timedelta(days=6))["surveys"] == 0  # too early
    assert _run(db, OPENS + timedelta(days=7))["surveys"] == 2  # the two who have not answered
    assert enrolments[0].trainee.email not in [m.to[0] for m in outbox]
    assert _run(db, OPENS + timedelta(days=7))["surveys"] == 0  # the same day: nothing more
    assert _run(db, OPENS + timedelta(days=9))["surveys"] == 0  # every 3 days
    assert _run(db, OPENS + timedelta(days=10))["surveys"] == 2
    assert _run(db, OPENS + timedelta(days=13))["surveys"] == 0  # at most two non-respondent reminders
    # three days before closing: one "closes soon" reminder each
    assert _run(db, survey.closes_on - timedelta(days=3))["surveys"] == 2
    assert _run(db, survey.closes_on - timedelta(days=2))["surveys"] == 0
    assert _run(db, survey.closes_on + timedelta(days=1))["surveys"] == 0  # closed
    kinds = db.session.execute(select(ScheduledSend.kind, func.count()).group_by(ScheduledSend.kind)).all()
    assert dict(kinds) == {"survey_open": 3, "survey_nonrespondent": 4, "survey_closing": 2}


def test_an_invitation_sent_late_is_not_followed_by_a_reminder_the_same_day(db, setup, outbox):
    """The site was not running on the opening day (README run command started later): the invitation goes
    out late, and the non-respondent reminders count from the day it went out, not from the opening date."""
    cohort, survey, users, enrolments = setup
    late = OPENS + timedelta(days=10)  # past "first reminder after 7 days"
    assert _run(db, late)["surveys"] == 3  # the invitations
    assert _run(db, late)["surveys"] == 0  # five minutes later, the same day: no "we have not received …"
    assert _run(db, late + timedelta(days=6))["surveys"] == 0  # 7 days after the invitation, not the opening
    assert _run(db, late + timedelta(days=7))["surveys"] == 3
    kinds = db.session.execute(select(ScheduledSend.kind, func.count()).group_by(ScheduledSend.kind)).all()
    assert dict(kinds) == {"survey_open": 3, "survey_nonrespondent": 3}


def test_no_closing_reminder_on_the_day_of_a_late_invitation(db, setup):
    cohort, survey, users, enrolments = setup
    day = survey.closes_on - timedelta(days=1)  # invited the day before the survey closes
    assert _run(db, day)["surveys"] == 3
    assert _run(db, day)["surveys"] == 0  # not "closes soon" minutes after "survey open"
    assert _run(db, survey.closes_on)["surveys"] == 3  # the next (last) day it is


def test_one_reminder_of_a_kind_per_person_per_day_across_surveys(db, setup):
    cohort, survey, users, enrolments = setup
    other = SurveyInstance(cohort_id=cohort.id, title="Six months on", kind="followup_6m", opens_on=OPENS,
                           closes_on=OPENS + timedelta(days=28))
    db.session.add(other)
    db.session.commit()
    assert _run(db, OPENS)["surveys"] == 3  # one invitation each today …
    assert _run(db, OPENS + timedelta(days=1))["surveys"] == 3  # … the second survey's the next day


def test_disabled_policy_sends_invitations_but_no_reminders(db, setup):
    cohort, survey, users, enrolments = setup
    db.session.add(ReminderPolicy(cohort_id=cohort.id, enabled=False, days_before_due=3,
                                  nonrespondent_after_days=7, nonrespondent_every_days=7, nonrespondent_max=2))
    db.session.commit()
    assert _run(db, OPENS)["surveys"] == 3
    assert _run(db, OPENS + timedelta(days=8))["surveys"] == 0


def test_course_due_reminder_only_to_those_who_have_not_finished(db, setup, outbox):
    cohort, survey, users, enrolments = setup
    course = Course(code="EMPTY-1", title="Course without lessons")
    db.session.add(course)
    db.session.flush()
    due = date(2026, 5, 10)
    db.session.add(CourseAssignment(cohort_id=cohort.id, course_id=course.id, due_on=due))
    db.session.commit()
    assert _run(db, due - timedelta(days=4))["courses"] == 0
    assert _run(db, due - timedelta(days=3))["courses"] == 0  # a course without lessons counts as finished


def test_milestone_reminder_before_its_due_date(db, setup):
    cohort, survey, (en, ja), enrolments = setup
    due = date(2026, 6, 1)
    db.session.add(ActionPlan(enrolment_id=enrolments[0].id, title="Build a CSIRT", submitted_at=utcnow(),
                              milestones=[{"text": "Draft charter", "due": due.isoformat()}, {"text": "x", "due": ""}]))
    db.session.commit()
    assert _run(db, due - timedelta(days=4))["milestones"] == 0
    assert _run(db, due - timedelta(days=3))["milestones"] == 1
    assert _run(db, due - timedelta(days=2))["milestones"] == 0


def test_daily_digest_users_get_one_mail_later_and_none_users_get_none(db, setup, outbox):
    cohort, survey, (en, ja), enrolments = setup
    set_email_frequency(en, "daily")
    set_email_frequency(ja, "none")
    db.session.commit()
    _run(db, OPENS)
    assert [m.to[0] for m in outbox] == ["no.account@example.org"]
    assert _count(db, Notification) == 2  # both still see it in the list
    from notifications.services import send_daily_digests

    assert send_daily_digests() == 1
    db.session.commit()
    assert [m.to[0] for m in outbox][-1] == en.email and "1 new notifications" in outbox[-1].subject
    assert send_daily_digests() == 0


def test_cleanup_removes_expired_one_time_links(db, setup):
    from accounts.models import PasswordToken

    user = factories.user(role="trainee")
    db.session.add(PasswordToken(user_id=user.id, token_hash="a" * 64, purpose="reset",
                                 expires_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert reminders.cleanup()["password_links"] >= 1
    assert _count(db, OutgoingMail) == 0
