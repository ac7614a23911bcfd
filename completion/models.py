"""Completion rules, surveys (reaction and follow-up), action plans and certificates."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, utcnow
from core.extensions import db

ITEM_KINDS = ("likert", "single_choice", "text")
SURVEY_KINDS = ("reaction", "followup_3m", "followup_6m", "followup_12m")
FOLLOWUP_MONTHS = {"followup_3m": 3, "followup_6m": 6, "followup_12m": 12}
CERTIFICATE_KINDS = ("attendance", "completion")


class CompletionPolicy(db.Model):
    """Per-cohort completion rules; every rule is optional (None/False = not required)."""

    __tablename__ = "completion_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), unique=True)
    min_attendance_pct: Mapped[int | None]
    min_post_test_pct: Mapped[int | None]
    require_courses: Mapped[bool] = mapped_column(default=False)
    require_exercise: Mapped[bool] = mapped_column(default=False)
    require_action_plan: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SurveyTemplate(TimestampMixin, db.Model):
    """A reusable questionnaire; its items are copied into each survey instance."""

    __tablename__ = "survey_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(60), unique=True)  # stable key for built-in templates
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="reaction")

    items: Mapped[list[SurveyTemplateItem]] = relationship(
        back_populates="template", cascade="all, delete-orphan", order_by="SurveyTemplateItem.position"
    )


class SurveyTemplateItem(db.Model):
    __tablename__ = "survey_template_items"
    __table_args__ = (CheckConstraint("kind in ('likert', 'single_choice', 'text')", name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("survey_templates.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list | None] = mapped_column(JSON)
    required: Mapped[bool] = mapped_column(default=True)

    template: Mapped[SurveyTemplate] = relationship(back_populates="items")


class SurveyInstance(TimestampMixin, db.Model):
    """A survey given to one cohort, open between two dates; items are a snapshot of the template."""

    __tablename__ = "survey_instances"
    __table_args__ = (
        CheckConstraint(
            "kind in ('reaction', 'followup_3m', 'followup_6m', 'followup_12m')", name="kind_valid"
        ),
        CheckConstraint("closes_on >= opens_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="reaction")
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    anonymous: Mapped[bool] = mapped_column(default=True)

    cohort = relationship("Cohort")
    items: Mapped[list[SurveyItem]] = relationship(
        back_populates="instance", cascade="all, delete-orphan", order_by="SurveyItem.position"
    )


class SurveyItem(db.Model):
    __tablename__ = "survey_items"
    __table_args__ = (CheckConstraint("kind in ('likert', 'single_choice', 'text')", name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("survey_instances.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list | None] = mapped_column(JSON)
    required: Mapped[bool] = mapped_column(default=True)

    instance: Mapped[SurveyInstance] = relationship(back_populates="items")


def _random_id() -> str:
    return uuid.uuid4().hex


class SurveyResponse(db.Model):
    """One submitted questionnaire. In anonymous surveys ``enrolment_id`` is NULL, the id is random and
    ``submitted_on`` is the survey's opening date (not the day of the answer), so a response cannot be
    linked back to a trainee."""

    __tablename__ = "survey_responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    instance_id: Mapped[int] = mapped_column(ForeignKey("survey_instances.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    submitted_on: Mapped[date] = mapped_column(Date)

    answers: Mapped[list[SurveyAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    response_id: Mapped[str] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("survey_items.id", ondelete="CASCADE"), index=True)
    value_int: Mapped[int | None]
    value_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class SurveyParticipation(db.Model):
    """Who has answered a survey (for the response rate) — kept apart from the answers."""

    __tablename__ = "survey_participations"
    __table_args__ = (UniqueConstraint("instance_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("survey_instances.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)


class ActionPlan(TimestampMixin, db.Model):
    """What a trainee will change back home, acknowledged by their supervisor through a one-time link."""

    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    goals: Mapped[str] = mapped_column(Text, default="")
    milestones: Mapped[list] = mapped_column(JSON, default=list)  # [{"text": str, "due": "YYYY-MM-DD"}]
    supervisor_name: Mapped[str] = mapped_column(String(200), default="")
    supervisor_email: Mapped[str] = mapped_column(String(254), default="")
    submitted_at: Mapped[datetime | None]
    ack_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ack_token_expires_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    supervisor_comment: Mapped[str] = mapped_column(Text, default="")

    enrolment = relationship("Enrolment")


class Certificate(db.Model):
    """An issued certificate. Names and dates are snapshots taken at issue, so a later edit of the
    trainee or cohort does not change a certificate already handed out."""

    __tablename__ = "certificates"
    __table_args__ = (CheckConstraint("kind in ('attendance', 'completion')", name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    verify_code: Mapped[str] = mapped_column(String(40), unique=True)
    holder_name: Mapped[str] = mapped_column(String(400))
    course_title: Mapped[str] = mapped_column(String(300))
    cohort_code: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    issuer_name: Mapped[str] = mapped_column(String(200), default="")
    funder_name: Mapped[str] = mapped_column(String(200), default="")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    enrolment = relationship("Enrolment")

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
