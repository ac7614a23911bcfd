"""Calls for nominations, focal points, candidates, their answers, reviewer scores and decisions.

Owns the ``nomination_*`` and ``focal_points`` tables. A candidate keeps the trainee-record fields
as typed (nothing is written into ``trainees`` until the organiser decides); a decision creates or
reuses the ``Trainee`` and an ``Enrolment`` whose status history tells the rest.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, utcnow
from core.extensions import db

ENGLISH_LEVELS = ("basic", "intermediate", "advanced", "fluent")
JOB_AREAS = ("policy", "incident_response", "soc", "forensics", "ot_security", "isms", "management", "other")
QUESTION_KINDS = ("text", "choice", "yes_no", "file")
#: submitted → (decided); a self-application waits in awaiting_endorsement until the focal point endorses.
CANDIDATE_STATUSES = ("awaiting_endorsement", "submitted", "accepted", "waitlisted", "rejected", "withdrawn")
CANDIDATE_STATUS_NAMES = {
    "awaiting_endorsement": ("Awaiting endorsement", "推薦機関の承認待ち"), "submitted": ("Submitted", "推薦済み"),
    "accepted": ("Accepted", "受入決定"), "waitlisted": ("Waitlisted", "補欠"), "rejected": ("Rejected", "不採用"),
    "withdrawn": ("Withdrawn", "辞退"),
}
DECISIONS = ("accepted", "waitlisted", "rejected")
DUPLICATE_DECISIONS = ("", "merge", "different")
CRITERIA = ("relevance", "experience", "motivation")


def _in(column: str, values) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


class NominationCall(TimestampMixin, db.Model):
    """A call for nominations on one cohort: General Information, eligibility, quotas and dates."""

    __tablename__ = "nomination_calls"
    __table_args__ = (
        CheckConstraint(_in("min_english", ("",) + ENGLISH_LEVELS), name="english_valid"),
        CheckConstraint("closes_on >= opens_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    info_en: Mapped[str] = mapped_column(Text, default="")
    info_ja: Mapped[str] = mapped_column(Text, default="")
    joining_instructions: Mapped[str] = mapped_column(Text, default="")
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    total_quota: Mapped[int | None]
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    min_experience_years: Mapped[int | None]
    job_areas: Mapped[list] = mapped_column(JSON, default=list)
    min_english: Mapped[str] = mapped_column(String(20), default="")
    org_types: Mapped[list] = mapped_column(JSON, default=list)
    sectors: Mapped[list] = mapped_column(JSON, default=list)

    cohort = relationship("Cohort")
    quotas: Mapped[list[CallQuota]] = relationship(back_populates="call", cascade="all, delete-orphan",
                                                   order_by="CallQuota.country")
    questions: Mapped[list[CallQuestion]] = relationship(back_populates="call", cascade="all, delete-orphan",
                                                         order_by="CallQuestion.position")

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on

    def quota_for(self, country: str) -> int | None:
        return next((q.quota for q in self.quotas if q.country == country), None)


class CallQuota(db.Model):
    """Seats offered to one country in a call."""

    __tablename__ = "nomination_quotas"
    __table_args__ = (UniqueConstraint("call_id", "country"), CheckConstraint("quota >= 0", name="quota_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("nomination_calls.id", ondelete="CASCADE"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    quota: Mapped[int]

    call: Mapped[NominationCall] = relationship(back_populates="quotas")


class CallQuestion(db.Model):
    """One of the call's own questions: free text, a choice, yes/no or a file (PDF/DOCX)."""

    __tablename__ = "nomination_questions"
    __table_args__ = (CheckConstraint(_in("kind", QUESTION_KINDS), name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("nomination_calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    prompt: Mapped[str] = mapped_column(String(500))
    choices: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)

    call: Mapped[NominationCall] = relationship(back_populates="questions")


class FocalPoint(TimestampMixin, db.Model):
    """The national focal point behind a ``focal_point`` user: one country, optionally one organisation."""

    __tablename__ = "focal_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    #: The secret part of the self-application link the focal point shares with candidates.
    apply_token: Mapped[str] = mapped_column(String(64), unique=True)

    user = relationship("User")
    organisation = relationship("Organisation")


class Candidate(TimestampMixin, db.Model):
    """A person put forward for a call (by a focal point, or by themselves awaiting endorsement)."""

    __tablename__ = "nomination_candidates"
    __table_args__ = (
        CheckConstraint(_in("status", CANDIDATE_STATUSES), name="status_valid"),
        CheckConstraint(_in("duplicate_decision", DUPLICATE_DECISIONS), name="duplicate_decision_valid"),
        UniqueConstraint("call_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("nomination_calls.id", ondelete="CASCADE"), index=True)
    focal_point_id: Mapped[int | None] = mapped_column(ForeignKey("focal_points.id", ondelete="SET NULL"),
                                                       index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    family_name: Mapped[str] = mapped_column(String(200), default="")
    given_names: Mapped[str] = mapped_column(String(200))
    native_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254))
    gender: Mapped[str] = mapped_column(String(2), default="NS")
    nationality: Mapped[str] = mapped_column(String(2))
    organisation_name: Mapped[str] = mapped_column(String(300))
    organisation_country: Mapped[str] = mapped_column(String(2))
    sector: Mapped[str] = mapped_column(String(3))
    org_type: Mapped[str] = mapped_column(String(20))
    job_title: Mapped[str] = mapped_column(String(200), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    experience_years: Mapped[int | None]
    job_area: Mapped[str] = mapped_column(String(30), default="")
    english_level: Mapped[str] = mapped_column(String(20), default="")
    locale: Mapped[str] = mapped_column(String(10), default="en")
    rank: Mapped[int | None]
    #: Whether the call's rules are met (kept current by the services, so reports count it in SQL).
    eligible: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(30), default="submitted", index=True)
    self_applied: Mapped[bool] = mapped_column(default=False)
    #: The employer's endorsement letter: a key of ``core.filestore`` (kind ``nomination_document``).
    endorsement_key: Mapped[str | None] = mapped_column(String(64))
    #: The existing trainee this candidate possibly is (found by the duplicate check), and the decision.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("trainees.id", ondelete="SET NULL"))
    duplicate_decision: Mapped[str] = mapped_column(String(10), default="")
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainees.id", ondelete="SET NULL"))
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id", ondelete="SET NULL"))

    call: Mapped[NominationCall] = relationship()
    focal_point: Mapped[FocalPoint | None] = relationship()
    duplicate_of = relationship("Trainee", foreign_keys=[duplicate_of_id])
    trainee = relationship("Trainee", foreign_keys=[trainee_id])
    enrolment = relationship("Enrolment")
    answers: Mapped[list[CandidateAnswer]] = relationship(back_populates="candidate", cascade="all, delete-orphan")
    scores: Mapped[list[ReviewScore]] = relationship(back_populates="candidate", cascade="all, delete-orphan")

    @property
    def full_name(self) -> str:
        return f"{self.family_name.upper()} {self.given_names}".strip() if self.family_name else self.given_names


class CandidateAnswer(db.Model):
    """A candidate's answer to one of the call's questions (text, or a stored file)."""

    __tablename__ = "nomination_answers"
    __table_args__ = (UniqueConstraint("candidate_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("nomination_candidates.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("nomination_questions.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(Text, default="")
    #: An uploaded answer to a ``file`` question (a CV…): a key of ``core.filestore``.
    file_key: Mapped[str | None] = mapped_column(String(64))

    candidate: Mapped[Candidate] = relationship(back_populates="answers")
    question: Mapped[CallQuestion] = relationship()


class ReviewScore(db.Model):
    """One reviewer's score (1–5) of one candidate on one criterion."""

    __tablename__ = "nomination_scores"
    __table_args__ = (UniqueConstraint("candidate_id", "reviewer_id", "criterion"),
                      CheckConstraint("score between 1 and 5", name="score_range"),
                      CheckConstraint(_in("criterion", CRITERIA), name="criterion_valid"))

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("nomination_candidates.id", ondelete="CASCADE"),
                                              index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(20))
    score: Mapped[int]

    candidate: Mapped[Candidate] = relationship(back_populates="scores")


class CandidateDecision(db.Model):
    """Every selection decision on a candidate (who, when, what, why)."""

    __tablename__ = "nomination_decisions"
    __table_args__ = (CheckConstraint(_in("decision", DECISIONS + ("withdrawn",)), name="decision_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("nomination_candidates.id", ondelete="CASCADE"),
                                              index=True)
    decision: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")


class NominationLetter(db.Model):
    """Which queued message (``core.mailqueue``) is a decision letter of which candidate, so the organiser can
    list the letters of a call with their delivery status (and copy them when no mail server is set up)."""

    __tablename__ = "nomination_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("nomination_candidates.id", ondelete="CASCADE"),
                                              index=True)
    mail_id: Mapped[int] = mapped_column(ForeignKey("outgoing_mail.id", ondelete="CASCADE"), index=True)

    candidate: Mapped[Candidate] = relationship()
    mail = relationship("OutgoingMail")
