"""Trainee-side writes: starting quiz attempts, autosaving answers, submitting exactly once, the
server-side time limit, and lesson progress.

Submission is idempotent: ``submit_attempt`` first runs ``UPDATE attempts SET submitted_at = … WHERE id = …
AND submitted_at IS NULL``; only the request whose update changed a row scores the attempt (in the same
transaction), every other one — a double click, a retry after a dropped connection, a concurrent request
blocked on the row lock — gets the stored result back. Autosave takes the same row lock first, so an answer
is either saved before the submission or refused after it.
"""

from __future__ import annotations

import random
from datetime import date, datetime

from sqlalchemy import func, select, update

from core.db import as_utc, utcnow
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from courses import grading
from courses.models import Answer, Attempt, CourseAssignment, LessonProgress, Question, QuestionTag, Quiz
from courses.question_types import CHOICE_TYPES, dump_response, get_type, load_response


class AttemptClosed(ServiceError):
    """The attempt no longer accepts answers (submitted, or past its deadline)."""


def _insert(model):
    """The dialect's INSERT construct (both SQLite and PostgreSQL support ON CONFLICT)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


# --- starting ------------------------------------------------------------------------------------

def draw_layout(quiz: Quiz, rng: random.Random | None = None) -> list[list]:
    """The questions of a new attempt, as [[question_id, option order or None], …]. Random quizzes draw
    ``random_count`` questions with ``random_tag`` (any question of the course for an empty tag)."""
    rng = rng or random.SystemRandom()
    if quiz.selection == "random":
        query = select(Question.id).where(Question.course_id == quiz.course_id).order_by(Question.id)
        if quiz.random_tag:
            query = query.where(Question.id.in_(select(QuestionTag.question_id)
                                                .where(QuestionTag.tag == quiz.random_tag)))
        pool = list(db.session.scalars(query))
        ids = rng.sample(pool, min(quiz.random_count, len(pool)))
    else:
        ids = [item.question_id for item in quiz.items]
        if quiz.shuffle:
            rng.shuffle(ids)
    layout: list[list] = []
    specs = dict(db.session.execute(select(Question.id, Question.spec).where(Question.id.in_(ids),
                                                                             Question.qtype.in_(CHOICE_TYPES))).all())
    for qid in ids:
        order = None
        if quiz.shuffle and qid in specs:
            order = list(range(len(specs[qid]["options"])))
            rng.shuffle(order)
        layout.append([qid, order])
    return layout


def open_attempt(enrolment_id: int, quiz_id: int) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.enrolment_id == enrolment_id, Attempt.quiz_id == quiz_id,
                                                   Attempt.submitted_at.is_(None)).order_by(Attempt.number.desc()))


def attempts_used(enrolment_id: int, quiz_id: int) -> int:
    return db.session.scalar(select(func.count(Attempt.id)).where(Attempt.enrolment_id == enrolment_id,
                                                                  Attempt.quiz_id == quiz_id)) or 0


def start_attempt(enrolment, assignment: CourseAssignment, quiz: Quiz, now: datetime | None = None,
                  rng: random.Random | None = None) -> Attempt:
    """Resume the open attempt, or start a new one if attempts are left (the caller checked access)."""
    now = now or utcnow()
    current = open_attempt(enrolment.id, quiz.id)
    if current is not None and not finalise_if_expired(current, now):
        return current
    used = attempts_used(enrolment.id, quiz.id)
    if quiz.max_attempts and used >= quiz.max_attempts:
        raise ServiceError(_("You have used all %(n)s attempts at this quiz.", n=quiz.max_attempts))
    layout = draw_layout(quiz, rng)
    if not layout:
        raise ServiceError(_("This quiz has no questions yet. Please tell the programme office."))
    attempt = Attempt(quiz_id=quiz.id, enrolment_id=enrolment.id, assignment_id=assignment.id, number=used + 1,
                      started_at=now, deadline=grading.deadline_for(now, quiz.time_limit_minutes), layout=layout)
    db.session.add(attempt)
    db.session.flush()
    return attempt


# --- answering -----------------------------------------------------------------------------------

def due_for_auto_submit(attempt: Attempt, now: datetime | None = None) -> bool:
    """True when the attempt is still open but its deadline has passed (reads only; pages check this on GET
    and run :func:`finalise_if_expired` in a unit of work only then)."""
    return attempt.submitted_at is None and grading.is_expired(as_utc(attempt.deadline), now or utcnow())


def finalise_if_expired(attempt: Attempt, now: datetime | None = None) -> bool:
    """Submit an open attempt whose deadline has passed (auto-submit); True if it is now submitted.

    Idempotent: once submitted, a repeated call changes nothing."""
    if attempt.submitted_at is not None:
        return True
    if due_for_auto_submit(attempt, now):
        submit_attempt(attempt, now, auto=True)
        return True
    return False


def _lock_open(attempt: Attempt) -> bool:
    """Take the attempt's row lock while it is still open; False if it was submitted meanwhile."""
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(auto_submitted=False).execution_options(synchronize_session=False))
    return result.rowcount == 1


def save_answers(attempt: Attempt, values: dict[int, list[str]], now: datetime | None = None) -> dict[int, object]:
    """Autosave: store the responses for the given questions of the attempt. Returns {question_id: response}.
    Raises AttemptClosed after submission or past the deadline (then the attempt is submitted)."""
    now = now or utcnow()
    if attempt.submitted_at is not None:
        raise AttemptClosed(_("This attempt has been submitted; answers can no longer change."))
    if finalise_if_expired(attempt, now):
        raise AttemptClosed(_("Time is up: the attempt was submitted with the answers saved before the deadline."))
    if not _lock_open(attempt):
        db.session.refresh(attempt)
        raise AttemptClosed(_("This attempt has been submitted; answers can no longer change."))
    in_attempt = set(attempt.question_ids)
    wanted = [qid for qid in values if qid in in_attempt]
    types = dict(db.session.execute(select(Question.id, Question.qtype).where(Question.id.in_(wanted))).all())
    saved: dict[int, object] = {}
    for qid in wanted:
        response = get_type(types[qid]).response_from_values(values[qid])
        stmt = _insert(Answer).values(attempt_id=attempt.id, question_id=qid, response=dump_response(response),
                                      saved_at=now)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["attempt_id", "question_id"],
            set_={"response": stmt.excluded.response, "saved_at": stmt.excluded.saved_at}))
        saved[qid] = response
    return saved


def set_flags(attempt: Attempt, question_ids: list[int], flagged: set[int]) -> None:
    """Flag for review exactly ``flagged`` among ``question_ids`` (the questions of one page); flags on
    other pages stay. Flags are a reminder for the trainee only and never change the score."""
    if attempt.submitted_at is not None:
        return
    shown = set(question_ids) & set(attempt.question_ids)
    keep = set(attempt.flagged or []) - shown
    attempt.flagged = [qid for qid in attempt.question_ids if qid in keep or qid in (flagged & shown)]


def saved_responses(attempt: Attempt) -> dict[int, object]:
    rows = db.session.execute(select(Answer.question_id, Answer.response).where(Answer.attempt_id == attempt.id))
    return {qid: load_response(text) for qid, text in rows}


# --- submitting ----------------------------------------------------------------------------------

def submit_attempt(attempt: Attempt, now: datetime | None = None, auto: bool = False) -> Attempt:
    """Submit and score an attempt exactly once; later calls return the stored result unchanged."""
    now = now or utcnow()
    submitted_at = now
    deadline = as_utc(attempt.deadline)
    if grading.is_expired(deadline, now):
        submitted_at, auto = deadline, True
    claimed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=submitted_at, auto_submitted=auto).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.refresh(attempt)
        return attempt
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(attempt.question_ids)))}
    responses = saved_responses(attempt)
    fractions = []
    for qid in attempt.question_ids:
        question = questions[qid]
        fraction = grading.score_item(question.qtype, question.spec, responses.get(qid))
        fractions.append(fraction)
        stmt = _insert(Answer).values(attempt_id=attempt.id, question_id=qid, response=None, score=fraction,
                                      saved_at=submitted_at)
        db.session.execute(stmt.on_conflict_do_update(index_elements=["attempt_id", "question_id"],
                                                      set_={"score": stmt.excluded.score}))
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id)
                       .values(score=grading.attempt_percent(fractions))
                       .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.refresh(attempt)
    return attempt


def is_closed(assignment: CourseAssignment | None, today: date | None = None) -> bool:
    """A course assignment is closed for feedback purposes once its due date has passed."""
    if assignment is None or assignment.due_on is None:
        return False
    return (today or utcnow().date()) > assignment.due_on


# --- lessons -------------------------------------------------------------------------------------

def record_lesson_view(enrolment_id: int, lesson_id: int, now: datetime | None = None) -> None:
    stmt = _insert(LessonProgress).values(enrolment_id=enrolment_id, lesson_id=lesson_id, viewed_at=now or utcnow())
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["enrolment_id", "lesson_id"]))


def complete_lesson(enrolment_id: int, lesson_id: int, now: datetime | None = None) -> None:
    now = now or utcnow()
    stmt = _insert(LessonProgress).values(enrolment_id=enrolment_id, lesson_id=lesson_id, viewed_at=now,
                                          completed_at=now)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=["enrolment_id", "lesson_id"],
        set_={"completed_at": func.coalesce(LessonProgress.__table__.c.completed_at, stmt.excluded.completed_at)}))
