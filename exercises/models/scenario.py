"""The scenario library: scenarios with objectives, modules, injects (the MSEL) and questions."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, nullable_one_of, one_of, utcnow
from core.extensions import db
from exercises.vocab import CHANNELS, CSF_FUNCTIONS, FIRST_SERVICES, TLP_MARKINGS


class Scenario(TimestampMixin, db.Model):
    """A reusable tabletop scenario. Runs copy it, so editing it later never changes a run."""

    __tablename__ = "scenarios"
    __table_args__ = (CheckConstraint(one_of("tlp", TLP_MARKINGS), name="tlp_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    sector_code: Mapped[str | None] = mapped_column(String(3), index=True)
    threat_type: Mapped[str] = mapped_column(String(120), default="")
    tlp: Mapped[str] = mapped_column(String(12), default="AMBER")
    #: Clock time of T+00:00 on Day 1 (places "Day N hh:mm" labels on the same timeline).
    t0_clock: Mapped[str] = mapped_column(String(5), default="09:00")
    #: Bumped on every edit; a run records the version it copied.
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    objectives: Mapped[list[ScenarioObjective]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(ScenarioObjective.position, ScenarioObjective.id)")
    modules: Mapped[list[ScenarioModule]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(ScenarioModule.position, ScenarioModule.id)")
    injects: Mapped[list[ScenarioInject]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(ScenarioInject.position, ScenarioInject.id)")
    questions: Mapped[list[ScenarioQuestion]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(ScenarioQuestion.position, ScenarioQuestion.id)")


class ScenarioObjective(db.Model):
    """What the exercise tests, mapped to a NIST CSF 2.0 function and/or a FIRST service."""

    __tablename__ = "scenario_objectives"
    __table_args__ = (
        CheckConstraint(nullable_one_of("csf_function", CSF_FUNCTIONS), name="csf_valid"),
        CheckConstraint(nullable_one_of("first_service", FIRST_SERVICES), name="first_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text)
    csf_function: Mapped[str | None] = mapped_column(String(2))
    first_service: Mapped[str | None] = mapped_column(String(5))

    scenario: Mapped[Scenario] = relationship(back_populates="objectives")


class ScenarioModule(db.Model):
    """A block of play with its own situation update (modules often jump in scenario time)."""

    __tablename__ = "scenario_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    scenario_start: Mapped[str] = mapped_column(String(40), default="")
    planned_minutes: Mapped[int | None]
    situation: Mapped[str] = mapped_column(Text, default="")

    scenario: Mapped[Scenario] = relationship(back_populates="modules")


class Attachment(db.Model):
    """A file handed to players with an inject. Immutable: scenarios and runs share a row by reference,
    so replacing a scenario's attachment never changes what a run already copied.

    The bytes are in the one file store (``core.filestore``, kind ``inject_attachment``) under
    ``file_key``; this row is the reference the injects share and what the pages list."""

    __tablename__ = "exercise_attachments"
    KIND: ClassVar[str] = "inject_attachment"  # the file store's kind for these files

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    file_key: Mapped[str] = mapped_column(String(64), ForeignKey("stored_files.key"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScenarioInject(db.Model):
    """One row of the MSEL: a message delivered to players at a scenario time and a planned wall-clock offset."""

    __tablename__ = "scenario_injects"
    __table_args__ = (CheckConstraint(one_of("channel", CHANNELS), name="channel_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("scenario_modules.id", ondelete="SET NULL"),
                                                  index=True)
    position: Mapped[int] = mapped_column(default=1)
    #: The label as the planner wrote it ("T+02:00", "Day 2 09:00") and its value in minutes after T0.
    scenario_time: Mapped[str] = mapped_column(String(40))
    scenario_minutes: Mapped[int] = mapped_column(default=0)
    #: Planned release, in minutes of running time after the run starts (None: released by hand only).
    planned_offset_minutes: Mapped[int | None]
    channel: Mapped[str] = mapped_column(String(20), default="email")
    from_persona: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    #: [{"role": "CSIRT lead", "action": "Isolate …"}, …] — staff only, never shown to players.
    expected_actions: Mapped[list] = mapped_column(JSON, default=list)
    #: Used only if play stalls; never released automatically.
    contingency: Mapped[bool] = mapped_column(default=False)
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("exercise_attachments.id", ondelete="SET NULL"), index=True)

    scenario: Mapped[Scenario] = relationship(back_populates="injects")
    module: Mapped[ScenarioModule | None] = relationship()
    attachment: Mapped[Attachment | None] = relationship()


class ScenarioQuestion(db.Model):
    """A discussion question for the facilitator, for the whole scenario or one module."""

    __tablename__ = "scenario_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("scenario_modules.id", ondelete="SET NULL"),
                                                  index=True)
    position: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text)

    scenario: Mapped[Scenario] = relationship(back_populates="questions")
    module: Mapped[ScenarioModule | None] = relationship()
