"""The trainee's pages (My training, My courses, course outline, lesson, quiz intro) run the same number of
queries with 100 and with 10,000 trainees in the cohort, each with attempts and lesson progress (issue 17):
nothing on them grows with other people's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from courses.models import Attempt, LessonProgress
from tests.courses.builders import enrolled, lessons, quiz
from trainees.models import Enrolment, Trainee

T0 = datetime(2025, 6, 1, 9, tzinfo=UTC)


def _grow(db, p, total: int) -> None:
    """Bring the cohort to ``total`` trainees, each with a submitted pre-test attempt and two lessons done."""
    start = db.session.scalar(select(func.count(Trainee.id)))
    db.session.execute(insert(Trainee), [
        {"family_name": f"Family{i}", "given_names": f"Given{i}", "email": f"pq{i}@example.org", "gender": "F",
         "nationality": "VN", "organisation_id": p.trainee.organisation_id} for i in range(start, total)])
    new = db.session.scalars(select(Trainee.id).where(Trainee.email.like("pq%")).order_by(Trainee.id)).all()
    new = new[len(new) - (total - start):]
    db.session.execute(insert(Enrolment), [{"trainee_id": t, "cohort_id": p.cohort.id, "status": "confirmed"}
                                           for t in new])
    enrolments = db.session.scalars(select(Enrolment.id).where(Enrolment.trainee_id.in_(new))).all()
    pre = quiz(p.course, "t-pre").id
    db.session.execute(insert(Attempt), [
        {"quiz_id": pre, "enrolment_id": e, "assignment_id": p.assignment.id, "number": 1, "started_at": T0,
         "submitted_at": T0 + timedelta(minutes=5), "score": float(e % 101), "layout": []} for e in enrolments])
    first_two = [lesson.id for lesson in lessons(p.course)[:2]]
    db.session.execute(insert(LessonProgress), [
        {"enrolment_id": e, "lesson_id": lid, "viewed_at": T0, "completed_at": T0}
        for e in enrolments for lid in first_two])
    db.session.commit()


def test_trainee_pages_run_the_same_queries_with_100_and_10000_trainees(client, db, login_as, count_queries):
    p = enrolled()
    pre = quiz(p.course, "t-pre")
    db.session.add(Attempt(quiz_id=pre.id, enrolment_id=p.enrolment.id, assignment_id=p.assignment.id, number=1,
                           started_at=T0, submitted_at=T0 + timedelta(minutes=5), score=80.0, layout=[]))
    db.session.commit()
    login_as(user=p.user)
    lesson = lessons(p.course)[1]
    pages = ["/me", "/learn/", f"/learn/{p.assignment.id}", f"/learn/{p.assignment.id}/lessons/{lesson.id}",
             f"/learn/{p.assignment.id}/quizzes/{pre.id}"]

    def counts() -> dict[str, int]:
        found = {}
        for url in pages:
            assert client.get(url).status_code == 200, url  # the first view of a lesson writes once: not counted
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            found[url] = counter.count
        return found

    _grow(db, p, 100)
    small = counts()
    _grow(db, p, 10_000)
    assert db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.cohort_id == p.cohort.id)) == 10_000
    assert db.session.scalar(select(func.count(Attempt.id))) == 10_000
    large = counts()
    assert large == small
    # the numbers as measured (signed-in user with its session row, then the page's own reads)
    assert small == {"/me": 5, "/learn/": 2, f"/learn/{p.assignment.id}": 4,
                     f"/learn/{p.assignment.id}/lessons/{lesson.id}": 5,
                     f"/learn/{p.assignment.id}/quizzes/{pre.id}": 5}, small
