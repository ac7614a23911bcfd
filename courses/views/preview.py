"""Preview as trainee (organisers): a lesson, a quiz's page and a whole quiz attempt rendered with the trainee
portal's templates (``preview`` set), with nothing recorded — see :mod:`courses.preview`. Trainees never
reach these routes (role check); their own portal is in :mod:`courses.views.portal`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from accounts.permissions import organiser_required
from core.db import as_utc, utcnow
from core.extensions import db
from core.i18n import _
from courses import grading, preview, queries
from courses.blueprint import bp
from courses.forms import ConfirmForm
from courses.models import Quiz
from courses.queries import OutlineState
from courses.views.portal import _pages


def _stand_in(course, quiz: Quiz | None = None) -> preview.PreviewAssignment:
    stand_in = preview.PreviewAssignment(course)
    if quiz is not None and quiz.kind == "pre_test":
        stand_in.pre_test_id = quiz.id
    elif quiz is not None and quiz.kind == "post_test":
        stand_in.post_test_id = quiz.id
    return stand_in


@bp.route("/courses/preview/lessons/<int:lesson_id>")
@organiser_required
def preview_lesson(lesson_id: int):
    """A lesson exactly as a trainee reads it, with previous/next through the course; no view is recorded."""
    lesson = queries.lesson_with_body(lesson_id) or abort(404)
    course = lesson.module.course
    lessons = [item for module in queries.course_structure(course.id) for item in module.lessons]
    index = next(i for i, item in enumerate(lessons) if item.id == lesson.id)
    return render_template("courses/portal/lesson.html", preview=True, assignment=_stand_in(course), lesson=lesson,
                           state=OutlineState(lessons_total=len(lessons)), number=index + 1, total=len(lessons),
                           previous=lessons[index - 1] if index else None,
                           next=lessons[index + 1] if index + 1 < len(lessons) else None, form=ConfirmForm())


@bp.route("/courses/preview/quizzes/<int:quiz_id>")
@organiser_required
def preview_quiz(quiz_id: int):
    """A quiz's page as a trainee who has not tried it yet sees it, with the button to start."""
    quiz = db.get_or_404(Quiz, quiz_id)
    return render_template("courses/portal/quiz.html", preview=True, assignment=_stand_in(quiz.course, quiz),
                           quiz=quiz, history=[], left=quiz.max_attempts or None, available=True,
                           state=OutlineState(), form=ConfirmForm(), open_attempt=None)


@bp.route("/courses/preview/quizzes/<int:quiz_id>/attempt", methods=["GET", "POST"])
@organiser_required
def preview_attempt(quiz_id: int):
    """Take the quiz as a trainee would — pages, flags, the summary, the final submission and the result —
    with the attempt kept in the page and scored in memory."""
    quiz = db.get_or_404(Quiz, quiz_id)
    if request.method == "GET":
        current = preview.start(quiz)
        if current is None:
            flash(_("This quiz has no questions yet. Please tell the programme office."), "error")
            return redirect(url_for("courses.preview_quiz", quiz_id=quiz.id))
        return _render_attempt(current, {}, 1)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    current = preview.restore(quiz, request.form.get("preview_state"), request.form.getlist("flag"))
    if current is None:
        flash(_("The preview could not be continued; it was started again."), "warning")
        return redirect(url_for("courses.preview_attempt", quiz_id=quiz.id))
    pages = _pages(current)
    page = min(max(request.form.get("page", 1, type=int) or 1, 1), len(pages))
    answers = preview.responses(current, request.form)
    action, goto = request.form.get("action", "save"), request.form.get("goto", type=int)
    if action == "submit":
        return _render_result(current, answers)
    if action == "summary":
        return _render_summary(current, answers)
    if goto is not None and goto in current.question_ids:
        page = next(n for n, ids in enumerate(pages, start=1) if goto in ids)
    return _render_attempt(current, answers, page)


def _seconds_left(current) -> int | None:
    return grading.seconds_left(as_utc(current.deadline), utcnow())


def _render_attempt(current, answers: dict, page: int):
    pages = _pages(current)
    on_page = pages[page - 1]
    questions = [q for q in queries.attempt_questions(current) if q.id in set(on_page)]
    visibility = grading.feedback_visibility(current.quiz.feedback, False, False)
    item_feedback = {q.id: grading.score_item(q.qtype, q.spec, answers[q.id]) for q in questions
                     if visibility.items and answers.get(q.id) is not None}
    return render_template("courses/portal/attempt.html", preview=True, carried=_carried(current, on_page),
                           attempt=current, quiz=current.quiz, questions=questions, layout=dict(current.layout),
                           responses=answers, item_feedback=item_feedback, form=ConfirmForm(), page=page,
                           pages=pages, numbers={qid: n for n, qid in enumerate(current.question_ids, start=1)},
                           flagged=set(current.flagged), seconds_left=_seconds_left(current))


def _render_summary(current, answers: dict):
    flagged = set(current.flagged)
    pages = _pages(current)
    rows = [{"number": n, "id": qid, "page": next(p for p, ids in enumerate(pages, start=1) if qid in ids),
             "answered": answers.get(qid) is not None, "flagged": qid in flagged}
            for n, qid in enumerate(current.question_ids, start=1)]
    return render_template("courses/portal/summary.html", preview=True, carried=_carried(current, []),
                           attempt=current, quiz=current.quiz, rows=rows, form=ConfirmForm(),
                           unanswered=sum(not r["answered"] for r in rows), seconds_left=_seconds_left(current))


def _render_result(current, answers: dict):
    scores = preview.score(current, answers)
    visibility = grading.feedback_visibility(current.quiz.feedback, True, True)
    return render_template("courses/portal/result.html", preview=True, attempt=current, quiz=current.quiz,
                           questions=queries.attempt_questions(current) if visibility.items else [],
                           responses=answers, scores=scores, layout=dict(current.layout), visibility=visibility,
                           passed=grading.passed(current.score, current.quiz.pass_mark))


def _carried(current, on_page) -> dict:
    """What the page's form must carry besides its visible inputs: the attempt's state, and the answers and
    flags of the questions on other pages (as the raw form values they came in)."""
    shown = set(on_page)
    values = {qid: request.form.getlist(f"q-{qid}") for qid in current.question_ids if qid not in shown}
    return {"state": current.state, "values": {qid: v for qid, v in values.items() if v},
            "flags": [qid for qid in current.flagged if qid not in shown]}

