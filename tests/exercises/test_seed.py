"""seed-demo: the four sample scenarios and one evaluated demo run, idempotently."""

from __future__ import annotations

from sqlalchemy import func, select

from exercises.models import (
    ExerciseRun,
    ImprovementItem,
    ObjectiveRating,
    Observation,
    RunInject,
    Scenario,
    ScenarioInject,
    ScenarioQuestion,
    TeamResponse,
)
from exercises.scenarios_data import SCENARIOS
from exercises.seed import seed_exercises
from tests import factories
from tests.exercises import builders


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_adds_four_complete_scenarios_once(db):
    lines = seed_exercises()
    assert lines == ["Exercises: 4 sample scenarios in the library."]  # no cohort: no demo run
    scenarios = db.session.scalars(select(Scenario)).all()
    assert len(scenarios) == 4
    for scenario in scenarios:
        injects = db.session.scalars(select(ScenarioInject).where(ScenarioInject.scenario_id == scenario.id)).all()
        assert len([i for i in injects if not i.contingency]) >= 6
        assert all(i.expected_actions for i in injects)
        assert _count(db, ScenarioQuestion, ScenarioQuestion.scenario_id == scenario.id) >= 3
    assert {d["sector_code"] for d in SCENARIOS} == {"MED", "FIN", "ELE", "AVI"}
    again = seed_exercises()
    assert again[0] == "Exercises: 4 sample scenarios in the library."
    assert _count(db, Scenario) == 4


def test_seed_objectives_are_mapped(db):
    seed_exercises()
    from exercises.models import ScenarioObjective

    objectives = db.session.scalars(select(ScenarioObjective)).all()
    assert len(objectives) == 20 and all(o.csf_function and o.first_service for o in objectives)


def test_seed_makes_one_evaluated_demo_run_for_a_cohort_with_confirmed_trainees(db):
    factories.user(role="organiser", email="organiser@demo.kakehashi.example")
    factories.user(role="organiser")
    builders.cohort_with_players(("VN", "TH", "PH"), per_team=2)
    lines = seed_exercises()
    assert "evaluated demo run" in lines[-1] and "3 teams" in lines[-1]
    run = db.session.scalar(select(ExerciseRun))
    assert run.status == "evaluated" and run.started_at is not None and run.ended_at > run.started_at
    assert _count(db, RunInject, RunInject.run_id == run.id, RunInject.status == "released") >= 6
    assert _count(db, TeamResponse, TeamResponse.run_id == run.id) >= 6
    assert _count(db, Observation, Observation.run_id == run.id) >= 3
    assert _count(db, ObjectiveRating, ObjectiveRating.run_id == run.id, ObjectiveRating.team_id.is_(None)) == 5
    assert _count(db, ImprovementItem, ImprovementItem.run_id == run.id) >= 3
    seed_exercises()
    assert _count(db, ExerciseRun) == 1
