"""Tables for other features (no HTTP). The reports feature's ``Learning`` sheet reads these.

Which attempt counts: the **first submitted** attempt of the quiz a cohort names as its pre-test, and of
the one it names as its post-test (see ``courses.queries``). If a cohort has several courses with named
tests, an enrolment's pre % and post % are the means over those courses (each computed in SQL).
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from core.extensions import db
from courses import queries
from courses.models import CourseAssignment
from trainees.models import Enrolment


def pre_post_by_enrolment(filter_cohort_ids=None) -> dict[int, tuple[float | None, float | None]]:
    """``{enrolment_id: (pre %, post %)}`` for every enrolment with at least one of the two results;
    a missing result is None. ``filter_cohort_ids`` limits it to those cohorts (None = all)."""
    query = learning_scores()
    if filter_cohort_ids is not None:
        query = query.where(CourseAssignment.cohort_id.in_(list(filter_cohort_ids)))
    return {eid: (_f(p), _f(q)) for eid, p, q in db.session.execute(query)}


def learning_by_cohort(filter_cohort_ids=None) -> list[dict]:
    """Per cohort: paired trainees (both tests submitted), mean pre %, mean post %, Hake's gain on the
    paired means — the columns of the report's ``Learning`` sheet."""
    return [{"cohort_id": row.key, "cohort": row.label, "paired": row.paired, "pre": row.pre, "post": row.post,
             "gain": row.gain} for row in queries.gain_by("cohort", filter_cohort_ids)]


def _f(value) -> float | None:
    return None if value is None else round(float(value), 2)


def courses_completed_by_enrolment(cohort_id: int) -> dict[int, bool] | None:
    """Whether each enrolment of the cohort completed every lesson of every course assigned to it;
    None when the cohort has no assigned course (the rule cannot apply)."""
    course_ids = list(db.session.scalars(select(CourseAssignment.course_id)
                                         .where(CourseAssignment.cohort_id == cohort_id)))
    if not course_ids:
        return None
    totals = queries.lesson_totals(course_ids)
    enrolment_ids = list(db.session.scalars(select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)))
    done = queries.lessons_completed(enrolment_ids, course_ids)
    return {eid: all(done.get((eid, cid), 0) >= totals.get(cid, 0) for cid in course_ids) for eid in enrolment_ids}


def learning_scores():
    """Per-enrolment pre/post-test % for the reports (``enrolment_id``, ``pre_pct``, ``post_pct``), as a
    select that reports join in SQL: the first submitted attempt of each named test, averaged over a
    cohort's courses when it has several."""
    pre = queries.first_scores().alias("pre")
    post = queries.first_scores().alias("post")
    return (select(Enrolment.id.label("enrolment_id"), func.avg(pre.c.score).label("pre_pct"),
                   func.avg(post.c.score).label("post_pct"))
            .select_from(CourseAssignment)
            .join(Enrolment, Enrolment.cohort_id == CourseAssignment.cohort_id)
            .outerjoin(pre, and_(pre.c.enrolment_id == Enrolment.id, pre.c.quiz_id == CourseAssignment.pre_test_id))
            .outerjoin(post, and_(post.c.enrolment_id == Enrolment.id,
                                  post.c.quiz_id == CourseAssignment.post_test_id))
            .where(or_(pre.c.score.is_not(None), post.c.score.is_not(None)))
            .group_by(Enrolment.id))
