"""Quiz attempts, their (autosaved) answers, and lesson progress — all per enrolment, so a trainee who
takes the same course again in a later cohort starts afresh and reports stay per cohort."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import utcnow
from core.extensions import db


class Attempt(db.Model):
    """One try at a quiz. ``layout`` holds the questions drawn for this attempt (and option orders), fixed
    at start; ``deadline`` is enforced on the server; ``submitted_at`` is set exactly once."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "enrolment_id", "number"),
        Index("ix_attempts_enrolment_quiz", "enrolment_id", "quiz_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="RESTRICT"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("course_assignments.id", ondelete="SET NULL"),
                                                      index=True)
    number: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    auto_submitted: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float | None]
    layout: Mapped[list] = mapped_column(JSON, default=list)
    flagged: Mapped[list | None] = mapped_column(JSON)  # question ids the trainee flagged for review

    quiz = relationship("Quiz")
    enrolment = relationship("Enrolment")
    assignment = relationship("CourseAssignment")
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", cascade="all, delete-orphan",
                                                 lazy="raise_on_sql")

    @property
    def question_ids(self) -> list[int]:
        return [entry[0] for entry in self.layout]

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Answer(db.Model):
    """A response to one question of an attempt (canonical JSON text), scored on submission."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"), index=True)
    response: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None]
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class LessonProgress(db.Model):
    """When an enrolled trainee first opened and when they completed a lesson."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
