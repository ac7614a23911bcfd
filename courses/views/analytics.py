"""Organiser analytics: cohort × course progress grid, per-trainee progress, item analysis, pre/post gain."""

from __future__ import annotations

from flask import render_template, request

from accounts.permissions import organiser_required
from core.extensions import db
from core.refdata import country_name, sector_name
from courses import queries
from courses.blueprint import bp
from courses.models import CourseAssignment, Quiz
from trainees.display import current_lang


@bp.route("/courses/progress")
@organiser_required
def progress():
    """Cohort × course grid: trainees, mean lesson completion, mean pre/post (filter by cohort or course)."""
    cohort_id, course_id = request.args.get("cohort", type=int), request.args.get("course", type=int)
    rows = queries.assignment_overview(cohort_id, course_id)
    return render_template("courses/admin/progress.html", rows=rows, cohorts=queries.cohort_choices(),
                           cohort_id=cohort_id)


@bp.route("/courses/assignments/<int:assignment_id>/progress")
@organiser_required
def assignment_progress(assignment_id: int):
    """One cohort's progress in one course, trainee by trainee."""
    assignment = db.get_or_404(CourseAssignment, assignment_id)
    rows = queries.assignment_progress(assignment)
    totals = queries.lesson_totals([assignment.course_id])
    return render_template("courses/admin/assignment_progress.html", assignment=assignment, rows=rows,
                           lessons_total=totals.get(assignment.course_id, 0),
                           tests_total=queries.module_test_count(assignment.course_id))


@bp.route("/courses/quizzes/<int:quiz_id>/analysis")
@organiser_required
def quiz_analysis(quiz_id: int):
    """Item analysis: facility and discrimination indices and option frequencies."""
    quiz = db.get_or_404(Quiz, quiz_id)
    n, mean, items = queries.item_analysis(quiz)
    return render_template("courses/admin/analysis.html", quiz=quiz, n=n, mean=mean, items=items)


@bp.route("/courses/gain")
@organiser_required
def gain():
    """Pre/post results of paired trainees and Hake's normalised gain by cohort and course, country, sector."""
    cohort_id = request.args.get("cohort", type=int)
    cohort_ids = [cohort_id] if cohort_id else None
    by_country = queries.gain_by("country", cohort_ids)
    for row in by_country:
        row.label = f"{row.key} — {country_name(row.key, current_lang())}"
    by_sector = queries.gain_by("sector", cohort_ids)
    for row in by_sector:
        row.label = f"{row.key} — {sector_name(row.key, current_lang())}"
    return render_template("courses/admin/gain.html", total=queries.gain_total(cohort_ids),
                           by_assignment=queries.gain_by("assignment", cohort_ids), by_country=by_country,
                           by_sector=by_sector, cohorts=queries.cohort_choices(), cohort_id=cohort_id)
