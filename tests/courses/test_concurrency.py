"""PostgreSQL only: concurrent submissions. 50 distinct attempts submitted at the same moment are each
recorded exactly once, and two simultaneous submits of the same attempt score it once."""

import contextlib
import threading

import pytest
from sqlalchemy import func, select, text

from core.extensions import db
from courses import attempts, grading
from courses.models import Answer, Attempt
from tests.conftest import TEST_DATABASE_URL, make_test_app
from tests.courses.builders import enrolled, quiz, sample_course

pytestmark = pytest.mark.skipif(not (TEST_DATABASE_URL or "").startswith("postgresql"),
                                reason="needs PostgreSQL (set KAKEHASHI_TEST_DATABASE_URL)")


@pytest.fixture
def committed(app):
    """Real commits visible to other connections; every table is emptied afterwards."""
    with app.app_context():
        yield
        db.session.remove()
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            # The report data version row exists from table creation on (core.reporting); put it back.
            conn.execute(text("INSERT INTO data_versions (name, version) VALUES ('reports', 0)"))


def _run_together(database_url, targets):
    app = make_test_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": len(targets) + 2, "max_overflow": 0})
    barrier = threading.Barrier(len(targets))
    errors = []

    def worker(attempt_id):
        try:
            with app.app_context():
                attempt = db.session.get(Attempt, attempt_id)
                attempt_qid = attempt.question_ids[0]
                db.session.connection()  # hold a pooled connection so all threads really run at once
                barrier.wait(timeout=60)
                with contextlib.suppress(attempts.AttemptClosed):
                    attempts.save_answers(attempt, {attempt_qid: ["1"]})
                attempts.submit_attempt(attempt)
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with app.app_context():
        db.engine.dispose()
    assert errors == []


def test_fifty_concurrent_submissions_each_recorded_once(database_url, committed, monkeypatch):
    course = sample_course()
    first = enrolled(course=course)
    ids = []
    for i in range(50):
        p = first if i == 0 else enrolled(course=course, cohort=first.cohort)
        ids.append(attempts.start_attempt(p.enrolment, p.assignment, quiz(course, "t-pre")).id)
    db.session.commit()
    calls = []
    original = grading.attempt_percent
    lock = threading.Lock()

    def counting(fractions):
        with lock:
            calls.append(1)
        return original(fractions)

    monkeypatch.setattr(grading, "attempt_percent", counting)
    _run_together(database_url, ids + ids[:10])  # 50 distinct attempts, 10 of them submitted twice at once
    db.session.expire_all()
    rows = db.session.execute(select(Attempt.id, Attempt.submitted_at, Attempt.score).where(Attempt.id.in_(ids)))
    rows = rows.all()
    assert len(rows) == 50 and all(r.submitted_at is not None and r.score == 25.0 for r in rows)
    assert len(calls) == 50  # each attempt scored exactly once
    per_attempt = db.session.execute(select(Answer.attempt_id, func.count()).group_by(Answer.attempt_id)).all()
    assert sorted(n for _a, n in per_attempt) == [4] * 50
