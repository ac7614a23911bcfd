"""Evaluation writes: observations, P/S/M/U ratings, hot-wash notes and improvement-plan items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from accounts.models import User
from core import audit
from core.db import utcnow
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from exercises import lifecycle
from exercises.models import ExerciseRun, ImprovementItem, ObjectiveRating, Observation, RunInject, RunObjective, Team
from exercises.services.common import run_label, snapshot
from exercises.vocab import IMPROVEMENT_STATUSES, OBSERVATION_KINDS, POETE, RATINGS

IMPROVEMENT_FIELDS = ("objective_id", "issue", "corrective_action", "poete", "owner_organisation",
                      "point_of_contact", "due_date", "status")


def _require_evaluation(run: ExerciseRun) -> None:
    if run.status not in lifecycle.EVALUATION_STATUSES:
        raise ServiceError(_("Evaluation starts when the exercise starts."), "status")


def _check_owned(run: ExerciseRun, model, object_id: int | None, field: str):
    if object_id is None:
        return None
    obj = db.session.get(model, object_id)
    if obj is None or obj.run_id != run.id:
        raise ServiceError(_("Choose an item of this run."), field)
    return obj


def add_observation(run: ExerciseRun, evaluator: User, now: datetime | None = None, **values) -> Observation:
    """A time-stamped note: strength or area for improvement, about an objective, inject and/or team."""
    _require_evaluation(run)
    now = now or utcnow()
    kind = values.get("kind")
    if kind not in OBSERVATION_KINDS:
        raise ServiceError(_("Choose strength or area for improvement."), "kind")
    text = (values.get("text") or "").strip()
    if not text:
        raise ServiceError(_("Write the observation."), "text")
    if len(text) > 5000:
        raise ServiceError(_("At most %(n)d characters.", n=5000), "text")
    _check_owned(run, RunObjective, values.get("objective_id"), "objective_id")
    _check_owned(run, RunInject, values.get("inject_id"), "inject_id")
    _check_owned(run, Team, values.get("team_id"), "team_id")
    observation = Observation(run_id=run.id, evaluator_id=evaluator.id, created_at=now,
                              elapsed_seconds=int(run.elapsed_seconds(now)), kind=kind, text=text,
                              objective_id=values.get("objective_id"), inject_id=values.get("inject_id"),
                              team_id=values.get("team_id"))
    db.session.add(observation)
    db.session.flush()
    audit.record("exercise_run.observation.create", obj=observation, actor=evaluator, summary=text[:200])
    return observation


def delete_observation(run: ExerciseRun, observation_id: int, actor: User | None = None) -> None:
    observation = _check_owned(run, Observation, observation_id, "observation")
    audit.record("exercise_run.observation.delete", obj=observation, actor=actor, summary=observation.text[:200])
    db.session.delete(observation)
    db.session.flush()


def save_ratings(run: ExerciseRun, ratings: dict[tuple[int, int | None], tuple[str, str]],
                 actor: User | None = None) -> int:
    """Set P/S/M/U ratings: {(objective_id, team_id or None for overall): (rating or '', rationale)}.

    An empty rating removes an earlier one. Returns how many ratings changed.
    """
    _require_evaluation(run)
    objectives = set(db.session.scalars(select(RunObjective.id).where(RunObjective.run_id == run.id)))
    teams = set(db.session.scalars(select(Team.id).where(Team.run_id == run.id)))
    for (objective_id, team_id), (rating, rationale) in ratings.items():
        if objective_id not in objectives or (team_id is not None and team_id not in teams):
            raise ServiceError(_("Choose an item of this run."), "ratings")
        if rating and rating not in RATINGS:
            raise ServiceError(_("Ratings are P, S, M or U."), f"rating-{objective_id}-{team_id or 'all'}")
        if len(rationale or "") > 5000:
            raise ServiceError(_("At most %(n)d characters.", n=5000), f"rationale-{objective_id}-{team_id or 'all'}")
    existing = {(r.objective_id, r.team_id): r for r in db.session.scalars(
        select(ObjectiveRating).where(ObjectiveRating.run_id == run.id))}
    changed = 0
    for key, (rating, rationale) in ratings.items():
        row = existing.get(key)
        rationale = (rationale or "").strip()
        if not rating:
            if row is not None:
                db.session.delete(row)
                changed += 1
            continue
        if row is None:
            db.session.add(ObjectiveRating(run_id=run.id, objective_id=key[0], team_id=key[1], rating=rating,
                                           rationale=rationale, rated_by_id=getattr(actor, "id", None)))
            changed += 1
        elif (row.rating, row.rationale) != (rating, rationale):
            row.rating, row.rationale, row.rated_by_id = rating, rationale, getattr(actor, "id", None)
            changed += 1
    db.session.flush()
    if changed:
        audit.record("exercise_run.ratings", obj=run, actor=actor,
                     summary=f"{run_label(run)}: {changed} ratings changed")
    return changed


def save_hotwash(run: ExerciseRun, notes: str, actor: User | None = None) -> None:
    _require_evaluation(run)
    if len(notes or "") > 20000:
        raise ServiceError(_("At most %(n)d characters.", n=20000), "notes")
    before = run.hotwash_notes
    run.hotwash_notes = notes or ""
    db.session.flush()
    audit.record("exercise_run.hotwash", obj=run, actor=actor, summary=run_label(run),
                 before={"length": len(before or "")}, after={"length": len(run.hotwash_notes)})


def clean_improvement(run: ExerciseRun, values: dict) -> dict:
    issue = (values.get("issue") or "").strip()
    action = (values.get("corrective_action") or "").strip()
    if not issue:
        raise ServiceError(_("Describe the issue."), "issue")
    if not action:
        raise ServiceError(_("Describe the corrective action."), "corrective_action")
    if values.get("poete") not in POETE:
        raise ServiceError(_("Choose a capability element (POETE)."), "poete")
    status = values.get("status") or "open"
    if status not in IMPROVEMENT_STATUSES:
        raise ServiceError(_("Choose a status from the list."), "status")
    due = values.get("due_date")
    if due is not None and not isinstance(due, date):
        raise ServiceError(_("Enter a date as YYYY-MM-DD."), "due_date")
    _check_owned(run, RunObjective, values.get("objective_id"), "objective_id")
    for key, limit in (("owner_organisation", 300), ("point_of_contact", 200)):
        if len((values.get(key) or "").strip()) > limit:
            raise ServiceError(_("At most %(n)d characters.", n=limit), key)
    return {"objective_id": values.get("objective_id") or None, "issue": issue[:5000],
            "corrective_action": action[:5000], "poete": values["poete"],
            "owner_organisation": (values.get("owner_organisation") or "").strip(),
            "point_of_contact": (values.get("point_of_contact") or "").strip(), "due_date": due, "status": status}


def add_improvement(run: ExerciseRun, actor: User | None = None, **values) -> ImprovementItem:
    _require_evaluation(run)
    item = ImprovementItem(run_id=run.id, **clean_improvement(run, values))
    db.session.add(item)
    db.session.flush()
    audit.record("exercise_run.improvement.create", obj=item, actor=actor, summary=item.issue[:200],
                 after=snapshot(item, IMPROVEMENT_FIELDS))
    return item


def update_improvement(item: ImprovementItem, run: ExerciseRun, actor: User | None = None,
                       **values) -> ImprovementItem:
    if item.run_id != run.id:
        raise ServiceError(_("Choose an item of this run."), "issue")
    before = snapshot(item, IMPROVEMENT_FIELDS)
    for key, value in clean_improvement(run, values).items():
        setattr(item, key, value)
    db.session.flush()
    old, new = audit.diff(before, snapshot(item, IMPROVEMENT_FIELDS))
    audit.record("exercise_run.improvement.update", obj=item, actor=actor, summary=item.issue[:200],
                 before=old, after=new)
    return item


def delete_improvement(item: ImprovementItem, actor: User | None = None) -> None:
    audit.record("exercise_run.improvement.delete", obj=item, actor=actor, summary=item.issue[:200],
                 before=snapshot(item, IMPROVEMENT_FIELDS))
    db.session.delete(item)
    db.session.flush()
