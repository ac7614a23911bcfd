"""Evaluation pages: observations, ratings, hot wash, improvement plan, marking a run evaluated."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.errors import ServiceError
from exercises.models import ExerciseRun, ImprovementItem, ObjectiveRating, Observation, RunInject, RunObjective
from exercises.services import evaluation, runs
from tests import factories
from tests.exercises import builders


def _setup(db):
    evaluator = factories.user(role="organiser")
    run, people, _s = builders.started_run(minutes_ago=5)
    runs.assign_staff(run, evaluator, "evaluator")
    objectives = db.session.scalars(select(RunObjective).where(RunObjective.run_id == run.id)
                                    .order_by(RunObjective.position)).all()
    db.session.commit()
    return run, people, evaluator, objectives


def test_observation_is_time_stamped_and_linked(client, db, signed_in):
    run, people, evaluator, objectives = _setup(db)
    inject = db.session.scalar(select(RunInject).where(RunInject.run_id == run.id, RunInject.status == "released"))
    team = builders.team_of(run, people[0][1].id)
    response = signed_in(evaluator).post(f"/exercises/runs/{run.id}/observations", data={
        "kind": "strength", "objective_id": objectives[0].id, "inject_id": inject.id, "team_id": team.id,
        "text": "Escalated in six minutes"})
    assert response.status_code == 302
    obs = db.session.scalar(select(Observation).where(Observation.run_id == run.id))
    assert (obs.kind, obs.objective_id, obs.inject_id, obs.team_id) == (
        "strength", objectives[0].id, inject.id, team.id)
    assert obs.evaluator_id == evaluator.id and obs.elapsed_seconds >= 5 * 60
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exercise_run.observation.create"))


def test_observation_with_missing_kind_shows_the_error_and_keeps_the_text(client, db, signed_in):
    run, _people, evaluator, _objectives = _setup(db)
    response = signed_in(evaluator).post(f"/exercises/runs/{run.id}/observations", data={"text": "Kept words"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Kept words" in html and "This field is required" in html
    assert db.session.scalar(select(Observation).where(Observation.run_id == run.id)) is None


def test_observations_cannot_point_at_another_runs_objects(db):
    run, _people, evaluator, _objectives = _setup(db)
    other, _p, _s = builders.started_run()
    foreign = db.session.scalar(select(RunObjective).where(RunObjective.run_id == other.id))
    with pytest.raises(ServiceError):
        evaluation.add_observation(run, evaluator, kind="strength", text="x", objective_id=foreign.id)


def test_ratings_overall_and_per_team_then_mark_evaluated(client, db, signed_in):
    run, people, evaluator, objectives = _setup(db)
    team = builders.team_of(run, people[0][1].id)
    client_ = signed_in(evaluator)
    runs.transition(db.session.get(ExerciseRun, run.id), "end")
    db.session.commit()
    refused = client_.post(f"/exercises/runs/{run.id}/status", data={"action": "evaluate"}, follow_redirects=True)
    assert "Give an overall rating to every objective first" in refused.get_data(as_text=True)
    data = {f"rating_{objectives[0].id}_all": "P", f"rationale_{objectives[0].id}_all": "Fast",
            f"rating_{objectives[1].id}_all": "M", f"rationale_{objectives[1].id}_all": "Late notice",
            f"rating_{objectives[0].id}_{team.id}": "S"}
    assert client_.post(f"/exercises/runs/{run.id}/ratings", data=data).status_code == 302
    rows = {(r.objective_id, r.team_id): r.rating for r in db.session.scalars(select(ObjectiveRating))}
    assert rows == {(objectives[0].id, None): "P", (objectives[1].id, None): "M", (objectives[0].id, team.id): "S"}
    bad = client_.post(f"/exercises/runs/{run.id}/ratings", data={f"rating_{objectives[0].id}_all": "Z"})
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    # clearing a rating removes it
    data[f"rating_{objectives[0].id}_{team.id}"] = ""
    client_.post(f"/exercises/runs/{run.id}/ratings", data=data)
    assert db.session.scalar(select(ObjectiveRating).where(ObjectiveRating.team_id == team.id)) is None
    assert client_.post(f"/exercises/runs/{run.id}/status", data={"action": "evaluate"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ExerciseRun, run.id).status == "evaluated"


def test_hotwash_and_improvement_items(client, db, signed_in):
    run, _people, evaluator, objectives = _setup(db)
    client_ = signed_in(evaluator)
    assert client_.post(f"/exercises/runs/{run.id}/hotwash", data={"notes": "We learnt a lot"}).status_code == 302
    missing = client_.post(f"/exercises/runs/{run.id}/improvements", data={
        "issue": "Kept issue", "poete": "training", "status": "open"})
    assert missing.status_code == 400 and "Kept issue" in missing.get_data(as_text=True)
    created = client_.post(f"/exercises/runs/{run.id}/improvements", data={
        "issue": "No diversion authority", "corrective_action": "Write it down", "poete": "planning",
        "owner_organisation": "Hospital", "point_of_contact": "Director", "due_date": "2026-12-31",
        "status": "open", "objective_id": objectives[0].id})
    assert created.status_code == 302
    item = db.session.scalar(select(ImprovementItem).where(ImprovementItem.run_id == run.id))
    assert item.due_date.isoformat() == "2026-12-31" and item.poete == "planning"
    edit = client_.post(f"/exercises/runs/{run.id}/improvements/{item.id}/edit", data={
        "issue": item.issue, "corrective_action": item.corrective_action, "poete": "training", "status": "done"})
    assert edit.status_code == 302
    db.session.expire_all()
    assert db.session.get(ImprovementItem, item.id).status == "done"
    page = client_.get(f"/exercises/runs/{run.id}/evaluation").get_data(as_text=True)
    assert "We learnt a lot" in page and "No diversion authority" in page
    other, _p, _s = builders.started_run()
    db.session.commit()
    assert client_.get(f"/exercises/runs/{other.id}/improvements/{item.id}/edit").status_code == 403  # not staff
    item_id = item.id
    assert client_.post(f"/exercises/runs/{run.id}/improvements/{item_id}/delete").status_code == 302
    db.session.expunge_all()
    assert db.session.get(ImprovementItem, item_id) is None


def test_evaluation_waits_for_the_start(client, db, login_as):
    user = login_as("organiser")
    run, _people, _s = builders.ready_run(facilitator=user)
    db.session.commit()
    assert "Evaluation starts when the exercise starts." in client.get(
        f"/exercises/runs/{run.id}/evaluation").get_data(as_text=True)
    assert client.post(f"/exercises/runs/{run.id}/observations",
                       data={"kind": "strength", "text": "early"}).status_code == 400


def test_deleting_another_runs_observation_is_not_found_and_keeps_it(client, db, signed_in):
    run, _people, evaluator, _objectives = _setup(db)
    other, _p, _s = builders.started_run()
    theirs = evaluation.add_observation(other, evaluator, kind="strength", text="Theirs")
    mine = evaluation.add_observation(run, evaluator, kind="strength", text="Mine")
    db.session.commit()
    theirs_id, mine_id = theirs.id, mine.id
    client = signed_in(evaluator)
    assert client.post(f"/exercises/runs/{run.id}/observations/{theirs_id}/delete").status_code == 404
    assert client.post(f"/exercises/runs/{run.id}/observations/999999/delete").status_code == 404
    assert db.session.get(Observation, theirs_id) is not None
    assert client.post(f"/exercises/runs/{run.id}/observations/{mine_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Observation, mine_id) is None and db.session.get(Observation, theirs_id) is not None
