"""Reads for completion, surveys, action plans and certificates (statistics computed in SQL)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from completion import sources
from completion.models import (
    ActionPlan,
    Certificate,
    SurveyAnswer,
    SurveyInstance,
    SurveyItem,
    SurveyParticipation,
)
from completion.rules import Measures, Policy, Verdict, evaluate
from core.extensions import db
from trainees.models import (
    ATTENDED_STATUSES,
    LOGO_KIND,
    Attendance,
    Cohort,
    CohortSession,
    Enrolment,
    Programme,
    Trainee,
)
from trainees.status import COUNTED_STATUSES


def attendance_pct_by_enrolment(cohort_id: int) -> dict[int, float | None]:
    """Attendance % of required sessions (present or late) per enrolment; None when no session is required."""
    required = db.session.scalar(select(func.count(CohortSession.id)).where(
        CohortSession.cohort_id == cohort_id, CohortSession.attendance_required.is_(True))) or 0
    enrolment_ids = list(db.session.scalars(select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)))
    if not required:
        return dict.fromkeys(enrolment_ids)
    attended = dict(db.session.execute(
        select(Attendance.enrolment_id, func.count(Attendance.id))
        .join(CohortSession, CohortSession.id == Attendance.session_id)
        .where(CohortSession.cohort_id == cohort_id, CohortSession.attendance_required.is_(True),
               Attendance.status.in_(ATTENDED_STATUSES))
        .group_by(Attendance.enrolment_id)).all())
    return {eid: 100.0 * attended.get(eid, 0) / required for eid in enrolment_ids}


@dataclass
class CompletionRow:
    enrolment: Enrolment
    measures: Measures
    verdict: Verdict


def completion_rows(cohort: Cohort, policy: Policy) -> list[CompletionRow]:
    """Every counted enrolment of the cohort against every active rule (a fixed number of queries)."""
    enrolments = list(db.session.scalars(
        select(Enrolment).join(Enrolment.trainee)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.status.in_(COUNTED_STATUSES))
        .options(joinedload(Enrolment.trainee).joinedload(Trainee.organisation))
        .order_by(Trainee.family_name, Trainee.given_names)))
    attendance = attendance_pct_by_enrolment(cohort.id)
    post = sources.post_test_pct(cohort.id) or {}
    courses = sources.courses_completed(cohort.id) or {}
    exercise = sources.exercise_participation(cohort.id) or {}
    plans = set(db.session.scalars(select(ActionPlan.enrolment_id).join(Enrolment).where(
        Enrolment.cohort_id == cohort.id, ActionPlan.submitted_at.is_not(None))))
    rows = []
    for e in enrolments:
        measures = Measures(attendance_pct=attendance.get(e.id), post_test_pct=post.get(e.id),
                            courses_completed=courses.get(e.id), exercise_participated=exercise.get(e.id),
                            action_plan_submitted=e.id in plans)
        rows.append(CompletionRow(e, measures, evaluate(policy, measures)))
    return rows


def min_responses() -> int:
    """The smallest number of responses whose results may be shown (``SURVEY_MIN_RESPONSES``, default 5)."""
    return max(1, int(current_app.config.get("SURVEY_MIN_RESPONSES", 5)))


def eligible_count(cohort_id: int) -> int:
    return db.session.scalar(select(func.count(Enrolment.id)).where(
        Enrolment.cohort_id == cohort_id, Enrolment.status.in_(COUNTED_STATUSES))) or 0


@dataclass
class ItemResult:
    item: SurveyItem
    n: int = 0
    mean: float | None = None
    top2: float | None = None
    option_counts: list[int] | None = None
    comments: list[str] | None = None


def survey_results(instance: SurveyInstance) -> tuple[list[ItemResult], int, int]:
    """Per-item results (n, mean, top-2-box share, option counts, comments), answered and eligible counts."""
    items = {i.id: ItemResult(i) for i in instance.items}
    likert = db.session.execute(
        select(SurveyAnswer.item_id, func.count(SurveyAnswer.id), func.avg(SurveyAnswer.value_int),
               func.sum(case((SurveyAnswer.value_int >= 4, 1), else_=0)))
        .join(SurveyItem, SurveyItem.id == SurveyAnswer.item_id)
        .where(SurveyItem.instance_id == instance.id, SurveyItem.kind == "likert")
        .group_by(SurveyAnswer.item_id)).all()
    for item_id, n, mean, top in likert:
        items[item_id].n, items[item_id].mean, items[item_id].top2 = n, float(mean), int(top) / n
    choices = db.session.execute(
        select(SurveyAnswer.item_id, SurveyAnswer.value_int, func.count(SurveyAnswer.id))
        .join(SurveyItem, SurveyItem.id == SurveyAnswer.item_id)
        .where(SurveyItem.instance_id == instance.id, SurveyItem.kind == "single_choice")
        .group_by(SurveyAnswer.item_id, SurveyAnswer.value_int)).all()
    for item_id, value, n in choices:
        result = items[item_id]
        if result.option_counts is None:
            result.option_counts = [0] * len(result.item.options or [])
        if value is not None and value < len(result.option_counts):
            result.option_counts[value] += n
        result.n += n
    texts = db.session.execute(
        select(SurveyAnswer.item_id, SurveyAnswer.value_text)
        .join(SurveyItem, SurveyItem.id == SurveyAnswer.item_id)
        .where(SurveyItem.instance_id == instance.id, SurveyItem.kind == "text")
        .order_by(SurveyAnswer.id)).all()
    for item_id, text in texts:
        items[item_id].comments = [*(items[item_id].comments or []), text]
        items[item_id].n += 1
    answered = db.session.scalar(select(func.count(SurveyParticipation.id)).where(
        SurveyParticipation.instance_id == instance.id)) or 0
    return list(items.values()), answered, eligible_count(instance.cohort_id)


def surveys_for_cohort(cohort_id: int) -> list[tuple[SurveyInstance, int]]:
    """A cohort's surveys with their number of respondents."""
    counts = (select(SurveyParticipation.instance_id, func.count(SurveyParticipation.id).label("n"))
              .group_by(SurveyParticipation.instance_id).subquery())
    rows = db.session.execute(
        select(SurveyInstance, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.instance_id == SurveyInstance.id)
        .where(SurveyInstance.cohort_id == cohort_id).order_by(SurveyInstance.opens_on)).all()
    return [(instance, n) for instance, n in rows]


def action_plans_for_cohort(cohort_id: int) -> list[tuple[Enrolment, ActionPlan | None]]:
    """Every counted enrolment with its plan (or None)."""
    rows = db.session.execute(
        select(Enrolment, ActionPlan).join(Enrolment.trainee)
        .outerjoin(ActionPlan, ActionPlan.enrolment_id == Enrolment.id)
        .where(Enrolment.cohort_id == cohort_id, Enrolment.status.in_(COUNTED_STATUSES))
        .options(joinedload(Enrolment.trainee)).order_by(Trainee.family_name, Trainee.given_names)).all()
    return [(e, p) for e, p in rows]


def certificate_logo(*, cohort_id: int | None = None, enrolment_id: int | None = None) -> bytes | None:
    """The logo of the programme a cohort (or an enrolment's cohort) belongs to, for its certificates: the key in
    one query, the bytes from the file store (None when the programme has no logo)."""
    from core import filestore

    stmt = select(Programme.logo_key).join(Cohort, Cohort.programme_id == Programme.id)
    if cohort_id is not None:
        stmt = stmt.where(Cohort.id == cohort_id)
    else:
        stmt = stmt.join(Enrolment, Enrolment.cohort_id == Cohort.id).where(Enrolment.id == enrolment_id)
    key = db.session.scalar(stmt)
    blob = filestore.get(key, kind=LOGO_KIND) if key else None
    return blob.data if blob else None


def certificates_for_cohort(cohort_id: int) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).join(Enrolment).where(Enrolment.cohort_id == cohort_id)
        .order_by(Certificate.holder_name, Certificate.kind, Certificate.id)))


def open_surveys_for(enrolment_ids: list[int], today) -> list[tuple[SurveyInstance, Enrolment, bool]]:
    """Surveys open today for these enrolments (counted ones), with whether each was answered."""
    if not enrolment_ids:
        return []
    answered = set(db.session.execute(select(SurveyParticipation.instance_id, SurveyParticipation.enrolment_id)
                                      .where(SurveyParticipation.enrolment_id.in_(enrolment_ids))).all())
    rows = db.session.execute(
        select(SurveyInstance, Enrolment).join(Enrolment, Enrolment.cohort_id == SurveyInstance.cohort_id)
        .where(Enrolment.id.in_(enrolment_ids), Enrolment.status.in_(COUNTED_STATUSES),
               SurveyInstance.opens_on <= today, SurveyInstance.closes_on >= today)
        .order_by(SurveyInstance.closes_on)).all()
    return [(s, e, (s.id, e.id) in answered) for s, e in rows]
