"""What needs a decision now: the organiser's to-do on the home page and a trainee's own to-do.

Each kind of item is one grouped query, so the list costs the same number of queries whatever the
number of cohorts (asserted in tests). Items are ordered by urgency, each with a link to the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import g, url_for
from sqlalchemy import Date, Integer, String, and_, bindparam, cast, func, literal, null, select, union_all

from completion.models import ActionPlan, SurveyInstance, SurveyParticipation
from core.db import utcnow
from core.extensions import db
from core.i18n import _
from core.jobs import FailedJob
from courses.models import CourseAssignment
from impact.models import Assessment
from nominations.models import Candidate, FocalPoint, NominationCall
from trainees.models import Cohort, Enrolment, Trainee
from trainees.status import COUNTED_STATUSES

LOW_RESPONSE = 0.5  # a survey closing within a week with fewer answers than this share is listed
CLOSING_DAYS = 7
SUPERVISOR_DAYS = 14  # action plans waiting for the supervisor longer than this are listed
UPCOMING_DAYS = 60
MAX_PER_KIND = 5  # cohorts named per kind of item; the rest are counted in one line


@dataclass
class Item:
    rank: int
    text: str
    link: str
    action: str


def awaiting_completion_ids() -> dict[int, int]:
    """{cohort id: confirmed enrolments} of cohorts that have ended with decisions still open (cached per request)."""
    if "kk_awaiting" not in g:
        rows = db.session.execute(
            select(Enrolment.cohort_id, func.count()).join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(Cohort.end_date < date.today(), Enrolment.status == "confirmed")
            .group_by(Enrolment.cohort_id))
        g.kk_awaiting = dict(rows.all())
    return g.kk_awaiting


def cohort_badge(cohort_id: int) -> str:
    """The to-do state of a cohort as a short label for lists ('' when nothing is pending)."""
    n = awaiting_completion_ids().get(cohort_id)
    return _("Awaits completion decisions (%(n)d)", n=n) if n else ""


def organiser_items(is_admin: bool, today: date | None = None) -> list[Item]:
    today = today or date.today()
    items: list[Item] = []
    awaiting = awaiting_completion_ids()
    # The longest-waiting cohorts by name, the rest as one line: a to-do of 100 lines helps nobody (and
    # building it cost more than the rest of the home page — bench/request_cost.py org-home).
    shown = db.session.execute(
        select(Cohort.id, Cohort.code).where(Cohort.id.in_(awaiting)).order_by(Cohort.end_date, Cohort.code)
        .limit(MAX_PER_KIND)).all() if awaiting else []
    for cid, code in shown:
        items.append(Item(1, _("%(code)s awaits completion decisions (%(n)d trainees)", code=code, n=awaiting[cid]),
                          url_for("completion.cohort_completion", cohort_id=cid), _("Decide completion")))
    if len(awaiting) > len(shown):
        items.append(Item(1, _("%(n)d more cohorts await completion decisions", n=len(awaiting) - len(shown)),
                          url_for("completion.index"), _("See all")))
    # correlated counts: only the few surveys closing soon are counted, not every enrolment of every cohort
    counted = (select(func.count()).where(Enrolment.cohort_id == SurveyInstance.cohort_id,
                                          Enrolment.status.in_(COUNTED_STATUSES))
               .correlate(SurveyInstance).scalar_subquery())
    answered = (select(func.count()).where(SurveyParticipation.instance_id == SurveyInstance.id)
                .correlate(SurveyInstance).scalar_subquery())
    rows = db.session.execute(
        select(SurveyInstance.id, SurveyInstance.title, SurveyInstance.cohort_id, SurveyInstance.closes_on,
               Cohort.code, counted, answered)
        .join(Cohort, Cohort.id == SurveyInstance.cohort_id)
        .where(SurveyInstance.opens_on <= today, SurveyInstance.closes_on >= today,
               SurveyInstance.closes_on <= today + timedelta(days=CLOSING_DAYS))
        .order_by(SurveyInstance.closes_on))
    for _sid, title, cid, closes, code, total, done in rows:
        if total and done / total < LOW_RESPONSE:
            items.append(Item(2, _("%(code)s: survey “%(title)s” closes on %(date)s with %(done)d of %(total)d answers",
                                   code=code, title=title, date=closes.isoformat(), done=done, total=total),
                              url_for("completion.cohort_surveys", cohort_id=cid), _("See the survey")))
    # action plans waiting for the supervisor
    cutoff = utcnow() - timedelta(days=SUPERVISOR_DAYS)
    for cid, code, n in db.session.execute(
            select(Cohort.id, Cohort.code, func.count(ActionPlan.id))
            .join(Enrolment, Enrolment.id == ActionPlan.enrolment_id).join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(ActionPlan.submitted_at < cutoff, ActionPlan.acknowledged_at.is_(None))
            .group_by(Cohort.id, Cohort.code).order_by(Cohort.code)):
        items.append(Item(3, _("%(code)s: %(n)d action plans wait for the supervisor for more than %(days)d days",
                               code=code, n=n, days=SUPERVISOR_DAYS),
                          url_for("completion.cohort_action_plans", cohort_id=cid), _("Follow up")))
    # upcoming cohorts with trainees who have no portal account
    for cid, code, n in db.session.execute(
            select(Cohort.id, Cohort.code, func.count(Enrolment.id))
            .join(Enrolment, Enrolment.cohort_id == Cohort.id).join(Trainee, Trainee.id == Enrolment.trainee_id)
            .where(Cohort.start_date >= today, Cohort.start_date <= today + timedelta(days=UPCOMING_DAYS),
                   Enrolment.status.in_(("accepted", "confirmed")), Trainee.user_id.is_(None))
            .group_by(Cohort.id, Cohort.code, Cohort.start_date).order_by(Cohort.start_date)):
        items.append(Item(4, _("%(code)s starts soon: %(n)d trainees have no portal account", code=code, n=n),
                          url_for("trainees.cohort_detail", cohort_id=cid), _("Invite them")))
    # closed calls for nominations with candidates still waiting for a decision
    for call_id, title, closes, n in db.session.execute(
            select(NominationCall.id, NominationCall.title, NominationCall.closes_on, func.count(Candidate.id))
            .join(Candidate, Candidate.call_id == NominationCall.id)
            .where(NominationCall.closes_on < today, Candidate.status == "submitted")
            .group_by(NominationCall.id, NominationCall.title, NominationCall.closes_on)
            .order_by(NominationCall.closes_on)):
        items.append(Item(2, _("Call “%(title)s” closed on %(date)s: %(n)d candidates await a decision",
                               title=title, date=closes.isoformat(), n=n),
                          url_for("nominations.selection", call_id=call_id), _("Select")))
    # self-assessments past their due date and not submitted, per cohort
    for cid, code, n in db.session.execute(
            select(Cohort.id, Cohort.code, func.count(Assessment.id))
            .join(Assessment, Assessment.cohort_id == Cohort.id)
            .where(Assessment.status == "requested", Assessment.due_date < today)
            .group_by(Cohort.id, Cohort.code).order_by(Cohort.code)):
        items.append(Item(3, _("%(code)s: %(n)d self-assessments are overdue", code=code, n=n),
                          url_for("impact.cohort", cohort_id=cid), _("See the assessments")))
    if is_admin:
        failed = db.session.scalar(select(func.count(FailedJob.id)).where(FailedJob.retried_at.is_(None)))
        if failed:
            items.append(Item(0, _("%(n)d background jobs failed", n=failed), url_for("notifications.jobs"),
                              _("See the jobs")))
    return sorted(items, key=lambda i: i.rank)


def _trainee_statement():
    """The trainee to-do's three reads as one UNION ALL query (kind 1 surveys, 2 courses due, 3 action plans),
    built once and bound per request: building a statement costs more CPU than running it on a small table,
    and each round trip costs about as much again (measured with ``bench/request_cost.py --profile me``)."""
    mine = select(Enrolment.id, Enrolment.cohort_id).join(Trainee, Trainee.id == Enrolment.trainee_id).where(
        Trainee.user_id == bindparam("user_id"), Enrolment.status.in_(COUNTED_STATUSES)).subquery()
    today = bindparam("today", type_=Date)
    surveys = (
        select(literal(1, Integer).label("kind"), SurveyInstance.id.label("sid"), SurveyInstance.title.label("title"),
               SurveyInstance.closes_on.label("day"), mine.c.id.label("eid"), cast(null(), String).label("code"))
        .join(mine, mine.c.cohort_id == SurveyInstance.cohort_id)
        .outerjoin(SurveyParticipation, and_(SurveyParticipation.instance_id == SurveyInstance.id,
                                             SurveyParticipation.enrolment_id == mine.c.id))
        .where(SurveyInstance.opens_on <= today, SurveyInstance.closes_on >= today,
               SurveyParticipation.id.is_(None)))
    courses = (
        select(literal(2, Integer), cast(null(), Integer), cast(null(), String), CourseAssignment.due_on,
               cast(null(), Integer), cast(null(), String))
        .join(mine, mine.c.cohort_id == CourseAssignment.cohort_id)
        .where(CourseAssignment.due_on >= today, CourseAssignment.due_on <= bindparam("due_until", type_=Date)))
    plans = (
        select(literal(3, Integer), cast(null(), Integer), cast(null(), String), cast(null(), Date), mine.c.id,
               Cohort.code)
        .join(Cohort, Cohort.id == mine.c.cohort_id)
        .outerjoin(ActionPlan, ActionPlan.enrolment_id == mine.c.id)
        .where(Cohort.end_date < today, Cohort.end_date >= bindparam("ended_after", type_=Date),
               ActionPlan.submitted_at.is_(None)))
    # surveys by closing day, courses by due day (as the items are listed); plans keep the enrolment order
    union = union_all(surveys, courses, plans).subquery()
    return select(union).order_by(union.c.kind, union.c.day, union.c.eid)


_TRAINEE_TODO = _trainee_statement()


def trainee_items(user_id: int, today: date | None = None) -> list[Item]:
    """A trainee's own to-do: surveys open and not answered, courses due, action plans to submit."""
    today = today or date.today()
    params = {"user_id": user_id, "today": today, "due_until": today + timedelta(days=14),
              "ended_after": today - timedelta(days=60)}
    items: list[Item] = []
    for kind, sid, title, day, eid, code in db.session.execute(_TRAINEE_TODO, params):
        if kind == 1:
            items.append(Item(1, _("Answer the survey “%(title)s” by %(date)s", title=title, date=day.isoformat()),
                              url_for("completion.my_survey", survey_id=sid, enrolment_id=eid), _("Answer")))
        elif kind == 2:
            items.append(Item(2, _("A course is due on %(date)s", date=day.isoformat()),
                              url_for("trainees.portal_home"), _("Continue")))
        else:
            items.append(Item(3, _("Submit your action plan for %(code)s", code=code),
                              url_for("completion.my_action_plan", enrolment_id=eid), _("Write the plan")))
    return items  # ranked by the query (kind = rank)


def focal_point_items(user_id: int, today: date | None = None) -> list[Item]:
    """A focal point's to-do: self-applications waiting for their endorsement in calls still open."""
    today = today or date.today()
    items: list[Item] = []
    for cid, family, given, title in db.session.execute(
            select(Candidate.id, Candidate.family_name, Candidate.given_names, NominationCall.title)
            .join(FocalPoint, FocalPoint.id == Candidate.focal_point_id)
            .join(NominationCall, NominationCall.id == Candidate.call_id)
            .where(FocalPoint.user_id == user_id, Candidate.status == "awaiting_endorsement",
                   NominationCall.closes_on >= today)
            .order_by(NominationCall.closes_on, Candidate.id)):
        name = f"{family.upper()} {given}".strip() if family else given
        items.append(Item(1, _("%(name)s applied for “%(title)s” and waits for your endorsement",
                               name=name, title=title),
                          url_for("nominations.fp_candidate", candidate_id=cid), _("Endorse")))
    return items
