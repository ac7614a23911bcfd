"""Object-level access for runs: organisers may view any run; only its staff may drive or evaluate it."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from core.extensions import db
from exercises import lifecycle, queries
from exercises.models import ExerciseRun


def load_run(run_id: int) -> ExerciseRun:
    run = queries.get_run(run_id)
    if run is None:
        abort(404)
    return run


def roles_of(run: ExerciseRun) -> set[str]:
    return queries.staff_roles(run.id, current_user.id)


def may_manage_staff(run: ExerciseRun) -> bool:
    """Only an admin or the run's facilitator assigns staff roles (an organiser cannot make themselves
    controller of someone else's run)."""
    return current_user.role == "admin" or "facilitator" in roles_of(run)


def require_staff_manager(run: ExerciseRun) -> None:
    if not may_manage_staff(run):
        abort(403)


def require_control(run: ExerciseRun) -> set[str]:
    """403 unless the current user is the run's facilitator or controller."""
    roles = roles_of(run)
    if not lifecycle.may_control(roles):
        abort(403)
    return roles


def require_evaluate(run: ExerciseRun) -> set[str]:
    """403 unless the current user is the run's facilitator or evaluator."""
    roles = roles_of(run)
    if not lifecycle.may_evaluate(roles):
        abort(403)
    return roles


def get_owned(model, object_id: int, run: ExerciseRun):
    """A child object of ``run`` by id, or 404 (never another run's object)."""
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, "run_id", None) != run.id:
        abort(404)
    return obj
