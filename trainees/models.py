"""Programmes, cohorts (course runs), sessions, organisations, trainees, enrolments and attendance."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, one_of, utcnow
from core.extensions import db
from core.refdata import MODALITIES, fiscal_year
from trainees.status import STATUSES

COHORT_STATUSES = ("planned", "open", "running", "closed", "cancelled")
SESSION_TYPES = ("lecture", "hands_on", "exercise", "site_visit", "presentation", "test", "ceremony", "orientation",
                 "other")
ATTENDANCE_STATUSES = ("present", "late", "excused", "absent")
ATTENDED_STATUSES = ("present", "late")


#: ``core.filestore`` kind of a programme's logo
LOGO_KIND = "programme_logo"


class Programme(TimestampMixin, db.Model):
    """A multi-year programme (e.g. ASEAN cybersecurity HRD) funded by a ministry."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    funder: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: the programme's logo (PNG or JPEG) in ``core.filestore`` (kind ``programme_logo``), drawn on certificates
    logo_key: Mapped[str | None] = mapped_column(String(64))

    organiser_names: Mapped[list[ProgrammeOrganiserName]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="ProgrammeOrganiserName.from_fy"
    )
    cohorts: Mapped[list[Cohort]] = relationship(back_populates="programme", lazy="raise_on_sql",
                                                 order_by="Cohort.start_date")

    def organiser_name_for(self, fy: int) -> str:
        """The implementing organisation's name as it was in fiscal year ``fy`` (HIDA before FY2017…)."""
        return organiser_name_for([(entry.from_fy, entry.name) for entry in self.organiser_names], fy)

    @property
    def current_organiser_name(self) -> str:
        return self.organiser_names[-1].name if self.organiser_names else ""


def organiser_name_for(names: list[tuple[int, str]], fy: int) -> str:
    """The name in force in fiscal year ``fy`` among a programme's (from_fy, name) pairs in from_fy order: the
    last one from that year or before, else the first one ("" without names)."""
    name = ""
    for from_fy, entry_name in names:
        if from_fy <= fy:
            name = entry_name
    return name or (names[0][1] if names else "")


class ProgrammeOrganiserName(db.Model):
    """The implementing organisation's name from a fiscal year on (names are data, never hard-coded)."""

    __tablename__ = "programme_organiser_names"
    __table_args__ = (UniqueConstraint("programme_id", "from_fy"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    from_fy: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))

    programme: Mapped[Programme] = relationship(back_populates="organiser_names")


class Cohort(TimestampMixin, db.Model):
    """One run of a course: dates, place, modality, capacity. ``fiscal_year`` and ``training_days``
    are derived from the dates on every save, so reports can group by them in SQL."""

    __tablename__ = "cohorts"
    __table_args__ = (
        CheckConstraint(one_of("modality", MODALITIES), name="modality_valid"),
        CheckConstraint(one_of("status", COHORT_STATUSES), name="status_valid"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("capacity is null or capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    modality: Mapped[str] = mapped_column(String(30))
    host_country: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    fiscal_year: Mapped[int] = mapped_column(index=True)
    training_days: Mapped[int]
    language: Mapped[str] = mapped_column(String(10), default="en")
    capacity: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default="planned")
    attendance_locked: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")

    programme: Mapped[Programme] = relationship(back_populates="cohorts")
    sessions: Mapped[list[CohortSession]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(CohortSession.date, CohortSession.start_time)",
    )
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="cohort", lazy="raise_on_sql")

    @property
    def organiser_name(self) -> str:
        return self.programme.organiser_name_for(self.fiscal_year)


@event.listens_for(Cohort, "before_insert")
@event.listens_for(Cohort, "before_update")
def _derive_cohort_fields(mapper, connection, cohort: Cohort) -> None:
    if cohort.start_date is not None:
        cohort.fiscal_year = fiscal_year(cohort.start_date)
    if cohort.start_date is not None and cohort.end_date is not None:
        cohort.training_days = (cohort.end_date - cohort.start_date).days + 1


class CohortSession(db.Model):
    """A scheduled session of a cohort (a lecture, site visit, exercise…), in a named time zone."""

    __tablename__ = "sessions"
    __table_args__ = (CheckConstraint(one_of("session_type", SESSION_TYPES), name="type_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(60), default="Asia/Tokyo")
    session_type: Mapped[str] = mapped_column(String(20), default="lecture")
    title: Mapped[str] = mapped_column(String(300))
    venue: Mapped[str] = mapped_column(String(200), default="")
    attendance_required: Mapped[bool] = mapped_column(default=True)

    cohort: Mapped[Cohort] = relationship(back_populates="sessions")


class Organisation(TimestampMixin, db.Model):
    """A trainee's employer. ``name_key`` (case- and width-folded) is unique within a country."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("country", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    sector_code: Mapped[str] = mapped_column(String(3), index=True)
    org_type: Mapped[str] = mapped_column(String(20))
    is_international: Mapped[bool] = mapped_column(default=False)

    trainees: Mapped[list[Trainee]] = relationship(back_populates="organisation", lazy="raise_on_sql")


class Trainee(TimestampMixin, db.Model):
    """One person across years and programmes (the 'training passport'). E-mail is stored lower-case."""

    __tablename__ = "trainees"
    __table_args__ = (CheckConstraint("gender in ('F', 'M', 'X', 'NS')", name="gender_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(200), default="")
    given_names: Mapped[str] = mapped_column(String(200))
    native_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), unique=True)
    gender: Mapped[str] = mapped_column(String(2), default="NS")
    nationality: Mapped[str] = mapped_column(String(2), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    job_title: Mapped[str] = mapped_column(String(200), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="trainees")
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="trainee", lazy="raise_on_sql")
    user = relationship("User")

    @property
    def full_name(self) -> str:
        return full_name(self.family_name, self.given_names)


def full_name(family_name: str, given_names: str) -> str:
    """Passport order: family name (upper-case) then given names; single-name persons just the name."""
    return f"{family_name.upper()} {given_names}".strip() if family_name else given_names


class Enrolment(TimestampMixin, db.Model):
    """A trainee in a cohort, with a status machine (trainees/status.py) and its history."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("trainee_id", "cohort_id"),
        CheckConstraint(one_of("status", STATUSES), name="status_valid"),
        Index("ix_enrolments_cohort_status", "cohort_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id", ondelete="RESTRICT"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="nominated")
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    trainee: Mapped[Trainee] = relationship(back_populates="enrolments")
    cohort: Mapped[Cohort] = relationship(back_populates="enrolments")
    events: Mapped[list[EnrolmentEvent]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(EnrolmentEvent.at, EnrolmentEvent.id)",
    )
    attendance: Mapped[list[Attendance]] = relationship(back_populates="enrolment", cascade="all, delete-orphan",
                                                        lazy="raise_on_sql")


class EnrolmentEvent(db.Model):
    """One status change of an enrolment: from, to, who, when, why."""

    __tablename__ = "enrolment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    enrolment: Mapped[Enrolment] = relationship(back_populates="events")
    actor = relationship("User")


class Attendance(db.Model):
    """Attendance of one enrolment at one session."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "enrolment_id"),
        CheckConstraint(one_of("status", ATTENDANCE_STATUSES), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[CohortSession] = relationship()
    enrolment: Mapped[Enrolment] = relationship(back_populates="attendance")
