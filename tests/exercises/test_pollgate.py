"""The poll gate in front of the app: 304 for a valid token and matching ETag, otherwise the app answers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from werkzeug.http import parse_etags

from exercises import pollgate
from tests.exercises import builders

NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def _state(status="running", next_due=30, started_minutes_ago=10, run_revision=4, team_revision=2, paused=None):
    started = NOW - timedelta(minutes=started_minutes_ago)
    return (run_revision, status, next_due, started, paused, 0, None, team_revision)


def test_not_modified_needs_the_current_etag_and_nothing_due():
    current = parse_etags('W/"r7.4.t3.2"')
    assert pollgate.not_modified(_state(), 7, 3, current, NOW) == "r7.4.t3.2"
    assert pollgate.not_modified(_state(team_revision=3), 7, 3, current, NOW) is None  # the team changed
    assert pollgate.not_modified(_state(run_revision=5), 7, 3, current, NOW) is None  # the run changed
    assert pollgate.not_modified(_state(started_minutes_ago=30), 7, 3, current, NOW) is None  # an inject is due
    paused = _state(started_minutes_ago=60, paused=NOW - timedelta(minutes=55))
    assert pollgate.not_modified(paused, 7, 3, current, NOW) == "r7.4.t3.2"  # paused: nothing falls due
    assert pollgate.not_modified(_state(status="ended", started_minutes_ago=99), 7, 3, current, NOW) == "r7.4.t3.2"


def _polling_player(db, signed_in):
    """A started run, its first player signed in, and the headers of that player's idle poll."""
    run, people, _s = builders.started_run()
    db.session.commit()
    player = signed_in(people[0][1])
    page = player.get(f"/exercises/play/{run.id}").get_data(as_text=True)
    token = re.search(r'data-poll-token="([^"]+)"', page).group(1)
    etag = player.get(f"/exercises/play/{run.id}/feed.json").headers["ETag"]
    return run, player, {"If-None-Match": etag, "X-Poll-Token": token}


def test_gate_passes_everything_else_to_the_app(app, db, signed_in, monkeypatch, gate_sees_test_data):
    run, player, headers = _polling_player(db, signed_in)
    anonymous = app.test_client()
    assert anonymous.get(f"/exercises/play/{run.id}/feed.json", headers=headers).status_code == 304
    assert anonymous.post(f"/exercises/play/{run.id}/feed.json", headers=headers).status_code != 304
    assert anonymous.get(f"/exercises/play/{run.id}", headers=headers).status_code == 302  # not the feed
    # any failure inside the gate falls back to the app and its full checks
    gate = app.wsgi_app
    monkeypatch.setattr(gate, "statement", "not a statement")
    assert anonymous.get(f"/exercises/play/{run.id}/feed.json", headers=headers).status_code == 302
    assert player.get(f"/exercises/play/{run.id}/feed.json", headers=headers).status_code == 304  # via the view


def test_gate_answers_with_the_apps_security_headers(app, db, signed_in, gate_sees_test_data):
    """The gate's 304 carries every header the app's own responses carry (it once lacked COOP)."""
    from core.security import SECURITY_HEADERS

    run, _player, headers = _polling_player(db, signed_in)
    gated = app.test_client().get(f"/exercises/play/{run.id}/feed.json", headers=headers)
    assert gated.status_code == 304 and gated.headers.get("Set-Cookie") is None
    for name, value in SECURITY_HEADERS:
        assert gated.headers.get(name) == value, name
    assert gated.headers["Cache-Control"] == "no-store"
