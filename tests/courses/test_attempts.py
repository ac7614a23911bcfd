"""Attempt rules on the service layer: drawing, resuming, maximum attempts, server-side deadline,
autosave, exactly-once submission, random draws by tag, lesson progress."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.errors import ServiceError
from courses import attempts, services
from courses.models import Answer, Attempt, LessonProgress, Question
from tests.courses.builders import enrolled, lessons, quiz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _ids(portal, key):
    return [i.question_id for i in quiz(portal.course, key).items]


def _qid(key, db):
    return db.session.scalar(select(Question.id).where(Question.key == key))


def test_start_resume_and_max_attempts(db):
    p = enrolled()
    pre = quiz(p.course, "t-pre")
    first = attempts.start_attempt(p.enrolment, p.assignment, pre, now=T0)
    assert first.question_ids == _ids(p, "t-pre")
    assert first.deadline.replace(tzinfo=UTC) == T0 + timedelta(minutes=30)
    assert attempts.start_attempt(p.enrolment, p.assignment, pre, now=T0 + timedelta(minutes=1)).id == first.id
    attempts.submit_attempt(first, now=T0 + timedelta(minutes=2))
    with pytest.raises(ServiceError, match="used all 1 attempts"):
        attempts.start_attempt(p.enrolment, p.assignment, pre, now=T0 + timedelta(minutes=3))


def test_autosave_upserts_one_row_per_question(db):
    p = enrolled()
    att = attempts.start_attempt(p.enrolment, p.assignment, quiz(p.course, "t-pre"), now=T0)
    q1 = att.question_ids[0]
    attempts.save_answers(att, {q1: ["0"]}, now=T0 + timedelta(minutes=1))
    attempts.save_answers(att, {q1: ["1"], 999999: ["1"]}, now=T0 + timedelta(minutes=2))
    assert attempts.saved_responses(att) == {q1: 1}
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.attempt_id == att.id)) == 1


def test_answers_after_deadline_refused_and_attempt_auto_submitted(db):
    p = enrolled()
    att = attempts.start_attempt(p.enrolment, p.assignment, quiz(p.course, "t-pre"), now=T0)
    soa, tlp = _qid("t-001", db), _qid("t-006", db)
    attempts.save_answers(att, {soa: ["1"]}, now=T0 + timedelta(minutes=29))
    # within the 5-second grace the answer is still taken
    attempts.save_answers(att, {tlp: ["2"]}, now=T0 + timedelta(minutes=30, seconds=4))
    with pytest.raises(attempts.AttemptClosed, match="Time is up"):
        attempts.save_answers(att, {_qid("t-005", db): ["report"]}, now=T0 + timedelta(minutes=31))
    db.session.refresh(att)
    assert att.auto_submitted is True
    assert att.submitted_at.replace(tzinfo=UTC) == T0 + timedelta(minutes=30)
    assert att.score == 50.0  # 2 of 4 right; the late answer was not saved
    assert _qid("t-005", db) not in {k for k, v in attempts.saved_responses(att).items() if v is not None}


def test_next_request_after_expiry_submits(db):
    p = enrolled()
    att = attempts.start_attempt(p.enrolment, p.assignment, quiz(p.course, "t-pre"), now=T0)
    assert attempts.finalise_if_expired(att, T0 + timedelta(minutes=10)) is False
    assert attempts.finalise_if_expired(att, T0 + timedelta(hours=2)) is True
    assert att.submitted_at is not None and att.score == 0.0


def test_double_submit_scores_once(db):
    p = enrolled()
    att = attempts.start_attempt(p.enrolment, p.assignment, quiz(p.course, "t-pre"), now=T0)
    attempts.save_answers(att, {_qid("t-001", db): ["1"], _qid("t-002", db): ["0", "1"]}, now=T0)
    first = attempts.submit_attempt(att, now=T0 + timedelta(minutes=5))
    score, submitted = first.score, first.submitted_at
    assert score == pytest.approx(100 * (1 + 2 / 3) / 4, abs=0.01)
    # a second submit (double click, retry) after a change attempt returns the stored result untouched
    db.session.execute(Answer.__table__.update().where(Answer.attempt_id == att.id).values(response="2"))
    again = attempts.submit_attempt(att, now=T0 + timedelta(minutes=9))
    assert (again.score, again.submitted_at) == (score, submitted)
    with pytest.raises(attempts.AttemptClosed):
        attempts.save_answers(att, {_qid("t-001", db): ["0"]}, now=T0 + timedelta(minutes=10))
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.attempt_id == att.id)) == 4


def test_random_quiz_draws_by_tag_once_per_attempt(db):
    p = enrolled()
    q = services.create_quiz(p.course, {"title": "Random first", "selection": "random", "random_count": 2,
                                        "random_tag": "first:6.1"})
    tagged = {_qid("t-005", db), _qid("t-007", db)}
    att = attempts.start_attempt(p.enrolment, p.assignment, q, now=T0, rng=random.Random(1))
    assert set(att.question_ids) == tagged
    again = attempts.start_attempt(p.enrolment, p.assignment, q, now=T0 + timedelta(minutes=1))
    assert again.layout == att.layout
    with pytest.raises(ServiceError, match="Only 2 questions"):
        services.create_quiz(p.course, {"title": "Too many", "selection": "random", "random_count": 3,
                                        "random_tag": "first:6.1"})


def test_shuffle_keeps_responses_in_original_option_indices(db):
    p = enrolled()
    post = quiz(p.course, "t-post")
    att = attempts.start_attempt(p.enrolment, p.assignment, post, now=T0, rng=random.Random(3))
    assert sorted(att.question_ids) == sorted(_ids(p, "t-post"))
    attempts.save_answers(att, {_qid("t-003", db): ["false"], _qid("t-004", db): ["93"]}, now=T0)
    assert attempts.submit_attempt(att, now=T0).score == 50.0


def test_lesson_progress_is_idempotent(db):
    p = enrolled()
    lesson = lessons(p.course)[0]
    attempts.record_lesson_view(p.enrolment.id, lesson.id, T0)
    attempts.record_lesson_view(p.enrolment.id, lesson.id, T0 + timedelta(hours=1))
    attempts.complete_lesson(p.enrolment.id, lesson.id, T0 + timedelta(hours=2))
    attempts.complete_lesson(p.enrolment.id, lesson.id, T0 + timedelta(hours=3))
    row = db.session.scalar(select(LessonProgress))
    assert row.viewed_at.replace(tzinfo=UTC) == T0
    assert row.completed_at.replace(tzinfo=UTC) == T0 + timedelta(hours=2)
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1


def test_new_edition_leaves_old_attempts_unchanged(db):
    p = enrolled()
    pre = quiz(p.course, "t-pre")
    att = attempts.start_attempt(p.enrolment, p.assignment, pre, now=T0)
    attempts.save_answers(att, {_qid("t-001", db): ["1"]}, now=T0)
    attempts.submit_attempt(att, now=T0 + timedelta(minutes=1))
    old_questions = set(att.question_ids)
    copy = services.new_edition(p.course, "2027")
    assert copy.previous_edition_id == p.course.id and not copy.is_published
    assert [m.title for m in copy.modules] == [m.title for m in p.course.modules]
    new_pre = quiz(copy, "t-pre")
    new_q = db.session.scalar(select(Question).where(Question.course_id == copy.id, Question.key == "t-001"))
    assert new_q.tags == ["iso27001:6.1.3", "topic:soa"]
    assert [i.question.key for i in new_pre.items] == ["t-001", "t-002", "t-005", "t-006"]
    assert not old_questions & {i.question_id for i in new_pre.items}
    services.update_question(new_q, {"spec": {"options": ["A", "B"], "correct": [0]}})
    db.session.expire_all()
    att = db.session.get(Attempt, att.id)
    assert att.quiz_id == pre.id and att.score == 25.0
    assert set(att.question_ids) == old_questions
    old_q = db.session.scalar(select(Question).where(Question.course_id == p.course.id, Question.key == "t-001"))
    assert old_q.spec["options"][1] == "Statement of Applicability"
    with pytest.raises(ServiceError):
        services.new_edition(p.course, "2027")
