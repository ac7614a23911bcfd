"""Live play: schedule and pauses, manual release and skip, ad-hoc injects, the player room's isolation
and its 304 polling."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import utcnow
from core.errors import ServiceError
from exercises.models import ExerciseRun, RunInject, TeamResponse
from exercises.services import play, runs
from tests import factories
from tests.exercises import builders


def _inject(db, run, title):
    return db.session.scalar(select(RunInject).where(RunInject.run_id == run.id, RunInject.title == title))


def _released(db, run):
    return db.session.scalars(select(RunInject.title).where(RunInject.run_id == run.id,
                                                            RunInject.status == "released")
                              .order_by(RunInject.released_at, RunInject.id)).all()


def test_release_on_schedule_respects_pauses(db):
    run, _people, _s = builders.ready_run()
    t0 = utcnow() - timedelta(hours=3)
    runs.transition(run, "start", now=t0)
    assert _released(db, run) == ["Ransom note"]
    runs.transition(run, "pause", now=t0 + timedelta(minutes=5))
    assert play.release_due(run, t0 + timedelta(minutes=60)) == []  # paused: the schedule stops
    runs.transition(run, "resume", now=t0 + timedelta(minutes=60))
    assert play.release_due(run, t0 + timedelta(minutes=64, seconds=59)) == []  # 9:59 of running time
    released = play.release_due(run, t0 + timedelta(minutes=65))
    assert [i.title for i in released] == ["Demand arrives"]
    assert run.next_due_minutes == 60
    # the contingency inject is never released by the clock, however late
    later = play.release_due(run, t0 + timedelta(minutes=200))
    assert [i.title for i in later] == [builders.UNRELEASED_TITLE]
    assert _inject(db, run, "Contingency call").status == "scheduled"
    assert run.next_due_minutes is None
    demand = _inject(db, run, "Demand arrives")
    assert demand.release_mode == "auto" and demand.released_elapsed == 600


def test_manual_release_skip_and_no_double_release(db):
    run, _people, _s = builders.started_run()
    contingency = _inject(db, run, "Contingency call")
    play.release(run, contingency.id)
    assert contingency.status == "released" and contingency.release_mode == "manual"
    with pytest.raises(ServiceError):
        play.release(run, contingency.id)
    assert play._mark_released(run, contingency, utcnow(), "auto", None) is False  # a racing poll loses
    sealed = _inject(db, run, builders.UNRELEASED_TITLE)
    play.skip(run, sealed.id)
    assert sealed.status == "skipped"
    assert _inject(db, run, builders.UNRELEASED_TITLE).status == "skipped"  # skipped stays skipped
    other_run, _p, _s2 = builders.started_run()
    with pytest.raises(ServiceError):
        play.release(run, _inject(db, other_run, "Demand arrives").id)


def test_releasing_a_later_module_opens_its_situation(db):
    run, _people, _s = builders.started_run()
    assert run.current_module_position == 1
    play.release(run, _inject(db, run, builders.UNRELEASED_TITLE).id)
    db.session.flush()
    assert run.current_module_position == 2


def test_adhoc_inject_for_one_team_reaches_that_team_only(client, db, signed_in):
    run, people, _s = builders.started_run()
    team_a = builders.team_of(run, people[0][1].id)
    play.add_adhoc(run, title="Secret memo for one team", body="Only you", team_id=team_a.id, channel="email")
    db.session.commit()
    member_a = signed_in(people[0][1])
    member_b = signed_in(people[-1][1])
    assert builders.team_of(run, people[-1][1].id).id != team_a.id
    assert "Secret memo for one team" in member_a.get(f"/exercises/play/{run.id}").get_data(as_text=True)
    assert "Secret memo for one team" not in member_b.get(f"/exercises/play/{run.id}").get_data(as_text=True)
    assert "Secret memo" not in member_b.get(f"/exercises/play/{run.id}/feed.json").get_data(as_text=True)


def test_players_never_see_expected_actions_unreleased_injects_or_other_teams(client, db, signed_in):
    run, people, _s = builders.started_run()
    a_user, b_user = people[0][1], people[-1][1]
    team_a, team_b = builders.team_of(run, a_user.id), builders.team_of(run, b_user.id)
    assert team_a.id != team_b.id
    first = _inject(db, run, "Ransom note")
    play.post_response(run, team_a, a_user, inject_id=first.id, text="Team A isolates ward 4B", kind="decision")
    play.post_response(run, team_a, a_user, text="Team A general log entry")
    play.post_response(run, team_b, b_user, inject_id=first.id, text="Team B calls the vendor")
    db.session.commit()
    a, b = signed_in(a_user), signed_in(b_user)
    for client_, own, other in ((a, "Team A isolates", "Team B calls"), (b, "Team B calls", "Team A isolates")):
        for url in (f"/exercises/play/{run.id}", f"/exercises/play/{run.id}/feed.json"):
            body = client_.get(url).get_data(as_text=True)
            assert own in body and other not in body
            assert builders.SECRET_ACTION not in body and "Call Cyber Police" not in body
            assert builders.UNRELEASED_TITLE not in body and "Journalists outside" not in body
            assert "Contingency call" not in body
    assert "Team A general log entry" in a.get(f"/exercises/play/{run.id}").get_data(as_text=True)
    assert "Team A general log entry" not in b.get(f"/exercises/play/{run.id}/feed.json").get_data(as_text=True)
    # the situation text is shown with the country's values filled in
    assert "Call ThaiCERT" in a.get(f"/exercises/play/{run.id}").get_data(as_text=True)


def test_other_runs_draft_runs_and_unreleased_attachments_are_not_found(client, db, signed_in):
    run, people, _s = builders.started_run()
    other_run, other_people, _s2 = builders.started_run()
    draft_scenario = builders.scenario("Draft only")
    draft = runs.create_run(draft_scenario.id, run.cohort)
    runs.form_teams(draft, "nationality")
    db.session.commit()
    player = signed_in(people[0][1])
    for url in (f"/exercises/play/{other_run.id}", f"/exercises/play/{other_run.id}/feed.json",
                f"/exercises/play/{draft.id}", "/exercises/play/999999",
                f"/exercises/play/{run.id}/injects/{_inject(db, run, 'Ransom note').id}/attachment",
                f"/exercises/play/{run.id}/injects/{_inject(db, run, builders.UNRELEASED_TITLE).id}/attachment"):
        assert player.get(url).status_code == 404, url
    assert player.post(f"/exercises/play/{other_run.id}/respond", data={"text": "hi"}).status_code == 404
    assert player.get("/exercises/play").status_code == 200
    listing = player.get("/exercises/play").get_data(as_text=True)
    assert run.title in listing and "Draft only" not in listing
    assert player.get(f"/exercises/runs/{run.id}/console").status_code == 403


def test_responding_to_an_inject_the_team_cannot_see_is_refused_and_nothing_saved(client, db, signed_in):
    run, people, _s = builders.started_run()
    other_run, _op, _s2 = builders.started_run()
    team_b = builders.team_of(run, people[-1][1].id)
    hidden = play.add_adhoc(run, title="For team B only", team_id=team_b.id)
    db.session.commit()
    player = signed_in(people[0][1])
    for inject_id in (_inject(db, run, builders.UNRELEASED_TITLE).id, hidden.id,
                      _inject(db, other_run, "Ransom note").id):
        response = player.post(f"/exercises/play/{run.id}/respond", data={"inject_id": inject_id,
                                                                          "text": "Sneaky reply", "kind": "response"})
        assert response.status_code == 400
        assert "not available to your team" in response.get_data(as_text=True)
        assert "Sneaky reply" in response.get_data(as_text=True)  # the text is kept for the player
    assert db.session.scalar(select(TeamResponse).where(TeamResponse.text == "Sneaky reply")) is None
    ok = player.post(f"/exercises/play/{run.id}/respond",
                     data={"inject_id": _inject(db, run, "Ransom note").id, "text": "We isolate", "kind": "decision",
                           "decision_owner": "CSIRT lead"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"#inject-{_inject(db, run, 'Ransom note').id}")
    saved = db.session.scalar(select(TeamResponse).where(TeamResponse.text == "We isolate"))
    assert saved.kind == "decision" and saved.decision_owner == "CSIRT lead" and saved.author_id == people[0][1].id
    empty = player.post(f"/exercises/play/{run.id}/respond", data={"text": "  "})
    assert empty.status_code == 400


def test_responses_are_refused_after_the_end(db):
    run, people, _s = builders.started_run()
    runs.transition(run, "end")
    team = builders.team_of(run, people[0][1].id)
    with pytest.raises(ServiceError):
        play.post_response(run, team, people[0][1], text="Too late")


def test_feed_answers_304_until_something_changes_for_this_team(client, db, signed_in, count_queries):
    run, people, _s = builders.started_run()
    a_user, b_user = people[0][1], people[-1][1]
    db.session.commit()
    player = signed_in(a_user)
    url = f"/exercises/play/{run.id}/feed.json"
    with count_queries() as full:
        first = player.get(url)
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    etag = first.headers["ETag"]
    assert [i["id"] for i in first.get_json()["injects"]] == [_inject(db, run, "Ransom note").id]
    with count_queries() as idle:
        second = player.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 304 and second.data == b""
    assert idle.count <= 3, idle.statements
    assert full.count <= 3, full.statements
    # another team's response does not change this team's view (nor leak through the ETag)
    team_b = builders.team_of(run, b_user.id)
    play.post_response(db.session.get(ExerciseRun, run.id), team_b, b_user, text="B talks")
    db.session.commit()
    assert player.get(url, headers={"If-None-Match": etag}).status_code == 304
    # a release by the controller does
    play.release(db.session.get(ExerciseRun, run.id), _inject(db, run, "Contingency call").id)
    db.session.commit()
    third = player.get(url, headers={"If-None-Match": etag})
    assert third.status_code == 200 and third.headers["ETag"] != etag
    assert [i["id"] for i in third.get_json()["injects"]][0] == _inject(db, run, "Contingency call").id


def test_a_poll_releases_due_injects_lazily(client, db, signed_in):
    run, people, _s = builders.started_run(minutes_ago=11)
    db.session.commit()
    player = signed_in(people[0][1])
    data = player.get(f"/exercises/play/{run.id}/feed.json").get_json()
    assert [i["id"] for i in data["injects"]] == [_inject(db, run, "Demand arrives").id,
                                                  _inject(db, run, "Ransom note").id]  # newest first
    assert _inject(db, run, "Demand arrives").release_mode == "auto"


def test_console_shows_responses_and_stall_warnings(client, db, signed_in):
    facilitator = factories.user(role="organiser")
    run, people, _s = builders.started_run(minutes_ago=12, facilitator=facilitator)
    team_a = builders.team_of(run, people[0][1].id)
    play.post_response(run, team_a, people[0][1], inject_id=_inject(db, run, "Ransom note").id,
                       text="Team A answer for the console")
    db.session.commit()
    console = signed_in(facilitator).get(f"/exercises/runs/{run.id}/console.json").get_json()
    assert "Team A answer for the console" in console["responses"]
    assert console["status"] == "running" and console["elapsed"] >= 12 * 60
    assert "silent for 12 min" in console["teams"]  # the team that never answered, threshold 10
    assert console["teams"].count("silent for") == 1
    assert builders.SECRET_ACTION in console["msel"]  # staff do see expected actions


def _room_token(client_, run_id):
    page = client_.get(f"/exercises/play/{run_id}").get_data(as_text=True)
    return re.search(r'data-etag="([^"]+)"', page).group(1).replace("&#34;", '"'), \
        re.search(r'data-poll-token="([^"]+)"', page).group(1)


def test_poll_gate_answers_304_for_a_valid_token_with_one_query_and_nothing_else(app, db, signed_in, count_queries,
                                                                                gate_sees_test_data):
    run, people, _s = builders.started_run()
    db.session.commit()
    player = signed_in(people[0][1])
    etag, token = _room_token(player, run.id)
    url = f"/exercises/play/{run.id}/feed.json"
    anonymous = app.test_client()  # the token alone (no session) may only ever yield a 304
    with count_queries() as fast:
        response = anonymous.get(url, headers={"If-None-Match": etag, "X-Poll-Token": token})
    assert response.status_code == 304 and response.data == b"" and fast.count == 1
    # anything but a matching ETag takes the normal, signed-in path
    assert anonymous.get(url, headers={"If-None-Match": 'W/"stale"', "X-Poll-Token": token}).status_code == 302
    assert anonymous.get(url, headers={"X-Poll-Token": token}).status_code == 302
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert anonymous.get(url, headers={"If-None-Match": etag, "X-Poll-Token": tampered}).status_code == 302
    other_run, _p, _s2 = builders.started_run()
    db.session.commit()
    assert anonymous.get(f"/exercises/play/{other_run.id}/feed.json",
                         headers={"If-None-Match": etag, "X-Poll-Token": token}).status_code == 302
    # a change for the team ends the 304s; the signed-in player gets the new content
    play.release(db.session.get(ExerciseRun, run.id), _inject(db, run, "Contingency call").id)
    db.session.commit()
    assert anonymous.get(url, headers={"If-None-Match": etag, "X-Poll-Token": token}).status_code == 302
    fresh = player.get(url, headers={"If-None-Match": etag, "X-Poll-Token": token})
    assert fresh.status_code == 200 and "Contingency call" in fresh.get_data(as_text=True)


def test_poll_gate_stops_answering_when_the_player_leaves_the_team_or_an_inject_falls_due(app, db, signed_in,
                                                                                      gate_sees_test_data):
    run, people, _s = builders.ready_run()
    db.session.commit()
    player = signed_in(people[0][1])
    etag, token = _room_token(player, run.id)
    url = f"/exercises/play/{run.id}/feed.json"
    anonymous = app.test_client()
    assert anonymous.get(url, headers={"If-None-Match": etag, "X-Poll-Token": token}).status_code == 304
    runs.move_member(db.session.get(ExerciseRun, run.id), people[0][0].id, None)
    db.session.commit()
    assert anonymous.get(url, headers={"If-None-Match": etag, "X-Poll-Token": token}).status_code == 302
    assert player.get(url).status_code == 404

    started, others, _s2 = builders.started_run()
    db.session.commit()
    player2 = signed_in(others[0][1])
    etag2, token2 = _room_token(player2, started.id)
    url2 = f"/exercises/play/{started.id}/feed.json"
    assert anonymous.get(url2, headers={"If-None-Match": etag2, "X-Poll-Token": token2}).status_code == 304
    started = db.session.get(ExerciseRun, started.id)
    started.started_at = started.started_at - timedelta(minutes=11)  # eleven minutes of play pass
    db.session.commit()
    assert anonymous.get(url2, headers={"If-None-Match": etag2, "X-Poll-Token": token2}).status_code == 302
    due = player2.get(url2, headers={"If-None-Match": etag2, "X-Poll-Token": token2})
    assert due.status_code == 200 and "Demand arrives" in due.get_data(as_text=True)


def test_console_module_selector_offers_the_module_after_the_current_one(client, db, signed_in):
    """The selector used to stay on module 1 whatever was open; it now follows the run: the next module
    is preselected, or the current one when it is the last."""
    import re

    facilitator = factories.user(role="organiser")
    run, _people, _s = builders.started_run(facilitator=facilitator)
    db.session.commit()
    page = signed_in(facilitator).get(f"/exercises/runs/{run.id}/console").get_data(as_text=True)
    selected = re.findall(r'<option selected value="\d+">([^<]*)</option>', page)
    assert selected == ["2. Day two"]
    play.release(run, _inject(db, run, builders.UNRELEASED_TITLE).id)  # opens module 2, the last one
    db.session.commit()
    page = signed_in(facilitator).get(f"/exercises/runs/{run.id}/console").get_data(as_text=True)
    assert re.findall(r'<option selected value="\d+">([^<]*)</option>', page) == ["2. Day two"]
    assert "<strong>2. Day two</strong>" in page
