"""Demo data for ``seed-demo`` (order 30): load the seed courses, assign them to demo cohorts with their
pre- and post-tests, and generate deterministic attempts (``random.Random(2026)``) for enrolled demo
trainees so that progress, item analysis and gain show real numbers. Idempotent: content is matched by
code/key, assignments by (cohort, course), and attempts are only generated for an assignment that has none.
Trainees linked to a portal account get no generated attempts, so a demo sign-in starts fresh.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, insert, select

from core.db import utcnow
from core.extensions import db
from courses import grading
from courses.content_loader import load_all
from courses.models import Answer, Attempt, Course, CourseAssignment, Lesson, LessonProgress, Module, Question, Quiz
from courses.queries import PORTAL_STATUSES
from courses.question_types import dump_response, get_type
from trainees.models import Cohort, Enrolment, Trainee

COHORTS_PER_COURSE = 4


def seed_courses() -> list[str]:
    """Load the course content, assign courses to demo cohorts and add demo attempts (idempotent).

    The printed lines describe the resulting state, so a second run prints the same lines.
    """
    results, errors = load_all()
    lines = ["Courses:"] + [f"  content error: {e}" for e in errors]
    courses = list(db.session.scalars(select(Course).where(Course.id.in_([r.course_id for r in results]))
                                      .order_by(Course.code)))
    if not courses:
        lines.append("  no course content found (courses/content/*/course.toml)")
        return lines
    cohorts = _cohorts_with_trainees()
    rng = random.Random(2026)
    for course in courses:
        for cohort in _pick_cohorts(course, cohorts) if cohorts else []:
            assignment, _created = _assignment(cohort, course)
            if not db.session.scalar(select(exists().where(Attempt.assignment_id == assignment.id))):
                _demo_attempts(assignment, cohort, rng)
    db.session.flush()
    by_code = {r.code.split(" ")[0]: r for r in results}
    for course in courses:
        parts = ", ".join(f"{n} {kind}" for kind, n in by_code[course.code].counts.items())
        assigned = list(db.session.scalars(select(Cohort.code).join(CourseAssignment)
                                           .where(CourseAssignment.course_id == course.id).order_by(Cohort.code)))
        attempts = db.session.scalar(select(func.count(Attempt.id)).join(CourseAssignment)
                                     .where(CourseAssignment.course_id == course.id)) or 0
        lines.append(f"  {course.code}: {parts}; assigned to {', '.join(assigned) or 'no cohort yet'}; "
                     f"{attempts} demo attempts")
    return lines


def _cohorts_with_trainees() -> list[Cohort]:
    with_enrolments = select(Enrolment.cohort_id).where(Enrolment.status.in_(PORTAL_STATUSES))
    return list(db.session.scalars(select(Cohort).where(Cohort.id.in_(with_enrolments))
                                   .order_by(Cohort.start_date.desc(), Cohort.id)))


def _pick_cohorts(course: Course, cohorts: list[Cohort]) -> list[Cohort]:
    """Cohorts with a portal demo trainee first, then recent cohorts whose title names the track."""
    portal = set(db.session.scalars(select(Enrolment.cohort_id).join(Trainee).where(
        Trainee.user_id.is_not(None), Enrolment.status.in_(PORTAL_STATUSES))))
    track = course.track.lower()
    ranked = sorted(cohorts, key=lambda c: (c.id not in portal, track not in (c.title or "").lower()))
    return ranked[:COHORTS_PER_COURSE]


def _assignment(cohort: Cohort, course: Course) -> tuple[CourseAssignment, bool]:
    assignment = db.session.scalar(select(CourseAssignment).where(CourseAssignment.cohort_id == cohort.id,
                                                                  CourseAssignment.course_id == course.id))
    if assignment is not None:
        return assignment, False
    quizzes = list(db.session.scalars(select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.position)))
    pre = next((q.id for q in quizzes if q.kind == "pre_test"), None)
    post = next((q.id for q in quizzes if q.kind == "post_test"), None)
    assignment = CourseAssignment(cohort_id=cohort.id, course_id=course.id, opens_on=None,
                                  due_on=cohort.end_date + timedelta(days=30), pre_test_id=pre, post_test_id=post)
    db.session.add(assignment)
    db.session.flush()
    return assignment, True


def _wrong(qtype: str, spec: dict, rng: random.Random):
    if qtype == "single_choice":
        return rng.choice([i for i in range(len(spec["options"])) if i not in spec["correct"]])
    if qtype == "multiple_choice":
        chosen = set(spec["correct"])
        chosen.discard(rng.choice(spec["correct"]))
        wrong = [i for i in range(len(spec["options"])) if i not in spec["correct"]]
        if wrong and rng.random() < 0.6:
            chosen.add(rng.choice(wrong))
        return sorted(chosen) or [rng.randrange(len(spec["options"]))]
    if qtype == "true_false":
        return not spec["answer"]
    if qtype == "numeric":
        return spec["answer"] + rng.choice((-1, 1)) * (spec.get("tolerance", 0) + max(1.0, abs(spec["answer"]) * 0.2))
    return rng.choice(["not sure", "policy", "firewall"])


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _take(quiz: Quiz, questions: dict[int, Question], enrolment_id: int, assignment_id: int, number: int,
          ability: float, start: datetime, rng: random.Random, answers: list[dict]) -> Attempt:
    layout = [[item.question_id, None] for item in quiz.items]
    attempt = Attempt(quiz_id=quiz.id, enrolment_id=enrolment_id, assignment_id=assignment_id, number=number,
                      started_at=start, deadline=grading.deadline_for(start, quiz.time_limit_minutes), layout=layout)
    db.session.add(attempt)
    db.session.flush()
    fractions = []
    for qid, _order in layout:
        q = questions[qid]
        p = 1 / (1 + math.exp(-(ability - 0.9 * (q.difficulty - 2))))
        if rng.random() < 0.03:
            response = None
        else:
            response = get_type(q.qtype).correct_response(q.spec) if rng.random() < p else _wrong(q.qtype, q.spec, rng)
        fraction = grading.score_item(q.qtype, q.spec, response)
        fractions.append(fraction)
        answers.append({"attempt_id": attempt.id, "question_id": qid, "response": dump_response(response),
                        "score": fraction, "saved_at": start + timedelta(minutes=1)})
    minutes = quiz.time_limit_minutes or 20
    attempt.submitted_at = start + timedelta(minutes=rng.randint(max(1, minutes // 3), minutes))
    attempt.score = grading.attempt_percent(fractions)
    return attempt


def _demo_attempts(assignment: CourseAssignment, cohort: Cohort, rng: random.Random) -> int:
    today = utcnow().date()
    if cohort.start_date > today:
        return 0
    ended = cohort.end_date < today
    enrolments = list(db.session.execute(
        select(Enrolment.id).join(Trainee).where(Enrolment.cohort_id == cohort.id,
                                                 Enrolment.status.in_(PORTAL_STATUSES), Trainee.user_id.is_(None))
        .order_by(Enrolment.id)).scalars())
    quizzes = list(db.session.scalars(select(Quiz).where(Quiz.course_id == assignment.course_id)
                                      .order_by(Quiz.position, Quiz.id)))
    questions = {q.id: q for q in db.session.scalars(select(Question).where(
        Question.course_id == assignment.course_id))}
    by_id = {q.id: q for q in quizzes}
    module_tests = [q for q in quizzes if q.kind == "module_test" and q.module_id and q.items]
    lessons = list(db.session.execute(select(Lesson.id, Lesson.module_id).join(Module)
                                      .where(Module.course_id == assignment.course_id)
                                      .order_by(Module.position, Lesson.position)).all())
    answers: list[dict] = []
    progress: list[dict] = []
    count = 0
    for enrolment_id in enrolments:
        ability = rng.gauss(-0.4, 0.9)
        learned = ability + max(0.3, rng.gauss(1.4, 0.5))
        pre = by_id.get(assignment.pre_test_id)
        if pre is not None and pre.items:
            _take(pre, questions, enrolment_id, assignment.id, 1, ability, _at(cohort.start_date, 1), rng, answers)
            count += 1
        share = 1.0 if ended and rng.random() < 0.85 else rng.uniform(0.2, 0.9)
        done = lessons[: max(1, round(len(lessons) * share))] if lessons else []
        for i, (lesson_id, _module_id) in enumerate(done):
            moment = _at(cohort.start_date, 2) + timedelta(hours=6 * i)
            progress.append({"enrolment_id": enrolment_id, "lesson_id": lesson_id, "viewed_at": moment,
                             "completed_at": moment + timedelta(minutes=15)})
        done_modules = {m for _l, m in done} - {m for _l, m in lessons[len(done):]}
        for quiz in module_tests:
            if quiz.module_id in done_modules:
                _take(quiz, questions, enrolment_id, assignment.id, 1, (ability + learned) / 2,
                      _at(cohort.start_date, 5), rng, answers)
                count += 1
        post = by_id.get(assignment.post_test_id)
        if post is not None and post.items and ended and len(done) == len(lessons) and rng.random() < 0.95:
            _take(post, questions, enrolment_id, assignment.id, 1, learned, _at(cohort.end_date, 6), rng, answers)
            count += 1
    if answers:
        db.session.execute(insert(Answer), answers)
    if progress:
        db.session.execute(insert(LessonProgress), progress)
    db.session.flush()
    return count
