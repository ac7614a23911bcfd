"""Reads of the exercises feature. Loading is decided here (each function names the page it serves);
list pages run a constant number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, String, and_, bindparam, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import ORGANISER_ROLES, User
from core.db import as_utc
from core.extensions import db
from exercises import lifecycle, placeholders, timeline
from exercises.models import (
    Attachment,
    ExerciseRun,
    ImprovementItem,
    ObjectiveRating,
    Observation,
    RunInject,
    RunModule,
    RunObjective,
    RunQuestion,
    RunStaff,
    Scenario,
    ScenarioInject,
    Team,
    TeamMember,
    TeamResponse,
)
from exercises.services.runs import PARTICIPANT_STATUSES, run_texts
from trainees.models import Cohort, Enrolment, Trainee

# --- scenario library -------------------------------------------------------------------------


def scenarios_query(q: str = "", sector: str = ""):
    """Scenario list page: search in title, summary and threat type; filter by sector."""
    stmt = select(Scenario).order_by(Scenario.title, Scenario.id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Scenario.title).like(like), func.lower(Scenario.summary).like(like),
                              func.lower(Scenario.threat_type).like(like)))
    if sector:
        stmt = stmt.where(Scenario.sector_code == sector)
    return stmt


def scenario_counts(scenario_ids: list[int]) -> dict[int, dict[str, int]]:
    """Inject and run counts for the scenarios on a list page (one query)."""
    if not scenario_ids:
        return {}
    injects = (select(ScenarioInject.scenario_id.label("sid"), literal("injects").label("what"),
                      func.count().label("n"))
               .where(ScenarioInject.scenario_id.in_(scenario_ids)).group_by(ScenarioInject.scenario_id))
    runs = (select(ExerciseRun.scenario_id.label("sid"), literal("runs").label("what"), func.count().label("n"))
            .where(ExerciseRun.scenario_id.in_(scenario_ids)).group_by(ExerciseRun.scenario_id))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"injects": 0, "runs": 0})
    for sid, what, n in db.session.execute(union_all(injects, runs)):
        counts[sid][what] = n
    return counts


def scenario_detail(scenario_id: int) -> Scenario | None:
    """Scenario page, MSEL export and run creation: the scenario with all its parts."""
    return db.session.scalar(
        select(Scenario).where(Scenario.id == scenario_id).options(
            selectinload(Scenario.objectives), selectinload(Scenario.modules),
            selectinload(Scenario.injects).joinedload(ScenarioInject.attachment),
            selectinload(Scenario.questions)))


def scenario_placeholders(scenario: Scenario) -> list[str]:
    """Placeholders used anywhere in a loaded scenario."""
    return placeholders.find(run_texts(scenario, scenario.modules, scenario.injects, scenario.questions,
                                       scenario.objectives))


def cohort_choices() -> list[tuple[int, str]]:
    """Cohorts for the 'new run' form, newest first."""
    rows = db.session.execute(select(Cohort.id, Cohort.code, Cohort.title).order_by(Cohort.start_date.desc()))
    return [(cid, f"{code} — {title}") for cid, code, title in rows]


def organiser_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(User.id, User.display_name, User.email)
                              .where(User.role.in_(ORGANISER_ROLES), User.active.is_(True))
                              .order_by(User.display_name))
    return [(uid, f"{name} <{email}>") for uid, name, email in rows]


def attachment_data(attachment_id: int) -> Attachment | None:
    return db.session.scalar(select(Attachment).where(Attachment.id == attachment_id))


# --- runs -------------------------------------------------------------------------------------


def runs_query(status: str = "", cohort_id: int | None = None, q: str = ""):
    """Run list page (the cohort is joined in; team counts come from ``run_counts``)."""
    stmt = (select(ExerciseRun).join(ExerciseRun.cohort).options(joinedload(ExerciseRun.cohort))
            .order_by(ExerciseRun.created_at.desc(), ExerciseRun.id.desc()))
    if status:
        stmt = stmt.where(ExerciseRun.status == status)
    if cohort_id:
        stmt = stmt.where(ExerciseRun.cohort_id == cohort_id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(ExerciseRun.title).like(like), func.lower(Cohort.code).like(like)))
    return stmt


def run_counts(run_ids: list[int]) -> dict[int, dict[str, int]]:
    """Teams and players per run for a list page (one query)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"teams": 0, "players": 0})
    if not run_ids:
        return counts
    stmt = (select(Team.run_id, func.count(func.distinct(Team.id)), func.count(TeamMember.id))
            .outerjoin(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.run_id.in_(run_ids)).group_by(Team.run_id))
    for run_id, teams, players in db.session.execute(stmt):
        counts[run_id] = {"teams": teams, "players": players}
    return counts


def get_run(run_id: int) -> ExerciseRun | None:
    return db.session.scalar(select(ExerciseRun).where(ExerciseRun.id == run_id)
                             .options(joinedload(ExerciseRun.cohort)))


def staff_roles(run_id: int, user_id: int) -> set[str]:
    """The current user's staff roles in a run (empty for anyone not on its staff)."""
    return set(db.session.scalars(select(RunStaff.role).where(RunStaff.run_id == run_id,
                                                              RunStaff.user_id == user_id)))


def run_teams(run_id: int) -> list[Team]:
    """Run set-up page and AAR: teams with members, trainees and organisations."""
    return list(db.session.scalars(
        select(Team).where(Team.run_id == run_id).order_by(Team.position, Team.id)
        .options(selectinload(Team.members).joinedload(TeamMember.trainee).joinedload(Trainee.organisation))))


def run_staff(run_id: int) -> list[RunStaff]:
    return list(db.session.scalars(select(RunStaff).where(RunStaff.run_id == run_id)
                                   .options(joinedload(RunStaff.user)).order_by(RunStaff.role, RunStaff.id)))


def unassigned_participants(run: ExerciseRun) -> list[Trainee]:
    """Cohort participants not yet in a team of this run."""
    in_team = select(TeamMember.trainee_id).where(TeamMember.run_id == run.id)
    return list(db.session.scalars(
        select(Trainee).join(Enrolment, Enrolment.trainee_id == Trainee.id)
        .where(Enrolment.cohort_id == run.cohort_id, Enrolment.status.in_(PARTICIPANT_STATUSES),
               Trainee.id.not_in(in_team))
        .options(joinedload(Trainee.organisation)).order_by(Trainee.family_name, Trainee.given_names)).unique())


@dataclass
class RunContent:
    objectives: list[RunObjective]
    modules: list[RunModule]
    injects: list[RunInject]
    questions: list[RunQuestion]


def run_content(run_id: int) -> RunContent:
    """The copied scenario content of a run (console, set-up, AAR), in four queries."""
    objectives = db.session.scalars(select(RunObjective).where(RunObjective.run_id == run_id)
                                    .order_by(RunObjective.position, RunObjective.id)).all()
    modules = db.session.scalars(select(RunModule).where(RunModule.run_id == run_id)
                                 .order_by(RunModule.position, RunModule.id)).all()
    injects = db.session.scalars(select(RunInject).where(RunInject.run_id == run_id)
                                 .options(joinedload(RunInject.attachment), joinedload(RunInject.team))
                                 .order_by(RunInject.position, RunInject.id)).all()
    questions = db.session.scalars(select(RunQuestion).where(RunQuestion.run_id == run_id)
                                   .order_by(RunQuestion.position, RunQuestion.id)).all()
    return RunContent(list(objectives), list(modules), list(injects), list(questions))


def run_placeholders(run: ExerciseRun, content: RunContent) -> list[str]:
    return placeholders.find(run_texts(run, content.modules, content.injects, content.questions,
                                       content.objectives))


def run_responses(run_id: int) -> list[TeamResponse]:
    """Console and AAR: every response of a run with its team and author, oldest first."""
    return list(db.session.scalars(
        select(TeamResponse).where(TeamResponse.run_id == run_id)
        .options(joinedload(TeamResponse.team), joinedload(TeamResponse.author), joinedload(TeamResponse.inject))
        .order_by(TeamResponse.created_at, TeamResponse.id)))


@dataclass
class TeamStatus:
    team: Team
    silent_minutes: int
    stalled: bool


def team_statuses(run: ExerciseRun, teams: list[Team], now: datetime) -> list[TeamStatus]:
    """Silence per team and the stall warning (only while the run is running)."""

    statuses = []
    running_since = as_utc(run.running_since) if run.status == "running" else None
    for team in teams:
        last = as_utc(team.last_response_at)
        statuses.append(TeamStatus(team, timeline.silent_minutes(last, running_since, now) if running_since else 0,
                                   timeline.is_stalled(last, running_since, now, run.stall_minutes)))
    return statuses


def scenario_clock(run: ExerciseRun, injects: list[RunInject], now: datetime) -> int | None:
    """Scenario minutes now, from the injects' planned offsets and released times."""
    points = [(i.planned_offset_minutes, i.scenario_minutes) for i in injects if i.planned_offset_minutes is not None]
    points += [(i.released_elapsed // 60, i.scenario_minutes) for i in injects
               if i.planned_offset_minutes is None and i.released_elapsed is not None]
    return timeline.scenario_now(points, run.elapsed_seconds(now))


# --- player room ------------------------------------------------------------------------------


def player_runs(user_id: int) -> list[tuple[ExerciseRun, Team]]:
    """The trainee's exercise list: runs (past 'draft') where the user's trainee record is on a team."""
    stmt = (select(ExerciseRun, Team).join(Team, Team.run_id == ExerciseRun.id)
            .join(TeamMember, TeamMember.team_id == Team.id).join(Trainee, Trainee.id == TeamMember.trainee_id)
            .where(Trainee.user_id == user_id, ExerciseRun.status.in_(lifecycle.PLAYER_STATUSES))
            .order_by(ExerciseRun.created_at.desc()))
    return [(run, team) for run, team in db.session.execute(stmt)]


@cache
def _player_team_statement():
    """Built once: constructing a select costs more than running this one (the poll path is hot).
    ``status != 'draft'`` is ``lifecycle.PLAYER_STATUSES`` without an IN list to expand per execution."""
    return (select(Team, ExerciseRun, RunModule)
            .join(ExerciseRun, ExerciseRun.id == Team.run_id)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .join(Trainee, Trainee.id == TeamMember.trainee_id)
            .outerjoin(RunModule, and_(RunModule.run_id == ExerciseRun.id,
                                       RunModule.position == ExerciseRun.current_module_position))
            .where(Team.run_id == bindparam("run_id"), Trainee.user_id == bindparam("user_id"),
                   ExerciseRun.status != "draft")
            .limit(1))


def player_team(run_id: int, user_id: int) -> tuple[Team, ExerciseRun, RunModule | None] | None:
    """The player's team in a run, the run and its current module — one query; None when not a player."""
    row = db.session.execute(_player_team_statement(), {"run_id": run_id, "user_id": user_id}).first()
    return (row[0], row[1], row[2]) if row else None


@dataclass
class FeedResponse:
    id: int
    kind: str
    text: str
    decision_owner: str
    created_at: datetime
    author: str


@dataclass
class FeedInject:
    id: int
    position: int
    scenario_time: str
    channel: str
    from_persona: str
    audience: str
    title: str
    body: str
    released_at: datetime
    attachment_id: int | None
    attachment_name: str | None
    for_team_only: bool
    responses: list[FeedResponse] = field(default_factory=list)


@cache
def _player_feed_statement():
    """Built once (see ``_player_team_statement``): what one team may see, as plain columns."""
    team_id = bindparam("team_id")
    response_cols = (TeamResponse.id.label("r_id"), TeamResponse.kind.label("r_kind"),
                     TeamResponse.text.label("r_text"), TeamResponse.decision_owner.label("r_owner"),
                     TeamResponse.created_at.label("r_at"), User.display_name.label("r_author"))
    with_injects = (
        select(RunInject.id.label("i_id"), RunInject.position.label("i_position"),
               RunInject.scenario_time.label("i_time"), RunInject.channel.label("i_channel"),
               RunInject.from_persona.label("i_from"), RunInject.audience.label("i_audience"),
               RunInject.title.label("i_title"), RunInject.body.label("i_body"),
               RunInject.released_at.label("i_released"), RunInject.attachment_id.label("i_att"),
               Attachment.filename.label("i_att_name"), RunInject.team_id.label("i_team"), *response_cols)
        .select_from(RunInject)
        .outerjoin(Attachment, Attachment.id == RunInject.attachment_id)
        .outerjoin(TeamResponse, and_(TeamResponse.inject_id == RunInject.id, TeamResponse.team_id == team_id))
        .outerjoin(User, User.id == TeamResponse.author_id)
        .where(RunInject.run_id == bindparam("run_id"), RunInject.status == "released",
               or_(RunInject.team_id.is_(None), RunInject.team_id == team_id)))
    general = (
        select(cast(null(), Integer), cast(null(), Integer), cast(null(), String), cast(null(), String),
               cast(null(), String), cast(null(), String), cast(null(), String), cast(null(), String),
               TeamResponse.created_at, cast(null(), Integer), cast(null(), String), cast(null(), Integer),
               *response_cols)
        .select_from(TeamResponse).outerjoin(User, User.id == TeamResponse.author_id)
        .where(TeamResponse.team_id == team_id, TeamResponse.inject_id.is_(None)))
    return union_all(with_injects, general)


def player_feed(run_id: int, team_id: int) -> tuple[list[FeedInject], list[FeedResponse]]:
    """What one team may see: released injects for everyone or for this team, newest first, each with
    this team's responses, plus the team's general log entries — one query.

    Only the columns a player may see are selected: expected actions are never read here.
    """
    rows = db.session.execute(_player_feed_statement(), {"run_id": run_id, "team_id": team_id}).mappings()
    injects: dict[int, FeedInject] = {}
    log: list[FeedResponse] = []
    for row in rows:
        response = None
        if row["r_id"] is not None:
            response = FeedResponse(row["r_id"], row["r_kind"], row["r_text"], row["r_owner"] or "",
                                    as_utc(row["r_at"]), row["r_author"] or "")
        if row["i_id"] is None:
            log.append(response)
            continue
        inject = injects.get(row["i_id"])
        if inject is None:
            inject = injects[row["i_id"]] = FeedInject(
                row["i_id"], row["i_position"], row["i_time"], row["i_channel"], row["i_from"] or "",
                row["i_audience"] or "", row["i_title"], row["i_body"] or "", as_utc(row["i_released"]),
                row["i_att"], row["i_att_name"], row["i_team"] is not None)
        if response is not None:
            inject.responses.append(response)
    for inject in injects.values():
        inject.responses.sort(key=lambda r: (r.created_at, r.id))
    ordered = sorted(injects.values(), key=lambda i: (i.released_at, i.id), reverse=True)
    log.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    return ordered, log


def player_attachment(run_id: int, team_id: int, inject_id: int) -> Attachment | None:
    """An attachment of a released inject the team may see (None otherwise)."""
    return db.session.scalar(
        select(Attachment).join(RunInject, RunInject.attachment_id == Attachment.id)
        .where(RunInject.id == inject_id, RunInject.run_id == run_id, RunInject.status == "released",
               or_(RunInject.team_id.is_(None), RunInject.team_id == team_id)))


# --- evaluation -------------------------------------------------------------------------------


def observations(run_id: int) -> list[Observation]:
    return list(db.session.scalars(
        select(Observation).where(Observation.run_id == run_id)
        .options(joinedload(Observation.evaluator), joinedload(Observation.objective),
                 joinedload(Observation.inject), joinedload(Observation.team))
        .order_by(Observation.created_at, Observation.id)))


def ratings(run_id: int) -> dict[tuple[int, int | None], ObjectiveRating]:
    return {(r.objective_id, r.team_id): r for r in db.session.scalars(
        select(ObjectiveRating).where(ObjectiveRating.run_id == run_id))}


def improvements(run_id: int) -> list[ImprovementItem]:
    return list(db.session.scalars(
        select(ImprovementItem).where(ImprovementItem.run_id == run_id)
        .options(joinedload(ImprovementItem.objective))
        .order_by(ImprovementItem.due_date.is_(None), ImprovementItem.due_date, ImprovementItem.id)))
