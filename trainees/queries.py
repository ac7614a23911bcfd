"""Read helpers for the organiser pages. Eager loading is decided here, and every figure a page shows is
computed in SQL (GROUP BY), so list and detail pages run the same number of queries whatever the data size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from flask import abort
from sqlalchemy import Select, String, bindparam, case, cast, exists, func, literal_column, or_, select, union_all
from sqlalchemy.orm import aliased, joinedload, selectinload

from accounts.consent import refused_expression
from core.db import in_values
from core.extensions import db, plain_rows
from trainees.models import (
    ATTENDANCE_STATUSES,
    ATTENDED_STATUSES,
    Attendance,
    Cohort,
    CohortSession,
    Enrolment,
    EnrolmentEvent,
    Organisation,
    Programme,
    ProgrammeOrganiserName,
    Trainee,
    full_name,
    organiser_name_for,
)
from trainees.status import COUNTED_STATUSES, SEAT_FREE_STATUSES

#: Statuses that do not take a seat in the cohort (as ``services.counted_or_open_count``).
NO_SEAT_STATUSES = SEAT_FREE_STATUSES
#: Enrolments that appear on an attendance sheet.
SHEET_STATUSES = ("accepted", "confirmed", "completed", "incomplete")


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column, text: str):
    return func.lower(column).like(_like(text), escape="\\")


# --- programmes -------------------------------------------------------------------------------

def programmes_with_counts() -> list[tuple[Programme, int]]:
    """Every programme with its number of cohorts, by code (programmes are few: no pagination)."""
    n_cohorts = (select(func.count(Cohort.id)).where(Cohort.programme_id == Programme.id)
                 .correlate(Programme).scalar_subquery())
    stmt = (select(Programme, n_cohorts).options(selectinload(Programme.organiser_names))
            .order_by(Programme.code))
    return [(p, n) for p, n in db.session.execute(stmt)]


def programme_choices() -> list[tuple[int, str]]:
    return [(p.id, f"{p.code} — {p.name}") for p in db.session.scalars(select(Programme).order_by(Programme.code))]


def get_programme(programme_id: int) -> Programme:
    return db.first_or_404(select(Programme).where(Programme.id == programme_id)
                           .options(selectinload(Programme.organiser_names)))


def programme_cohorts(programme: Programme) -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).where(Cohort.programme_id == programme.id)
                                   .order_by(Cohort.start_date.desc(), Cohort.code)))


# --- cohorts ----------------------------------------------------------------------------------

@dataclass
class CohortFilters:
    q: str = ""
    fy: int | None = None
    modality: str = ""
    country: str = ""
    status: str = ""
    programme_id: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.fy or self.modality or self.country or self.status or self.programme_id)


class CohortListRow(NamedTuple):
    """One row of the cohort list: what it shows, as plain values."""

    id: int
    code: str
    title: str
    programme_id: int
    programme_code: str
    fiscal_year: int
    modality: str
    host_country: str | None
    start_date: date
    end_date: date
    status: str
    capacity: int | None


_COHORT_LIST = (select(Cohort.id, Cohort.code, Cohort.title, Cohort.programme_id, Programme.code, Cohort.fiscal_year,
                       Cohort.modality, Cohort.host_country, Cohort.start_date, Cohort.end_date, Cohort.status,
                       Cohort.capacity)
                .join(Programme, Programme.id == Cohort.programme_id)
                .order_by(Cohort.start_date.desc(), Cohort.code, Cohort.id))


@lru_cache(maxsize=64)
def _cohort_list_statement(q: bool, fy: bool, modality: bool, country: bool, status: bool, programme: bool) -> Select:
    """The cohort list's statement for one combination of filters in use, their values as bound parameters: built
    once per combination (a pure function of its flags), because building and keying a new statement on every
    request cost more than running it."""
    stmt = _COHORT_LIST
    if q:
        pattern = bindparam("q")
        stmt = stmt.where(or_(func.lower(Cohort.code).like(pattern, escape="\\"),
                              func.lower(Cohort.title).like(pattern, escape="\\")))
    for used, column in ((fy, Cohort.fiscal_year), (modality, Cohort.modality), (country, Cohort.host_country),
                         (status, Cohort.status), (programme, Cohort.programme_id)):
        if used:
            stmt = stmt.where(column == bindparam(column.key))
    return stmt


def cohorts_query(f: CohortFilters) -> tuple[Select, dict]:
    """The cohort list's rows (``CohortListRow``'s columns), newest first, filtered: the statement and its
    parameters."""
    stmt = _cohort_list_statement(bool(f.q), bool(f.fy), bool(f.modality), bool(f.country), bool(f.status),
                                  bool(f.programme_id))
    params = {"q": _like(f.q) if f.q else None, "fiscal_year": f.fy, "modality": f.modality,
              "host_country": f.country, "status": f.status, "programme_id": f.programme_id}
    return stmt, {key: value for key, value in params.items() if value}


@dataclass
class SeatCounts:
    enrolled: int = 0  # every enrolment
    seats: int = 0  # enrolments taking a seat (not waitlisted, rejected, withdrawn or no-show)
    counted: int = 0  # confirmed, completed, incomplete (report figure)
    completed: int = 0
    confirmed: int = 0  # waiting for a completion decision once the cohort has ended

    def add(self, status: str, n: int = 1) -> None:
        """Count ``n`` enrolments with ``status`` (the one rule behind ``seat_counts`` and ``cohort_counts``)."""
        self.enrolled += n
        if status not in NO_SEAT_STATUSES:
            self.seats += n
        if status in COUNTED_STATUSES:
            self.counted += n
        if status == "completed":
            self.completed += n
        elif status == "confirmed":
            self.confirmed += n


@lru_cache(maxsize=128)
def _cohort_status_counts(n: int) -> Select:
    """Enrolments counted per cohort and status for ``n`` cohort ids bound as ``c0``…: built once per ``n`` (a list
    page's size, a programme's number of cohorts). Grouping by both columns reads only the (cohort_id, status)
    index (SQLite: "covering index"); the sums by CASE it replaces read every enrolment row and cost three times as
    much, and a list bound as one "expanding" parameter is re-rendered on every execution
    (bench/request_cost.py cohorts)."""
    return (select(Enrolment.cohort_id, Enrolment.status, func.count())
            .where(Enrolment.cohort_id.in_([bindparam(f"c{i}") for i in range(n)]))
            .group_by(Enrolment.cohort_id, Enrolment.status))


def seat_counts(statuses) -> SeatCounts:
    """The figures of ``cohort_counts`` for one cohort whose enrolments' statuses are already loaded (its
    participant list): counting a list in hand costs less than a query."""
    counts = SeatCounts()
    for status, n in Counter(statuses).items():
        counts.add(status, n)
    return counts


def cohort_counts(cohort_ids: list[int]) -> dict[int, SeatCounts]:
    """Enrolment figures per cohort in one GROUP BY query."""
    if not cohort_ids:
        return {}
    counts = {cid: SeatCounts() for cid in cohort_ids}
    ids = list(counts)
    for cid, status, n in plain_rows(_cohort_status_counts(len(ids)),
                                     {f"c{i}": cid for i, cid in enumerate(ids)}):
        counts[cid].add(status, n)
    return counts


def _filter_values_statement():
    years = select(literal_column("'fy'").label("kind"), cast(Cohort.fiscal_year, String).label("value")).distinct()
    countries = (select(literal_column("'country'"), Cohort.host_country).distinct()
                 .where(Cohort.host_country.is_not(None)))
    return union_all(years, countries)


_FILTER_VALUES = _filter_values_statement()


def cohort_filter_values() -> tuple[list[int], list[str]]:
    """The fiscal years (newest first) and host countries that cohorts have, for the cohort list's filter menus,
    in one query."""
    years, countries = [], []
    for kind, value in plain_rows(_FILTER_VALUES):
        if kind == "fy":
            years.append(int(value))
        else:
            countries.append(value)
    return sorted(years, reverse=True), sorted(countries)


def get_cohort(cohort_id: int, sessions: bool = True) -> Cohort:
    """A cohort with its programme, organiser names and (unless ``sessions`` is false) sessions loaded (404 if
    unknown)."""
    options = [joinedload(Cohort.programme).selectinload(Programme.organiser_names)]
    if sessions:
        options.append(selectinload(Cohort.sessions))
    return db.first_or_404(select(Cohort).where(Cohort.id == cohort_id).options(*options))


class CohortHeader(NamedTuple):
    """What the cohort page shows about the cohort itself, read as plain values in one statement (the cohort entity
    with its programme and the programme's organiser names took two statements and a fifth of the page)."""

    id: int
    code: str
    title: str
    programme_id: int
    programme_code: str
    programme_name: str
    organiser_name: str  # as ``Cohort.organiser_name``: the programme's organiser in the cohort's fiscal year
    fiscal_year: int
    modality: str
    venue: str
    city: str
    host_country: str | None
    start_date: date
    end_date: date
    training_days: int
    language: str
    status: str
    notes: str
    capacity: int | None
    attendance_locked: bool


# Built once, bound per request: see ``CohortHeader``; one row per organiser name of the programme (a few), in
# from_fy order, so the name in force is chosen by the one rule, ``organiser_name_for``.
_COHORT_HEADER = (
    select(Cohort.id, Cohort.code, Cohort.title, Cohort.programme_id, Programme.code, Programme.name,
           Cohort.fiscal_year, Cohort.modality, Cohort.venue, Cohort.city, Cohort.host_country, Cohort.start_date,
           Cohort.end_date, Cohort.training_days, Cohort.language, Cohort.status, Cohort.notes, Cohort.capacity,
           Cohort.attendance_locked, ProgrammeOrganiserName.from_fy, ProgrammeOrganiserName.name)
    .join(Programme, Programme.id == Cohort.programme_id)
    .outerjoin(ProgrammeOrganiserName, ProgrammeOrganiserName.programme_id == Programme.id)
    .where(Cohort.id == bindparam("cohort_id"))
    .order_by(ProgrammeOrganiserName.from_fy)
)


def cohort_header(cohort_id: int) -> CohortHeader:
    """The cohort page's facts about the cohort (see ``CohortHeader``), in one query; 404 if unknown."""
    rows = plain_rows(_COHORT_HEADER, {"cohort_id": cohort_id}).all()
    if not rows:
        abort(404)
    *facts, _from_fy, _name = rows[0]
    names = [(from_fy, name) for *_facts, from_fy, name in rows if from_fy is not None]
    fiscal_year = facts[6]
    return CohortHeader(*facts[:6], organiser_name_for(names, fiscal_year), *facts[6:])


def _by_name():
    """Alphabetical as names are shown: "NGUYEN Thi Lan" under N, a single name such as "Kartini" under K."""
    return (func.lower(func.coalesce(func.nullif(Trainee.family_name, ""), Trainee.given_names)),
            func.lower(Trainee.given_names))


def cohort_enrolments(cohort: Cohort, statuses: tuple[str, ...] | None = None) -> list[Enrolment]:
    """The cohort's enrolments with trainee and organisation, alphabetically by name as shown."""
    stmt = (select(Enrolment).join(Enrolment.trainee).where(Enrolment.cohort_id == cohort.id)
            .options(joinedload(Enrolment.trainee).joinedload(Trainee.organisation))
            .order_by(*_by_name(), Enrolment.id))
    if statuses is not None:
        stmt = stmt.where(Enrolment.status.in_(statuses))
    return list(db.session.scalars(stmt))


class Participant(NamedTuple):
    """One row of a cohort page's participant list: only the columns it shows, read as plain values (loading
    enrolment, trainee and organisation entities for a 50-row list cost as much as the rest of the page)."""

    id: int  # the enrolment's
    status: str
    trainee_id: int
    family_name: str
    given_names: str
    nationality: str
    user_id: int | None
    organisation: str
    attended: int | None  # sessions attended (present or late) among ...
    marked: int | None  # ... the attendance-required sessions with a mark; None when none is marked
    refused_consent: bool | None  # the account's latest privacy decision is a withdrawal or a refusal

    @property
    def full_name(self) -> str:
        return full_name(self.family_name, self.given_names)

    @property
    def attendance_percent(self) -> int | None:
        return AttendanceRate(int(self.attended or 0), self.marked).percent if self.marked else None


def _cohort_participants_statement():
    """Built once, bound per request: the enrolments of one cohort, alphabetically by name as shown, with their
    trainee's name, nationality and account, the organisation's name, the attendance rate (attended over
    marked attendance-required sessions) from a grouped subquery and whether the account refused or withdrew
    its privacy consent, in one statement."""
    cohort_id = bindparam("cohort_id")
    mine = aliased(Enrolment)
    rates = (select(Attendance.enrolment_id.label("enrolment_id"),
                    func.sum(case((in_values(Attendance.status, ATTENDED_STATUSES), 1), else_=0)).label("attended"),
                    func.count(Attendance.id).label("marked"))
             .join(CohortSession, CohortSession.id == Attendance.session_id)
             .join(mine, mine.id == Attendance.enrolment_id)
             .where(mine.cohort_id == cohort_id, CohortSession.attendance_required.is_(True))
             .group_by(Attendance.enrolment_id).subquery())
    return (select(Enrolment.id, Enrolment.status, Trainee.id, Trainee.family_name, Trainee.given_names,
                   Trainee.nationality, Trainee.user_id, Organisation.name, rates.c.attended, rates.c.marked,
                   refused_expression(Trainee.user_id))
            .join(Trainee, Trainee.id == Enrolment.trainee_id)
            .join(Organisation, Organisation.id == Trainee.organisation_id)
            .outerjoin(rates, rates.c.enrolment_id == Enrolment.id)
            .where(Enrolment.cohort_id == cohort_id)
            .order_by(*_by_name(), Enrolment.id))


_COHORT_PARTICIPANTS = _cohort_participants_statement()


def cohort_participants(cohort: Cohort) -> list[Participant]:
    """The cohort page's participant list (see ``Participant``), in one query."""
    return list(map(Participant._make, plain_rows(_COHORT_PARTICIPANTS, {"cohort_id": cohort.id}).all()))


def _cohort_sessions_statement():
    """Built once, bound per request: a cohort's sessions in their order, each with its attendance marks
    counted by status (``marked``: all marks; 0 when the sheet is not taken yet)."""
    def marks(status):
        return func.sum(case((Attendance.status == status, 1), else_=0)).label(status)

    return (select(CohortSession.id, CohortSession.date, CohortSession.start_time, CohortSession.end_time,
                   CohortSession.timezone, CohortSession.session_type, CohortSession.title,
                   CohortSession.attendance_required, *(marks(status) for status in ATTENDANCE_STATUSES),
                   func.count(Attendance.id).label("marked"))
            .outerjoin(Attendance, Attendance.session_id == CohortSession.id)
            .where(CohortSession.cohort_id == bindparam("cohort_id"))
            .group_by(CohortSession.id)
            .order_by(CohortSession.date, CohortSession.start_time, CohortSession.id))


_COHORT_SESSIONS = _cohort_sessions_statement()


def cohort_sessions(cohort: Cohort) -> list:
    """The cohort page's sessions with their attendance counted (``present``, ``late``, ``excused``, ``absent``,
    ``marked``) in one query, as rows of plain values."""
    return plain_rows(_COHORT_SESSIONS, {"cohort_id": cohort.id}).all()


@dataclass
class AttendanceRate:
    attended: int = 0  # present or late
    marked: int = 0  # sessions with a mark for this enrolment (attendance-required sessions only)

    @property
    def percent(self) -> int | None:
        return round(100 * self.attended / self.marked) if self.marked else None


def get_session(session_id: int) -> CohortSession:
    """A session with its cohort and the cohort's other sessions (for navigation), 404 if unknown."""
    return db.first_or_404(select(CohortSession).where(CohortSession.id == session_id)
                           .options(joinedload(CohortSession.cohort).selectinload(Cohort.sessions)))


def session_marks(session: CohortSession) -> dict[int, str]:
    """{enrolment_id: attendance status} already recorded for a session."""
    stmt = select(Attendance.enrolment_id, Attendance.status).where(Attendance.session_id == session.id)
    return dict(db.session.execute(stmt).all())


def get_enrolment(enrolment_id: int) -> Enrolment:
    """An enrolment with trainee, cohort and its history (actor loaded) for the status page."""
    return db.first_or_404(
        select(Enrolment).where(Enrolment.id == enrolment_id).options(
            joinedload(Enrolment.trainee), joinedload(Enrolment.cohort),
            selectinload(Enrolment.events).joinedload(EnrolmentEvent.actor),
        )
    )


def enrolments_by_ids(cohort: Cohort, ids: list[int]) -> list[Enrolment]:
    """Enrolments of this cohort among ``ids`` (ids of other cohorts are ignored), trainee loaded."""
    if not ids:
        return []
    stmt = (select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.id.in_(ids))
            .options(joinedload(Enrolment.trainee)).order_by(Enrolment.id))
    return list(db.session.scalars(stmt))


def enrolment_candidates(cohort: Cohort, q: str, limit: int = 20) -> list[Trainee]:
    """Trainees matching ``q`` (name, e-mail) who are not yet in the cohort."""
    if not q:
        return []
    in_cohort = exists().where(Enrolment.trainee_id == Trainee.id, Enrolment.cohort_id == cohort.id)
    stmt = (select(Trainee).options(joinedload(Trainee.organisation))
            .where(~in_cohort, _trainee_text_filter(q, with_organisation=False))
            .order_by(*_by_name()).limit(limit))
    return list(db.session.scalars(stmt))


# --- organisations ----------------------------------------------------------------------------

@dataclass
class OrganisationFilters:
    q: str = ""
    country: str = ""
    sector: str = ""
    org_type: str = ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.country or self.sector or self.org_type)


def organisations_query(f: OrganisationFilters) -> Select:
    stmt = select(Organisation).order_by(Organisation.name_key, Organisation.country, Organisation.id)
    if f.q:
        stmt = stmt.where(_contains(Organisation.name, f.q))
    if f.country:
        stmt = stmt.where(Organisation.country == f.country)
    if f.sector:
        stmt = stmt.where(Organisation.sector_code == f.sector)
    if f.org_type:
        stmt = stmt.where(Organisation.org_type == f.org_type)
    return stmt


def organisation_trainee_counts(org_ids: list[int]) -> dict[int, int]:
    if not org_ids:
        return {}
    stmt = (select(Trainee.organisation_id, func.count(Trainee.id))
            .where(Trainee.organisation_id.in_(org_ids)).group_by(Trainee.organisation_id))
    counts = dict.fromkeys(org_ids, 0)
    counts.update(db.session.execute(stmt).all())
    return counts


def organisation_countries() -> list[str]:
    return list(db.session.scalars(select(Organisation.country).distinct().order_by(Organisation.country)))


def merge_candidates(org: Organisation, q: str, limit: int = 50) -> list[Organisation]:
    """Other organisations to merge with: by default those in the same country, else any matching ``q``."""
    condition = _contains(Organisation.name, q) if q else Organisation.country == org.country
    stmt = (select(Organisation).where(Organisation.id != org.id, condition)
            .order_by(Organisation.name_key).limit(limit))
    return list(db.session.scalars(stmt))


# --- trainees ---------------------------------------------------------------------------------

@dataclass
class TraineeFilters:
    q: str = ""
    nationality: str = ""
    sector: str = ""
    gender: str = ""
    cohort_id: int | None = None
    organisation_id: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.nationality or self.sector or self.gender or self.cohort_id
                    or self.organisation_id)


def _trainee_text_filter(q: str, with_organisation: bool = True):
    full = func.lower(Trainee.given_names + " " + Trainee.family_name)
    reverse = func.lower(Trainee.family_name + " " + Trainee.given_names)
    terms = [_contains(Trainee.email, q), _contains(Trainee.native_name, q),
             full.like(_like(q), escape="\\"), reverse.like(_like(q), escape="\\")]
    if with_organisation:
        terms.append(Trainee.organisation_id.in_(select(Organisation.id).where(_contains(Organisation.name, q))))
    return or_(*terms)


def trainees_query(f: TraineeFilters) -> Select:
    stmt = (select(Trainee).options(joinedload(Trainee.organisation))
            .order_by(*_by_name(), Trainee.id))
    if f.q:
        stmt = stmt.where(_trainee_text_filter(f.q))
    if f.nationality:
        stmt = stmt.where(Trainee.nationality == f.nationality)
    if f.gender:
        stmt = stmt.where(Trainee.gender == f.gender)
    if f.sector:
        stmt = stmt.where(Trainee.organisation_id.in_(
            select(Organisation.id).where(Organisation.sector_code == f.sector)))
    if f.organisation_id:
        stmt = stmt.where(Trainee.organisation_id == f.organisation_id)
    if f.cohort_id:
        stmt = stmt.where(exists().where(Enrolment.trainee_id == Trainee.id, Enrolment.cohort_id == f.cohort_id))
    return stmt


def trainee_enrolment_counts(trainee_ids: list[int]) -> dict[int, int]:
    if not trainee_ids:
        return {}
    stmt = (select(Enrolment.trainee_id, func.count(Enrolment.id))
            .where(Enrolment.trainee_id.in_(trainee_ids)).group_by(Enrolment.trainee_id))
    counts = dict.fromkeys(trainee_ids, 0)
    counts.update(db.session.execute(stmt).all())
    return counts


def nationalities() -> list[str]:
    return list(db.session.scalars(select(Trainee.nationality).distinct().order_by(Trainee.nationality)))


def cohort_options() -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).order_by(Cohort.start_date.desc(), Cohort.code)))


def get_trainee(trainee_id: int) -> Trainee:
    return db.first_or_404(select(Trainee).where(Trainee.id == trainee_id)
                           .options(joinedload(Trainee.organisation)))


@dataclass
class PassportEntry:
    """One enrolment of the training passport with its sessions and this person's marks."""

    enrolment: Enrolment
    marks: dict[int, str] = field(default_factory=dict)  # session_id → status

    @property
    def cohort(self) -> Cohort:
        return self.enrolment.cohort

    @property
    def rate(self) -> AttendanceRate:
        required = {s.id for s in self.cohort.sessions if s.attendance_required}
        marked = [status for sid, status in self.marks.items() if sid in required]
        return AttendanceRate(sum(1 for s in marked if s in ATTENDED_STATUSES), len(marked))


def training_passport(trainee: Trainee) -> list[PassportEntry]:
    """Every enrolment of the person across years, newest first, with history, sessions and attendance."""
    enrolments = list(db.session.scalars(
        select(Enrolment).join(Enrolment.cohort).where(Enrolment.trainee_id == trainee.id)
        .options(
            joinedload(Enrolment.cohort).joinedload(Cohort.programme).selectinload(Programme.organiser_names),
            joinedload(Enrolment.cohort).selectinload(Cohort.sessions),
            selectinload(Enrolment.events).joinedload(EnrolmentEvent.actor),
            selectinload(Enrolment.attendance),
        )
        .order_by(Cohort.start_date.desc(), Cohort.id.desc())
    ).unique())
    return [PassportEntry(e, {a.session_id: a.status for a in e.attendance}) for e in enrolments]
