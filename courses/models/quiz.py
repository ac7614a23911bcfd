"""The question bank (questions with type, answer spec and tags) and quizzes built from it."""

from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, one_of
from core.extensions import db
from courses.grading import FEEDBACK_POLICIES, QUIZ_KINDS
from courses.question_types import TYPE_KEYS


class Question(TimestampMixin, db.Model):
    """A bank question of one course edition; ``key`` is stable (content loader, GIFT ``[id:]``)."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        CheckConstraint(one_of("qtype", TYPE_KEYS), name="qtype_valid"),
        CheckConstraint("difficulty between 1 and 3", name="difficulty_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("course_modules.id", ondelete="SET NULL"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    qtype: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    spec: Mapped[dict] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[int] = mapped_column(default=2)

    tag_rows: Mapped[list[QuestionTag]] = relationship(
        cascade="all, delete-orphan", order_by="QuestionTag.tag", back_populates="question")
    module = relationship("Module")

    @property
    def tags(self) -> list[str]:
        return [t.tag for t in self.tag_rows]

    def set_tags(self, tags) -> None:
        wanted = list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))
        self.tag_rows = [row for row in self.tag_rows if row.tag in wanted]
        have = {row.tag for row in self.tag_rows}
        self.tag_rows.extend(QuestionTag(tag=t) for t in wanted if t not in have)


class QuestionTag(db.Model):
    """One tag of a question (``iso27001:A.5.7``, ``first:6.1``, ``topic:tlp``) — a table so tag
    filters and random draws by tag are plain SQL."""

    __tablename__ = "question_tags"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)

    question: Mapped[Question] = relationship(back_populates="tag_rows")


class Quiz(TimestampMixin, db.Model):
    """A quiz of a course (course level, or attached to a module). Questions are either chosen in order
    (``selection='fixed'``) or ``random_count`` drawn by ``random_tag`` once per attempt."""

    __tablename__ = "quizzes"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        CheckConstraint(one_of("kind", QUIZ_KINDS), name="kind_valid"),
        CheckConstraint(one_of("feedback", FEEDBACK_POLICIES), name="feedback_valid"),
        CheckConstraint("selection in ('fixed', 'random')", name="selection_valid"),
        CheckConstraint("pass_mark between 0 and 100", name="pass_mark_valid"),
        CheckConstraint("max_attempts >= 0 and time_limit_minutes >= 0 and random_count >= 0",
                        name="counts_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("course_modules.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    instructions: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), default="practice")
    time_limit_minutes: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=0)
    pass_mark: Mapped[int] = mapped_column(default=60)
    shuffle: Mapped[bool] = mapped_column(default=False)
    feedback: Mapped[str] = mapped_column(String(20), default="after_submit")
    selection: Mapped[str] = mapped_column(String(10), default="fixed")
    random_count: Mapped[int] = mapped_column(default=0)
    random_tag: Mapped[str] = mapped_column(String(80), default="")

    course = relationship("Course")
    module = relationship("Module")
    items: Mapped[list[QuizQuestion]] = relationship(
        back_populates="quiz", cascade="all, delete-orphan", order_by="(QuizQuestion.position, QuizQuestion.id)")


class QuizQuestion(db.Model):
    """A chosen question of a fixed quiz, in order."""

    __tablename__ = "quiz_questions"
    __table_args__ = (UniqueConstraint("quiz_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    quiz: Mapped[Quiz] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


Index("ix_quizzes_course_module", Quiz.course_id, Quiz.module_id)
