"""Preview as trainee: organisers open a lesson or take a quiz on the trainee portal's own templates, and
nothing is written — no attempt, no answer, no lesson view or progress.

A preview attempt lives in the page only: the drawn questions (``layout``), the start time and the answers
of the other pages travel as hidden form fields and come back with every button, and a "submission" is
scored in memory with the same grading as a real one. Reads only; nothing here touches the session's
pending writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from core.db import as_utc, utcnow
from core.extensions import db
from courses import attempts, grading
from courses.models import Course, Question, Quiz
from courses.question_types import dump_response, get_type, load_response


@dataclass
class PreviewAssignment:
    """Stands in for a cohort's course assignment in the trainee templates (no dates, no named tests
    unless the quiz itself is one)."""

    course: Course
    id: int | None = None
    opens_on: None = None
    due_on: None = None
    pre_test_id: int | None = None
    post_test_id: int | None = None

    @property
    def course_id(self) -> int:
        return self.course.id


@dataclass
class PreviewAttempt:
    """Stands in for an ``Attempt`` in the trainee templates; never added to the session."""

    quiz: Quiz
    layout: list
    started_at: datetime
    flagged: list = field(default_factory=list)
    id: int = 0
    number: int = 1
    assignment_id: None = None
    submitted_at: datetime | None = None
    auto_submitted: bool = False
    score: float | None = None

    @property
    def question_ids(self) -> list[int]:
        return [entry[0] for entry in self.layout]

    @property
    def deadline(self) -> datetime | None:
        return grading.deadline_for(self.started_at, self.quiz.time_limit_minutes)

    @property
    def state(self) -> str:
        """The drawn layout and start time as a hidden field's value."""
        return json.dumps({"layout": self.layout, "started": self.started_at.isoformat()}, separators=(",", ":"))


def _questions(quiz: Quiz, ids) -> dict[int, Question]:
    return {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(list(ids)),
                                                                       Question.course_id == quiz.course_id))}


def start(quiz: Quiz, now: datetime | None = None) -> PreviewAttempt | None:
    """A fresh preview attempt: the questions drawn as for a trainee (None when the quiz has none)."""
    layout = attempts.draw_layout(quiz)
    return PreviewAttempt(quiz, layout, now or utcnow()) if layout else None


def restore(quiz: Quiz, state: str | None, flags) -> PreviewAttempt | None:
    """The preview attempt carried by a form (None when the state is missing or does not fit the quiz: a
    question of another course, an option order that is not a permutation)."""
    try:
        data = json.loads(state or "")
        layout = [[int(qid), None if order is None else [int(i) for i in order]] for qid, order in data["layout"]]
        started = as_utc(datetime.fromisoformat(data["started"]))
    except (ValueError, TypeError, KeyError):
        return None
    questions = _questions(quiz, [qid for qid, _order in layout])
    for qid, order in layout:
        question = questions.get(qid)
        if question is None:
            return None
        if order is not None and sorted(order) != list(range(len(question.spec.get("options") or []))):
            return None
    ids = [qid for qid, _order in layout]
    flagged = [qid for qid in ids if str(qid) in set(flags)]
    return PreviewAttempt(quiz, layout, started, flagged) if layout else None


def responses(attempt: PreviewAttempt, form) -> dict[int, object]:
    """{question_id: response} from the form's ``q-<id>`` values, as a saved answer would read back."""
    questions = _questions(attempt.quiz, attempt.question_ids)
    out = {}
    for qid in attempt.question_ids:
        response = get_type(questions[qid].qtype).response_from_values(form.getlist(f"q-{qid}"))
        if response is not None:
            out[qid] = load_response(dump_response(response))
    return out


def score(attempt: PreviewAttempt, answers: dict[int, object], now: datetime | None = None) -> dict[int, float]:
    """Score the preview attempt in memory as :func:`courses.attempts.submit_attempt` would; returns the
    per-question fractions and sets the attempt's score and submission time."""
    questions = _questions(attempt.quiz, attempt.question_ids)
    fractions = {qid: grading.score_item(questions[qid].qtype, questions[qid].spec, answers.get(qid))
                 for qid in attempt.question_ids}
    attempt.score = grading.attempt_percent(fractions.values())
    attempt.submitted_at = now or utcnow()
    attempt.auto_submitted = grading.is_expired(attempt.deadline, attempt.submitted_at)
    return fractions
