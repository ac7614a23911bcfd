"""Evaluation of a run: observations, P/S/M/U ratings and the improvement plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, one_of, utcnow
from core.extensions import db
from exercises.vocab import IMPROVEMENT_STATUSES, OBSERVATION_KINDS, POETE, RATINGS


class Observation(db.Model):
    """A time-stamped evaluator note: a strength or an area for improvement."""

    __tablename__ = "exercise_observations"
    __table_args__ = (CheckConstraint(one_of("kind", OBSERVATION_KINDS), name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    elapsed_seconds: Mapped[int] = mapped_column(default=0)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("run_objectives.id", ondelete="SET NULL"),
                                                     index=True)
    inject_id: Mapped[int | None] = mapped_column(ForeignKey("run_injects.id", ondelete="SET NULL"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("run_teams.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)

    evaluator = relationship("User")
    objective = relationship("RunObjective")
    inject = relationship("RunInject")
    team = relationship("Team")


class ObjectiveRating(db.Model):
    """The final P/S/M/U rating of one objective, for one team or (team None) overall."""

    __tablename__ = "objective_ratings"
    __table_args__ = (
        CheckConstraint(one_of("rating", RATINGS), name="rating_valid"),
        # NULLs are distinct, so the one overall rating per objective is kept by the service.
        UniqueConstraint("objective_id", "team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("run_objectives.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("run_teams.id", ondelete="CASCADE"), index=True)
    rating: Mapped[str] = mapped_column(String(1))
    rationale: Mapped[str] = mapped_column(Text, default="")
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ImprovementItem(TimestampMixin, db.Model):
    """A corrective action from an area for improvement, tagged with a POETE capability element."""

    __tablename__ = "improvement_items"
    __table_args__ = (
        CheckConstraint(one_of("poete", POETE), name="poete_valid"),
        CheckConstraint(one_of("status", IMPROVEMENT_STATUSES), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("run_objectives.id", ondelete="SET NULL"),
                                                     index=True)
    issue: Mapped[str] = mapped_column(Text)
    corrective_action: Mapped[str] = mapped_column(Text)
    poete: Mapped[str] = mapped_column(String(12))
    owner_organisation: Mapped[str] = mapped_column(String(300), default="")
    point_of_contact: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")

    objective = relationship("RunObjective")
