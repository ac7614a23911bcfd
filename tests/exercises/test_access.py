"""The visibility matrix: every exercise route × anonymous, players of two teams, an outsider trainee,
each staff role, and an organiser who is not on the run's staff.

Organisers may view any run (console, evaluation, AAR); only the run's facilitator or controller may
drive it, and only its facilitator or evaluators may evaluate. Players reach only their own run and
see only their team's material.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from exercises.models import ImprovementItem, Observation, RunInject
from exercises.services import evaluation, play, runs
from tests import factories
from tests.exercises import builders

ROLES = ("anonymous", "player", "other_player", "outsider", "facilitator", "controller", "evaluator", "observer",
         "organiser")
STAFF = ("facilitator", "controller", "evaluator", "observer", "organiser")
TRAINEES = ("player", "other_player", "outsider")


class _Clients(dict):
    """Signs a role in the first time its client is used (signing in costs a password hash)."""

    def __init__(self, app, users, signed_in):
        super().__init__()
        self._app, self._users, self._signed_in = app, users, signed_in

    def __missing__(self, role):
        self[role] = self._app.test_client() if role == "anonymous" else self._signed_in(self._users[role])
        return self[role]


@pytest.fixture
def world(app, db, signed_in):
    """A running run with two teams, every staff role, an outsider trainee, and one of everything."""
    facilitator = factories.user(role="organiser")
    run, people, scenario = builders.started_run(minutes_ago=1, facilitator=facilitator)
    users = {"facilitator": facilitator}
    for role in ("controller", "evaluator", "observer"):
        users[role] = factories.user(role="organiser")
        runs.assign_staff(run, users[role], role)
    users["organiser"] = factories.user(role="admin")
    users["player"], users["other_player"] = people[0][1], people[-1][1]
    outsider_cohort, outsiders = builders.cohort_with_players(("ID",), per_team=1)
    users["outsider"] = outsiders[0][1]
    team = builders.team_of(run, users["player"].id)
    inject = db.session.scalar(select(RunInject).where(RunInject.run_id == run.id, RunInject.status == "released"))
    play.post_response(run, team, users["player"], inject_id=inject.id, text="A response")
    by_title = dict(db.session.execute(select(RunInject.title, RunInject.id).where(RunInject.run_id == run.id)).all())
    observation = evaluation.add_observation(run, facilitator, kind="strength", text="Good call")
    item = evaluation.add_improvement(run, issue="Backups old", corrective_action="Daily backups", poete="equipment")
    db.session.commit()
    clients = _Clients(app, users, signed_in)
    ids = {"run": run.id, "scenario": scenario.id, "inject": inject.id, "team": team.id,
           "observation": observation.id, "item": item.id,
           "contingency": by_title["Contingency call"], "sealed": by_title[builders.UNRELEASED_TITLE]}
    return clients, ids


def _get_routes(ids):
    r, s = ids["run"], ids["scenario"]
    return {
        "organiser": [
            "/exercises/", "/exercises/runs", "/exercises/msel-template.xlsx", f"/exercises/scenarios/{s}",
            f"/exercises/scenarios/{s}/edit", f"/exercises/scenarios/{s}/delete", "/exercises/scenarios/new",
            f"/exercises/scenarios/{s}/inject/new", f"/exercises/scenarios/{s}/msel.xlsx",
            f"/exercises/scenarios/{s}/msel/import", f"/exercises/scenarios/{s}/runs/new",
            f"/exercises/runs/{r}", f"/exercises/runs/{r}/placeholders", f"/exercises/runs/{r}/teams",
            f"/exercises/runs/{r}/staff", f"/exercises/runs/{r}/console", f"/exercises/runs/{r}/console.json",
            f"/exercises/runs/{r}/evaluation", f"/exercises/runs/{r}/aar", f"/exercises/runs/{r}/aar?anon=1",
            f"/exercises/runs/{r}/aar.xlsx", f"/exercises/runs/{r}/aar.xlsx?anon=1", f"/exercises/runs/{r}/delete",
            f"/exercises/runs/{r}/teams/{ids['team']}/delete",
        ],
        "evaluate": [f"/exercises/runs/{r}/improvements/{ids['item']}/edit",
                     f"/exercises/runs/{r}/improvements/{ids['item']}/delete"],
        "player": [f"/exercises/play/{r}", f"/exercises/play/{r}/feed.json"],
        "trainee": ["/exercises/play"],
    }


def _expected_get(kind: str, role: str) -> int:
    if role == "anonymous":
        return 302
    if kind == "organiser":
        return 200 if role in STAFF else 403
    if kind == "evaluate":
        return 200 if role in ("facilitator", "evaluator") else 403
    if kind == "player":
        return 200 if role in ("player", "other_player") else (404 if role == "outsider" else 403)
    return 200 if role in TRAINEES else 403  # the trainee's own list


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_answers_as_the_matrix_says(world, role):
    clients, ids = world
    for kind, urls in _get_routes(ids).items():
        for url in urls:
            code = clients[role].get(url).status_code
            assert code == _expected_get(kind, role), (role, url, code)


def _control_posts(ids):
    r = ids["run"]
    return [(f"/exercises/runs/{r}/control", {"action": "pause"}),
            (f"/exercises/runs/{r}/injects/{ids['contingency']}/release", {}),
            (f"/exercises/runs/{r}/injects/{ids['sealed']}/skip", {}),
            (f"/exercises/runs/{r}/adhoc", {"title": "Surprise", "channel": "other"}),
            (f"/exercises/runs/{r}/module", {"module_id": "1"})]


def _evaluate_posts(ids):
    r = ids["run"]
    return [(f"/exercises/runs/{r}/observations", {"kind": "strength", "text": "x"}),
            (f"/exercises/runs/{r}/observations/{ids['observation']}/delete", {}),
            (f"/exercises/runs/{r}/ratings", {}), (f"/exercises/runs/{r}/hotwash", {"notes": "n"}),
            (f"/exercises/runs/{r}/improvements", {"issue": "i", "corrective_action": "a", "poete": "training"}),
            (f"/exercises/runs/{r}/improvements/{ids['item']}/edit", {}),
            (f"/exercises/runs/{r}/improvements/{ids['item']}/delete", {}),
            (f"/exercises/runs/{r}/status", {"action": "evaluate"})]


@pytest.mark.parametrize("role", ["anonymous", "player", "outsider", "evaluator", "observer", "organiser"])
def test_only_facilitator_and_controller_drive_the_run(world, db, role):
    clients, ids = world
    for url, data in _control_posts(ids):
        code = clients[role].post(url, data=data).status_code
        assert code == (302 if role == "anonymous" else 403), (role, url, code)
        if role == "anonymous":
            assert "/login" in clients[role].post(url, data=data).headers["Location"]
    db.session.expire_all()
    assert db.session.scalar(select(RunInject.status).where(RunInject.id == ids["contingency"])) == "scheduled"


@pytest.mark.parametrize("role", ["controller", "facilitator"])
def test_controllers_may_drive(world, db, role):
    clients, ids = world
    assert clients[role].post(f"/exercises/runs/{ids['run']}/injects/{ids['contingency']}/release").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(RunInject.status).where(RunInject.id == ids["contingency"])) == "released"


@pytest.mark.parametrize("role", ["anonymous", "player", "other_player", "controller", "observer", "organiser"])
def test_only_facilitator_and_evaluators_evaluate(world, db, role):
    clients, ids = world
    for url, data in _evaluate_posts(ids):
        code = clients[role].post(url, data=data).status_code
        assert code == (302 if role == "anonymous" else 403), (role, url, code)
    db.session.expire_all()
    assert db.session.get(Observation, ids["observation"]) is not None
    assert db.session.get(ImprovementItem, ids["item"]) is not None


def test_evaluator_may_evaluate(world, db):
    clients, ids = world
    response = clients["evaluator"].post(f"/exercises/runs/{ids['run']}/observations",
                                         data={"kind": "improvement", "text": "Slow escalation"})
    assert response.status_code == 302
    assert db.session.scalar(select(Observation).where(Observation.text == "Slow escalation")) is not None


@pytest.mark.parametrize("role", ["anonymous", "player", "outsider"])
def test_trainees_and_anonymous_cannot_change_the_library_or_set_up(world, db, role):
    clients, ids = world
    r, s = ids["run"], ids["scenario"]
    posts = [("/exercises/scenarios/new", {"title": "x"}), (f"/exercises/scenarios/{s}/delete", {}),
             (f"/exercises/scenarios/{s}/objective/new", {"text": "x"}), (f"/exercises/scenarios/{s}/runs/new", {}),
             (f"/exercises/runs/{r}/settings", {"title": "x", "stall_minutes": 5}),
             (f"/exercises/runs/{r}/placeholders", {}), (f"/exercises/runs/{r}/teams", {"mode": "nationality"}),
             (f"/exercises/runs/{r}/teams/add", {"name": "x"}), (f"/exercises/runs/{r}/staff", {}),
             (f"/exercises/runs/{r}/members/move", {}), (f"/exercises/runs/{r}/delete", {})]
    for url, data in posts:
        code = clients[role].post(url, data=data).status_code
        assert code == (302 if role == "anonymous" else 403), (role, url, code)


def test_players_cannot_reach_another_teams_objects(world, db):
    clients, ids = world
    other = clients["other_player"]
    for url in (f"/exercises/play/{ids['run']}", f"/exercises/play/{ids['run']}/feed.json"):
        assert "A response" not in other.get(url).get_data(as_text=True)  # the first team's response
    assert "A response" in clients["player"].get(f"/exercises/play/{ids['run']}").get_data(as_text=True)
    for role in TRAINEES:
        for url in (f"/exercises/runs/{ids['run']}/injects/{ids['inject']}/attachment",
                    "/exercises/scenarios/attachments/1"):
            assert clients[role].get(url).status_code == 403
        for url in (f"/exercises/runs/{ids['run']}/teams/{ids['team']}/rename",
                    f"/exercises/runs/{ids['run']}/staff/1/remove"):
            assert clients[role].post(url, data={"name": "x"}).status_code == 403
    assert clients["observer"].get(f"/exercises/runs/{ids['run']}/injects/{ids['inject']}/attachment").status_code \
        == 404  # staff may download, but this inject has no attachment


def test_every_exercise_route_is_in_the_matrix(app):
    """A new route must be added to this test file (and so to the matrix) before it can ship."""
    covered = {
        "index", "runs", "msel_template", "scenario_detail", "scenario_edit", "scenario_delete", "scenario_new",
        "part_new", "part_edit", "part_delete", "msel_export", "msel_import", "run_new", "run_detail",
        "run_placeholders", "run_teams", "run_staff", "console", "console_json", "evaluation", "aar_page", "aar_xlsx",
        "run_delete", "team_delete", "improvement_edit", "improvement_delete", "play_room", "play_feed", "play_index",
        "control", "inject_action", "adhoc", "module_open", "observation_add", "observation_delete", "ratings",
        "hotwash", "improvement_add", "run_status", "run_settings", "team_add", "member_move", "staff_remove",
        "team_rename", "play_respond", "play_attachment", "attachment", "run_attachment",
    }
    endpoints = {rule.endpoint.split(".", 1)[1] for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("exercises.")}
    assert endpoints == covered


def test_state_changes_need_the_csrf_token(csrf_app, db):
    """With CSRF protection on (as in production), a POST without the form's token changes nothing."""
    facilitator = factories.user(role="organiser")
    run, people, _s = builders.ready_run(facilitator=facilitator)
    db.session.commit()
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    assert client.post("/login", data={"email": facilitator.email, "password": factories.PASSWORD,
                                       "csrf_token": token}).status_code == 302
    assert client.post(f"/exercises/runs/{run.id}/control", data={"action": "start"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(type(run), run.id).status == "ready"
    console = client.get(f"/exercises/runs/{run.id}/console").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', console).group(1)
    assert client.post(f"/exercises/runs/{run.id}/control", data={"action": "start", "csrf_token": token}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(run), run.id).status == "running"
