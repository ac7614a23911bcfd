"""Live play: releasing and skipping injects (by hand or on schedule), ad-hoc injects, team responses.

Automatic release is lazy: every console or player poll calls ``release_due``, which releases what
the run's running time has reached. Concurrent polls cannot release an inject twice, because the
status change is a conditional UPDATE (``… WHERE status = 'scheduled'``) whose row count is checked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from accounts.models import User
from core import audit
from core.db import utcnow
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from exercises import lifecycle, timeline
from exercises.models import ExerciseRun, RunInject, RunModule, Team, TeamResponse
from exercises.services.common import offset_message, run_label
from exercises.vocab import CHANNELS, RESPONSE_KINDS

RESPONSE_MAX_CHARS = 5000


def bump_run(run: ExerciseRun) -> None:
    """Mark a change every player of the run can see (increments in SQL, so concurrent bumps add up)."""
    run.revision = ExerciseRun.revision + 1


def bump_team(team_id: int) -> None:
    db.session.execute(update(Team).where(Team.id == team_id).values(revision=Team.revision + 1))


def refresh_next_due(run: ExerciseRun) -> None:
    """Recompute the cached offset of the next automatic release, in SQL."""
    run.next_due_minutes = (
        select(func.min(RunInject.planned_offset_minutes))
        .where(RunInject.run_id == run.id, RunInject.status == "scheduled", RunInject.contingency.is_(False),
               RunInject.planned_offset_minutes.is_not(None))
        .scalar_subquery()
    )


def _mark_released(run: ExerciseRun, inject: RunInject, now: datetime, mode: str, actor: User | None) -> bool:
    """Release one inject if it is still scheduled; False if another request released or skipped it first."""
    result = db.session.execute(
        update(RunInject)
        .where(RunInject.id == inject.id, RunInject.status == "scheduled")
        .values(status="released", released_at=now, release_mode=mode, released_by_id=getattr(actor, "id", None),
                released_elapsed=int(run.elapsed_seconds(now)))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.expire(inject)
    if inject.team_id is not None:
        bump_team(inject.team_id)
    else:
        bump_run(run)
    if inject.module_id is not None:
        module = db.session.get(RunModule, inject.module_id)
        if module is not None and (run.current_module_position or 0) < module.position:
            run.current_module_position = module.position
            module.opened_at = module.opened_at or now
            bump_run(run)
    return True


def has_due(run: ExerciseRun, now: datetime | None = None) -> bool:
    """True when the running time has reached the next automatic release (reads only the run; pages check
    this on GET and run :func:`release_due` in a unit of work only then)."""
    return (run.status == "running" and run.next_due_minutes is not None
            and run.next_due_minutes * 60 <= run.elapsed_seconds(now or utcnow()))


def release_due(run: ExerciseRun, now: datetime | None = None) -> list[RunInject]:
    """Release every inject whose planned offset the running time has reached (nothing while paused).

    Idempotent: an inject is released once; a repeated call releases nothing more."""
    now = now or utcnow()
    if not has_due(run, now):
        return []
    elapsed = run.elapsed_seconds(now)
    candidates = db.session.scalars(select(RunInject).where(
        RunInject.run_id == run.id, RunInject.status == "scheduled", RunInject.contingency.is_(False),
        RunInject.planned_offset_minutes <= int(elapsed // 60))).all()
    by_id = {c.id: c for c in candidates}
    items = [timeline.ScheduleItem(c.id, c.planned_offset_minutes, c.status, c.contingency, c.position)
             for c in candidates]
    released = [by_id[i] for i in timeline.due(items, elapsed) if _mark_released(run, by_id[i], now, "auto", None)]
    refresh_next_due(run)
    db.session.flush()
    return released


def _require_live(run: ExerciseRun) -> None:
    if run.status not in lifecycle.LIVE_STATUSES:
        raise ServiceError(_("Injects can be released only while the exercise is running or paused."), "status")


def _own_inject(run: ExerciseRun, inject_id: int) -> RunInject:
    inject = db.session.get(RunInject, inject_id)
    if inject is None or inject.run_id != run.id:
        raise ServiceError(_("That inject is not part of this run."), "inject")
    return inject


def release(run: ExerciseRun, inject_id: int, actor: User | None = None, now: datetime | None = None) -> RunInject:
    """Release an inject now, whatever its schedule (contingency injects are released only this way)."""
    now = now or utcnow()
    _require_live(run)
    inject = _own_inject(run, inject_id)
    if inject.status != "scheduled" or not _mark_released(run, inject, now, "manual", actor):
        raise ServiceError(_("That inject has already been released or skipped."), "inject")
    refresh_next_due(run)
    db.session.flush()
    audit.record("exercise_run.inject.release", obj=inject, actor=actor, summary=f"{run_label(run)}: {inject.title}")
    return inject


def skip(run: ExerciseRun, inject_id: int, actor: User | None = None, now: datetime | None = None) -> RunInject:
    """Skip a scheduled inject: it will not be released automatically (it stays in the MSEL as skipped)."""
    if run.status not in lifecycle.LIVE_STATUSES | {"ready", "draft"}:
        raise ServiceError(_("Injects can no longer be skipped in this run."), "status")
    inject = _own_inject(run, inject_id)
    result = db.session.execute(
        update(RunInject).where(RunInject.id == inject.id, RunInject.status == "scheduled")
        .values(status="skipped", skipped_at=now or utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ServiceError(_("That inject has already been released or skipped."), "inject")
    db.session.expire(inject)
    refresh_next_due(run)
    db.session.flush()
    audit.record("exercise_run.inject.skip", obj=inject, actor=actor, summary=f"{run_label(run)}: {inject.title}")
    return inject


def add_adhoc(run: ExerciseRun, actor: User | None = None, now: datetime | None = None, **values) -> RunInject:
    """Write and release an inject on the spot (to every team, or to one team)."""
    now = now or utcnow()
    _require_live(run)
    title = (values.get("title") or "").strip()
    if not title:
        raise ServiceError(_("%(label)s is required.", label=_("Title")), "title")
    if len(title) > 200:
        raise ServiceError(_("%(label)s must be at most %(n)d characters.", label=_("Title"), n=200), "title")
    channel = values.get("channel") or "other"
    if channel not in CHANNELS:
        raise ServiceError(_("Choose a channel from the list."), "channel")
    team_id = values.get("team_id") or None
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or team.run_id != run.id:
            raise ServiceError(_("Choose a team of this run."), "team_id")
    t0 = timeline.parse_clock(run.t0_clock)
    label = (values.get("scenario_time") or "").strip()
    if label:
        try:
            minutes = timeline.parse_offset(label, t0)
        except timeline.OffsetError as exc:
            raise ServiceError(offset_message(exc), "scenario_time") from None
    else:
        points = db.session.execute(select(RunInject.planned_offset_minutes, RunInject.scenario_minutes).where(
            RunInject.run_id == run.id, RunInject.planned_offset_minutes.is_not(None))).all()
        minutes = timeline.scenario_now([tuple(p) for p in points], run.elapsed_seconds(now)) or 0
        label = timeline.format_offset(minutes, t0)
    module_id = None
    if run.current_module_position is not None:
        module_id = db.session.scalar(select(RunModule.id).where(
            RunModule.run_id == run.id, RunModule.position == run.current_module_position))
    position = (db.session.scalar(select(func.max(RunInject.position)).where(RunInject.run_id == run.id)) or 0) + 1
    inject = RunInject(
        run_id=run.id, module_id=module_id, position=position, scenario_time=label[:40], scenario_minutes=minutes,
        planned_offset_minutes=None, channel=channel, from_persona=(values.get("from_persona") or "")[:200],
        audience=(values.get("audience") or "")[:200], title=title, body=values.get("body") or "",
        expected_actions=values.get("expected_actions") or [], contingency=False, team_id=team_id, is_adhoc=True,
        status="scheduled")
    db.session.add(inject)
    db.session.flush()
    _mark_released(run, inject, now, "manual", actor)
    db.session.flush()
    audit.record("exercise_run.inject.adhoc", obj=inject, actor=actor, summary=f"{run_label(run)}: {title}")
    return inject


def open_module(run: ExerciseRun, module_id: int, actor: User | None = None, now: datetime | None = None) -> None:
    """Show another module's situation to the players (modules also open with their first inject)."""
    _require_live(run)
    module = db.session.get(RunModule, module_id)
    if module is None or module.run_id != run.id:
        raise ServiceError(_("Choose a module of this run."), "module_id")
    run.current_module_position = module.position
    module.opened_at = module.opened_at or now or utcnow()
    bump_run(run)
    db.session.flush()
    audit.record("exercise_run.module.open", obj=run, actor=actor, summary=f"{run_label(run)}: {module.title}")


def post_response(run: ExerciseRun, team: Team, author: User, now: datetime | None = None,
                  **values) -> TeamResponse:
    """Record a team's response or decision, to one released inject or for the whole exercise."""
    now = now or utcnow()
    if run.status not in lifecycle.LIVE_STATUSES or team.run_id != run.id:
        raise ServiceError(_("The exercise is not running, so responses cannot be sent now."), "text")
    kind = values.get("kind") or "response"
    if kind not in RESPONSE_KINDS:
        raise ServiceError(_("Choose whether this is a response or a decision."), "kind")
    text = (values.get("text") or "").strip()
    if not text:
        raise ServiceError(_("Write your team's response first."), "text")
    if len(text) > RESPONSE_MAX_CHARS:
        raise ServiceError(_("A response can be at most %(n)d characters.", n=RESPONSE_MAX_CHARS), "text")
    owner = (values.get("decision_owner") or "").strip()
    if len(owner) > 200:
        raise ServiceError(_("%(label)s must be at most %(n)d characters.", label=_("Decision owner"), n=200),
                           "decision_owner")
    inject_id = values.get("inject_id") or None
    if inject_id is not None:
        inject = db.session.get(RunInject, inject_id)
        # An inject the team cannot see is answered exactly like one that does not exist.
        if (inject is None or inject.run_id != run.id or inject.status != "released"
                or inject.team_id not in (None, team.id)):
            raise ServiceError(_("That inject is not available to your team."), "inject_id")
    response = TeamResponse(run_id=run.id, team_id=team.id, inject_id=inject_id, kind=kind, text=text,
                            decision_owner=owner, author_id=author.id, created_at=now,
                            elapsed_seconds=int(run.elapsed_seconds(now)))
    db.session.add(response)
    db.session.execute(update(Team).where(Team.id == team.id)
                       .values(revision=Team.revision + 1, last_response_at=now))
    db.session.flush()
    db.session.expire(team)
    return response
