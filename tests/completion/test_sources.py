"""Completion rules read the post-test and course progress from the courses feature."""

from completion.queries import completion_rows
from completion.rules import Policy
from courses import attempts
from tests.courses.builders import enrolled, lessons, quiz


def test_post_test_and_course_completion_come_from_courses(db):
    done = enrolled()
    other = enrolled(course=done.course, cohort=done.cohort)
    for lesson in lessons(done.course):
        attempts.complete_lesson(done.enrolment.id, lesson.id)
    post = quiz(done.course, "t-post")
    attempt = attempts.start_attempt(done.enrolment, done.assignment, post)
    attempts.submit_attempt(attempt)  # no answers: 0 %
    db.session.flush()
    rows = {r.enrolment.id: r for r in completion_rows(done.cohort, Policy(min_post_test_pct=0,
                                                                           require_courses=True))}
    assert rows[done.enrolment.id].measures.post_test_pct == 0
    assert rows[done.enrolment.id].measures.courses_completed is True
    assert rows[done.enrolment.id].verdict.eligible
    assert rows[other.enrolment.id].measures.post_test_pct is None
    assert rows[other.enrolment.id].measures.courses_completed is False
    assert rows[other.enrolment.id].verdict.failed == ["post_test", "courses"]


def test_exercise_participation_comes_from_exercises(db):
    from sqlalchemy import select

    from tests import factories
    from tests.exercises import builders
    from trainees.models import Enrolment

    run, people, _s = builders.started_run()
    outsider = factories.enrolment(cohort_obj=run.cohort, status="confirmed")
    db.session.flush()
    rows = {r.enrolment.id: r for r in completion_rows(run.cohort, Policy(require_exercise=True))}
    player = db.session.scalar(select(Enrolment.id).where(Enrolment.trainee_id == people[0][0].id))
    assert rows[player].verdict.eligible and rows[player].measures.exercise_participated is True
    assert rows[outsider.id].verdict.failed == ["exercise"]
