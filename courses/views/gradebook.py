"""Organiser gradebook: per course assignment (cohort × course) the trainees × quizzes grid, a read-only
review of any attempt in it, and the grid as .xlsx. Organisers and admins only (observers, focal points and
trainees get 403 from the role check)."""

from __future__ import annotations

import io

from flask import abort, redirect, render_template, send_file, url_for
from flask_login import current_user

from accounts.permissions import organiser_required
from core import audit
from core.extensions import db
from core.spreadsheets import XLSX_MIME
from core.uow import unit_of_work
from courses import attempts, gradebook, grading, queries
from courses.blueprint import bp
from trainees.display import current_lang
from trainees.models import Cohort


def _assignment(assignment_id: int):
    return gradebook.assignment_for_page(assignment_id) or abort(404)


@bp.route("/courses/assignments/<int:assignment_id>/gradebook")
@organiser_required
def gradebook_page(assignment_id: int):
    """Trainees × quizzes: first and best score and attempts per cell, lessons completed; 100 trainees a page."""
    assignment = _assignment(assignment_id)
    quizzes = gradebook.quizzes(assignment)
    page = db.paginate(gradebook.enrolment_query(assignment), per_page=gradebook.PER_PAGE, max_per_page=None)
    enrolments = list(page.items)
    return render_template("courses/admin/gradebook.html", assignment=assignment, quizzes=quizzes, page=page,
                           rows=gradebook.rows(assignment, enrolments, quizzes),
                           lessons_total=gradebook.lessons_total(assignment))


@bp.route("/courses/assignments/<int:assignment_id>/gradebook.xlsx")
@organiser_required
def gradebook_xlsx(assignment_id: int):
    """The whole gradebook as a workbook (personal data: never cached, the download is audited)."""
    assignment = _assignment(assignment_id)
    buffer = io.BytesIO()
    gradebook.write_xlsx(buffer, assignment, current_lang())
    with unit_of_work():  # the download is recorded in the audit log, as the report workbooks are
        audit.record("courses.gradebook_export", obj=assignment, actor=current_user,
                     summary=f"{assignment.cohort.code} · {assignment.course.code}")
    buffer.seek(0)
    response = send_file(buffer, mimetype=XLSX_MIME, as_attachment=True,
                         download_name=f"gradebook-{assignment.cohort.code}-{assignment.course.code}.xlsx")
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.route("/courses/assignments/<int:assignment_id>/gradebook/attempts/<int:attempt_id>")
@organiser_required
def gradebook_attempt(assignment_id: int, attempt_id: int):
    """Read-only review of one attempt: every question with the trainee's answer, its score and the key,
    and the trainee's other attempts at the quiz."""
    assignment = _assignment(assignment_id)
    current = gradebook.review_attempt(assignment, attempt_id) or abort(404)
    return render_template("courses/admin/attempt_review.html", assignment=assignment, attempt=current,
                           quiz=current.quiz, trainee=current.enrolment.trainee,
                           questions=queries.attempt_questions(current), responses=attempts.saved_responses(current),
                           scores=queries.attempt_scores(current),
                           layout=dict((qid, order) for qid, order in current.layout),
                           others=queries.trainee_attempts(current.enrolment_id, current.quiz_id),
                           passed=grading.passed(current.score, current.quiz.pass_mark))


@bp.route("/courses/cohorts/<int:cohort_id>/gradebook")
@organiser_required
def cohort_gradebook(cohort_id: int):
    """From the cohort page: the gradebook of its one course, or the choice of its courses."""
    cohort = db.get_or_404(Cohort, cohort_id)
    assignments = gradebook.cohort_assignments(cohort.id)
    if len(assignments) == 1:
        return redirect(url_for("courses.gradebook_page", assignment_id=assignments[0].id))
    return render_template("courses/admin/cohort_gradebooks.html", cohort=cohort, assignments=assignments)
