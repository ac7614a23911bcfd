"""Exercise runs: a scenario copied for a cohort, with teams, staff, released injects and responses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, as_utc, nullable_one_of, one_of, utcnow
from core.extensions import db
from exercises.lifecycle import RUN_STATUSES, STAFF_ROLES
from exercises.timeline import Clock
from exercises.vocab import CHANNELS, CSF_FUNCTIONS, FIRST_SERVICES, INJECT_STATUSES, RESPONSE_KINDS, TLP_MARKINGS


class ExerciseRun(TimestampMixin, db.Model):
    """One playing of a scenario by a cohort. Its content is a copy taken when the run was created."""

    __tablename__ = "exercise_runs"
    __table_args__ = (
        CheckConstraint(one_of("status", RUN_STATUSES), name="status_valid"),
        CheckConstraint(one_of("tlp", TLP_MARKINGS), name="tlp_valid"),
        CheckConstraint("stall_minutes > 0", name="stall_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id", ondelete="SET NULL"), index=True)
    scenario_version: Mapped[int] = mapped_column(default=1)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    sector_code: Mapped[str | None] = mapped_column(String(3))
    threat_type: Mapped[str] = mapped_column(String(120), default="")
    tlp: Mapped[str] = mapped_column(String(12), default="AMBER")
    t0_clock: Mapped[str] = mapped_column(String(5), default="09:00")
    placeholder_values: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    stall_minutes: Mapped[int] = mapped_column(default=10)
    started_at: Mapped[datetime | None]
    running_since: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(default=0)
    ended_at: Mapped[datetime | None]
    evaluated_at: Mapped[datetime | None]
    #: Cached planned offset of the next automatic release, so a poll knows without a query.
    next_due_minutes: Mapped[int | None]
    #: Bumped whenever something every player can see changes (releases, status, module): the ETag.
    revision: Mapped[int] = mapped_column(default=0)
    #: Position of the module whose situation players see now.
    current_module_position: Mapped[int | None]
    hotwash_notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    cohort = relationship("Cohort")
    scenario = relationship("Scenario")
    objectives: Mapped[list[RunObjective]] = relationship(
        back_populates="run", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(RunObjective.position, RunObjective.id)")
    modules: Mapped[list[RunModule]] = relationship(
        back_populates="run", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(RunModule.position, RunModule.id)")
    injects: Mapped[list[RunInject]] = relationship(
        back_populates="run", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(RunInject.position, RunInject.id)")
    questions: Mapped[list[RunQuestion]] = relationship(
        back_populates="run", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(RunQuestion.position, RunQuestion.id)")
    teams: Mapped[list[Team]] = relationship(
        back_populates="run", cascade="all, delete-orphan", lazy="raise_on_sql", order_by="(Team.position, Team.id)")
    staff: Mapped[list[RunStaff]] = relationship(back_populates="run", cascade="all, delete-orphan",
                                                 lazy="raise_on_sql")

    @property
    def clock(self) -> Clock:
        """The pure wall clock of this run (timezone-aware, whatever the database returned)."""
        return Clock(started_at=as_utc(self.started_at), paused_at=as_utc(self.paused_at),
                     paused_seconds=self.paused_seconds or 0, ended_at=as_utc(self.ended_at),
                     resumed_at=as_utc(self.running_since))

    def elapsed_seconds(self, now: datetime | None = None) -> float:
        return self.clock.elapsed(now or utcnow())


class RunObjective(db.Model):
    """A copied objective of a run."""

    __tablename__ = "run_objectives"
    __table_args__ = (
        CheckConstraint(nullable_one_of("csf_function", CSF_FUNCTIONS), name="csf_valid"),
        CheckConstraint(nullable_one_of("first_service", FIRST_SERVICES), name="first_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text)
    csf_function: Mapped[str | None] = mapped_column(String(2))
    first_service: Mapped[str | None] = mapped_column(String(5))

    run: Mapped[ExerciseRun] = relationship(back_populates="objectives")


class RunModule(db.Model):
    """A copied module of a run; ``opened_at`` is when its situation went to the players."""

    __tablename__ = "run_modules"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    scenario_start: Mapped[str] = mapped_column(String(40), default="")
    planned_minutes: Mapped[int | None]
    situation: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime | None]

    run: Mapped[ExerciseRun] = relationship(back_populates="modules")


class RunInject(db.Model):
    """A copied (or ad-hoc) inject of a run, with its release status."""

    __tablename__ = "run_injects"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel_valid"),
        CheckConstraint(one_of("status", INJECT_STATUSES), name="status_valid"),
        CheckConstraint(nullable_one_of("release_mode", ("auto", "manual")), name="mode_valid"),
        Index("ix_run_injects_run_status", "run_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("run_modules.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    scenario_time: Mapped[str] = mapped_column(String(40))
    scenario_minutes: Mapped[int] = mapped_column(default=0)
    planned_offset_minutes: Mapped[int | None]
    channel: Mapped[str] = mapped_column(String(20), default="email")
    from_persona: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    expected_actions: Mapped[list] = mapped_column(JSON, default=list)
    contingency: Mapped[bool] = mapped_column(default=False)
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("exercise_attachments.id", ondelete="SET NULL"), index=True)
    #: An ad-hoc inject may go to one team only; None means every team.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("run_teams.id", ondelete="CASCADE"), index=True)
    is_adhoc: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    release_mode: Mapped[str | None] = mapped_column(String(6))
    #: Running time (seconds) at release, for the after-action timeline.
    released_elapsed: Mapped[int | None]
    skipped_at: Mapped[datetime | None]

    run: Mapped[ExerciseRun] = relationship(back_populates="injects")
    module: Mapped[RunModule | None] = relationship()
    team: Mapped[Team | None] = relationship()
    attachment = relationship("Attachment")


class RunQuestion(db.Model):
    """A copied discussion question of a run."""

    __tablename__ = "run_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("run_modules.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text)

    run: Mapped[ExerciseRun] = relationship(back_populates="questions")
    module: Mapped[RunModule | None] = relationship()


class Team(db.Model):
    """A group of players (e.g. one country's delegation)."""

    __tablename__ = "run_teams"
    __table_args__ = (UniqueConstraint("run_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    #: Bumped when something only this team sees changes (its responses, an inject for it alone).
    revision: Mapped[int] = mapped_column(default=0)
    last_response_at: Mapped[datetime | None]

    run: Mapped[ExerciseRun] = relationship(back_populates="teams")
    members: Mapped[list[TeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan",
                                                     lazy="raise_on_sql")
    organisation = relationship("Organisation")


class TeamMember(db.Model):
    """A trainee playing in a team; a trainee is in at most one team per run."""

    __tablename__ = "run_team_members"
    __table_args__ = (UniqueConstraint("run_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("run_teams.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id", ondelete="CASCADE"), index=True)

    team: Mapped[Team] = relationship(back_populates="members")
    trainee = relationship("Trainee")


class RunStaff(db.Model):
    """An organiser user's role in a run: facilitator, controller, evaluator or observer."""

    __tablename__ = "run_staff"
    __table_args__ = (
        UniqueConstraint("run_id", "user_id"),
        CheckConstraint(one_of("role", STAFF_ROLES), name="role_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))

    run: Mapped[ExerciseRun] = relationship(back_populates="staff")
    user = relationship("User")


class TeamResponse(db.Model):
    """What a team said or decided, optionally in answer to one inject."""

    __tablename__ = "team_responses"
    __table_args__ = (
        CheckConstraint(one_of("kind", RESPONSE_KINDS), name="kind_valid"),
        Index("ix_team_responses_team_created", "team_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exercise_runs.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("run_teams.id", ondelete="CASCADE"))
    inject_id: Mapped[int | None] = mapped_column(ForeignKey("run_injects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="response")
    text: Mapped[str] = mapped_column(Text)
    decision_owner: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    elapsed_seconds: Mapped[int] = mapped_column(default=0)

    team: Mapped[Team] = relationship()
    inject: Mapped[RunInject | None] = relationship()
    author = relationship("User")
