"""Courses (one row per edition), their ordered modules and lessons, and cohort assignments."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin
from core.extensions import db

TRACKS = ("ISMS", "CSIRT", "other")


class Course(TimestampMixin, db.Model):
    """A course edition. A new edition is a copy (``previous_edition_id`` points back); past attempts keep
    referring to the old edition's quizzes and questions, so their scores never change."""

    __tablename__ = "courses"
    __table_args__ = (
        UniqueConstraint("code", "edition"),
        CheckConstraint("track in ('ISMS', 'CSIRT', 'other')", name="track_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    track: Mapped[str] = mapped_column(String(10), default="other")
    summary: Mapped[str] = mapped_column(Text, default="")
    edition: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    is_published: Mapped[bool] = mapped_column(default=False)
    previous_edition_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="(Module.position, Module.id)")
    previous_edition: Mapped[Course | None] = relationship(remote_side=[id])

    @property
    def label(self) -> str:
        return f"{self.code} · {self.edition}" if self.edition else self.code


class Module(db.Model):
    """An ordered part of a course; ``key`` identifies it for the content loader (e.g. ``m3``)."""

    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="(Lesson.position, Lesson.id)")


class Lesson(TimestampMixin, db.Model):
    """A page of teaching text in Markdown; ``body_html`` is the sanitised rendering, made on save."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    # Loaded only where needed (editor, lesson page): outlines list many lessons without their text.
    body_md: Mapped[str] = mapped_column(Text, default="", deferred=True)
    body_html: Mapped[str] = mapped_column(Text, default="", deferred=True)
    minutes: Mapped[int] = mapped_column(default=10)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    # The file-store key of the attachment (core.filestore, kind "lesson_attachment"); the column kept
    # its old name from when it held a file name under instance/course_files/.
    attachment_key: Mapped[str | None] = mapped_column("attachment_path", String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_size: Mapped[int | None]

    module: Mapped[Module] = relationship(back_populates="lessons")


class CourseAssignment(TimestampMixin, db.Model):
    """A course assigned to a cohort, with open/due dates and the quizzes it uses as pre- and post-test."""

    __tablename__ = "course_assignments"
    __table_args__ = (
        UniqueConstraint("cohort_id", "course_id"),
        CheckConstraint("due_on is null or opens_on is null or due_on >= opens_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"), index=True)
    opens_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    pre_test_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id", ondelete="SET NULL"))
    post_test_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id", ondelete="SET NULL"))

    cohort = relationship("Cohort")
    course: Mapped[Course] = relationship()
    pre_test = relationship("Quiz", foreign_keys=[pre_test_id])
    post_test = relationship("Quiz", foreign_keys=[post_test_id])
