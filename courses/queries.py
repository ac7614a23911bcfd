"""Reads for the courses feature: eager loading is decided here, statistics are GROUP BY queries.

Which attempt counts for pre/post results and gain: the **first submitted** attempt of the named quiz
(by submission time, then id) — a retake of a post-test must not inflate the measured learning, and a
pre-test retaken after reading the content would no longer be a baseline.

Item analysis (per quiz, over all submitted attempts):
* facility index of an item = mean score fraction earned on it (0..1; unanswered counts 0);
* discrimination index = upper–lower 27 % difference: attempts ranked by total score (ties by attempt id),
  the top k and bottom k with k = round(0.27 n) (at least 1, at most n/2); D = mean item fraction in the
  upper group − mean in the lower group (−1..1). Items of random quizzes are analysed over the attempts
  that drew them;
* option frequencies: how many submitted attempts chose each option (multiple choice counts each ticked
  option; blank = no answer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Select, and_, bindparam, case, distinct, func, or_, select
from sqlalchemy.orm import selectinload, undefer

from core.db import in_values
from core.extensions import db, plain_rows
from core.i18n import _
from courses import grading
from courses.models import (
    Answer,
    Attempt,
    Course,
    CourseAssignment,
    Lesson,
    LessonProgress,
    Module,
    Question,
    QuestionTag,
    Quiz,
    QuizQuestion,
)
from courses.question_types import load_response
from trainees.models import Cohort, Enrolment, Organisation, Trainee

#: Enrolment statuses that open a cohort's courses to the trainee.
PORTAL_STATUSES = ("accepted", "confirmed", "completed", "incomplete")


# --- organiser lists -----------------------------------------------------------------------------

def course_list_query(q: str = "", track: str = "") -> Select:
    """Courses with module/lesson/question counts (one query per page; counts are correlated subqueries)."""
    lessons = (select(func.count(Lesson.id)).join(Module, Lesson.module_id == Module.id)
               .where(Module.course_id == Course.id).correlate(Course).scalar_subquery())
    questions = select(func.count(Question.id)).where(Question.course_id == Course.id).correlate(Course) \
        .scalar_subquery()
    quizzes = select(func.count(Quiz.id)).where(Quiz.course_id == Course.id).correlate(Course).scalar_subquery()
    query = select(Course, lessons.label("lessons"), questions.label("questions"), quizzes.label("quizzes"))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Course.code).like(like), func.lower(Course.title).like(like)))
    if track:
        query = query.where(Course.track == track)
    return query.order_by(Course.code, Course.id)


def course_outline(course_id: int) -> Course | None:
    """A course with modules and lessons loaded (course pages, outline, new edition)."""
    return db.session.scalar(select(Course).where(Course.id == course_id)
                             .options(selectinload(Course.modules).selectinload(Module.lessons)))


# The trainee portal's statements are built once at import (they run on every page of every trainee; a
# statement holds no data, the values are bound parameters): construction and SQLAlchemy's cache-key
# computation are skipped on each request.


@cache
def _lesson_with_body():  # built on first use: loader options need every mapper, i.e. all models imported
    return select(Lesson).where(Lesson.id == bindparam("lesson_id")).options(undefer(Lesson.body_html))


def lesson_with_body(lesson_id: int) -> Lesson | None:
    return db.session.scalar(_lesson_with_body(), {"lesson_id": lesson_id})


_PORTAL_LESSON = select(Lesson.id, Lesson.title, Lesson.body_html, Lesson.minutes,
                        Lesson.attachment_key.label("attachment_key"), Lesson.attachment_name,
                        Lesson.attachment_size).where(Lesson.id == bindparam("lesson_id"))


def portal_lesson(lesson_id: int):
    """A lesson as a row of what the trainee's lesson page shows (id, title, body_html, minutes, attachment_key,
    attachment_name, attachment_size), or None."""
    return plain_rows(_PORTAL_LESSON, {"lesson_id": lesson_id}).first()


def course_quizzes(course_id: int) -> list[Quiz]:
    """Quizzes of a course with their question count (course page and outline)."""
    return list(db.session.scalars(select(Quiz).where(Quiz.course_id == course_id)
                                   .options(selectinload(Quiz.items)).order_by(Quiz.position, Quiz.id)))


def question_query(course_id: int, tag: str = "", qtype: str = "", q: str = "", module_id: int | None = None) -> Select:
    """Bank questions of a course, filtered; tags are loaded with ``selectinload``."""
    query = select(Question).where(Question.course_id == course_id).options(selectinload(Question.tag_rows))
    if tag:
        query = query.where(Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.tag == tag)))
    if qtype:
        query = query.where(Question.qtype == qtype)
    if module_id:
        query = query.where(Question.module_id == module_id)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Question.text).like(like), func.lower(Question.key).like(like)))
    return query.order_by(Question.key)


def course_tags(course_id: int) -> list[tuple[str, int]]:
    """Tags used in a course's bank with their question counts."""
    rows = db.session.execute(select(QuestionTag.tag, func.count()).join(Question)
                              .where(Question.course_id == course_id).group_by(QuestionTag.tag)
                              .order_by(QuestionTag.tag))
    return [(tag, n) for tag, n in rows]


def quiz_items(quiz: Quiz) -> list[QuizQuestion]:
    return list(db.session.scalars(select(QuizQuestion).where(QuizQuestion.quiz_id == quiz.id)
                                   .options(selectinload(QuizQuestion.question).selectinload(Question.tag_rows))
                                   .order_by(QuizQuestion.position, QuizQuestion.id)))


def course_assignments(course_id: int) -> list[CourseAssignment]:
    return list(db.session.scalars(
        select(CourseAssignment).join(Cohort).where(CourseAssignment.course_id == course_id)
        .options(selectinload(CourseAssignment.cohort), selectinload(CourseAssignment.pre_test),
                 selectinload(CourseAssignment.post_test)).order_by(Cohort.start_date.desc())))


def cohort_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Cohort.id, Cohort.code, Cohort.title).order_by(Cohort.start_date.desc()))
    return [(cid, f"{code} — {title}") for cid, code, title in rows]


# --- trainee portal ------------------------------------------------------------------------------

def trainee_for_user(user_id: int) -> Trainee | None:
    return db.session.scalar(select(Trainee).where(Trainee.user_id == user_id))


@dataclass
class PortalCourse:
    """What the trainee's course pages show of the course."""

    id: int
    title: str
    summary: str | None
    language: str


@dataclass
class PortalAssignment:
    """What the trainee's course pages use of a course assignment (the attributes of ``CourseAssignment`` they
    read, under the same names), with its course."""

    id: int
    course_id: int
    opens_on: object
    due_on: object
    pre_test_id: int | None
    post_test_id: int | None
    course: PortalCourse


@dataclass
class PortalEnrolment:
    """The trainee's enrolment as the course pages use it (its id)."""

    id: int


# The assignment and the trainee's enrolment in one query, as plain columns (no ORM objects): the trainee's
# own enrolment in the assignment's cohort, in a portal status, for a published course.
_PORTAL_CONTEXT = (
    select(CourseAssignment.id, CourseAssignment.course_id, CourseAssignment.opens_on, CourseAssignment.due_on,
           CourseAssignment.pre_test_id, CourseAssignment.post_test_id, Enrolment.id, Course.title, Course.summary,
           Course.language)
    .join(Enrolment, Enrolment.cohort_id == CourseAssignment.cohort_id)
    .join(Trainee, Trainee.id == Enrolment.trainee_id)
    .join(Course, Course.id == CourseAssignment.course_id)
    .where(Trainee.user_id == bindparam("user_id"), in_values(Enrolment.status, PORTAL_STATUSES),
           Course.is_published.is_(True), CourseAssignment.id == bindparam("assignment_id"))
)


def portal_context(user_id: int, assignment_id: int) -> tuple[PortalAssignment, PortalEnrolment] | None:
    """The assignment (with its course) and the signed-in trainee's enrolment for it, or None (→ 404) if not
    theirs — one query."""
    row = plain_rows(_PORTAL_CONTEXT, {"user_id": user_id, "assignment_id": assignment_id}).first()
    if row is None:
        return None
    aid, course_id, opens_on, due_on, pre_id, post_id, enrolment_id, title, summary, language = row
    course = PortalCourse(course_id, title, summary, language)
    return PortalAssignment(aid, course_id, opens_on, due_on, pre_id, post_id, course), PortalEnrolment(enrolment_id)


@dataclass
class OutlineLesson:
    id: int
    module_id: int
    title: str
    minutes: int


@dataclass
class OutlineModule:
    id: int
    title: str
    summary: str
    lessons: list[OutlineLesson] = field(default_factory=list)


_COURSE_STRUCTURE = (select(Module.id, Module.title, Module.summary, Lesson.id, Lesson.title, Lesson.minutes)
                     .outerjoin(Lesson, Lesson.module_id == Module.id).where(Module.course_id == bindparam("course_id"))
                     .order_by(Module.position, Module.id, Lesson.position, Lesson.id))
# The same rows with the enrolment's progress on each lesson (at most one row: unique per enrolment and lesson).
_COURSE_PROGRESS = (select(Module.id, Module.title, Module.summary, Lesson.id, Lesson.title, Lesson.minutes,
                           LessonProgress.id, LessonProgress.completed_at)
                    .outerjoin(Lesson, Lesson.module_id == Module.id)
                    .outerjoin(LessonProgress, and_(LessonProgress.lesson_id == Lesson.id,
                                                    LessonProgress.enrolment_id == bindparam("enrolment_id")))
                    .where(Module.course_id == bindparam("course_id"))
                    .order_by(Module.position, Module.id, Lesson.position, Lesson.id))


def course_structure(course_id: int) -> list[OutlineModule]:
    """Modules and lesson titles of a course as plain rows (trainee outline and lesson navigation: one
    query, no lesson text)."""
    modules: dict[int, OutlineModule] = {}
    rows = db.session.execute(_COURSE_STRUCTURE, {"course_id": course_id})
    for module_id, title, summary, lesson_id, lesson_title, minutes in rows:
        module = modules.setdefault(module_id, OutlineModule(module_id, title, summary))
        if lesson_id is not None:
            module.lessons.append(OutlineLesson(lesson_id, module_id, lesson_title, minutes))
    return list(modules.values())


def course_progress(course_id: int, enrolment_id: int) -> tuple[list[OutlineModule], set[int], set[int]]:
    """:func:`course_structure` with the lessons the enrolment has viewed and completed (one query: the
    outline, lesson and quiz pages need both)."""
    modules: dict[int, OutlineModule] = {}
    viewed: set[int] = set()
    completed: set[int] = set()
    for module_id, title, summary, lesson_id, lesson_title, minutes, progress_id, completed_at in plain_rows(
            _COURSE_PROGRESS, {"course_id": course_id, "enrolment_id": enrolment_id}):
        module = modules.get(module_id)
        if module is None:  # one per module, not one per lesson row
            module = modules[module_id] = OutlineModule(module_id, title, summary)
        if lesson_id is not None:
            module.lessons.append(OutlineLesson(lesson_id, module_id, lesson_title, minutes))
            if progress_id is not None:
                viewed.add(lesson_id)
                if completed_at is not None:
                    completed.add(lesson_id)
    return list(modules.values()), viewed, completed


def first_scores(enrolment_ids=None, quiz_ids=None):
    """Subquery (enrolment_id, quiz_id, score, submitted_at) of each enrolment's first submitted attempt
    per quiz; the filters are applied inside, before the window function."""
    rn = func.row_number().over(partition_by=(Attempt.enrolment_id, Attempt.quiz_id),
                                order_by=(Attempt.submitted_at, Attempt.id)).label("rn")
    inner = select(Attempt.enrolment_id, Attempt.quiz_id, Attempt.score, Attempt.submitted_at, rn) \
        .where(Attempt.submitted_at.is_not(None))
    if enrolment_ids is not None:
        inner = inner.where(Attempt.enrolment_id.in_(enrolment_ids))
    if quiz_ids is not None:
        inner = inner.where(Attempt.quiz_id.in_(quiz_ids))
    inner = inner.subquery()
    return select(inner.c.enrolment_id, inner.c.quiz_id, inner.c.score, inner.c.submitted_at) \
        .where(inner.c.rn == 1).subquery()


def lesson_totals(course_ids) -> dict[int, int]:
    rows = db.session.execute(select(Module.course_id, func.count(Lesson.id)).join(Lesson)
                              .where(Module.course_id.in_(course_ids)).group_by(Module.course_id))
    return dict(rows.all())


def lessons_completed(enrolment_ids, course_ids) -> dict[tuple[int, int], int]:
    """{(enrolment_id, course_id): completed lessons}."""
    rows = db.session.execute(
        select(LessonProgress.enrolment_id, Module.course_id, func.count())
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(Module, Module.id == Lesson.module_id)
        .where(LessonProgress.enrolment_id.in_(enrolment_ids), Module.course_id.in_(course_ids),
               LessonProgress.completed_at.is_not(None))
        .group_by(LessonProgress.enrolment_id, Module.course_id))
    return {(e, c): n for e, c, n in rows}


@dataclass
class MyCourse:
    """One row of *My courses*: the assignment's facts the page shows, with the trainee's progress."""

    assignment_id: int
    course_title: str
    cohort_title: str
    due_on: object
    opens_on: object
    pre_test_id: int | None
    post_test_id: int | None
    lessons_total: int = 0
    lessons_done: int = 0
    pre_score: float | None = None
    post_score: float | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0


def _first_score(quiz_id_column):
    """Score of the enrolment's first submitted attempt of a quiz (by submission time, then id)."""
    return (select(Attempt.score)
            .where(Attempt.enrolment_id == Enrolment.id, Attempt.quiz_id == quiz_id_column,
                   Attempt.submitted_at.is_not(None))
            .order_by(Attempt.submitted_at, Attempt.id).limit(1)
            .correlate(Enrolment, CourseAssignment).scalar_subquery())


# Built once (it runs on every visit of the page; the statement holds no data, the user is a bound
# parameter): one query with the progress figures as correlated subqueries, plain columns, no ORM objects.
_MY_COURSES = (
    select(CourseAssignment.id, Course.title, Cohort.title, CourseAssignment.due_on, CourseAssignment.opens_on,
           CourseAssignment.pre_test_id, CourseAssignment.post_test_id,
           select(func.count(Lesson.id)).join(Module, Module.id == Lesson.module_id)
           .where(Module.course_id == CourseAssignment.course_id)
           .correlate(CourseAssignment).scalar_subquery(),
           select(func.count(LessonProgress.id)).join(Lesson, Lesson.id == LessonProgress.lesson_id)
           .join(Module, Module.id == Lesson.module_id)
           .where(LessonProgress.enrolment_id == Enrolment.id, Module.course_id == CourseAssignment.course_id,
                  LessonProgress.completed_at.is_not(None))
           .correlate(Enrolment, CourseAssignment).scalar_subquery(),
           _first_score(CourseAssignment.pre_test_id), _first_score(CourseAssignment.post_test_id))
    .join(Enrolment, Enrolment.cohort_id == CourseAssignment.cohort_id)
    .join(Trainee, Trainee.id == Enrolment.trainee_id)
    .join(Course, Course.id == CourseAssignment.course_id)
    .join(Cohort, Cohort.id == CourseAssignment.cohort_id)
    .where(Trainee.user_id == bindparam("user_id"), in_values(Enrolment.status, PORTAL_STATUSES),
           Course.is_published.is_(True))
    .order_by(CourseAssignment.due_on, CourseAssignment.id)
)


def my_courses(user_id: int) -> list[MyCourse]:
    """The signed-in trainee's assigned courses with progress (one query whatever the number)."""
    return [MyCourse(*row) for row in db.session.execute(_MY_COURSES, {"user_id": user_id})]


@dataclass
class QuizStatus:
    used: int = 0
    best: float | None = None
    first: float | None = None
    open_attempt_id: int | None = None
    submitted: int = 0


@dataclass
class OutlineState:
    """What a trainee has done in one course assignment, and what is open to them."""

    viewed: set[int] = field(default_factory=set)
    completed: set[int] = field(default_factory=set)
    quizzes: dict[int, QuizStatus] = field(default_factory=dict)
    lessons_total: int = 0
    pre_required: bool = False
    pre_done: bool = False

    @property
    def content_locked(self) -> bool:
        return self.pre_required and not self.pre_done

    @property
    def all_lessons_done(self) -> bool:
        return len(self.completed) >= self.lessons_total

    @property
    def post_unlocked(self) -> bool:
        return not self.content_locked and self.all_lessons_done


_LESSON_PROGRESS = select(LessonProgress.lesson_id, LessonProgress.completed_at).where(
    LessonProgress.enrolment_id == bindparam("enrolment_id"),
    LessonProgress.lesson_id.in_(bindparam("lesson_ids", expanding=True)))
#: An enrolment's figures on a quiz, over its attempts, as ``QuizStatus`` reads them: attempts used, best score,
#: the open attempt (if any), attempts submitted.
_ATTEMPT_FIGURES = (func.count(Attempt.id), func.max(Attempt.score),
                    func.max(case((Attempt.submitted_at.is_(None), Attempt.id))), func.count(Attempt.submitted_at))
_QUIZ_STATUS = (select(Attempt.quiz_id, *_ATTEMPT_FIGURES)
                .join(Quiz, Quiz.id == Attempt.quiz_id)
                .where(Attempt.enrolment_id == bindparam("enrolment_id"), Quiz.course_id == bindparam("course_id"))
                .group_by(Attempt.quiz_id))


def outline_state(enrolment_id: int, assignment: CourseAssignment, lesson_ids: list[int],
                  progress: tuple[set[int], set[int]] | None = None,
                  quizzes: dict[int, QuizStatus] | None = None) -> OutlineState:
    """Progress and quiz status of an enrolment in a course (two queries; one when the (viewed, completed)
    lesson ids are given, from :func:`course_progress`; none when the quiz statuses are given too, from
    :func:`outline_quizzes`)."""
    state = OutlineState(lessons_total=len(lesson_ids), pre_required=assignment.pre_test_id is not None)
    if progress is not None:
        state.viewed, state.completed = progress
    elif lesson_ids:
        for lesson_id, completed_at in db.session.execute(
                _LESSON_PROGRESS, {"enrolment_id": enrolment_id, "lesson_ids": lesson_ids}):
            state.viewed.add(lesson_id)
            if completed_at is not None:
                state.completed.add(lesson_id)
    if quizzes is not None:
        state.quizzes = quizzes
    else:
        rows = plain_rows(_QUIZ_STATUS, {"enrolment_id": enrolment_id, "course_id": assignment.course_id})
        for quiz_id, used, best, open_id, submitted in rows:
            state.quizzes[quiz_id] = QuizStatus(used=used, best=best, open_attempt_id=open_id, submitted=submitted)
    pre = state.quizzes.get(assignment.pre_test_id)
    state.pre_done = bool(pre and pre.submitted)
    return state


# The course's quizzes with the enrolment's attempts at each (the figures of ``_QUIZ_STATUS``, zero for a quiz
# not tried), in one query: grouped by the quiz's primary key, so its other columns may be selected.
_OUTLINE_QUIZZES = (
    select(Quiz.id, Quiz.title, Quiz.kind, Quiz.module_id, *_ATTEMPT_FIGURES)
    .outerjoin(Attempt, and_(Attempt.quiz_id == Quiz.id, Attempt.enrolment_id == bindparam("enrolment_id")))
    .where(Quiz.course_id == bindparam("course_id"))
    .group_by(Quiz.id)
    .order_by(Quiz.position, Quiz.id)
)


@dataclass
class OutlineQuiz:
    """A quiz as the trainee outline shows it, with the enrolment's status on it (None: not tried) and whether it
    is open to them (set by the page, from :func:`quiz_available`)."""

    id: int
    title: str
    kind: str
    module_id: int | None
    status: QuizStatus | None = None
    open: bool = False


def outline_quizzes(course_id: int, enrolment_id: int) -> tuple[list[OutlineQuiz], dict[int, QuizStatus]]:
    """The course's quizzes as the trainee outline shows them (id, title, kind, module_id; by position) and the
    enrolment's status on those it has tried (as :func:`outline_state` reads it), in one query."""
    quizzes, statuses = [], {}
    for quiz_id, title, kind, module_id, used, best, open_id, submitted in plain_rows(
            _OUTLINE_QUIZZES, {"course_id": course_id, "enrolment_id": enrolment_id}):
        quiz = OutlineQuiz(quiz_id, title, kind, module_id)
        if used:
            quiz.status = statuses[quiz_id] = QuizStatus(used=used, best=best, open_attempt_id=open_id,
                                                         submitted=submitted)
        quizzes.append(quiz)
    return quizzes, statuses


@dataclass
class QuizGate:
    """What :func:`quiz_available` reads of an :class:`OutlineState` — whether the content is locked and whether
    the post-test is open, by the same rules — from counts (the quiz page needs no lesson list)."""

    lessons_total: int
    lessons_completed: int
    pre_required: bool
    pre_done: bool

    content_locked = OutlineState.content_locked
    post_unlocked = OutlineState.post_unlocked

    @property
    def all_lessons_done(self) -> bool:
        return self.lessons_completed >= self.lessons_total


# The counts behind a QuizGate in one query: the course's lessons, those the enrolment completed (progress is
# unique per enrolment and lesson) and its submitted attempts at the pre-test — the figures course_progress and
# _QUIZ_STATUS give an OutlineState.
_QUIZ_GATE = select(
    select(func.count(Lesson.id)).join(Module, Module.id == Lesson.module_id)
    .where(Module.course_id == bindparam("course_id")).scalar_subquery(),
    select(func.count(LessonProgress.id)).join(Lesson, Lesson.id == LessonProgress.lesson_id)
    .join(Module, Module.id == Lesson.module_id)
    .where(Module.course_id == bindparam("course_id"), LessonProgress.enrolment_id == bindparam("enrolment_id"),
           LessonProgress.completed_at.is_not(None)).scalar_subquery(),
    select(func.count(Attempt.submitted_at)).join(Quiz, Quiz.id == Attempt.quiz_id)
    .where(Attempt.enrolment_id == bindparam("enrolment_id"), Attempt.quiz_id == bindparam("pre_test_id"),
           Quiz.course_id == bindparam("course_id")).scalar_subquery(),
)


def quiz_gate(assignment, enrolment_id: int) -> QuizGate:
    """The enrolment's :class:`QuizGate` in the assignment's course (one query)."""
    total, completed, pre_submitted = plain_rows(_QUIZ_GATE, {
        "course_id": assignment.course_id, "enrolment_id": enrolment_id, "pre_test_id": assignment.pre_test_id,
    }).one()
    return QuizGate(total, completed, assignment.pre_test_id is not None, bool(pre_submitted))


def quiz_available(quiz: Quiz, assignment: CourseAssignment, state: OutlineState | QuizGate) -> bool:
    """The pre-test is open before the content; the post-test once every lesson is completed; other quizzes
    once the pre-test (if named) is submitted. Pre/post-test quizzes the cohort does not name are hidden."""
    if quiz.id == assignment.pre_test_id:
        return True
    if quiz.id == assignment.post_test_id:
        return state.post_unlocked
    if quiz.kind in ("pre_test", "post_test"):
        return False
    return not state.content_locked


_TRAINEE_ATTEMPTS = select(Attempt).where(Attempt.enrolment_id == bindparam("enrolment_id"),
                                          Attempt.quiz_id == bindparam("quiz_id")).order_by(Attempt.number)


def trainee_attempts(enrolment_id: int, quiz_id: int) -> list[Attempt]:
    """An enrolment's attempts of one quiz, by number."""
    return list(db.session.scalars(_TRAINEE_ATTEMPTS, {"enrolment_id": enrolment_id, "quiz_id": quiz_id}))


# The quiz page's reads as plain columns (what the page shows; no ORM objects).
_PORTAL_QUIZ = select(Quiz.id, Quiz.title, Quiz.instructions, Quiz.kind, Quiz.time_limit_minutes, Quiz.max_attempts,
                      Quiz.pass_mark, Quiz.feedback).where(Quiz.id == bindparam("quiz_id"),
                                                           Quiz.course_id == bindparam("course_id"))
_ATTEMPT_HISTORY = (select(Attempt.id, Attempt.number, Attempt.started_at, Attempt.deadline, Attempt.submitted_at,
                           Attempt.auto_submitted, Attempt.score)
                    .where(Attempt.enrolment_id == bindparam("enrolment_id"), Attempt.quiz_id == bindparam("quiz_id"))
                    .order_by(Attempt.number))


def portal_quiz(course_id: int, quiz_id: int):
    """A quiz of the course as a row of what the trainee's quiz page shows (id, title, instructions, kind,
    time_limit_minutes, max_attempts, pass_mark, feedback), or None when the course has no such quiz."""
    return plain_rows(_PORTAL_QUIZ, {"course_id": course_id, "quiz_id": quiz_id}).first()


def attempt_history(enrolment_id: int, quiz_id: int) -> list:
    """:func:`trainee_attempts` as rows of what the quiz page shows (id, number, started_at, deadline,
    submitted_at, auto_submitted, score), by number."""
    return plain_rows(_ATTEMPT_HISTORY, {"enrolment_id": enrolment_id, "quiz_id": quiz_id}).all()


def owned_attempt(user_id: int, attempt_id: int) -> Attempt | None:
    """An attempt of the signed-in trainee (None → 404 for anybody else's)."""
    return db.session.scalar(
        select(Attempt).join(Enrolment, Enrolment.id == Attempt.enrolment_id)
        .join(Trainee, Trainee.id == Enrolment.trainee_id)
        .where(Attempt.id == attempt_id, Trainee.user_id == user_id)
        .options(selectinload(Attempt.quiz), selectinload(Attempt.assignment)))


def attempt_questions(attempt: Attempt) -> list[Question]:
    """The attempt's questions in its drawn order."""
    by_id = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(attempt.question_ids)))}
    return [by_id[qid] for qid in attempt.question_ids if qid in by_id]


def attempt_scores(attempt: Attempt) -> dict[int, float | None]:
    return dict(db.session.execute(select(Answer.question_id, Answer.score)
                                   .where(Answer.attempt_id == attempt.id)).all())


# --- progress grid -------------------------------------------------------------------------------

def assignment_overview(cohort_id: int | None = None, course_id: int | None = None) -> list[dict]:
    """Cohort × course grid: per assignment the trainees, mean lesson completion, pre/post means (six
    queries whatever the number of cohorts)."""
    query = select(CourseAssignment).join(Cohort).options(
        selectinload(CourseAssignment.cohort), selectinload(CourseAssignment.course)) \
        .order_by(Cohort.start_date.desc(), CourseAssignment.id)
    if cohort_id:
        query = query.where(CourseAssignment.cohort_id == cohort_id)
    if course_id:
        query = query.where(CourseAssignment.course_id == course_id)
    assignments = list(db.session.scalars(query))
    if not assignments:
        return []
    ids = [a.id for a in assignments]
    enrolled = dict(db.session.execute(
        select(CourseAssignment.id, func.count(Enrolment.id)).join(Enrolment, and_(
            Enrolment.cohort_id == CourseAssignment.cohort_id, Enrolment.status.in_(PORTAL_STATUSES)))
        .where(CourseAssignment.id.in_(ids)).group_by(CourseAssignment.id)).all())
    totals = lesson_totals({a.course_id for a in assignments})
    done = dict(db.session.execute(
        select(CourseAssignment.id, func.count(LessonProgress.id))
        .join(Enrolment, and_(Enrolment.cohort_id == CourseAssignment.cohort_id,
                              Enrolment.status.in_(PORTAL_STATUSES)))
        .join(LessonProgress, LessonProgress.enrolment_id == Enrolment.id)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(Module, Module.id == Lesson.module_id)
        .where(CourseAssignment.id.in_(ids), Module.course_id == CourseAssignment.course_id,
               LessonProgress.completed_at.is_not(None))
        .group_by(CourseAssignment.id)).all())
    means = {}
    for column in ("pre_test_id", "post_test_id"):
        fs = first_scores(quiz_ids=[getattr(a, column) for a in assignments if getattr(a, column)])
        rows = db.session.execute(
            select(CourseAssignment.id, func.count(fs.c.score), func.avg(fs.c.score))
            .join(Enrolment, and_(Enrolment.cohort_id == CourseAssignment.cohort_id,
                                  Enrolment.status.in_(PORTAL_STATUSES)))
            .join(fs, and_(fs.c.enrolment_id == Enrolment.id, fs.c.quiz_id == getattr(CourseAssignment, column)))
            .where(CourseAssignment.id.in_(ids)).group_by(CourseAssignment.id))
        means[column] = {aid: (n, avg) for aid, n, avg in rows}
    out = []
    for a in assignments:
        n = enrolled.get(a.id, 0)
        total = totals.get(a.course_id, 0)
        out.append({
            "assignment": a, "trainees": n, "lessons_total": total,
            "completion": (done.get(a.id, 0) / (n * total)) if n and total else None,
            "pre": means["pre_test_id"].get(a.id, (0, None)), "post": means["post_test_id"].get(a.id, (0, None)),
        })
    return out


def assignment_progress(assignment: CourseAssignment) -> list[dict]:
    """Per trainee of the cohort: lessons completed, pre/post first scores, module-test results (five
    queries whatever the number of trainees)."""
    enrolments = list(db.session.scalars(
        select(Enrolment).join(Trainee).where(Enrolment.cohort_id == assignment.cohort_id,
                                              Enrolment.status.in_(PORTAL_STATUSES))
        .options(selectinload(Enrolment.trainee)).order_by(Trainee.family_name, Trainee.given_names)))
    if not enrolments:
        return []
    ids = [e.id for e in enrolments]
    done = lessons_completed(ids, [assignment.course_id])
    quiz_ids = [q for q in (assignment.pre_test_id, assignment.post_test_id) if q]
    scores = {}
    if quiz_ids:
        fs = first_scores(ids, quiz_ids)
        scores = {(e, q): s for e, q, s in db.session.execute(select(fs.c.enrolment_id, fs.c.quiz_id, fs.c.score))}
    tests = db.session.execute(
        select(Attempt.enrolment_id, func.count(distinct(Quiz.id)))
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.enrolment_id.in_(ids), Quiz.course_id == assignment.course_id, Quiz.kind == "module_test",
               Attempt.score >= Quiz.pass_mark)
        .group_by(Attempt.enrolment_id))
    passed = dict(tests.all())
    return [{"enrolment": e, "trainee": e.trainee, "lessons_done": done.get((e.id, assignment.course_id), 0),
             "pre": scores.get((e.id, assignment.pre_test_id)), "post": scores.get((e.id, assignment.post_test_id)),
             "tests_passed": passed.get(e.id, 0)} for e in enrolments]


def module_test_count(course_id: int) -> int:
    return db.session.scalar(select(func.count(Quiz.id)).where(Quiz.course_id == course_id,
                                                               Quiz.kind == "module_test")) or 0


# --- item analysis -------------------------------------------------------------------------------

@dataclass
class ItemStats:
    question: Question
    n: int
    facility: float | None
    discrimination: float | None
    options: list[tuple[str, int]] = field(default_factory=list)
    blank: int = 0
    correct: list[bool] = field(default_factory=list)  # per entry of ``options``: a right answer (✓)

    @property
    def rows(self) -> list[tuple[str, int, bool]]:
        """(answer label, times chosen, right answer) for the page."""
        return [(label, count, right) for (label, count), right in zip(self.options, self.correct, strict=True)]


def response_label(response) -> str:
    """An answer as a person reads it: True/False in the page's language, 14 for 14.0, text as given."""
    if isinstance(response, bool):
        return _("True") if response else _("False")
    if isinstance(response, float):
        return str(int(response)) if response.is_integer() and abs(response) < 1e15 else repr(response)
    return str(response)


def item_analysis(quiz: Quiz) -> tuple[int, float | None, list[ItemStats]]:
    """(submitted attempts, mean score, per-item statistics) for a quiz — see the module docstring."""
    submitted = and_(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
    n, mean = db.session.execute(select(func.count(Attempt.id), func.avg(Attempt.score)).where(submitted)).one()
    if not n:
        return 0, None, []
    k = grading.group_size_27(n)
    ranked = select(Attempt.id.label("attempt_id"),
                    func.row_number().over(order_by=(Attempt.score.desc(), Attempt.id)).label("rn")) \
        .where(submitted).subquery()
    upper = case((ranked.c.rn <= k, Answer.score))
    lower = case((ranked.c.rn > n - k, Answer.score))
    rows = db.session.execute(
        select(Answer.question_id, func.count(Answer.id), func.avg(Answer.score), func.avg(upper), func.avg(lower))
        .join(ranked, ranked.c.attempt_id == Answer.attempt_id).group_by(Answer.question_id)).all()
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_([r[0] for r in rows])).options(selectinload(Question.tag_rows)))}
    freq: dict[int, dict[str | None, int]] = {}
    for qid, response, count in db.session.execute(
            select(Answer.question_id, Answer.response, func.count()).join(Attempt)
            .where(submitted).group_by(Answer.question_id, Answer.response)):
        freq.setdefault(qid, {})[response] = count
    stats = []
    for qid, count, facility, up, low in rows:
        question = questions[qid]
        item = ItemStats(question, count, facility, (up - low) if k and up is not None and low is not None else None)
        options = question.spec.get("options")
        counts = [0] * len(options) if options else []
        labels: dict[str, int] = {}
        right_labels: set[str] = set()
        for text, c in freq.get(qid, {}).items():
            response = load_response(text)
            if response is None:
                item.blank += c
            elif options:
                for index in response if isinstance(response, list) else [response]:
                    if isinstance(index, int) and 0 <= index < len(counts):
                        counts[index] += c
            else:
                label = response_label(response)
                labels[label] = labels.get(label, 0) + c
                if grading.score_item(question.qtype, question.spec, response) >= 1.0 - 1e-9:
                    right_labels.add(label)
        if options:
            item.options = list(zip(options, counts, strict=True))
            keys = set(question.spec.get("correct") or [])
            item.correct = [index in keys for index in range(len(options))]
        else:
            item.options = sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
            item.correct = [label in right_labels for label, _count in item.options]
        stats.append(item)
    order = {qid: i for i, qid in enumerate(item.question_id for item in quiz.items)}
    stats.sort(key=lambda s: (order.get(s.question.id, len(order)), s.question.key))
    return n, mean, stats


# --- pre/post and gain ---------------------------------------------------------------------------

def paired_scores(cohort_ids=None):
    """Subquery of one row per (assignment, enrolment) having both a pre- and a post-test first score:
    assignment_id, cohort_id, enrolment_id, pre, post, nationality, sector_code."""
    fs_pre = first_scores().alias("pre")
    fs_post = first_scores().alias("post")
    query = (select(CourseAssignment.id.label("assignment_id"), CourseAssignment.cohort_id,
                    Enrolment.id.label("enrolment_id"), fs_pre.c.score.label("pre"), fs_post.c.score.label("post"),
                    Trainee.nationality, Organisation.sector_code)
             .join(Enrolment, Enrolment.cohort_id == CourseAssignment.cohort_id)
             .join(Trainee, Trainee.id == Enrolment.trainee_id)
             .join(Organisation, Organisation.id == Trainee.organisation_id)
             .join(fs_pre, and_(fs_pre.c.enrolment_id == Enrolment.id,
                                fs_pre.c.quiz_id == CourseAssignment.pre_test_id))
             .join(fs_post, and_(fs_post.c.enrolment_id == Enrolment.id,
                                 fs_post.c.quiz_id == CourseAssignment.post_test_id)))
    if cohort_ids is not None:
        query = query.where(CourseAssignment.cohort_id.in_(cohort_ids))
    return query.subquery()


@dataclass
class GainRow:
    key: object
    label: str
    paired: int
    pre: float | None
    post: float | None

    @property
    def gain(self) -> float | None:
        return grading.hake_gain(self.pre, self.post)

    @property
    def band(self) -> str | None:
        return grading.gain_band(self.gain)


def gain_by(dimension: str, cohort_ids=None) -> list[GainRow]:
    """Paired trainees, mean pre %, mean post % and Hake's gain grouped by ``assignment`` (cohort ×
    course), ``cohort``, ``country`` (nationality) or ``sector``."""
    pairs = paired_scores(cohort_ids)
    column = {"assignment": pairs.c.assignment_id, "cohort": pairs.c.cohort_id, "country": pairs.c.nationality,
              "sector": pairs.c.sector_code}[dimension]
    rows = db.session.execute(select(column, func.count(), func.avg(pairs.c.pre), func.avg(pairs.c.post))
                              .group_by(column).order_by(column)).all()
    labels: dict = {}
    if dimension == "assignment" and rows:
        for a in db.session.scalars(select(CourseAssignment).where(CourseAssignment.id.in_([r[0] for r in rows]))
                                    .options(selectinload(CourseAssignment.cohort),
                                             selectinload(CourseAssignment.course))):
            labels[a.id] = f"{a.cohort.code} · {a.course.code}"
    elif dimension == "cohort" and rows:
        labels = dict(db.session.execute(select(Cohort.id, Cohort.code)
                                         .where(Cohort.id.in_([r[0] for r in rows]))).all())
    return [GainRow(key, str(labels.get(key, key)), n, float(pre), float(post)) for key, n, pre, post in rows]


def gain_total(cohort_ids=None) -> GainRow:
    pairs = paired_scores(cohort_ids)
    n, pre, post = db.session.execute(select(func.count(), func.avg(pairs.c.pre), func.avg(pairs.c.post))).one()
    return GainRow(None, "", n, float(pre) if pre is not None else None, float(post) if post is not None else None)
