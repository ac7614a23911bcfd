"""Run set-up and status: a run copies a scenario for a cohort, fills placeholders, forms teams and staff."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import ORGANISER_ROLES, User
from core import audit
from core.db import utcnow
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from core.refdata import country_name
from exercises import lifecycle, placeholders
from exercises.models import (
    ExerciseRun,
    ObjectiveRating,
    RunInject,
    RunModule,
    RunObjective,
    RunQuestion,
    RunStaff,
    Scenario,
    Team,
    TeamMember,
)
from exercises.services.common import run_label, snapshot
from exercises.services.play import bump_run, refresh_next_due, release_due
from exercises.vocab import RUN_STATUS_NAMES
from trainees.models import Cohort, Enrolment, Trainee

#: Enrolment statuses whose trainees can be put in teams.
PARTICIPANT_STATUSES = ("accepted", "confirmed", "completed", "incomplete")
RUN_FIELDS = ("title", "status", "stall_minutes", "placeholder_values")


def _require_setup(run: ExerciseRun) -> None:
    if run.status not in lifecycle.SETUP_STATUSES:
        raise ServiceError(_("This can only be changed before the exercise starts."), "status")


def run_texts(run: ExerciseRun, modules, injects, questions, objectives) -> list[str]:
    """Every text of a run that may hold placeholders."""
    texts = [run.title, run.summary]
    texts += [t for m in modules for t in (m.title, m.situation)]
    texts += [t for i in injects for t in (i.title, i.body, i.from_persona, i.audience)]
    texts += [a.get("action", "") for i in injects for a in (i.expected_actions or [])]
    texts += [q.text for q in questions] + [o.text for o in objectives]
    return texts


# --- creating a run (a copy) ------------------------------------------------------------------

def create_run(scenario_id: int, cohort: Cohort, title: str = "", actor: User | None = None,
               stall_minutes: int = 10) -> ExerciseRun:
    """Copy a scenario into a new draft run for ``cohort``; later scenario edits never reach the run.

    Placeholders get suggested values from the cohort's host country; the creator (an organiser)
    becomes the run's facilitator.
    """
    scenario = db.session.scalar(
        select(Scenario).where(Scenario.id == scenario_id).options(
            selectinload(Scenario.objectives), selectinload(Scenario.modules),
            selectinload(Scenario.injects), selectinload(Scenario.questions)))
    if scenario is None:
        raise ServiceError(_("That scenario no longer exists."), "scenario")
    title = (title or "").strip() or f"{scenario.title} — {cohort.code}"
    if len(title) > 300:
        raise ServiceError(_("%(label)s must be at most %(n)d characters.", label=_("Title"), n=300), "title")
    if not 1 <= (stall_minutes or 0) <= 240:
        raise ServiceError(_("The stall warning must be between 1 and 240 minutes."), "stall_minutes")
    run = ExerciseRun(
        scenario_id=scenario.id, scenario_version=scenario.version, cohort_id=cohort.id, title=title,
        summary=scenario.summary, sector_code=scenario.sector_code, threat_type=scenario.threat_type,
        tlp=scenario.tlp, t0_clock=scenario.t0_clock, status="draft", stall_minutes=stall_minutes,
        created_by_id=getattr(actor, "id", None), revision=0, paused_seconds=0,
    )
    db.session.add(run)
    db.session.flush()
    for o in scenario.objectives:
        db.session.add(RunObjective(run_id=run.id, position=o.position, text=o.text, csf_function=o.csf_function,
                                    first_service=o.first_service))
    modules: dict[int, RunModule] = {}
    for m in scenario.modules:
        modules[m.id] = RunModule(run_id=run.id, position=m.position, title=m.title,
                                  scenario_start=m.scenario_start, planned_minutes=m.planned_minutes,
                                  situation=m.situation)
        db.session.add(modules[m.id])
    db.session.flush()
    for i in scenario.injects:
        db.session.add(RunInject(
            run_id=run.id, module_id=modules[i.module_id].id if i.module_id in modules else None,
            position=i.position, scenario_time=i.scenario_time, scenario_minutes=i.scenario_minutes,
            planned_offset_minutes=i.planned_offset_minutes, channel=i.channel, from_persona=i.from_persona,
            audience=i.audience, title=i.title, body=i.body, expected_actions=list(i.expected_actions or []),
            contingency=i.contingency, attachment_id=i.attachment_id, status="scheduled"))
    for q in scenario.questions:
        db.session.add(RunQuestion(run_id=run.id, position=q.position, text=q.text,
                                   module_id=modules[q.module_id].id if q.module_id in modules else None))
    names = placeholders.find(run_texts(run, scenario.modules, scenario.injects, scenario.questions,
                                        scenario.objectives))
    run.placeholder_values = placeholders.suggest(names, cohort.host_country)
    if actor is not None and actor.role in ORGANISER_ROLES:
        db.session.add(RunStaff(run_id=run.id, user_id=actor.id, role="facilitator"))
    db.session.flush()
    refresh_next_due(run)
    db.session.flush()
    audit.record("exercise_run.create", obj=run, actor=actor,
                 summary=f"{run_label(run)} (scenario {scenario.id} v{scenario.version}, cohort {cohort.code})")
    return run


def update_run(run: ExerciseRun, title: str, stall_minutes: int, actor: User | None = None) -> None:
    """Rename a run or change its stall-warning threshold (allowed in any status)."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("%(label)s is required.", label=_("Title")), "title")
    if len(title) > 300:
        raise ServiceError(_("%(label)s must be at most %(n)d characters.", label=_("Title"), n=300), "title")
    if not 1 <= (stall_minutes or 0) <= 240:
        raise ServiceError(_("The stall warning must be between 1 and 240 minutes."), "stall_minutes")
    before = snapshot(run, ("title", "stall_minutes"))
    run.title, run.stall_minutes = title, stall_minutes
    bump_run(run)
    db.session.flush()
    old, new = audit.diff(before, snapshot(run, ("title", "stall_minutes")))
    audit.record("exercise_run.update", obj=run, actor=actor, summary=run_label(run), before=old, after=new)


def delete_run(run: ExerciseRun, actor: User | None = None) -> None:
    """Delete a run that has not started (a started run is evidence for the report)."""
    _require_setup(run)
    audit.record("exercise_run.delete", obj=run, actor=actor, summary=run_label(run))
    db.session.delete(run)
    db.session.flush()


def set_placeholders(run: ExerciseRun, values: dict[str, str], actor: User | None = None) -> None:
    """Store the country's values for the run's placeholders (before play starts)."""
    _require_setup(run)
    clean = {}
    for name, value in values.items():
        value = (value or "").strip()
        if len(value) > 200:
            raise ServiceError(_("At most 200 characters."), name)
        clean[name] = value
    before = dict(run.placeholder_values or {})
    run.placeholder_values = clean
    bump_run(run)  # players of a ready run already see the situation text
    db.session.flush()
    old, new = audit.diff(before, clean)
    audit.record("exercise_run.placeholders", obj=run, actor=actor, summary=run_label(run), before=old, after=new)


# --- teams ------------------------------------------------------------------------------------

def participants(cohort_id: int) -> list[Trainee]:
    """Trainees of a cohort who can play (accepted, confirmed, completed or incomplete enrolments)."""
    stmt = (select(Trainee).join(Enrolment, Enrolment.trainee_id == Trainee.id)
            .where(Enrolment.cohort_id == cohort_id, Enrolment.status.in_(PARTICIPANT_STATUSES))
            .options(joinedload(Trainee.organisation))
            .order_by(Trainee.family_name, Trainee.given_names, Trainee.id))
    return list(db.session.scalars(stmt).unique())


def form_teams(run: ExerciseRun, mode: str, actor: User | None = None) -> list[Team]:
    """Replace the run's teams with one per nationality or one per organisation of the cohort's trainees."""
    _require_setup(run)
    if mode not in ("nationality", "organisation"):
        raise ServiceError(_("Choose how to form the teams."), "mode")
    people = participants(run.cohort_id)
    if not people:
        raise ServiceError(_("The cohort has no accepted or confirmed trainees to put in teams."), "mode")
    for team in db.session.scalars(select(Team).where(Team.run_id == run.id)):
        db.session.delete(team)
    db.session.flush()
    groups: dict[tuple, list[Trainee]] = defaultdict(list)
    for person in people:
        if mode == "nationality":
            groups[(country_name(person.nationality), person.nationality, None)].append(person)
        else:
            org = person.organisation
            groups[(org.name, org.country, org.id)].append(person)
    names_seen: dict[str, int] = defaultdict(int)
    for key in sorted(groups, key=lambda k: (k[0].casefold(), k[1] or "")):
        names_seen[key[0].casefold()] += 1
    teams = []
    for position, key in enumerate(sorted(groups, key=lambda k: (k[0].casefold(), k[1] or "")), start=1):
        name, country, org_id = key
        if names_seen[name.casefold()] > 1:  # two organisations with one name in different countries
            name = f"{name} ({country})"
        team = Team(run_id=run.id, position=position, name=name[:200], country=country, organisation_id=org_id)
        db.session.add(team)
        db.session.flush()
        for person in groups[key]:
            db.session.add(TeamMember(run_id=run.id, team_id=team.id, trainee_id=person.id))
        teams.append(team)
    db.session.flush()
    audit.record("exercise_run.teams.form", obj=run, actor=actor,
                 summary=f"{run_label(run)}: {len(teams)} teams by {mode}, {len(people)} players")
    return teams


def _clean_team_name(run: ExerciseRun, name: str, team: Team | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("%(label)s is required.", label=_("Team name")), "name")
    if len(name) > 200:
        raise ServiceError(_("%(label)s must be at most %(n)d characters.", label=_("Team name"), n=200), "name")
    clash = db.session.scalar(select(Team.id).where(Team.run_id == run.id, func.lower(Team.name) == name.lower()))
    if clash is not None and (team is None or clash != team.id):
        raise ServiceError(_("Another team of this run already has that name."), "name")
    return name


def add_team(run: ExerciseRun, name: str, country: str | None = None, actor: User | None = None) -> Team:
    _require_setup(run)
    name = _clean_team_name(run, name)
    position = (db.session.scalar(select(func.max(Team.position)).where(Team.run_id == run.id)) or 0) + 1
    team = Team(run_id=run.id, name=name, country=country or None, position=position)
    db.session.add(team)
    db.session.flush()
    audit.record("exercise_run.team.create", obj=team, actor=actor, summary=f"{run_label(run)}: {name}")
    return team


def rename_team(team: Team, name: str, actor: User | None = None) -> None:
    _require_setup(team.run)
    before = team.name
    team.name = _clean_team_name(team.run, name, team)
    db.session.flush()
    audit.record("exercise_run.team.rename", obj=team, actor=actor, summary=team.name,
                 before={"name": before}, after={"name": team.name})


def delete_team(team: Team, actor: User | None = None) -> None:
    """Remove a team; its members become unassigned."""
    _require_setup(team.run)
    audit.record("exercise_run.team.delete", obj=team, actor=actor, summary=team.name)
    db.session.delete(team)
    db.session.flush()


def move_member(run: ExerciseRun, trainee_id: int, team_id: int | None, actor: User | None = None) -> None:
    """Put a cohort trainee in a team of this run, or (team None) take them out of any team."""
    _require_setup(run)
    if trainee_id not in {t.id for t in participants(run.cohort_id)}:
        raise ServiceError(_("That trainee is not a participant of this cohort."), "trainee")
    team = None
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or team.run_id != run.id:
            raise ServiceError(_("Choose a team of this run."), "team")
    member = db.session.scalar(select(TeamMember).where(TeamMember.run_id == run.id,
                                                        TeamMember.trainee_id == trainee_id))
    before = member.team_id if member else None
    if team is None:
        if member is not None:
            db.session.delete(member)
    elif member is None:
        db.session.add(TeamMember(run_id=run.id, team_id=team.id, trainee_id=trainee_id))
    else:
        member.team_id = team.id
    db.session.flush()
    audit.record("exercise_run.team.member", obj=run, actor=actor, summary=f"trainee {trainee_id}",
                 before={"team_id": before}, after={"team_id": team.id if team else None})


# --- staff ------------------------------------------------------------------------------------

def assign_staff(run: ExerciseRun, user: User, role: str, actor: User | None = None) -> RunStaff:
    """Give an organiser user a role in the run (replacing their earlier role in it)."""
    if role not in lifecycle.STAFF_ROLES:
        raise ServiceError(_("Choose a role from the list."), "role")
    if user is None or user.role not in ORGANISER_ROLES or not user.active:
        raise ServiceError(_("Only active organiser accounts can be exercise staff."), "user_id")
    row = db.session.scalar(select(RunStaff).where(RunStaff.run_id == run.id, RunStaff.user_id == user.id))
    before = row.role if row else None
    if row is None:
        row = RunStaff(run_id=run.id, user_id=user.id, role=role)
        db.session.add(row)
    else:
        row.role = role
    db.session.flush()
    audit.record("exercise_run.staff", obj=run, actor=actor, summary=f"{user.email}: {role}",
                 before={"role": before}, after={"role": role})
    return row


def remove_staff(run: ExerciseRun, staff_id: int, actor: User | None = None) -> None:
    row = db.session.get(RunStaff, staff_id)
    if row is None or row.run_id != run.id:
        raise ServiceError(_("That person is not on this run's staff."), "staff")
    audit.record("exercise_run.staff.remove", obj=run, actor=actor, summary=f"user {row.user_id}: {row.role}",
                 before={"role": row.role}, after={"role": None})
    db.session.delete(row)
    db.session.flush()


# --- status -----------------------------------------------------------------------------------

def readiness_problems(run: ExerciseRun) -> list[str]:
    """What still blocks a draft run from becoming ready (empty when it may)."""
    problems = []
    member_count = db.session.scalar(select(func.count(TeamMember.id)).where(TeamMember.run_id == run.id))
    if not member_count:
        problems.append(_("Form at least one team with players."))
    empty_teams = db.session.scalar(
        select(func.count(Team.id)).where(Team.run_id == run.id, ~Team.members.any()))
    if empty_teams:
        problems.append(_("Remove or fill the empty teams."))
    if not db.session.scalar(select(func.count(RunInject.id)).where(RunInject.run_id == run.id)):
        problems.append(_("The run has no injects."))
    controllers = db.session.scalar(select(func.count(RunStaff.id)).where(
        RunStaff.run_id == run.id, RunStaff.role.in_(lifecycle.CONTROL_ROLES)))
    if not controllers:
        problems.append(_("Assign a facilitator or controller."))
    modules = db.session.scalars(select(RunModule).where(RunModule.run_id == run.id)).all()
    injects = db.session.scalars(select(RunInject).where(RunInject.run_id == run.id)).all()
    questions = db.session.scalars(select(RunQuestion).where(RunQuestion.run_id == run.id)).all()
    objectives = db.session.scalars(select(RunObjective).where(RunObjective.run_id == run.id)).all()
    names = placeholders.find(run_texts(run, modules, injects, questions, objectives))
    missing = placeholders.missing(names, run.placeholder_values)
    if missing:
        problems.append(_("Fill in the placeholders: %(names)s.", names=", ".join("{" + n + "}" for n in missing)))
    return problems


def unrated_objectives(run: ExerciseRun) -> list[RunObjective]:
    """Objectives without an overall rating (an evaluated run needs one for each)."""
    rated = select(ObjectiveRating.objective_id).where(ObjectiveRating.run_id == run.id,
                                                       ObjectiveRating.team_id.is_(None))
    return list(db.session.scalars(select(RunObjective).where(RunObjective.run_id == run.id,
                                                              RunObjective.id.not_in(rated))
                                   .order_by(RunObjective.position)))


def transition(run: ExerciseRun, action: str, actor: User | None = None, now: datetime | None = None) -> str:
    """Apply a status action (prepare, unprepare, start, pause, resume, end, evaluate, reopen)."""
    now = now or utcnow()
    try:
        new_status = lifecycle.target(action, run.status)
    except lifecycle.TransitionError:
        raise ServiceError(_("A run that is %(status)s cannot do that.",
                             status=RUN_STATUS_NAMES.get(run.status, run.status)), "status") from None
    if action == "prepare" and (problems := readiness_problems(run)):
        raise ServiceError(" ".join(problems), "status")
    if action == "evaluate" and (missing := unrated_objectives(run)):
        raise ServiceError(_("Give an overall rating to every objective first (missing: %(list)s).",
                             list=", ".join(str(o.position) for o in missing)), "status")
    before = run.status
    clock = run.clock
    if action == "start":
        clock = clock.start(now)
    elif action == "pause":
        clock = clock.pause(now)
    elif action == "resume":
        clock = clock.resume(now)
    elif action == "end":
        clock = clock.end(now)
    if action in lifecycle.CONTROL_ACTIONS:
        run.started_at, run.paused_at, run.paused_seconds = clock.started_at, clock.paused_at, clock.paused_seconds
        run.ended_at, run.running_since = clock.ended_at, clock.resumed_at
    run.evaluated_at = now if action == "evaluate" else (None if action == "reopen" else run.evaluated_at)
    run.status = new_status
    if action == "start":
        first = db.session.scalar(select(RunModule).where(RunModule.run_id == run.id)
                                  .order_by(RunModule.position).limit(1))
        if first is not None:
            run.current_module_position, first.opened_at = first.position, now
    bump_run(run)
    db.session.flush()
    audit.record(f"exercise_run.{action}", obj=run, actor=actor, summary=run_label(run),
                 before={"status": before}, after={"status": new_status})
    if action in ("start", "resume"):
        release_due(run, now)
    return new_status
