"""What needs a decision now: the organiser's to-do on the home page and a trainee's own to-do.

Each kind of item is one grouped query, so the list costs the same number of queries whatever the
number of cohorts (asserted in tests). Items are ordered by urgency, each with a link to the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import g, url_for
from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)

from completion.models import ActionPlan, SurveyInstance, SurveyParticipation
from core.db import in_values, utcnow
from core.extensions import db, plain_rows
from core.i18n import _
from core.jobs import FailedJob
from courses.models import Course, CourseAssignment
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


def awaiting_badge(cohort, confirmed: int, today: date | None = None) -> str:
    """``cohort_badge`` for a list that has already counted each cohort's confirmed enrolments (no query)."""
    return _("Awaits completion decisions (%(n)d)", n=confirmed) \
        if confirmed and cohort.end_date < (today or date.today()) else ""


KIND_FAILED_JOBS, KIND_AWAITING, KIND_SURVEY, KIND_CALL, KIND_PLANS, KIND_ASSESSMENTS, KIND_UPCOMING = range(7)


def _organiser_statement(with_failed_jobs: bool):
    """The organiser to-do as ONE statement (a UNION ALL of one branch per kind of item), built once and bound per
    request: seven statements built and run per request cost more CPU than the rest of the home page
    (``bench/request_cost.py --profile org-home``). Every branch has the same columns: ``kind`` (the order of
    the kinds on the page), ``ref`` (the id the link needs), ``label`` (a code or title), ``title``, ``day``
    (the date the branch is ordered by), ``n`` and ``m``; rows come ordered by kind, day, label."""
    today = bindparam("today", type_=Date)
    no_day = cast(null(), Date)
    no_text = cast(null(), String)
    no_number = cast(null(), Integer)

    def branch(kind, ref, label, title, day, n, m):
        return select(literal_column(str(kind), Integer).label("kind"), ref.label("ref"), label.label("label"),
                      title.label("title"), day.label("day"), n.label("n"), m.label("m"))

    # Ended cohorts with completion decisions still open: the longest-waiting by name, and (m) how many in all.
    # Driven from the ended cohorts (an index search per cohort), not by grouping every enrolment.
    confirmed = (Enrolment.cohort_id == Cohort.id, Enrolment.status == "confirmed")
    awaiting = (
        select(Cohort.id, Cohort.code, Cohort.end_date,
               select(func.count()).where(*confirmed).correlate(Cohort).scalar_subquery().label("n"),
               func.count().over().label("cohorts"))
        .where(Cohort.end_date < today, exists().where(*confirmed))
        .order_by(Cohort.end_date, Cohort.code).limit(MAX_PER_KIND).subquery())
    # Surveys closing within a week (the low-response test is done on the counts in Python): correlated counts, so
    # only the few surveys closing soon are counted, not every enrolment of every cohort.
    counted = (select(func.count()).where(Enrolment.cohort_id == SurveyInstance.cohort_id,
                                          Enrolment.status.in_(COUNTED_STATUSES))
               .correlate(SurveyInstance).scalar_subquery())
    answered = (select(func.count()).where(SurveyParticipation.instance_id == SurveyInstance.id)
                .correlate(SurveyInstance).scalar_subquery())
    surveys = (
        select(SurveyInstance.cohort_id, Cohort.code, SurveyInstance.title, SurveyInstance.closes_on,
               answered.label("done"), counted.label("total"))
        .join(Cohort, Cohort.id == SurveyInstance.cohort_id)
        .where(SurveyInstance.opens_on <= today, SurveyInstance.closes_on >= today,
               SurveyInstance.closes_on <= bindparam("closing_until", type_=Date)).subquery())
    # Closed calls for nominations with candidates still waiting for a decision.
    calls = (
        select(NominationCall.id, NominationCall.title, NominationCall.closes_on, func.count(Candidate.id).label("n"))
        .join(Candidate, Candidate.call_id == NominationCall.id)
        .where(NominationCall.closes_on < today, Candidate.status == "submitted")
        .group_by(NominationCall.id, NominationCall.title, NominationCall.closes_on).subquery())
    # Action plans waiting for the supervisor.
    plans = (
        select(Cohort.id, Cohort.code, func.count(ActionPlan.id).label("n"))
        .join(Enrolment, Enrolment.cohort_id == Cohort.id).join(ActionPlan, ActionPlan.enrolment_id == Enrolment.id)
        .where(ActionPlan.submitted_at < bindparam("supervisor_cutoff"), ActionPlan.acknowledged_at.is_(None))
        .group_by(Cohort.id, Cohort.code).subquery())
    # Self-assessments past their due date and not submitted.
    assessments = (
        select(Cohort.id, Cohort.code, func.count(Assessment.id).label("n"))
        .join(Assessment, Assessment.cohort_id == Cohort.id)
        .where(Assessment.status == "requested", Assessment.due_date < today)
        .group_by(Cohort.id, Cohort.code).subquery())
    # Upcoming cohorts with trainees who have no portal account. "coalesce(user_id, 0) = 0" rather than
    # "user_id IS NULL" (ids start at 1): SQLite would otherwise start from the index on trainees.user_id and read
    # every trainee without an account instead of the few upcoming cohorts' enrolments.
    upcoming = (
        select(Cohort.id, Cohort.code, Cohort.start_date, func.count(Enrolment.id).label("n"))
        .join(Enrolment, Enrolment.cohort_id == Cohort.id).join(Trainee, Trainee.id == Enrolment.trainee_id)
        .where(Cohort.start_date >= today, Cohort.start_date <= bindparam("upcoming_until", type_=Date),
               Enrolment.status.in_(("accepted", "confirmed")), func.coalesce(Trainee.user_id, 0) == 0)
        .group_by(Cohort.id, Cohort.code, Cohort.start_date).subquery())
    branches = [
        branch(KIND_AWAITING, awaiting.c.id, awaiting.c.code, no_text, awaiting.c.end_date, awaiting.c.n,
               awaiting.c.cohorts),
        branch(KIND_SURVEY, surveys.c.cohort_id, surveys.c.code, surveys.c.title, surveys.c.closes_on, surveys.c.done,
               surveys.c.total),
        branch(KIND_CALL, calls.c.id, calls.c.title, no_text, calls.c.closes_on, calls.c.n, no_number),
        branch(KIND_PLANS, plans.c.id, plans.c.code, no_text, no_day, plans.c.n, no_number),
        branch(KIND_ASSESSMENTS, assessments.c.id, assessments.c.code, no_text, no_day, assessments.c.n, no_number),
        branch(KIND_UPCOMING, upcoming.c.id, upcoming.c.code, no_text, upcoming.c.start_date, upcoming.c.n, no_number),
    ]
    if with_failed_jobs:
        failed = select(func.count(FailedJob.id).label("n")).where(FailedJob.retried_at.is_(None)).subquery()
        branches.insert(0, branch(KIND_FAILED_JOBS, no_number, no_text, no_text, no_day, failed.c.n, no_number))
    everything = union_all(*branches).subquery()
    return select(everything).order_by(everything.c.kind, everything.c.day, everything.c.label, everything.c.title)


_ORGANISER_TODO = _organiser_statement(with_failed_jobs=False)
_ADMIN_TODO = _organiser_statement(with_failed_jobs=True)


def organiser_items(is_admin: bool, today: date | None = None) -> list[Item]:
    """The programme's to-do, most urgent first: failed jobs (admins), completion decisions, surveys with few
    answers and closed calls, action plans and self-assessments overdue, upcoming cohorts without portal accounts.
    One query whatever the number of cohorts; a to-do of 100 lines helps nobody, so the cohorts awaiting
    completion decisions are named up to MAX_PER_KIND (the longest-waiting) and the rest counted in one line."""
    today = today or date.today()
    params = {"today": today, "closing_until": today + timedelta(days=CLOSING_DAYS),
              "supervisor_cutoff": utcnow() - timedelta(days=SUPERVISOR_DAYS),
              "upcoming_until": today + timedelta(days=UPCOMING_DAYS)}
    items: list[Item] = []
    awaiting_cohorts = 0
    for kind, ref, label, title, day, n, m in plain_rows(_ADMIN_TODO if is_admin else _ORGANISER_TODO, params):
        if kind == KIND_AWAITING:
            awaiting_cohorts = m
            items.append(Item(1, _("%(code)s awaits completion decisions (%(n)d trainees)", code=label, n=n),
                              url_for("completion.cohort_completion", cohort_id=ref), _("Decide completion")))
        elif kind == KIND_FAILED_JOBS:
            if n:
                items.append(Item(0, _("%(n)d background jobs failed", n=n), url_for("notifications.jobs"),
                                  _("See the jobs")))
        elif kind == KIND_SURVEY:
            if m and n / m < LOW_RESPONSE:
                items.append(Item(2, _("%(code)s: survey “%(title)s” closes on %(date)s with %(done)d of %(total)d "
                                       "answers", code=label, title=title, date=day.isoformat(), done=n, total=m),
                                  url_for("completion.cohort_surveys", cohort_id=ref), _("See the survey")))
        elif kind == KIND_CALL:
            items.append(Item(2, _("Call “%(title)s” closed on %(date)s: %(n)d candidates await a decision",
                                   title=label, date=day.isoformat(), n=n),
                              url_for("nominations.selection", call_id=ref), _("Select")))
        elif kind == KIND_PLANS:
            items.append(Item(3, _("%(code)s: %(n)d action plans wait for the supervisor for more than %(days)d days",
                                   code=label, n=n, days=SUPERVISOR_DAYS),
                              url_for("completion.cohort_action_plans", cohort_id=ref), _("Follow up")))
        elif kind == KIND_ASSESSMENTS:
            items.append(Item(3, _("%(code)s: %(n)d self-assessments are overdue", code=label, n=n),
                              url_for("impact.cohort", cohort_id=ref), _("See the assessments")))
        elif kind == KIND_UPCOMING:
            items.append(Item(4, _("%(code)s starts soon: %(n)d trainees have no portal account", code=label, n=n),
                              url_for("trainees.cohort_detail", cohort_id=ref), _("Invite them")))
    if awaiting_cohorts > MAX_PER_KIND:  # sorted in after the named ones (rank 1, stable sort)
        items.append(Item(1, _("%(n)d more cohorts await completion decisions", n=awaiting_cohorts - MAX_PER_KIND),
                          url_for("completion.index"), _("See all")))
    return sorted(items, key=lambda i: i.rank)


def _trainee_statement():
    """The trainee to-do's three reads as one UNION ALL query (kind 1 surveys, 2 courses due with their assignment
    and title in ``sid``/``title``, 3 action plans),
    built once and bound per request: building a statement costs more CPU than running it on a small table,
    and each round trip costs about as much again (measured with ``bench/request_cost.py --profile me``)."""
    mine = select(Enrolment.id, Enrolment.cohort_id).join(Trainee, Trainee.id == Enrolment.trainee_id).where(
        Trainee.user_id == bindparam("user_id"), in_values(Enrolment.status, COUNTED_STATUSES)).subquery()
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
        select(literal(2, Integer), CourseAssignment.id, Course.title, CourseAssignment.due_on,
               cast(null(), Integer), cast(null(), String))
        .join(mine, mine.c.cohort_id == CourseAssignment.cohort_id)
        .join(Course, Course.id == CourseAssignment.course_id)
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
    # plain columns on the request's connection: no ORM objects, so the ORM's execution layer is not needed
    for kind, sid, title, day, eid, code in plain_rows(_TRAINEE_TODO, params):
        if kind == 1:
            items.append(Item(1, _("Answer the survey “%(title)s” by %(date)s", title=title, date=day.isoformat()),
                              url_for("completion.my_survey", survey_id=sid, enrolment_id=eid), _("Answer")))
        elif kind == 2:
            items.append(Item(2, _("Finish the course “%(title)s” by %(date)s", title=title, date=day.isoformat()),
                              url_for("courses.outline", assignment_id=sid), _("Continue")))
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
