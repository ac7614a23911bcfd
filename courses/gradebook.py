"""The gradebook of one course assignment (cohort × course): its trainees × the course's quizzes, with
the first and the best score and the number of attempts per cell, and the lessons each trainee completed.

Reads only. The page is paginated by trainee; every page costs the same few queries whatever the number of
trainees and quizzes (the attempts of the page's trainees come in one query with window functions). The
.xlsx export (every trainee, one sheet) goes through the one spreadsheet writer, :mod:`core.spreadsheets`.

Which scores: *first* = the first **submitted** attempt (by submission time, then id — the rule the pre/post
figures use, see :mod:`courses.queries`); *best* = the highest score among submitted attempts;
*attempts* = every attempt started, an open one included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from core.extensions import db
from core.i18n import _
from core.spreadsheets import INTEGER, PERCENT, Column, Table, WorkbookWriter
from courses import queries
from courses.models import Attempt, CourseAssignment, Quiz
from trainees.models import Enrolment, Trainee
from trainees.status import status_name

PER_PAGE = 100


@dataclass
class Cell:
    """One trainee's results in one quiz."""

    attempts: int = 0
    submitted: int = 0
    first: float | None = None
    first_attempt_id: int | None = None
    best: float | None = None
    best_attempt_id: int | None = None
    open_attempt_id: int | None = None


@dataclass
class Row:
    enrolment: Enrolment
    lessons_done: int = 0
    cells: dict[int, Cell] = field(default_factory=dict)

    @property
    def trainee(self) -> Trainee:
        return self.enrolment.trainee


def quizzes(assignment: CourseAssignment) -> list[Quiz]:
    """The course's quizzes as the cohort's trainees meet them: its pre-test first, its post-test last; pre-
    and post-test quizzes the assignment does not name are left out (trainees never see them)."""
    rows = list(db.session.scalars(select(Quiz).where(Quiz.course_id == assignment.course_id)
                                   .order_by(Quiz.position, Quiz.id)))
    named = (assignment.pre_test_id, assignment.post_test_id)
    shown = [q for q in rows if q.id in named or q.kind not in ("pre_test", "post_test")]
    return sorted(shown, key=lambda q: 0 if q.id == assignment.pre_test_id else 2 if q.id == assignment.post_test_id
                  else 1)


def enrolment_query(assignment: CourseAssignment) -> Select:
    """The cohort's enrolments that open its courses (accepted, confirmed, completed, incomplete), by name,
    with their trainee (joined, no extra query)."""
    return (select(Enrolment).join(Trainee, Trainee.id == Enrolment.trainee_id)
            .where(Enrolment.cohort_id == assignment.cohort_id, Enrolment.status.in_(queries.PORTAL_STATUSES))
            .options(contains_eager(Enrolment.trainee))
            .order_by(Trainee.family_name, Trainee.given_names, Enrolment.id))


def cells(enrolment_ids: list[int], quiz_ids: list[int]) -> dict[tuple[int, int], Cell]:
    """{(enrolment_id, quiz_id): Cell} in one query: per (enrolment, quiz) the rows of the first submitted
    and of the best attempt, each carrying the partition's attempt counts."""
    if not enrolment_ids or not quiz_ids:
        return {}
    part = (Attempt.enrolment_id, Attempt.quiz_id)
    unsubmitted = case((Attempt.submitted_at.is_(None), 1), else_=0)
    inner = (select(Attempt.id, Attempt.enrolment_id, Attempt.quiz_id, Attempt.score, Attempt.submitted_at,
                    func.row_number().over(partition_by=part, order_by=(unsubmitted, Attempt.submitted_at,
                                                                        Attempt.id)).label("rf"),
                    func.row_number().over(partition_by=part, order_by=(
                        case((Attempt.score.is_(None), 1), else_=0), Attempt.score.desc(), Attempt.submitted_at,
                        Attempt.id)).label("rb"),
                    func.row_number().over(partition_by=part, order_by=(unsubmitted.desc(),
                                                                        Attempt.id.desc())).label("ro"),
                    func.count(Attempt.id).over(partition_by=part).label("n"),
                    func.count(Attempt.submitted_at).over(partition_by=part).label("ns"))
             .where(Attempt.enrolment_id.in_(enrolment_ids), Attempt.quiz_id.in_(quiz_ids)).subquery())
    out: dict[tuple[int, int], Cell] = {}
    for r in db.session.execute(select(inner).where(or_(inner.c.rf == 1, inner.c.rb == 1, inner.c.ro == 1))):
        cell = out.setdefault((r.enrolment_id, r.quiz_id), Cell(attempts=r.n, submitted=r.ns))
        if r.submitted_at is None:
            if r.ro == 1:
                cell.open_attempt_id = r.id
            continue
        if r.rf == 1:
            cell.first, cell.first_attempt_id = r.score, r.id
        if r.rb == 1 and r.score is not None:
            cell.best, cell.best_attempt_id = r.score, r.id
    return out


def rows(assignment: CourseAssignment, enrolments: list[Enrolment], quiz_list: list[Quiz]) -> list[Row]:
    """The gradebook rows of the given enrolments (two queries whatever their number)."""
    ids = [e.id for e in enrolments]
    by_cell = cells(ids, [q.id for q in quiz_list])
    done = queries.lessons_completed(ids, [assignment.course_id]) if ids else {}
    return [Row(e, done.get((e.id, assignment.course_id), 0),
                {q.id: by_cell.get((e.id, q.id), Cell()) for q in quiz_list}) for e in enrolments]


def lessons_total(assignment: CourseAssignment) -> int:
    return queries.lesson_totals([assignment.course_id]).get(assignment.course_id, 0)


def assignment_for_page(assignment_id: int) -> CourseAssignment | None:
    """The assignment with its cohort and course (one query)."""
    return db.session.scalar(select(CourseAssignment).where(CourseAssignment.id == assignment_id)
                             .options(selectinload(CourseAssignment.cohort), selectinload(CourseAssignment.course)))


def cohort_assignments(cohort_id: int) -> list[CourseAssignment]:
    return list(db.session.scalars(select(CourseAssignment).where(CourseAssignment.cohort_id == cohort_id)
                                   .options(selectinload(CourseAssignment.course)).order_by(CourseAssignment.id)))


def review_attempt(assignment: CourseAssignment, attempt_id: int) -> Attempt | None:
    """An attempt of a trainee of the assignment's cohort at a quiz of its course (None → 404 otherwise)."""
    return db.session.scalar(
        select(Attempt).join(Enrolment, Enrolment.id == Attempt.enrolment_id).join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.id == attempt_id, Enrolment.cohort_id == assignment.cohort_id,
               Quiz.course_id == assignment.course_id)
        .options(selectinload(Attempt.quiz), selectinload(Attempt.enrolment).selectinload(Enrolment.trainee)))


# --- export --------------------------------------------------------------------------------------

def table(assignment: CourseAssignment, lang: str) -> Table:
    """Every trainee of the assignment as one row: names, e-mail, status, lessons, then per quiz the first
    score, the best score (fractions, shown as percentages) and the number of attempts."""
    quiz_list = quizzes(assignment)
    total = lessons_total(assignment)
    columns = [Column(_("Family name")), Column(_("Given names")), Column(_("E-mail")), Column(_("Status")),
               Column(_("Lessons completed (of %(n)s)", n=total), INTEGER)]
    for q in quiz_list:
        columns += [Column(_("%(quiz)s: first score", quiz=q.title), PERCENT),
                    Column(_("%(quiz)s: best score", quiz=q.title), PERCENT),
                    Column(_("%(quiz)s: attempts", quiz=q.title), INTEGER)]
    enrolments = list(db.session.scalars(enrolment_query(assignment)).unique())

    def fraction(score):
        return None if score is None else score / 100

    def lines():
        for row in rows(assignment, enrolments, quiz_list):
            t = row.trainee
            values = [t.family_name or "", t.given_names, t.email, status_name(row.enrolment.status, lang),
                      row.lessons_done]
            for q in quiz_list:
                cell = row.cells[q.id]
                values += [fraction(cell.first), fraction(cell.best), cell.attempts]
            yield values

    return Table(columns, lines())


def write_xlsx(target: IO[bytes], assignment: CourseAssignment, lang: str) -> None:
    with WorkbookWriter(target) as book:
        book.write_table("Gradebook", table(assignment, lang))
