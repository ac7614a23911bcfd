"""Tasks through the configured queue storage (memory in the plain suite; Redis in the CI Redis stage).

The rest of the suite runs tasks synchronously (``JOBS_IMMEDIATE``); these tests switch that off, so a
task is serialised into the storage, taken out again as a worker would, and executed.
Set ``KAKEHASHI_JOBS_STORAGE_URL=redis://127.0.0.1:6379/<db>`` to run them on Redis.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.jobs import FailedJob, huey, job
from core.mailqueue import SENT, OutgoingMail, queue_mail


@pytest.fixture
def queued(monkeypatch):
    """Tasks go into the storage instead of running at once; ``run()`` works the queue like a consumer."""
    huey.flush()
    monkeypatch.setattr(huey, "_immediate", False)

    def run(limit: int = 100) -> int:
        done = 0
        while done < limit and (task := huey.dequeue()) is not None:
            huey.execute(task)
            done += 1
        return done

    yield run
    huey.flush()


@job(retries=1, retry_delay=0)
def _always_fails(label: str) -> None:
    raise RuntimeError(f"broken {label}")


def test_the_storage_is_the_configured_one(app):
    url = app.config["JOBS_STORAGE_URL"]
    assert type(huey.storage).__name__ == ("RedisStorage" if url.startswith("redis") else "MemoryStorage")


def test_committed_mail_is_delivered_through_the_queue_storage_once(app, db, outbox, queued):
    queue_mail("q@example.org", "Q", "Body")
    db.session.commit()
    assert outbox == [] and huey.pending_count() == 1  # serialised into the storage, not run
    assert queued() == 1
    assert [m.subject for m in outbox] == ["Q"]
    db.session.expire_all()
    assert db.session.scalar(select(OutgoingMail.status)) == SENT
    # the same task delivered a second time (a worker crashed before acknowledging it) sends nothing
    from core.mailqueue import deliver_mail

    deliver_mail([db.session.scalar(select(OutgoingMail.id))])
    assert queued() == 1 and len(outbox) == 1


def test_a_task_failing_for_good_is_retried_then_recorded(app, db, queued):
    _always_fails("x")
    assert queued(limit=1) == 1  # the first attempt fails; Huey puts the retry back (no delay here)
    assert huey.pending_count() == 1 and db.session.scalar(select(FailedJob.id)) is None
    assert queued() == 1  # the retry fails too: recorded for the admin's jobs page
    db.session.expire_all()
    [failed] = db.session.scalars(select(FailedJob)).all()
    assert failed.task_path.endswith("_always_fails") and "broken x" in failed.error


@job(retries=0)
def _link_for_home() -> str:
    from flask import url_for

    return url_for("accounts.home", _external=True)


def test_a_task_in_a_worker_builds_absolute_links_without_server_name(database_url):
    """A worker has no request: links in mail and notifications come from PUBLIC_BASE_URL."""
    from core.jobs import _state
    from tests.conftest import make_test_app

    previous = _state["app"]
    app = make_test_app(database_url, SERVER_NAME=None, PUBLIC_BASE_URL="https://kakehashi.example.org")
    try:
        _state["app"] = app  # as in a worker process: no app context, no request
        assert _link_for_home.call_local() == "https://kakehashi.example.org/"
    finally:
        _state["app"] = previous
