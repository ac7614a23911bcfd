"""Announcements: preview with the recipient count, send now or at a time, once, in the recipient's language."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from completion.models import SurveyInstance, SurveyParticipation
from core.db import utcnow
from core.mailqueue import OutgoingMail
from notifications import announcements
from notifications.models import Announcement, Notification
from tests import factories


def _cohort(db):
    cohort = factories.cohort()
    with_account = factories.user(role="trainee", locale="ja")
    a = factories.enrolment(factories.trainee(user_id=with_account.id), cohort, status="confirmed")
    b = factories.enrolment(factories.trainee(), cohort, status="confirmed")
    factories.enrolment(factories.trainee(), cohort, status="withdrawn")  # not counted: never reached
    db.session.commit()
    return cohort, with_account, a, b


def test_preview_shows_the_count_then_send_delivers_once(client, db, login_as, outbox):
    cohort, user, _a, b = _cohort(db)
    login_as("organiser")
    data = {"subject": "Bring your laptop", "body": "Day 1 starts at 9:00.", "audience": "all"}
    page = client.post(f"/cohorts/{cohort.id}/announcements", data={**data, "preview": "Preview"})
    assert "2 trainees will receive this announcement." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Announcement.id))) == 0  # a preview sends nothing
    response = client.post(f"/cohorts/{cohort.id}/announcements", data={**data, "send": "Send"})
    assert response.status_code == 302
    [item] = db.session.scalars(select(Announcement)).all()
    assert item.sent_at is not None and item.recipients == 2
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
    assert note.title == "Bring your laptop" and note.kind == "announcement"
    assert sorted(m.to[0] for m in outbox) == sorted([user.email, b.trainee.email])  # no account: mail only
    assert announcements.deliver(item) == 0  # already delivered: nothing more
    assert len(outbox) == 2
    assert "Bring your laptop" in client.get(f"/cohorts/{cohort.id}/announcements").get_data(as_text=True)


def test_not_answered_audience_leaves_out_those_who_answered(db):
    cohort, _user, a, b = _cohort(db)
    survey = SurveyInstance(cohort_id=cohort.id, title="Reaction", opens_on=date.today() - timedelta(days=1),
                            closes_on=date.today() + timedelta(days=5))
    db.session.add(survey)
    db.session.flush()
    db.session.add(SurveyParticipation(instance_id=survey.id, enrolment_id=a.id))
    db.session.commit()
    assert [t.id for t in announcements.recipients(cohort.id, "not_answered")] == [b.trainee_id]
    assert len(announcements.recipients(cohort.id, "all")) == 2


def test_a_scheduled_announcement_goes_out_at_its_time_once(client, db, login_as, outbox):
    cohort, _user, _a, _b = _cohort(db)
    login_as("organiser")
    later = (utcnow() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/cohorts/{cohort.id}/announcements", data={
        "subject": "Reminder", "body": "See you tomorrow.", "audience": "all", "send_at": later, "send": "Send"})
    [item] = db.session.scalars(select(Announcement)).all()
    assert item.sent_at is None and outbox == []
    assert announcements.send_due_announcements.call_local() == 0  # not yet
    item.send_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert announcements.send_due_announcements.call_local() == 2
    assert announcements.send_due_announcements.call_local() == 0  # a second run (restart) sends nothing
    assert len(outbox) == 2 and db.session.scalar(select(func.count(OutgoingMail.id))) == 2


def test_empty_audience_and_missing_text_are_refused_with_a_message(client, db, login_as):
    cohort = factories.cohort()
    db.session.commit()
    login_as("organiser")
    page = client.post(f"/cohorts/{cohort.id}/announcements",
                       data={"subject": "Hello", "body": "Text", "audience": "all", "send": "Send"})
    assert page.status_code == 200 and "Nobody in this cohort matches" in page.get_data(as_text=True)
    page = client.post(f"/cohorts/{cohort.id}/announcements", data={"subject": "", "body": "", "audience": "all",
                                                                     "send": "Send"})
    assert page.status_code == 200 and db.session.scalar(select(func.count(Announcement.id))) == 0


def test_the_announcements_page_costs_the_same_queries_whatever_the_history(client, db, login_as, count_queries):
    cohort, _user, _a, _b = _cohort(db)
    login_as("organiser")

    def cost() -> int:
        with count_queries() as counter:
            assert client.get(f"/cohorts/{cohort.id}/announcements").status_code == 200
        return counter.count

    one = None
    for n in range(4):
        db.session.add(Announcement(cohort_id=cohort.id, subject=f"S{n}", body="B", audience="all",
                                    sent_at=utcnow(), recipients=2))
        db.session.commit()
        one = one or cost()
    assert cost() == one
