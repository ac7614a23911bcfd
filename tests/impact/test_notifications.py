"""Impact through the shared mechanisms: assessment reminders (scheduled, recorded in ``scheduled_sends``),
the colleague's link by queued mail inside the unit of work, and the organiser's to-do for overdue ones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.mailqueue import OutgoingMail
from impact import services
from impact.models import Assessment, Instrument
from notifications import reminders, todo
from notifications.models import Notification, ReminderPolicy, ScheduledSend
from tests import factories


def _inst(db):
    services.load_instruments()
    return db.session.scalar(select(Instrument).where(Instrument.key == "ismb", Instrument.is_current))


def _setup(db, due_in: int = 10):
    inst = _inst(db)
    cohort = factories.cohort(code="IMPACT-REM")
    org = factories.organisation(name="Reminded Org")
    user = factories.user(role="trainee", locale="ja")
    factories.enrolment(factories.trainee(org, user_id=user.id, email=user.email), cohort)
    factories.enrolment(factories.trainee(org, email="no.account@example.org"), cohort)
    other = factories.organisation(name="Answered Org")
    factories.enrolment(factories.trainee(other, email="answered@example.org"), cohort)
    services.request_assessments(cohort, inst, "baseline", date.today() + timedelta(days=due_in))
    answered = db.session.scalar(select(Assessment).where(Assessment.organisation_id == other.id))
    assert services.submit_assessment(answered, {i.id: 3 for g in inst.groups for i in g.items}, size="1-49") == {}
    db.session.commit()
    mine = db.session.scalar(select(Assessment).where(Assessment.organisation_id == org.id))
    return inst, cohort, user, mine


def _run(db, today):
    result = reminders.run_all(today)
    db.session.commit()
    return result["assessments"]


def test_assessment_reminders_before_due_and_overdue_once_each(app, db, outbox):
    _inst_, cohort, user, mine = _setup(db)
    db.session.add(ReminderPolicy(cohort_id=cohort.id, days_before_due=7))
    db.session.commit()
    due = mine.due_date
    with app.test_request_context():
        assert _run(db, due - timedelta(days=8)) == 0  # not due soon yet
        assert _run(db, due - timedelta(days=7)) == 2  # both trainees of the organisation, not the other one
        assert _run(db, due - timedelta(days=7)) == 0  # a second run (a restart) sends nothing again
        assert _run(db, due - timedelta(days=6)) == 0  # nor the next day
        assert _run(db, due + timedelta(days=1)) == 2  # overdue: one more each
        assert _run(db, due + timedelta(days=2)) == 0
    recipients = sorted(m.to[0] for m in outbox)
    assert recipients == sorted([user.email, user.email, "no.account@example.org", "no.account@example.org"])
    assert "answered@example.org" not in recipients
    english = [m.subject for m in outbox if m.to[0] == "no.account@example.org"]
    assert english == ["Reminder: self-assessment of Reminded Org", "Overdue: self-assessment of Reminded Org"]
    japanese = [m.subject for m in outbox if m.to[0] == user.email]
    assert all("Reminded Org" in s and s not in english for s in japanese)  # in the recipient's language
    sends = db.session.scalars(select(ScheduledSend.kind).where(ScheduledSend.object_key == f"assessment:{mine.id}"))
    assert sorted(sends) == ["assessment_due", "assessment_due", "assessment_overdue", "assessment_overdue"]
    note = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert note.link.endswith(f"/impact/me/assessments/{mine.id}")


@pytest.mark.parametrize(("policy", "first_day"), [(None, 3), (12, 12), (0, 0)])
def test_assessment_reminders_follow_the_cohorts_reminder_policy(app, db, outbox, policy, first_day):
    """``days_before_due`` of the cohort's policy, like the other reminders (default policy: 3 days)."""
    _inst_, cohort, _user, mine = _setup(db, due_in=20)
    if policy is not None:
        db.session.add(ReminderPolicy(cohort_id=cohort.id, days_before_due=policy))
        db.session.commit()
    due = mine.due_date
    with app.test_request_context():
        assert _run(db, due - timedelta(days=first_day + 1)) == 0  # frozen clock: the day before the lead
        assert _run(db, due - timedelta(days=first_day)) == 2
        assert _run(db, due - timedelta(days=first_day)) == 0


def test_no_assessment_reminder_when_the_cohorts_reminders_are_off(app, db, outbox):
    _inst_, cohort, _user, mine = _setup(db)
    db.session.add(ReminderPolicy(cohort_id=cohort.id, enabled=False, days_before_due=7))
    db.session.commit()
    with app.test_request_context():
        assert _run(db, mine.due_date - timedelta(days=7)) == 0
        assert _run(db, mine.due_date + timedelta(days=1)) == 0
    assert outbox == []


def test_no_reminder_once_submitted(app, db, outbox):
    inst, _cohort, _user, mine = _setup(db)
    assert services.submit_assessment(mine, {i.id: 2 for g in inst.groups for i in g.items}, size="1-49") == {}
    db.session.commit()
    with app.test_request_context():
        assert _run(db, mine.due_date - timedelta(days=3)) == 0
        assert _run(db, mine.due_date + timedelta(days=3)) == 0
    assert outbox == []


def test_colleague_link_is_mailed_inside_the_unit_of_work(client, db, login_as):
    inst, _cohort, user, mine = _setup(db)
    theirs = db.session.scalar(select(Assessment).where(Assessment.organisation_id != mine.organisation_id))
    login_as(user=user)
    before = db.session.scalar(select(func.count(OutgoingMail.id)))
    bad = client.post(f"/impact/me/assessments/{mine.id}/invite", data={"email": "not an address"})
    assert bad.status_code == 400 and "not an address" in bad.get_data(as_text=True)  # kept, with a message
    assert client.post(f"/impact/me/assessments/{theirs.id}/invite",
                       data={"email": "colleague@example.org"}).status_code == 404
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == before
    sent = client.post(f"/impact/me/assessments/{mine.id}/invite", data={"email": "colleague@example.org"})
    assert sent.status_code == 302
    mail = db.session.scalar(select(OutgoingMail).where(OutgoingMail.to_addr == "colleague@example.org"))
    assert mail is not None and mail.kind == "impact_invite" and "Reminded Org" in mail.subject
    link = next(line for line in mail.body.splitlines() if "/impact/answer/" in line)
    client.post("/logout")
    page = client.get(link[link.index("/impact/answer/"):])
    assert page.status_code == 200 and "Reminded Org" in page.get_data(as_text=True)


def test_organiser_todo_lists_overdue_assessments(app, db):
    _inst_, cohort, _user, mine = _setup(db, due_in=1)
    with app.test_request_context():
        assert not [i for i in todo.organiser_items(False, date.today()) if "self-assessments" in i.text]
        items = [i for i in todo.organiser_items(False, mine.due_date + timedelta(days=1))
                 if "self-assessments are overdue" in i.text]
    assert len(items) == 1 and items[0].text == "IMPACT-REM: 1 self-assessments are overdue"
    assert items[0].link.endswith(f"/impact/cohorts/{cohort.id}")


def test_due_command_lists_open_assessments_due_soon(db, runner):
    _inst_, _cohort, _user, mine = _setup(db, due_in=5)
    listed = runner.invoke(args=["impact", "due", "--days", "7"])
    assert listed.exit_code == 0 and "Reminded Org" in listed.output and "Answered Org" not in listed.output
    assert "Reminded Org" not in runner.invoke(args=["impact", "due", "--days", "2"]).output
