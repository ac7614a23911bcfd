"""Writes on GET in the trainee portal are idempotent side effects: the first request writes (a lesson view,
the automatic submission of a timed-out attempt), a repeated request changes nothing more."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from courses.models import Attempt, LessonProgress
from tests.courses.builders import enrolled, lessons, quiz
from tests.courses.test_portal import _take_pre
from tests.snapshot import changed_tables, db_snapshot


def _expired_attempt(client, db, p):
    q = quiz(p.course, "t-pre")
    response = client.post(f"/learn/{p.assignment.id}/quizzes/{q.id}/start")
    attempt_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    attempt.deadline = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    return attempt


def test_opening_a_lesson_twice_records_one_view(client, db, login_as):
    p = enrolled()
    login_as(user=p.user)
    _take_pre(client, db, p)  # the lessons open after the pre-test
    lesson = next(item for item in lessons(p.course))
    url = f"/learn/{p.assignment.id}/lessons/{lesson.id}"
    assert client.get(url).status_code == 200
    first = db_snapshot(db)
    assert db.session.scalars(select(LessonProgress).where(LessonProgress.lesson_id == lesson.id)).one()
    assert client.get(url).status_code == 200
    assert changed_tables(first, db_snapshot(db)) == []


def test_timed_out_attempt_is_submitted_once_whichever_page_is_opened(client, db, login_as):
    p = enrolled()
    login_as(user=p.user)
    attempt = _expired_attempt(client, db, p)
    before = db_snapshot(db)
    pages = [f"/learn/{p.assignment.id}/quizzes/{attempt.quiz_id}", f"/learn/attempts/{attempt.id}",
             f"/learn/attempts/{attempt.id}/result"]
    assert client.get(pages[0]).status_code == 200
    first = db_snapshot(db)
    assert "attempts" in changed_tables(before, first)
    assert db.session.get(Attempt, attempt.id).submitted_at is not None
    for url in pages * 2:
        assert client.get(url).status_code in (200, 302)
    assert changed_tables(first, db_snapshot(db)) == []


def test_the_summary_page_submits_a_timed_out_attempt_once(client, db, login_as):
    p = enrolled()
    login_as(user=p.user)
    attempt = _expired_attempt(client, db, p)
    before = db_snapshot(db)
    url = f"/learn/attempts/{attempt.id}/summary"
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/learn/attempts/{attempt.id}/result")
    first = db_snapshot(db)
    assert "attempts" in changed_tables(before, first)
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).submitted_at is not None
    assert client.get(url).status_code == 302
    assert changed_tables(first, db_snapshot(db)) == []
