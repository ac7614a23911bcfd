"""Reads for the trainee portal. Every query is scoped to one trainee: nothing here can return
another person's enrolments or attendance. Loading is decided here (ARCHITECTURE §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import contains_eager

from core.extensions import db
from trainees.models import (
    ATTENDED_STATUSES,
    Attendance,
    Cohort,
    CohortSession,
    Enrolment,
    Programme,
    ProgrammeOrganiserName,
    Trainee,
)


@dataclass
class CohortView:
    """One of the trainee's own enrolments with its cohort, sessions and the trainee's own attendance."""

    enrolment: Enrolment
    sessions: list[CohortSession] = field(default_factory=list)
    marks: dict[int, str] = field(default_factory=dict)  # session id → the trainee's attendance status
    attended: int = 0  # sessions marked present or late
    recorded: int = 0  # sessions with attendance required and recorded for this trainee

    @property
    def cohort(self) -> Cohort:
        return self.enrolment.cohort

    @property
    def attendance_percent(self) -> int | None:
        return round(100 * self.attended / self.recorded) if self.recorded else None


# Statements built once, on first use (loader options need every mapper configured): they run on every
# visit of the trainee's pages; a statement holds no data, the values are bound parameters.
_TRAINEE_FOR_USER = select(Trainee).where(Trainee.user_id == bindparam("user_id"))


@cache
def _enrolments_stmt(one_cohort: bool):
    # Portal home and cohort page show cohort, programme and the organiser's name as it was. The cohort
    # and programme come from the one join (contains_eager), not from a second copy of it.
    # The programme's organiser names (a few rows) come in the same query, in their from_fy order.
    stmt = (
        select(Enrolment)
        .join(Enrolment.cohort).join(Cohort.programme).outerjoin(Programme.organiser_names)
        .where(Enrolment.trainee_id == bindparam("trainee_id"))
        .options(contains_eager(Enrolment.cohort).contains_eager(Cohort.programme)
                 .contains_eager(Programme.organiser_names))
        .order_by(Cohort.start_date.desc(), Cohort.id, ProgrammeOrganiserName.from_fy)
    )
    return stmt.where(Enrolment.cohort_id == bindparam("cohort_id")) if one_cohort else stmt


def trainee_for_user(user_id: int) -> Trainee | None:
    """The trainee record linked to a portal user (None when the account is not linked yet)."""
    return db.session.scalar(_TRAINEE_FOR_USER, {"user_id": user_id})


def _enrolments(trainee_id: int, cohort_id: int | None = None) -> list[Enrolment]:
    return list(db.session.scalars(_enrolments_stmt(cohort_id is not None),
                                   {"trainee_id": trainee_id, "cohort_id": cohort_id}).unique())


# The sessions of the trainee's cohorts, each with the trainee's own mark if any (one row per session: a
# trainee has one enrolment per cohort, and attendance is unique per session and enrolment).
_SESSIONS_AND_MARKS = (
    select(CohortSession, Attendance.enrolment_id, Attendance.status)
    .outerjoin(Attendance, and_(Attendance.session_id == CohortSession.id,
                                Attendance.enrolment_id.in_(bindparam("enrolment_ids", expanding=True))))
    .where(CohortSession.cohort_id.in_(bindparam("cohort_ids", expanding=True)))
    .order_by(CohortSession.date, CohortSession.start_time, CohortSession.id)
)


def _views(enrolments: list[Enrolment]) -> list[CohortView]:
    """Attach sessions, the trainee's own marks and attendance totals: one query, however many cohorts."""
    views = [CohortView(e) for e in enrolments]
    if not views:
        return views
    by_cohort = {v.enrolment.cohort_id: v for v in views}
    by_enrolment = {v.enrolment.id: v for v in views}
    for session, enrolment_id, status in db.session.execute(_SESSIONS_AND_MARKS, {
            "cohort_ids": list(by_cohort), "enrolment_ids": list(by_enrolment)}):
        by_cohort[session.cohort_id].sessions.append(session)
        if enrolment_id is not None:
            by_enrolment[enrolment_id].marks[session.id] = status
    for view in views:  # totals from the rows already loaded: sessions that take attendance, marked
        required = {s.id for s in view.sessions if s.attendance_required}
        marks = [status for session_id, status in view.marks.items() if session_id in required]
        view.recorded = len(marks)
        view.attended = sum(1 for status in marks if status in ATTENDED_STATUSES)
    return views


def my_cohorts(trainee: Trainee) -> list[CohortView]:
    """All of the trainee's own enrolments, newest cohort first."""
    return _views(_enrolments(trainee.id))


def my_cohort(trainee: Trainee, cohort_id: int) -> CohortView | None:
    """The trainee's own enrolment in one cohort, or None when they are not enrolled there."""
    views = _views(_enrolments(trainee.id, cohort_id))
    return views[0] if views else None
