"""Demo data for ``seed-demo`` (idempotent): the four sample scenarios and one evaluated demo run.

The demo run is made for an existing cohort with confirmed or completed enrolments (the trainees
feature seeds those); without such a cohort only the scenarios are added.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from accounts.models import ORGANISER_ROLES, User
from core.extensions import db
from exercises import timeline
from exercises.models import (
    ExerciseRun,
    ImprovementItem,
    ObjectiveRating,
    Observation,
    RunInject,
    RunModule,
    RunObjective,
    Scenario,
    Team,
    TeamResponse,
)
from exercises.scenarios_data import SCENARIOS
from exercises.services import library, runs
from trainees.models import Cohort, Enrolment, Trainee

DEMO_RUN_PREFIX = "Demo: "


def seed_scenario(data: dict) -> tuple[Scenario, bool]:
    """Create one scenario from its data unless a scenario with that title exists."""
    existing = db.session.scalar(select(Scenario).where(Scenario.title == data["title"]))
    if existing is not None:
        return existing, False
    scenario = library.create_scenario(**{k: data[k] for k in ("title", "summary", "sector_code", "threat_type",
                                                                "tlp", "t0_clock")})
    for position, (text, csf, first) in enumerate(data["objectives"], start=1):
        library.add_objective(scenario, text=text, csf_function=csf, first_service=first, position=position)
    t0 = timeline.parse_clock(data["t0_clock"])
    modules = []
    for position, (title, start, minutes, situation) in enumerate(data["modules"], start=1):
        module = library.add_module(scenario, title=title, scenario_start=start, planned_minutes=minutes,
                                    situation=situation, position=position)
        modules.append((timeline.parse_offset(start, t0), module))
    injects = sorted(data["injects"], key=lambda i: timeline.parse_offset(i[0], t0))
    for position, (when, offset, channel, sender, audience, title, body, actions, contingency) in enumerate(
            injects, start=1):
        minutes = timeline.parse_offset(when, t0)
        module = [m for start, m in modules if start <= minutes]
        library.add_inject(
            scenario, module_id=(module[-1] if module else modules[0][1]).id, position=position, scenario_time=when,
            planned_offset_minutes=offset, channel=channel, from_persona=sender, audience=audience, title=title,
            body=body, expected_actions=[{"role": r, "action": a} for r, a in actions], contingency=contingency)
    for position, text in enumerate(data["questions"], start=1):
        library.add_question(scenario, text=text, position=position)
    scenario.version = 1  # built in many steps, but this is its first version
    return scenario, True


def _demo_cohort() -> Cohort | None:
    """The cohort with the most confirmed/completed enrolments across at least two nationalities."""
    stmt = (select(Cohort)
            .join(Enrolment, Enrolment.cohort_id == Cohort.id).join(Trainee, Trainee.id == Enrolment.trainee_id)
            .where(Enrolment.status.in_(("confirmed", "completed")))
            .group_by(Cohort.id)
            .having(func.count(func.distinct(Trainee.nationality)) >= 2)
            # an exercise cohort if there is one (the demo data's tabletop exercise), then the largest
            .order_by((Cohort.modality == "exercise").desc(), func.count(Enrolment.id).desc(),
                      Cohort.start_date.desc(), Cohort.id)
            .limit(1))
    return db.session.scalar(stmt)


def _organiser() -> User | None:
    demo = db.session.scalar(select(User).where(User.email == "organiser@demo.kakehashi.example"))
    return demo or db.session.scalar(select(User).where(User.role.in_(ORGANISER_ROLES)).order_by(User.id).limit(1))


_RESPONSES = [
    "We have opened an incident ticket and called the CSIRT lead; wards are switching to paper.",
    "Crisis team convened at 07:30. Clinical lead appointed; diversion of non-critical ambulances agreed with EMS.",
    "Vendor VPN account disabled, admin passwords rotated. Disk images of two servers taken before isolation.",
    "No reply to the attacker. Sample records being verified; notification clock started, police informed.",
    "Holding statement approved; the hospital director is the only spokesperson. Hotline open from 14:00.",
    "Indicators shared with the national CSIRT under TLP:AMBER; we will join the 11:00 call.",
]


def seed_demo_run(scenario: Scenario) -> ExerciseRun | None:
    """A finished, evaluated run of ``scenario`` for a demo cohort (None when there is no suitable cohort)."""
    cohort = _demo_cohort()
    if cohort is None:
        return None
    title = f"{DEMO_RUN_PREFIX}{scenario.title} — {cohort.code}"
    existing = db.session.scalar(select(ExerciseRun).where(ExerciseRun.title == title))
    if existing is not None:
        return existing
    organiser = _organiser()
    run = runs.create_run(scenario.id, cohort, title=title, actor=organiser, stall_minutes=10)
    run.placeholder_values = {k: v or f"the {k.replace('_', ' ').lower()}" for k, v in
                              (run.placeholder_values or {}).items()}
    teams = runs.form_teams(run, "nationality", actor=organiser)
    evaluator = _other_organiser(organiser) if organiser is not None else None
    if evaluator is not None:
        runs.assign_staff(run, evaluator, "evaluator")
    started = datetime.combine(cohort.start_date + timedelta(days=min(2, max(0, cohort.training_days - 1))),
                               time(1, 0), tzinfo=UTC)
    injects = db.session.scalars(select(RunInject).where(RunInject.run_id == run.id)
                                 .order_by(RunInject.position)).all()
    modules = {m.id: m for m in db.session.scalars(select(RunModule).where(RunModule.run_id == run.id))}
    last_offset = 0
    for inject in injects:
        if inject.contingency or inject.planned_offset_minutes is None:
            inject.status, inject.skipped_at = "skipped", started + timedelta(minutes=150)
            continue
        at = started + timedelta(minutes=inject.planned_offset_minutes)
        inject.status, inject.released_at, inject.release_mode = "released", at, "auto"
        inject.released_elapsed = inject.planned_offset_minutes * 60
        last_offset = max(last_offset, inject.planned_offset_minutes)
        module = modules.get(inject.module_id)
        if module is not None and module.opened_at is None:
            module.opened_at = at
    ended = started + timedelta(minutes=last_offset + 20)
    run.status, run.started_at, run.running_since, run.ended_at = "evaluated", started, started, ended
    run.evaluated_at = ended + timedelta(hours=1)
    run.paused_seconds, run.next_due_minutes = 0, None
    run.current_module_position = max((m.position for m in modules.values()), default=None)
    released = [i for i in injects if i.status == "released"]
    for t_index, team in enumerate(teams):
        for i_index, inject in enumerate(released[:len(_RESPONSES)]):
            if (i_index + t_index) % 3 == 2:
                continue  # not every team answers every inject
            at = inject.released_at + timedelta(minutes=4 + 3 * t_index)
            db.session.add(TeamResponse(run_id=run.id, team_id=team.id, inject_id=inject.id,
                                        kind="decision" if i_index in (1, 3) else "response",
                                        text=_RESPONSES[i_index], created_at=at,
                                        decision_owner="Hospital director" if i_index in (1, 3) else "",
                                        elapsed_seconds=int((at - started).total_seconds())))
            team.last_response_at = at
    objectives = db.session.scalars(select(RunObjective).where(RunObjective.run_id == run.id)
                                    .order_by(RunObjective.position)).all()
    grades = "SPMSU"
    evaluator_id = getattr(organiser, "id", None)
    for o_index, objective in enumerate(objectives):
        db.session.add(ObjectiveRating(run_id=run.id, objective_id=objective.id, team_id=None,
                                       rating=grades[o_index % 5], rated_by_id=evaluator_id,
                                       rationale="Objective met overall; see the observations for detail."
                                       if grades[o_index % 5] != "U" else "No team reached a decision in time."))
        for t_index, team in enumerate(teams):
            db.session.add(ObjectiveRating(run_id=run.id, objective_id=objective.id, team_id=team.id,
                                           rating=grades[(o_index + t_index) % 5], rated_by_id=evaluator_id,
                                           rationale="Rated from the team's log and the evaluator's notes."))
    notes = [
        ("strength", 0, 0, "Escalation to the CSIRT lead happened within ten minutes of the first call."),
        ("improvement", 1, 1, "Nobody knew who may order ambulance diversion; the decision took forty minutes."),
        ("strength", 2, 2, "Evidence was preserved before isolation — disk images were taken first."),
        ("improvement", 4, 3, "The ransom question went to the board chair before the crisis team had met."),
        ("improvement", 3, 3, "The data-protection notification deadline was not known to anyone present."),
    ]
    for n_index, (kind, objective_index, inject_index, text) in enumerate(notes):
        at = started + timedelta(minutes=10 + 20 * n_index)
        db.session.add(Observation(
            run_id=run.id, evaluator_id=evaluator_id, created_at=at,
            elapsed_seconds=int((at - started).total_seconds()),
            kind=kind, text=text, objective_id=objectives[objective_index].id if objective_index < len(objectives)
            else None, inject_id=released[inject_index].id if inject_index < len(released) else None,
            team_id=teams[n_index % len(teams)].id))
    improvements = [
        ("No written authority for ambulance diversion during an IT outage.",
         "Add diversion authority and criteria to the downtime procedure; train duty managers.", "planning",
         30, "open"),
        ("Offline backups were nine days old.", "Move to daily immutable backups and test a restore monthly.",
         "equipment", 90, "in_progress"),
        ("Vendor remote access was not protected by MFA.",
         "Require MFA and time-limited access for every maintenance vendor (ISO 27001 A.5.19–5.22).",
         "organisation", 60, "open"),
        ("Staff were unsure of notification deadlines.", "Short training on notification duties for the crisis "
         "team; one-page checklist.", "training", 45, "done"),
    ]
    for o_index, (issue, action, poete, days, status) in enumerate(improvements):
        db.session.add(ImprovementItem(run_id=run.id, objective_id=objectives[o_index % len(objectives)].id,
                                       issue=issue, corrective_action=action, poete=poete,
                                       owner_organisation="Riverbend General Hospital", point_of_contact="CSIRT lead",
                                       due_date=(ended + timedelta(days=days)).date(), status=status))
    run.hotwash_notes = ("What went well: fast escalation, evidence preserved, one spokesperson.\n"
                         "To improve: decision rights for diversion and ransom, backup age, notification deadlines.")
    db.session.flush()
    return run


def _other_organiser(organiser: User) -> User | None:
    return db.session.scalar(select(User).where(User.role.in_(ORGANISER_ROLES), User.id != organiser.id,
                                                User.active.is_(True)).order_by(User.id).limit(1))


def seed_exercises() -> list[str]:
    """Add the four sample scenarios and one evaluated demo run (idempotent; the lines describe the state,
    so a second run prints the same)."""
    scenarios = [seed_scenario(data)[0] for data in SCENARIOS]
    db.session.flush()
    lines = [f"Exercises: {len(scenarios)} sample scenarios in the library."]
    run = seed_demo_run(scenarios[0])
    if run is not None:
        team_count = db.session.scalar(select(func.count(Team.id)).where(Team.run_id == run.id))
        lines.append(f"Exercises: evaluated demo run “{run.title}” with {team_count} teams.")
    return lines
