"""The trainee portal's plain-column reads (courses.queries) give what the ORM objects they replaced gave, and
keep the same scope: the trainee's own enrolment, a quiz of the assignment's own course."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from courses import queries
from courses.models import Attempt, Course, Quiz
from tests import factories
from tests.courses.builders import enrolled, quiz

T0 = datetime(2025, 6, 1, 9, tzinfo=UTC)


def test_portal_context_has_the_assignment_course_and_enrolment(db):
    p = enrolled()
    db.session.commit()
    assignment, enrolment = queries.portal_context(p.user.id, p.assignment.id)
    for name in ("id", "course_id", "opens_on", "due_on", "pre_test_id", "post_test_id"):
        assert getattr(assignment, name) == getattr(p.assignment, name), name
    for name in ("id", "title", "summary", "language"):
        assert getattr(assignment.course, name) == getattr(p.course, name), name
    assert enrolment.id == p.enrolment.id


def test_portal_context_is_none_outside_the_trainees_scope(db):
    p = enrolled()
    other = enrolled(course=p.course, cohort=factories.cohort())
    nominated = enrolled(course=p.course, cohort=factories.cohort(), status="nominated")
    db.session.commit()
    assert queries.portal_context(p.user.id, other.assignment.id) is None  # another cohort's assignment
    assert queries.portal_context(nominated.user.id, nominated.assignment.id) is None  # not a portal status
    p.course.is_published = False
    db.session.commit()
    assert queries.portal_context(p.user.id, p.assignment.id) is None


def _quiz_of_another_course(db, code: str) -> Quiz:
    other_course = Course(code=code, title="Another course")
    db.session.add(other_course)
    db.session.flush()
    foreign = Quiz(course_id=other_course.id, key="x", title="Another course's quiz")
    db.session.add(foreign)
    db.session.commit()
    return foreign


def test_portal_quiz_is_the_quiz_of_that_course_only(db):
    p = enrolled()
    pre = quiz(p.course, "t-pre")
    foreign = _quiz_of_another_course(db, "OTHER-1")
    row = queries.portal_quiz(p.course.id, pre.id)
    for name in ("id", "title", "instructions", "kind", "time_limit_minutes", "max_attempts", "pass_mark",
                 "feedback"):
        assert getattr(row, name) == getattr(pre, name), name
    assert queries.portal_quiz(p.course.id, foreign.id) is None
    assert queries.portal_quiz(p.course.id, foreign.id + 1000) is None


def test_attempt_history_equals_the_orm_attempts(db):
    p = enrolled()
    pre = quiz(p.course, "t-pre")
    other = enrolled(course=p.course, cohort=p.cohort)
    db.session.add_all([
        Attempt(quiz_id=pre.id, enrolment_id=p.enrolment.id, assignment_id=p.assignment.id, number=2,
                started_at=T0 + timedelta(hours=1), deadline=T0 + timedelta(hours=2), layout=[]),
        Attempt(quiz_id=pre.id, enrolment_id=p.enrolment.id, assignment_id=p.assignment.id, number=1, started_at=T0,
                submitted_at=T0 + timedelta(minutes=5), auto_submitted=True, score=75.0, layout=[]),
        Attempt(quiz_id=pre.id, enrolment_id=other.enrolment.id, assignment_id=p.assignment.id, number=1,
                started_at=T0, layout=[]),
    ])
    db.session.commit()
    rows = queries.attempt_history(p.enrolment.id, pre.id)
    orm = queries.trainee_attempts(p.enrolment.id, pre.id)
    assert [a.number for a in rows] == [1, 2]
    names = ("id", "number", "started_at", "deadline", "submitted_at", "auto_submitted", "score")
    assert [tuple(getattr(a, n) for n in names) for a in rows] == [tuple(getattr(a, n) for n in names) for a in orm]


def test_quiz_page_of_another_course_or_no_quiz_is_404(client, db, login_as):
    p = enrolled()
    foreign = _quiz_of_another_course(db, "OTHER-2")
    login_as(user=p.user)
    assert client.get(f"/learn/{p.assignment.id}/quizzes/{quiz(p.course, 't-pre').id}").status_code == 200
    assert client.get(f"/learn/{p.assignment.id}/quizzes/{foreign.id}").status_code == 404
    assert client.get(f"/learn/{p.assignment.id}/quizzes/{foreign.id + 1000}").status_code == 404


def test_kind_labels_are_the_kind_labels_in_the_pages_language(app):
    from flask_babel import force_locale

    from courses.forms import KIND_LABELS, kind_labels

    for lang in ("en", "ja", "en"):
        with app.test_request_context("/"), force_locale(lang):
            assert dict(kind_labels()) == {kind: str(label) for kind, label in KIND_LABELS.items()}
    with app.test_request_context("/"), force_locale("ja"):
        assert kind_labels()["pre_test"] != "Pre-test"  # translated


def test_portal_lesson_equals_the_orm_lesson(db):
    from courses.models import Lesson
    from tests.courses.builders import lessons, sample_course

    course = sample_course()
    lesson = lessons(course)[0]
    lesson.attachment_key, lesson.attachment_name, lesson.attachment_size = "k" * 32, "notes.pdf", 2048
    db.session.commit()
    row = queries.portal_lesson(lesson.id)
    orm = db.session.get(Lesson, lesson.id)
    for name in ("id", "title", "body_html", "minutes", "attachment_key", "attachment_name", "attachment_size"):
        assert getattr(row, name) == getattr(orm, name), name
    assert row.body_html
    assert queries.portal_lesson(lesson.id + 1000) is None


def test_outline_quizzes_equal_the_quizzes_and_the_quiz_statuses(db):
    p = enrolled()
    pre, m1 = quiz(p.course, "t-pre"), quiz(p.course, "t-m1")
    other = enrolled(course=p.course, cohort=p.cohort)
    db.session.add_all([
        Attempt(quiz_id=pre.id, enrolment_id=p.enrolment.id, assignment_id=p.assignment.id, number=1, started_at=T0,
                submitted_at=T0 + timedelta(minutes=5), score=40.0, layout=[]),
        Attempt(quiz_id=pre.id, enrolment_id=p.enrolment.id, assignment_id=p.assignment.id, number=2,
                started_at=T0 + timedelta(hours=1), submitted_at=T0 + timedelta(hours=2), score=80.0, layout=[]),
        Attempt(quiz_id=m1.id, enrolment_id=p.enrolment.id, assignment_id=p.assignment.id, number=1,
                started_at=T0, layout=[]),  # open
        Attempt(quiz_id=m1.id, enrolment_id=other.enrolment.id, assignment_id=p.assignment.id, number=1,
                started_at=T0, submitted_at=T0, score=100.0, layout=[]),  # someone else's
    ])
    db.session.commit()
    quizzes, statuses = queries.outline_quizzes(p.course.id, p.enrolment.id)
    assert [(q.id, q.title, q.kind, q.module_id) for q in quizzes] == \
        [(q.id, q.title, q.kind, q.module_id) for q in queries.course_quizzes(p.course.id)]
    assert statuses == queries.outline_state(p.enrolment.id, p.assignment, []).quizzes  # the separate query's
    assert statuses[pre.id].best == 80.0 and statuses[pre.id].submitted == 2 and statuses[m1.id].submitted == 0
    assert statuses[m1.id].open_attempt_id is not None and set(statuses) == {pre.id, m1.id}
    assert {q.id: q.status for q in quizzes if q.status is not None} == statuses


def _gate_and_state(p):
    assignment, enrolment = queries.portal_context(p.user.id, p.assignment.id)
    gate = queries.quiz_gate(assignment, enrolment.id)
    modules, viewed, completed = queries.course_progress(assignment.course_id, enrolment.id)
    lesson_ids = [lesson.id for module in modules for lesson in module.lessons]
    state = queries.outline_state(enrolment.id, assignment, lesson_ids, (viewed, completed))
    return gate, state


def _same(gate, state):
    assert (gate.lessons_total, gate.lessons_completed) == (state.lessons_total, len(state.completed))
    for name in ("pre_required", "pre_done", "content_locked", "all_lessons_done", "post_unlocked"):
        assert getattr(gate, name) == getattr(state, name), name


def test_quiz_gate_reads_as_the_outline_state(db):
    from courses import attempts
    from tests.courses.builders import lessons

    p = enrolled()
    other = enrolled(course=p.course, cohort=p.cohort)
    pre = quiz(p.course, "t-pre")
    db.session.commit()
    gate, state = _gate_and_state(p)
    _same(gate, state)
    assert gate.content_locked and not gate.post_unlocked
    db.session.add_all([  # someone else's submitted pre-test, then the trainee's open one: still locked
        Attempt(quiz_id=pre.id, enrolment_id=other.enrolment.id, assignment_id=p.assignment.id, number=1,
                started_at=T0, submitted_at=T0, score=50.0, layout=[]),
        Attempt(quiz_id=pre.id, enrolment_id=p.enrolment.id, assignment_id=p.assignment.id, number=1,
                started_at=T0, layout=[]),
    ])
    for lesson in lessons(p.course):
        attempts.complete_lesson(other.enrolment.id, lesson.id)
    db.session.commit()
    gate, state = _gate_and_state(p)
    _same(gate, state)
    assert gate.content_locked
    db.session.add(Attempt(quiz_id=pre.id, enrolment_id=p.enrolment.id, assignment_id=p.assignment.id, number=2,
                           started_at=T0, submitted_at=T0, score=10.0, layout=[]))
    all_lessons = lessons(p.course)
    attempts.record_lesson_view(p.enrolment.id, all_lessons[0].id)  # viewed, not completed
    for lesson in all_lessons[1:]:
        attempts.complete_lesson(p.enrolment.id, lesson.id)
    db.session.commit()
    gate, state = _gate_and_state(p)
    _same(gate, state)
    assert not gate.content_locked and not gate.post_unlocked
    attempts.complete_lesson(p.enrolment.id, all_lessons[0].id)
    db.session.commit()
    gate, state = _gate_and_state(p)
    _same(gate, state)
    assert gate.post_unlocked


def test_quiz_gate_without_a_pre_test(db):
    p = enrolled(pre_post=False)
    db.session.commit()
    gate, state = _gate_and_state(p)
    _same(gate, state)
    assert not gate.pre_required and not gate.content_locked
