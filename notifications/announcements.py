"""Announcements: an organiser writes to a cohort; delivered once through notifications and the mail queue.

Audience: ``all`` (every counted enrolment of the cohort) or ``not_answered`` (counted enrolments
with no answer to any survey of the cohort that is open today). The organiser sees the recipient
count in a preview before sending. Sending now writes the notifications and queued mail in the
request's transaction; a scheduled announcement is delivered by :func:`send_due_announcements`
(every minute) in its own transaction, claimed by a conditional update so it goes out exactly once.
"""

from __future__ import annotations

from datetime import date, datetime

from huey import crontab
from sqlalchemy import exists, select, update

from core import audit
from core.db import as_utc, utcnow
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from core.jobs import periodic_job
from core.mailqueue import queue_mail
from notifications.models import Announcement
from notifications.services import notify
from trainees.models import Enrolment, Trainee
from trainees.status import COUNTED_STATUSES

AUDIENCES = ("all", "not_answered")


def recipients(cohort_id: int, audience: str, today: date | None = None) -> list[Trainee]:
    """The trainees an announcement to ``cohort_id`` reaches (one query)."""
    from completion.models import SurveyInstance, SurveyParticipation

    if audience not in AUDIENCES:
        raise ServiceError(_("Choose who receives the announcement."), "audience")
    today = today or date.today()
    query = (select(Trainee).join(Enrolment, Enrolment.trainee_id == Trainee.id)
             .where(Enrolment.cohort_id == cohort_id, Enrolment.status.in_(COUNTED_STATUSES)))
    if audience == "not_answered":
        answered = (select(SurveyParticipation.id)
                    .join(SurveyInstance, SurveyInstance.id == SurveyParticipation.instance_id)
                    .where(SurveyParticipation.enrolment_id == Enrolment.id, SurveyInstance.cohort_id == cohort_id,
                           SurveyInstance.opens_on <= today, SurveyInstance.closes_on >= today))
        query = query.where(~exists(answered))
    return list(db.session.scalars(query.order_by(Trainee.id).options(db.joinedload(Trainee.user))).unique())


def create(cohort, subject: str, body: str, audience: str, send_at: datetime | None, actor) -> Announcement:
    """Record an announcement; deliver it now unless ``send_at`` is in the future (the caller commits)."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise ServiceError(_("Write a subject."), "subject")
    if not body:
        raise ServiceError(_("Write the message."), "body")
    if send_at is not None and as_utc(send_at) <= utcnow():
        send_at = None
    count = len(recipients(cohort.id, audience))
    if count == 0:
        raise ServiceError(_("Nobody in this cohort matches: nothing to send."), "audience")
    announcement = Announcement(cohort_id=cohort.id, author_id=getattr(actor, "id", None), subject=subject[:200],
                                body=body, audience=audience, send_at=send_at)
    db.session.add(announcement)
    db.session.flush()
    audit.record("announcement.create", obj=cohort, actor=actor, summary=subject[:200])
    if send_at is None:
        deliver(announcement)
    return announcement


def deliver(announcement: Announcement) -> int:
    """Notify every recipient once; 0 if it was already delivered (claimed by a conditional update)."""
    claimed = db.session.execute(update(Announcement).where(Announcement.id == announcement.id,
                                                            Announcement.sent_at.is_(None))
                                 .values(sent_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return 0
    people = recipients(announcement.cohort_id, announcement.audience)
    for trainee in people:
        if trainee.user is not None:
            notify("announcement", announcement.subject, announcement.body, user=trainee.user, link="/notifications")
        else:
            queue_mail(trainee.email, announcement.subject, announcement.body, kind="announcement")
    db.session.execute(update(Announcement).where(Announcement.id == announcement.id)
                       .values(recipients=len(people)).execution_options(synchronize_session=False))
    db.session.flush()
    db.session.refresh(announcement)
    return len(people)


@periodic_job(crontab(minute="*"))
def send_due_announcements() -> int:
    """Every minute: deliver scheduled announcements whose time has come, each in its own transaction."""
    due = list(db.session.scalars(select(Announcement.id).where(Announcement.sent_at.is_(None),
                                                                Announcement.send_at <= utcnow())))
    sent = 0
    for announcement_id in due:
        sent += deliver(db.session.get(Announcement, announcement_id))
        db.session.commit()
    return sent
