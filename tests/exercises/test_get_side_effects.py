"""Releasing due injects when the console or the player room is opened (or polled) is an idempotent side
effect of a GET: the first request releases, a repeated request changes nothing more."""

from __future__ import annotations

from sqlalchemy import select

from exercises.models import RunInject
from tests import factories
from tests.exercises import builders
from tests.snapshot import changed_tables, db_snapshot

SESSIONS = ("user_sessions",)  # signing in and being seen are not what these tests are about


def _status(db, run, title):
    db.session.expire_all()
    return db.session.scalar(select(RunInject.status).where(RunInject.run_id == run.id, RunInject.title == title))


def test_player_room_and_feed_release_once(client, db, signed_in):
    run, people, _s = builders.started_run(minutes_ago=11)
    db.session.commit()
    player = signed_in(people[0][1])
    assert _status(db, run, "Demand arrives") == "scheduled"
    assert player.get(f"/exercises/play/{run.id}").status_code == 200
    assert _status(db, run, "Demand arrives") == "released"
    first = db_snapshot(db, exclude=SESSIONS)
    for url in (f"/exercises/play/{run.id}", f"/exercises/play/{run.id}/feed.json") * 2:
        assert player.get(url).status_code == 200
    assert changed_tables(first, db_snapshot(db, exclude=SESSIONS)) == []


def test_console_and_its_poll_release_once(client, db, signed_in):
    facilitator = factories.user(role="organiser")
    run, _people, _s = builders.started_run(minutes_ago=11, facilitator=facilitator)
    db.session.commit()
    staff = signed_in(facilitator)
    assert staff.get(f"/exercises/runs/{run.id}/console.json").status_code == 200
    assert _status(db, run, "Demand arrives") == "released"
    first = db_snapshot(db, exclude=SESSIONS)
    for url in (f"/exercises/runs/{run.id}/console", f"/exercises/runs/{run.id}/console.json") * 2:
        assert staff.get(url).status_code == 200
    assert changed_tables(first, db_snapshot(db, exclude=SESSIONS)) == []


def test_a_response_and_the_release_it_triggers_are_one_commit(client, db, signed_in):
    """The respond route used to commit the release and then the response; now both land together."""
    run, people, _s = builders.started_run(minutes_ago=11)
    db.session.commit()
    player = signed_in(people[0][1])
    response = player.post(f"/exercises/play/{run.id}/respond", data={"kind": "response", "text": "We isolate."})
    assert response.status_code == 302  # a second commit in one request raises while testing (core.uow)
    assert _status(db, run, "Demand arrives") == "released"
