"""Runs: a copy of the scenario, placeholders, teams, staff and the status machine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import utcnow
from core.errors import ServiceError
from exercises import queries
from exercises.models import ExerciseRun, RunInject, RunStaff, ScenarioInject, Team, TeamMember
from exercises.services import library, runs
from tests import factories
from tests.exercises import builders


def test_a_run_is_a_copy_that_later_scenario_edits_do_not_change(db):
    scenario = builders.scenario()
    cohort, _people = builders.cohort_with_players()
    run = runs.create_run(scenario.id, cohort)
    source = db.session.scalars(select(ScenarioInject).where(ScenarioInject.scenario_id == scenario.id)
                                .order_by(ScenarioInject.position)).first()
    library.update_inject(source, scenario_time="T+00:30", title="Changed title", channel="email",
                          expected_actions=[{"role": "", "action": "Changed action"}], body="Changed body")
    library.add_inject(scenario, scenario_time="T+05:00", title="Added later", channel="email")
    library.update_scenario(scenario, title="Renamed scenario", tlp="RED", t0_clock="06:40",
                            summary="Changed summary")
    db.session.flush()
    db.session.expire_all()
    copied = queries.run_content(run.id)
    assert [i.title for i in copied.injects] == ["Ransom note", "Demand arrives", "Contingency call",
                                                 builders.UNRELEASED_TITLE]
    assert copied.injects[0].expected_actions == [{"role": "IT", "action": builders.SECRET_ACTION}]
    assert copied.injects[0].scenario_time == "T+00:00"
    run = db.session.get(ExerciseRun, run.id)
    assert run.tlp == "AMBER" and run.summary.startswith("Welcome to") and run.scenario_version < scenario.version
    assert len(copied.objectives) == 2 and len(copied.modules) == 2 and len(copied.questions) == 1
    # module links point at the run's own modules
    assert {i.module_id for i in copied.injects} <= {m.id for m in copied.modules}


def test_placeholders_get_host_country_suggestions_and_a_form_field_each(client, db, login_as):
    user = login_as("organiser")
    scenario = builders.scenario()
    cohort, _people = builders.cohort_with_players()  # host country TH
    run = runs.create_run(scenario.id, cohort, actor=user)
    db.session.commit()
    assert run.placeholder_values["COUNTRY"] == "Thailand"
    assert run.placeholder_values["NATIONAL_CSIRT"] == "ThaiCERT"
    assert run.placeholder_values["DPA"] == "Personal Data Protection Committee"
    assert run.placeholder_values["POLICE_CYBER_UNIT"] == ""
    page = client.get(f"/exercises/runs/{run.id}/placeholders").get_data(as_text=True)
    for name in ("COUNTRY", "NATIONAL_CSIRT", "DPA", "POLICE_CYBER_UNIT"):
        assert f'name="ph_{name}"' in page
    response = client.post(f"/exercises/runs/{run.id}/placeholders", data={
        "ph_COUNTRY": "Thailand", "ph_NATIONAL_CSIRT": "ThaiCERT", "ph_DPA": "PDPC", "ph_POLICE_CYBER_UNIT": "TCSD"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ExerciseRun, run.id).placeholder_values["POLICE_CYBER_UNIT"] == "TCSD"
    # once the run has left set-up the service refuses: the message is shown and nothing is saved
    run.status = "running"
    db.session.commit()
    refused = client.post(f"/exercises/runs/{run.id}/placeholders", data={
        "ph_COUNTRY": "Laos", "ph_NATIONAL_CSIRT": "LaoCERT", "ph_DPA": "PDPC", "ph_POLICE_CYBER_UNIT": "X"})
    assert refused.status_code == 200
    assert "This can only be changed before the exercise starts." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ExerciseRun, run.id).placeholder_values["COUNTRY"] == "Thailand"


def test_a_draft_cannot_become_ready_until_placeholders_teams_and_staff_are_set(db):
    scenario = builders.scenario()
    cohort, _people = builders.cohort_with_players()
    run = runs.create_run(scenario.id, cohort)  # no actor: no facilitator
    with pytest.raises(ServiceError) as info:
        runs.transition(run, "prepare")
    message = info.value.message
    assert "team" in message and "facilitator or controller" in message and "{POLICE_CYBER_UNIT}" in message
    assert run.status == "draft"
    runs.form_teams(run, "nationality")
    runs.assign_staff(run, factories.user(role="organiser"), "controller")
    runs.set_placeholders(run, {**run.placeholder_values, "POLICE_CYBER_UNIT": "Police"})
    assert runs.transition(run, "prepare") == "ready"


def test_teams_by_nationality_or_organisation_and_manual_moves(db):
    scenario = builders.scenario()
    cohort, people = builders.cohort_with_players(("VN", "TH", "VN"), per_team=1)
    run = runs.create_run(scenario.id, cohort)
    teams = runs.form_teams(run, "nationality")
    assert sorted(t.name for t in teams) == ["Thailand", "Viet Nam"]
    sizes = dict(db.session.execute(select(Team.name, func.count(TeamMember.id)).join(TeamMember)
                                    .where(Team.run_id == run.id).group_by(Team.name)).all())
    assert sizes == {"Viet Nam": 2, "Thailand": 1}
    by_org = runs.form_teams(run, "organisation")  # replaces the earlier teams
    assert len(by_org) == 2 and db.session.scalar(select(func.count(Team.id)).where(Team.run_id == run.id)) == 2
    extra = runs.add_team(run, "Observers' desk")
    trainee = people[0][0]
    runs.move_member(run, trainee.id, extra.id)
    assert builders.team_of(run, people[0][1].id) is None  # draft runs are not visible to players yet
    member = db.session.scalar(select(TeamMember).where(TeamMember.run_id == run.id,
                                                        TeamMember.trainee_id == trainee.id))
    assert member.team_id == extra.id
    runs.move_member(run, trainee.id, None)
    assert [t.id for t in queries.unassigned_participants(run)] == [trainee.id]
    with pytest.raises(ServiceError):
        runs.add_team(run, "observers' DESK")  # names are unique, case-insensitively
    outsider = factories.trainee()
    with pytest.raises(ServiceError):
        runs.move_member(run, outsider.id, extra.id)


def test_set_up_is_frozen_once_play_starts(db):
    run, people, _s = builders.started_run()
    for call in (lambda: runs.form_teams(run, "nationality"), lambda: runs.add_team(run, "Late team"),
                 lambda: runs.set_placeholders(run, {"COUNTRY": "X"}),
                 lambda: runs.move_member(run, people[0][0].id, None), lambda: runs.delete_run(run)):
        with pytest.raises(ServiceError):
            call()


def test_only_active_organisers_can_be_staff_and_one_role_each(db):
    run, _people, _s = builders.ready_run()
    with pytest.raises(ServiceError):
        runs.assign_staff(run, factories.user(role="trainee"), "observer")
    with pytest.raises(ServiceError):
        runs.assign_staff(run, factories.user(role="organiser", active=False), "observer")
    with pytest.raises(ServiceError):
        runs.assign_staff(run, factories.user(role="organiser"), "king")
    person = factories.user(role="admin")
    runs.assign_staff(run, person, "observer")
    runs.assign_staff(run, person, "evaluator")
    roles = db.session.scalars(select(RunStaff.role).where(RunStaff.run_id == run.id,
                                                           RunStaff.user_id == person.id)).all()
    assert roles == ["evaluator"]


def test_lifecycle_through_services_sets_the_clock(db):
    run, _people, _s = builders.ready_run()
    t0 = utcnow() - timedelta(minutes=30)
    runs.transition(run, "start", now=t0)
    assert run.status == "running" and run.current_module_position == 1
    released = db.session.scalars(select(RunInject.title).where(RunInject.run_id == run.id,
                                                                RunInject.status == "released")).all()
    assert released == ["Ransom note"]  # T+0 goes out at the start
    runs.transition(run, "pause", now=t0 + timedelta(minutes=5))
    runs.transition(run, "resume", now=t0 + timedelta(minutes=20))
    assert run.paused_seconds == 900 and run.paused_at is None
    with pytest.raises(ServiceError):
        runs.transition(run, "start")
    with pytest.raises(ServiceError):
        runs.transition(run, "evaluate")
    runs.transition(run, "end", now=t0 + timedelta(minutes=25))
    assert run.status == "ended" and run.elapsed_seconds(utcnow()) == 600
    with pytest.raises(ServiceError) as info:
        runs.transition(run, "evaluate")
    assert "overall rating" in info.value.message


def test_status_page_refuses_illegal_transitions_with_a_message(client, db, login_as):
    user = login_as("organiser")
    run, _people, _s = builders.ready_run(facilitator=user)
    db.session.commit()
    response = client.post(f"/exercises/runs/{run.id}/status", data={"action": "prepare"}, follow_redirects=True)
    assert "A run that is ready cannot do that." in response.get_data(as_text=True)
    assert client.post(f"/exercises/runs/{run.id}/status", data={"action": "start"}).status_code == 400
    assert client.post(f"/exercises/runs/{run.id}/status", data={"action": "unprepare"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ExerciseRun, run.id).status == "draft"


def test_new_run_page_creates_a_draft_with_the_creator_as_facilitator(client, db, login_as):
    user = login_as("organiser")
    scenario = builders.scenario()
    cohort, _people = builders.cohort_with_players()
    db.session.commit()
    missing = client.post(f"/exercises/scenarios/{scenario.id}/runs/new", data={"cohort_id": "", "stall_minutes": 10})
    assert missing.status_code == 200 and "This field is required" in missing.get_data(as_text=True)
    response = client.post(f"/exercises/scenarios/{scenario.id}/runs/new",
                           data={"cohort_id": cohort.id, "title": "", "stall_minutes": 7})
    assert response.status_code == 302
    run = db.session.scalar(select(ExerciseRun).where(ExerciseRun.cohort_id == cohort.id))
    assert run.title == f"{scenario.title} — {cohort.code}" and run.stall_minutes == 7 and run.status == "draft"
    assert queries.staff_roles(run.id, user.id) == {"facilitator"}


def test_run_list_query_count_is_constant(client, db, login_as, count_queries):
    user = login_as("organiser")
    builders.ready_run(facilitator=user)
    db.session.commit()
    with count_queries() as few:
        assert client.get("/exercises/runs").status_code == 200
    for _ in range(3):
        builders.ready_run(facilitator=user)
    db.session.commit()
    with count_queries() as many:
        html = client.get("/exercises/runs").get_data(as_text=True)
    assert many.count == few.count and html.count("Test hospital ransomware") == 4
    assert "ready" in client.get("/exercises/runs?status=ready").get_data(as_text=True)
    assert "No run matches" in client.get("/exercises/runs?status=evaluated").get_data(as_text=True)


def test_deleting_a_draft_run_removes_its_copy_teams_and_staff(client, db, login_as):
    user = login_as("organiser")
    run, _people, scenario = builders.ready_run(facilitator=user)
    runs.transition(run, "unprepare")
    db.session.commit()
    run_id, scenario_id = run.id, scenario.id
    assert client.post(f"/exercises/runs/{run_id}/delete").status_code == 302
    db.session.expunge_all()
    assert db.session.get(ExerciseRun, run_id) is None
    for model in (RunInject, Team, TeamMember, RunStaff):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.run_id == run_id)) == 0
    assert db.session.scalar(select(func.count(ScenarioInject.id))
                             .where(ScenarioInject.scenario_id == scenario_id)) == 4  # the library is untouched


def test_teams_and_run_pages_warn_about_players_without_account_and_invite_them(client, db, login_as):
    from tests.exercises import builders

    organiser = login_as("organiser")
    s = builders.scenario()
    cohort, people = builders.cohort_with_players(("VN", "TH"), per_team=1)
    lonely = factories.trainee(nationality="VN", email="no.account@example.org")
    factories.enrolment(lonely, cohort, status="confirmed")
    run = runs.create_run(s.id, cohort, actor=organiser)
    runs.form_teams(run, "nationality", actor=organiser)
    db.session.commit()
    for path in (f"/exercises/runs/{run.id}/teams", f"/exercises/runs/{run.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "Players without a portal account, who cannot open the player room: 1." in page, path
    teams_page = client.get(f"/exercises/runs/{run.id}/teams").get_data(as_text=True)
    assert f"/trainees/{lonely.id}/invite" in teams_page
    response = client.post(f"/trainees/{lonely.id}/invite", data={"next": f"/exercises/runs/{run.id}/teams"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/exercises/runs/{run.id}/teams")
    db.session.expire_all()
    assert "no portal account" not in client.get(f"/exercises/runs/{run.id}/teams").get_data(as_text=True)


def test_the_audit_log_names_a_run_with_its_placeholders_filled(db):
    """Raw "{HOLIDAY}" placeholders used to appear in the audit log's summaries of a run."""
    from core.audit import AuditEvent

    scenario = builders.scenario(title="Outage during {HOLIDAY} in {COUNTRY}")
    cohort, people = builders.cohort_with_players()  # host country TH
    run = runs.create_run(scenario.id, cohort)
    runs.set_placeholders(run, {**run.placeholder_values, "HOLIDAY": "Songkran"})
    runs.add_team(run, "Blue")
    db.session.flush()
    summaries = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action.like("exercise_run%"))
                                   .order_by(AuditEvent.id)).all()
    assert summaries and all("{" not in s for s in summaries), summaries
    assert summaries[0].startswith(f"Outage during Songkran in Thailand — {cohort.code} (scenario")
    assert f"Outage during Songkran in Thailand — {cohort.code}: Blue" in summaries
