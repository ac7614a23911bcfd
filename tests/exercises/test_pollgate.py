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


def test_gate_passes_everything_else_to_the_app(app, db, signed_in, monkeypatch, gate_sees_test_data):
    run, people, _s = builders.started_run()
    db.session.commit()
    player = signed_in(people[0][1])
    page = player.get(f"/exercises/play/{run.id}").get_data(as_text=True)
    token = re.search(r'data-poll-token="([^"]+)"', page).group(1)
    etag = player.get(f"/exercises/play/{run.id}/feed.json").headers["ETag"]
    anonymous = app.test_client()
    headers = {"If-None-Match": etag, "X-Poll-Token": token}
    assert anonymous.get(f"/exercises/play/{run.id}/feed.json", headers=headers).status_code == 304
    assert anonymous.post(f"/exercises/play/{run.id}/feed.json", headers=headers).status_code != 304
    assert anonymous.get(f"/exercises/play/{run.id}", headers=headers).status_code == 302  # not the feed
    # any failure inside the gate falls back to the app and its full checks
    gate = app.wsgi_app
    monkeypatch.setattr(gate, "statement", "not a statement")
    assert anonymous.get(f"/exercises/play/{run.id}/feed.json", headers=headers).status_code == 302
    assert player.get(f"/exercises/play/{run.id}/feed.json", headers=headers).status_code == 304  # via the view


SECURITY_HEADER_NAMES = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
                         "Cross-Origin-Opener-Policy", "Cache-Control", "Strict-Transport-Security")


def _security(response) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in SECURITY_HEADER_NAMES}


def test_gate_sends_the_same_security_headers_as_every_page(app, db, signed_in, gate_sees_test_data):
    """The gate's 304 carries the headers of ``core.security`` (it once had a hand-copied list without COOP)."""
    from core.security import SECURITY_HEADERS

    run, people, _s = builders.started_run()
    db.session.commit()
    player = signed_in(people[0][1])
    page = player.get(f"/exercises/play/{run.id}")
    token = re.search(r'data-poll-token="([^"]+)"', page.get_data(as_text=True)).group(1)
    etag = player.get(f"/exercises/play/{run.id}/feed.json").headers["ETag"]
    headers = {"If-None-Match": etag, "X-Poll-Token": token}
    for scheme in ("http", "https"):
        gate = app.test_client().get(f"/exercises/play/{run.id}/feed.json", headers=headers, base_url=f"{scheme}://localhost")
        view = player.get(f"/exercises/play/{run.id}/feed.json", headers=headers, base_url=f"{scheme}://localhost")
        normal = player.get(f"/exercises/play/{run.id}", base_url=f"{scheme}://localhost")
        assert gate.status_code == 304 and view.status_code == 304 and normal.status_code == 200
        assert "Set-Cookie" not in gate.headers
        assert _security(gate) == _security(view) == _security(normal), scheme
        assert all(gate.headers.get(name) == value for name, value in SECURITY_HEADERS)
        assert (gate.headers.get("Strict-Transport-Security") is not None) == (scheme == "https")


def test_gate_follows_a_session_lifetime_given_in_seconds_by_the_environment(tmp_path, monkeypatch):
    """``KAKEHASHI_PERMANENT_SESSION_LIFETIME=90`` (a number of seconds) starts the site; tokens live 90 s."""
    from app import create_app
    from core import jobs

    # create_app() rebinds the one task queue: put it back as the test suite's app left it afterwards.
    for name in ("_immediate", "storage", "storage_class", "storage_kwargs"):
        monkeypatch.setattr(jobs.huey, name, getattr(jobs.huey, name))
    monkeypatch.setitem(jobs._state, "app", jobs._state["app"])
    monkeypatch.setenv("KAKEHASHI_PERMANENT_SESSION_LIFETIME", "90")
    monkeypatch.setenv("KAKEHASHI_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'life.sqlite3'}")
    monkeypatch.setenv("KAKEHASHI_SECRET_KEY", "lifetime-test")
    monkeypatch.setenv("KAKEHASHI_JOBS_STORAGE_URL", "memory://")
    monkeypatch.setenv("KAKEHASHI_JOBS_EMBEDDED_CONSUMER", "false")
    app = create_app()
    assert app.permanent_session_lifetime == timedelta(seconds=90)
    assert app.wsgi_app.max_age == 90
    with app.app_context():
        from core.extensions import db

        db.engine.dispose()


def test_gate_reads_committed_state_through_its_own_connection(tmp_path, monkeypatch):
    """The gate's own read (a pooled DBAPI connection, compiled statement, the dialect's processors — not the
    test suite's swapped-in connection): 304 while nothing changed; the app answers once an inject falls due
    (the start time comes back as a datetime, not SQLite's text), for a tampered or an expired token, and after
    a failed read (its connection is discarded, the next poll works again)."""
    from app import create_app
    from core import jobs
    from exercises.models import ExerciseRun
    from exercises.views.play import poll_token

    for name in ("_immediate", "storage", "storage_class", "storage_kwargs"):
        monkeypatch.setattr(jobs.huey, name, getattr(jobs.huey, name))
    monkeypatch.setitem(jobs._state, "app", jobs._state["app"])
    monkeypatch.setenv("KAKEHASHI_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'gate.sqlite3'}")
    monkeypatch.setenv("KAKEHASHI_SECRET_KEY", "gate-test")
    monkeypatch.setenv("KAKEHASHI_JOBS_STORAGE_URL", "memory://")
    monkeypatch.setenv("KAKEHASHI_JOBS_EMBEDDED_CONSUMER", "false")
    app = create_app()
    from core.extensions import db

    with app.app_context(), app.test_request_context():
        run, people, _s = builders.started_run()
        db.session.commit()
        team = builders.team_of(run, people[0][1].id)
        token = poll_token(run.id, team.id, people[0][1].id)
        headers = {"If-None-Match": f'W/"{pollgate.etag_for(run.id, run.revision, team.id, team.revision)}"',
                   "X-Poll-Token": token}
        run_id = run.id
    url = f"/exercises/play/{run_id}/feed.json"
    client = app.test_client()
    gate = app.wsgi_app
    try:
        assert client.get(url, headers=headers).status_code == 304
        assert client.get(url, headers=headers).status_code == 304  # the verified token, remembered
        tampered = {**headers, "X-Poll-Token": token[:-2] + ("AA" if not token.endswith("AA") else "BB")}
        assert client.get(url, headers=tampered).status_code == 302
        real_time = pollgate.time.time
        monkeypatch.setattr(pollgate.time, "time", lambda: real_time() + gate.max_age + 5)
        assert client.get(url, headers=headers).status_code == 302  # expired, although remembered
        monkeypatch.setattr(pollgate.time, "time", real_time)
        assert client.get(url, headers=headers).status_code == 304
        from sqlalchemy import event

        invalidated = []
        event.listen(gate._engine, "invalidate", lambda *args: invalidated.append(args))
        good = gate._compiled_for
        gate._compiled_for = (good[0], "SELECT * FROM no_such_table", *good[2:])  # the read fails
        assert client.get(url, headers=headers).status_code == 302  # the app answered
        assert len(invalidated) == 1  # and the connection was not put back into the pool
        gate._compiled_for = good
        assert client.get(url, headers=headers).status_code == 304
        with app.app_context():
            started = db.session.get(ExerciseRun, run_id)
            started.started_at = started.started_at - timedelta(minutes=11)  # an inject falls due
            db.session.commit()
        assert client.get(url, headers=headers).status_code == 302
    finally:
        with app.app_context():
            db.engine.dispose()
        gate._engine.dispose()
