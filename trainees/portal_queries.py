"""Reads for the trainee portal. Every query is scoped to one trainee: nothing here can return
another person's enrolments or attendance. Loading is decided here (ARCHITECTURE §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, bindparam, select

from core.extensions import plain_rows
from trainees.models import (
    ATTENDED_STATUSES,
    Attendance,
    Cohort,
    CohortSession,
    Enrolment,
    Programme,
    ProgrammeOrganiserName,
    Trainee,
    full_name,
    organiser_name_for,
)


@dataclass
class PortalTrainee:
    """The trainee record of a portal user, as the portal shows it."""

    id: int
    family_name: str
    given_names: str
    native_name: str

    @property
    def full_name(self) -> str:
        return full_name(self.family_name, self.given_names)


@dataclass
class PortalProgramme:
    name: str


@dataclass
class PortalCohort:
    """What the portal shows of a cohort (the attributes of ``Cohort`` it reads, under the same names), with the
    programme's name and the organiser's name as it was in the cohort's fiscal year."""

    id: int
    title: str
    modality: str
    host_country: str | None
    city: str
    venue: str
    start_date: date
    end_date: date
    fiscal_year: int
    training_days: int
    programme: PortalProgramme
    organiser_name: str = ""


@dataclass
class PortalEnrolment:
    id: int
    cohort_id: int
    status: str
    cohort: PortalCohort


@dataclass
class CohortView:
    """One of the trainee's own enrolments with its cohort, sessions and the trainee's own attendance."""

    enrolment: PortalEnrolment
    sessions: list = field(default_factory=list)  # rows with the ``CohortSession`` columns the pages show
    marks: dict[int, str] = field(default_factory=dict)  # session id → the trainee's attendance status
    attended: int = 0  # sessions marked present or late
    recorded: int = 0  # sessions with attendance required and recorded for this trainee

    @property
    def cohort(self) -> PortalCohort:
        return self.enrolment.cohort

    @property
    def attendance_percent(self) -> int | None:
        return round(100 * self.attended / self.recorded) if self.recorded else None


# Statements built once: they run on every visit of the trainee's pages; a statement holds no data, the values
# are bound parameters. Plain columns: the pages show a few columns of each row, no ORM objects are built.
_TRAINEE_FOR_USER = select(Trainee.id, Trainee.family_name, Trainee.given_names, Trainee.native_name).where(
    Trainee.user_id == bindparam("user_id"))

# The trainee's enrolments with cohort and programme, newest cohort first; the programme's organiser names (a
# few rows) come in the same query, one row each, in their from_fy order.
_ENROLMENTS = (
    select(Enrolment.id, Enrolment.cohort_id, Enrolment.status, Cohort.title, Cohort.modality, Cohort.host_country,
           Cohort.city, Cohort.venue, Cohort.start_date, Cohort.end_date, Cohort.fiscal_year, Cohort.training_days,
           Programme.name, ProgrammeOrganiserName.from_fy, ProgrammeOrganiserName.name)
    .join(Cohort, Cohort.id == Enrolment.cohort_id).join(Programme, Programme.id == Cohort.programme_id)
    .outerjoin(ProgrammeOrganiserName, ProgrammeOrganiserName.programme_id == Programme.id)
    .where(Enrolment.trainee_id == bindparam("trainee_id"))
    .order_by(Cohort.start_date.desc(), Cohort.id, ProgrammeOrganiserName.from_fy)
)
_ENROLMENT_IN_COHORT = _ENROLMENTS.where(Enrolment.cohort_id == bindparam("cohort_id"))


def trainee_for_user(user_id: int) -> PortalTrainee | None:
    """The trainee record linked to a portal user (None when the account is not linked yet)."""
    row = plain_rows(_TRAINEE_FOR_USER, {"user_id": user_id}).first()
    return PortalTrainee(*row) if row is not None else None


def _enrolments(trainee_id: int, cohort_id: int | None = None) -> list[PortalEnrolment]:
    found: dict[int, tuple[PortalEnrolment, list[tuple[int, str]]]] = {}
    statement, params = (_ENROLMENTS, {"trainee_id": trainee_id}) if cohort_id is None else (
        _ENROLMENT_IN_COHORT, {"trainee_id": trainee_id, "cohort_id": cohort_id})
    for (enrolment_id, cid, status, title, modality, host_country, city, venue, start_date, end_date, fy, days,
         programme, from_fy, organiser) in plain_rows(statement, params):
        if enrolment_id not in found:
            cohort = PortalCohort(cid, title, modality, host_country, city, venue, start_date, end_date, fy, days,
                                  PortalProgramme(programme))
            found[enrolment_id] = (PortalEnrolment(enrolment_id, cid, status, cohort), [])
        if from_fy is not None:
            found[enrolment_id][1].append((from_fy, organiser))
    for enrolment, names in found.values():
        enrolment.cohort.organiser_name = organiser_name_for(names, enrolment.cohort.fiscal_year)
    return [enrolment for enrolment, _names in found.values()]


# The sessions of the trainee's cohorts (the cohorts of their enrolments), each with the trainee's own mark if
# any: one row per session (one enrolment per trainee and cohort, attendance unique per session and enrolment).
# The trainee is the one bound parameter: a list of ids would be an "expanding" parameter, re-rendered on
# every execution.
_SESSIONS_AND_MARKS = (
    select(CohortSession.id, CohortSession.cohort_id, CohortSession.date, CohortSession.start_time,
           CohortSession.end_time, CohortSession.timezone, CohortSession.session_type, CohortSession.title,
           CohortSession.venue, CohortSession.attendance_required,
           Attendance.enrolment_id.label("mark_enrolment_id"), Attendance.status.label("mark"))
    .join(Enrolment, and_(Enrolment.cohort_id == CohortSession.cohort_id,
                          Enrolment.trainee_id == bindparam("trainee_id")))
    .outerjoin(Attendance, and_(Attendance.session_id == CohortSession.id, Attendance.enrolment_id == Enrolment.id))
    .order_by(CohortSession.date, CohortSession.start_time, CohortSession.id)
)
_SESSIONS_AND_MARKS_IN_COHORT = _SESSIONS_AND_MARKS.where(CohortSession.cohort_id == bindparam("cohort_id"))


def _views(enrolments: list[PortalEnrolment], trainee_id: int, cohort_id: int | None = None) -> list[CohortView]:
    """Attach sessions, the trainee's own marks and attendance totals to the trainee's enrolments (all of them,
    or the one in ``cohort_id``): one query, however many cohorts."""
    views = [CohortView(e) for e in enrolments]
    if not views:
        return views
    by_cohort = {v.enrolment.cohort_id: v for v in views}
    by_enrolment = {v.enrolment.id: v for v in views}
    statement, params = (_SESSIONS_AND_MARKS, {"trainee_id": trainee_id}) if cohort_id is None else (
        _SESSIONS_AND_MARKS_IN_COHORT, {"trainee_id": trainee_id, "cohort_id": cohort_id})
    for session in plain_rows(statement, params):
        by_cohort[session.cohort_id].sessions.append(session)
        if session.mark_enrolment_id is not None:
            by_enrolment[session.mark_enrolment_id].marks[session.id] = session.mark
    for view in views:  # totals from the rows already loaded: sessions that take attendance, marked
        required = {s.id for s in view.sessions if s.attendance_required}
        marks = [status for session_id, status in view.marks.items() if session_id in required]
        view.recorded = len(marks)
        view.attended = sum(1 for status in marks if status in ATTENDED_STATUSES)
    return views


def my_cohorts(trainee: PortalTrainee) -> list[CohortView]:
    """All of the trainee's own enrolments, newest cohort first."""
    return _views(_enrolments(trainee.id), trainee.id)


def my_cohort(trainee: PortalTrainee, cohort_id: int) -> CohortView | None:
    """The trainee's own enrolment in one cohort, or None when they are not enrolled there."""
    views = _views(_enrolments(trainee.id, cohort_id), trainee.id, cohort_id)
    return views[0] if views else None
