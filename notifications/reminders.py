"""Scheduled work: survey invitations when a survey opens, reminders before due dates and to
non-respondents, daily digests and the clean-up of expired one-time links and import previews.

Every rule takes ``today`` (tests freeze the clock by passing it) and records each message it sends in
``scheduled_sends`` in the same transaction as the message, so a restart or a second worker never sends
it again; the unique constraint (kind, trainee, day) keeps it to one of a kind per person per day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

from flask import url_for
from flask_babel import get_locale
from huey import crontab
from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from completion.models import ActionPlan, SurveyInstance, SurveyParticipation
from core.db import utcnow
from core.extensions import db
from core.i18n import _l
from core.jobs import periodic_job
from courses.models import CourseAssignment
from courses.queries import lesson_totals, lessons_completed
from impact.models import Assessment
from notifications.models import ReminderPolicy, ScheduledSend
from notifications.services import notify, send_daily_digests
from trainees.models import Enrolment, Trainee
from trainees.status import COUNTED_STATUSES

log = logging.getLogger("kakehashi.reminders")
DEFAULT_POLICY = SimpleNamespace(enabled=True, days_before_due=3, nonrespondent_after_days=7,
                                 nonrespondent_every_days=7, nonrespondent_max=2)


@dataclass
class Outcome:
    sent: int = 0
    skipped: int = 0


def policies(cohort_ids) -> dict[int, ReminderPolicy]:
    found = {p.cohort_id: p for p in db.session.scalars(
        select(ReminderPolicy).where(ReminderPolicy.cohort_id.in_(cohort_ids)))} if cohort_ids else {}
    return {cid: found.get(cid, DEFAULT_POLICY) for cid in cohort_ids}


def _already(kind: str, object_key: str, trainee_id: int) -> list[date]:
    return list(db.session.scalars(select(ScheduledSend.sent_on).where(
        ScheduledSend.kind == kind, ScheduledSend.object_key == object_key, ScheduledSend.trainee_id == trainee_id)))


def _sent_today(kind: str, trainee_id: int, today: date) -> bool:
    return db.session.scalar(select(exists().where(ScheduledSend.kind == kind, ScheduledSend.trainee_id == trainee_id,
                                                   ScheduledSend.sent_on == today))) or False


def _send(kind, object_key, trainee: Trainee, today, title, body, link) -> bool:
    """Record and send one scheduled message unless one of this kind already went to the person today."""
    if _sent_today(kind, trainee.id, today):
        return False
    db.session.add(ScheduledSend(kind=kind, object_key=object_key, trainee_id=trainee.id, sent_on=today))
    notify(kind, title, body, user=trainee.user, email=None if trainee.user else trainee.email, link=link)
    return True


def _enrolments(cohort_ids):
    return db.session.scalars(
        select(Enrolment).where(Enrolment.cohort_id.in_(cohort_ids), Enrolment.status.in_(COUNTED_STATUSES))
        .options(joinedload(Enrolment.trainee).joinedload(Trainee.user))).all() if cohort_ids else []


def _answered(survey_ids) -> set[tuple[int, int]]:
    if not survey_ids:
        return set()
    rows = db.session.execute(select(SurveyParticipation.instance_id, SurveyParticipation.enrolment_id)
                              .where(SurveyParticipation.instance_id.in_(survey_ids)))
    return {tuple(r) for r in rows}


def survey_rules(today: date) -> Outcome:
    """Invitations when a survey is open; a reminder ``days_before_due`` before it closes; reminders to
    non-respondents (after N days, every M days, at most K). None once the trainee has answered."""
    out = Outcome()
    surveys = db.session.scalars(select(SurveyInstance).where(SurveyInstance.opens_on <= today,
                                                              SurveyInstance.closes_on >= today)).all()
    if not surveys:
        return out
    cohort_ids = {s.cohort_id for s in surveys}
    pol = policies(cohort_ids)
    by_cohort: dict[int, list[Enrolment]] = {}
    for e in _enrolments(cohort_ids):
        by_cohort.setdefault(e.cohort_id, []).append(e)
    answered = _answered([s.id for s in surveys])
    for survey in surveys:
        policy = pol[survey.cohort_id]
        key = f"survey:{survey.id}"
        for enrolment in by_cohort.get(survey.cohort_id, []):
            if (survey.id, enrolment.id) in answered:
                continue
            trainee = enrolment.trainee
            link = url_for("completion.my_survey", survey_id=survey.id, enrolment_id=enrolment.id)
            invited = _already("survey_open", key, trainee.id)
            if not invited:
                sent = _send("survey_open", key, trainee, today,
                             _l("Survey open: %(title)s", title=survey.title),
                             _l("Please answer the survey “%(title)s” by %(date)s.", title=survey.title,
                                date=survey.closes_on.isoformat()), link)
                out.sent += sent
                continue
            if not policy.enabled or max(invited) >= today:
                continue  # no reminder the day the invitation went out (e.g. late, after the site was down)
            closing = (survey.closes_on - timedelta(days=policy.days_before_due) <= today
                       and not _already("survey_closing", key, trainee.id))
            if closing and _send("survey_closing", key, trainee, today,
                                 _l("Survey closes soon: %(title)s", title=survey.title),
                                 _l("The survey “%(title)s” closes on %(date)s and you have not answered yet.",
                                    title=survey.title, date=survey.closes_on.isoformat()), link):
                out.sent += 1
                continue
            earlier = _already("survey_nonrespondent", key, trainee.id)
            # counted from the invitation: one sent late (the site was not running) is not chased at once
            due = max(survey.opens_on, min(invited)) + timedelta(days=policy.nonrespondent_after_days)
            if earlier:
                due = max(earlier) + timedelta(days=policy.nonrespondent_every_days)
            if len(earlier) < policy.nonrespondent_max and today >= due:
                out.sent += _send("survey_nonrespondent", key, trainee, today,
                                  _l("Reminder: %(title)s", title=survey.title),
                                  _l("We have not received your answers to “%(title)s” yet.", title=survey.title),
                                  link)
    return out


def course_rules(today: date) -> Outcome:
    """A reminder ``days_before_due`` before a course's due date to trainees who have not finished it."""
    out = Outcome()
    assignments = db.session.scalars(select(CourseAssignment).where(
        CourseAssignment.due_on.is_not(None), CourseAssignment.due_on >= today,
        CourseAssignment.due_on <= today + timedelta(days=30)).options(joinedload(CourseAssignment.course))).all()
    if not assignments:
        return out
    cohort_ids = {a.cohort_id for a in assignments}
    pol = policies(cohort_ids)
    enrolments = _enrolments(cohort_ids)
    totals = lesson_totals({a.course_id for a in assignments})
    done = lessons_completed({e.id for e in enrolments}, {a.course_id for a in assignments})
    for a in assignments:
        policy = pol[a.cohort_id]
        if not policy.enabled or a.due_on - timedelta(days=policy.days_before_due) > today:
            continue
        for e in (e for e in enrolments if e.cohort_id == a.cohort_id):
            if done.get((e.id, a.course_id), 0) >= totals.get(a.course_id, 0):
                continue
            key = f"course:{a.id}"
            if _already("course_due", key, e.trainee_id):
                continue
            out.sent += _send("course_due", key, e.trainee, today,
                              _l("Course due on %(date)s: %(title)s", date=a.due_on.isoformat(), title=a.course.title),
                              _l("Please finish the course “%(title)s” by %(date)s.", title=a.course.title,
                                 date=a.due_on.isoformat()), url_for("trainees.portal_home"))
    return out


def milestone_rules(today: date) -> Outcome:
    """A reminder ``days_before_due`` before each milestone of a submitted action plan."""
    out = Outcome()
    plans = db.session.scalars(select(ActionPlan).where(ActionPlan.submitted_at.is_not(None))
                               .options(joinedload(ActionPlan.enrolment).joinedload(Enrolment.trainee)
                                        .joinedload(Trainee.user))).all()
    pol = policies({p.enrolment.cohort_id for p in plans})
    for plan in plans:
        policy = pol[plan.enrolment.cohort_id]
        if not policy.enabled:
            continue
        for index, milestone in enumerate(plan.milestones or []):
            try:
                due = date.fromisoformat(str(milestone.get("due") or ""))
            except ValueError:
                continue
            if not (today <= due <= today + timedelta(days=policy.days_before_due)):
                continue
            key = f"plan:{plan.id}:{index}"
            if _already("milestone_due", key, plan.enrolment.trainee_id):
                continue
            out.sent += _send("milestone_due", key, plan.enrolment.trainee, today,
                              _l("Action-plan milestone due on %(date)s", date=due.isoformat()),
                              _l("Milestone: %(text)s", text=milestone.get("text", "")),
                              url_for("completion.my_action_plan", enrolment_id=plan.enrolment_id))
    return out


class _InstrumentTitle:
    """An instrument's title in the language the message is rendered in (lazy strings format it late)."""

    def __init__(self, instrument):
        self.instrument = instrument

    def __str__(self) -> str:
        return self.instrument.title("ja" if str(get_locale() or "en").startswith("ja") else "en")


def assessment_rules(today: date) -> Outcome:
    """A reminder the cohort's ``days_before_due`` before a requested self-assessment is due and one when
    it is overdue, to each counted trainee of the assessment's cohort from the assessed organisation; none
    once it is submitted (answered by a trainee or a colleague through their link)."""
    out = Outcome()
    # the longest lead any cohort asks for bounds the query; each cohort's own is applied below
    horizon = max(db.session.scalar(select(func.max(ReminderPolicy.days_before_due))) or 0,
                  DEFAULT_POLICY.days_before_due)
    assessments = db.session.scalars(
        select(Assessment).where(Assessment.status == "requested", Assessment.cohort_id.is_not(None),
                                 Assessment.due_date <= today + timedelta(days=horizon))
        .options(joinedload(Assessment.organisation), joinedload(Assessment.instrument))
        .order_by(Assessment.due_date, Assessment.id)).all()
    pol = policies({a.cohort_id for a in assessments})
    assessments = [a for a in assessments if a.due_date - timedelta(days=pol[a.cohort_id].days_before_due) <= today]
    if not assessments:
        return out
    cohort_ids = {a.cohort_id for a in assessments}
    by_cohort_org: dict[tuple[int, int], list[Trainee]] = {}
    for e in _enrolments(cohort_ids):
        by_cohort_org.setdefault((e.cohort_id, e.trainee.organisation_id), []).append(e.trainee)
    for a in assessments:
        if not pol[a.cohort_id].enabled:
            continue
        overdue = a.due_date < today
        kind = "assessment_overdue" if overdue else "assessment_due"
        key = f"assessment:{a.id}"
        title = (_l("Overdue: self-assessment of %(org)s", org=a.organisation.name) if overdue
                 else _l("Reminder: self-assessment of %(org)s", org=a.organisation.name))
        body = _l("The %(instrument)s self-assessment of %(org)s is due on %(date)s. Open “Self-assessments” to "
                  "answer it, or e-mail a colleague a link to answer it.", instrument=_InstrumentTitle(a.instrument),
                  org=a.organisation.name, date=a.due_date.isoformat())
        for trainee in by_cohort_org.get((a.cohort_id, a.organisation_id), []):
            if _already(kind, key, trainee.id):
                continue
            out.sent += _send(kind, key, trainee, today, title, body,
                              url_for("impact.my_answer", assessment_id=a.id))
    return out


def cleanup(now=None) -> dict[str, int]:
    """Delete expired one-time password links and expired stored files (import previews, downloads)."""
    from accounts.models import PasswordToken
    from core import filestore

    now = now or utcnow()
    tokens = db.session.execute(delete(PasswordToken).where(PasswordToken.expires_at < now)).rowcount
    previews = filestore.purge_expired(now)
    return {"password_links": tokens or 0, "expired_files": previews}


def run_all(today: date) -> dict[str, int]:
    """Every reminder rule for ``today`` in one transaction (the caller commits)."""
    return {"surveys": survey_rules(today).sent, "courses": course_rules(today).sent,
            "milestones": milestone_rules(today).sent, "assessments": assessment_rules(today).sent}


@periodic_job(crontab(minute="*/5"))
def scheduled_reminders() -> dict:
    """Every five minutes: run the rules for today; a concurrent run losing the race just rolls back."""
    try:
        result = run_all(date.today())
        db.session.commit()
    except IntegrityError:  # another worker recorded the same send first: nothing is sent twice
        db.session.rollback()
        return {}
    if any(result.values()):
        log.info("scheduled messages: %s", result)
    return result


@periodic_job(crontab(minute="0", hour="6"))
def daily_digest() -> int:
    count = send_daily_digests()
    db.session.commit()
    return count


@periodic_job(crontab(minute="17"))
def hourly_cleanup() -> dict:
    result = cleanup()
    db.session.commit()
    return result

