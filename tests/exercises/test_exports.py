"""The reports hook: per-run rows computed in SQL."""

from __future__ import annotations

from sqlalchemy import select

from exercises import exports
from exercises.models import RunObjective
from exercises.services import evaluation, runs
from tests import factories
from tests.exercises import builders


def test_exercise_rows_count_teams_players_ratings_and_items(db, count_queries):
    facilitator = factories.user(role="organiser")
    run, _people, _s = builders.started_run(facilitator=facilitator)
    objectives = db.session.scalars(select(RunObjective.id).where(RunObjective.run_id == run.id)).all()
    evaluation.save_ratings(run, {(objectives[0], None): ("P", ""), (objectives[1], None): ("U", "")})
    evaluation.add_improvement(run, issue="a", corrective_action="b", poete="planning", status="done")
    evaluation.add_improvement(run, issue="c", corrective_action="d", poete="training")
    draft_run, _p, _s2 = builders.ready_run()  # not held yet: left out
    runs.transition(run, "end")
    db.session.flush()
    with count_queries() as counter:
        rows = exports.exercise_rows()
    assert counter.count == 1
    assert [r["run_id"] for r in rows] == [run.id]
    row = rows[0]
    assert list(row) == [key for key, _header in exports.COLUMNS]
    assert (row["teams"], row["players"], row["objectives"]) == (2, 4, 2)
    assert (row["rated_p"], row["rated_s"], row["rated_m"], row["rated_u"]) == (1, 0, 0, 1)
    assert (row["improvement_items"], row["improvement_open"]) == (2, 1)
    assert row["status"] == "ended" and row["scenario"] == "Test hospital ransomware"
    assert exports.exercise_rows([draft_run.cohort_id]) == []
    assert len(exports.exercise_rows([run.cohort_id])) == 1


def test_participation_by_enrolment_and_report_hooks(db):
    from types import SimpleNamespace

    from trainees.models import Enrolment

    run, people, _s = builders.started_run()
    outsider = factories.enrolment(cohort_obj=run.cohort, status="confirmed")
    db.session.flush()
    played = exports.participation_by_enrolment(run.cohort_id)
    player_enrolments = db.session.scalars(select(Enrolment.id).where(
        Enrolment.trainee_id.in_([t.id for t, _u in people]))).all()
    assert all(played[e] for e in player_enrolments) and played[outsider.id] is False
    scope = SimpleNamespace(cohort_ids=select(Enrolment.cohort_id).where(Enrolment.id == outsider.id), lang="ja")
    assert exports.exercises_run_count(scope) == 1
    sheet = exports.exercises_sheet(scope)
    assert [c.header for c in sheet.columns][:3] == ["演習ID", "演習", "シナリオ"]
    assert list(sheet.rows)[0][0] == run.id


def test_exercise_rows_show_titles_with_the_runs_placeholders_filled(db):
    """The report's Exercises sheet used to show raw "{HOLIDAY}"-style placeholders in run and scenario titles."""
    run, _people, scenario = builders.started_run()
    run.title, scenario.title = "Drill in {COUNTRY} — {UNSET}", "Outage in {COUNTRY}"
    db.session.flush()
    (row,) = exports.exercise_rows([run.cohort_id])
    assert (row["run"], row["scenario"]) == ("Drill in Thailand — {UNSET}", "Outage in Thailand")  # unset stays
