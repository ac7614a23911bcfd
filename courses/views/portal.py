"""Trainee portal: my courses, course outline, lessons with progress, quizzes with server-side time limit,
autosave and exactly-once submission, results per feedback policy, attempt history.

A trainee is the ``Trainee`` whose ``user_id`` is the signed-in user; they see the published courses
assigned to cohorts where their enrolment is accepted, confirmed, completed or incomplete. Anything else —
another trainee's attempt, a course of another cohort — is a 404.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from accounts.permissions import trainee_required
from core.db import as_utc, utcnow
from core.extensions import db
from core.i18n import _
from core.uow import unit_of_work
from courses import attempts, grading, queries
from courses.blueprint import bp
from courses.forms import ConfirmForm
from courses.models import Attempt, Lesson, Quiz
from courses.views.authoring import send_attachment


def _context(assignment_id: int):
    """(assignment, enrolment) of the signed-in trainee, or 404."""
    return queries.portal_context(current_user.id, assignment_id) or abort(404)


def _is_open(assignment) -> bool:
    return assignment.opens_on is None or utcnow().date() >= assignment.opens_on


def _course_and_state(assignment, enrolment):
    modules, viewed, completed = queries.course_progress(assignment.course_id, enrolment.id)
    lessons = [lesson for module in modules for lesson in module.lessons]
    state = queries.outline_state(enrolment.id, assignment, [lesson.id for lesson in lessons], (viewed, completed))
    return modules, lessons, state


@bp.route("/learn/")
@trainee_required
def my_courses():
    """The signed-in trainee's courses with their progress."""
    return render_template("courses/portal/my_courses.html", items=queries.my_courses(current_user.id),
                           today=utcnow().date())


@bp.route("/learn/<int:assignment_id>")
@trainee_required
def outline(assignment_id: int):
    """Course outline: pre-test first, then modules with lessons and tests, then the post-test."""
    assignment, enrolment = _context(assignment_id)
    modules, viewed, completed = queries.course_progress(assignment.course_id, enrolment.id)
    quizzes, statuses = queries.outline_quizzes(assignment.course_id, enrolment.id)
    lesson_ids = [lesson.id for module in modules for lesson in module.lessons]
    state = queries.outline_state(enrolment.id, assignment, lesson_ids, (viewed, completed), statuses)
    is_open = _is_open(assignment)
    by_id, by_module = {}, {}
    for q in quizzes:
        q.open = is_open and queries.quiz_available(q, assignment, state)
        by_id[q.id] = q
        if q.kind not in ("pre_test", "post_test") and q.id not in (assignment.pre_test_id, assignment.post_test_id):
            by_module.setdefault(q.module_id, []).append(q)
    return render_template("courses/portal/outline.html", assignment=assignment, course=assignment.course,
                           modules=modules, state=state, by_module=by_module, is_open=is_open,
                           pre_test=by_id.get(assignment.pre_test_id), post_test=by_id.get(assignment.post_test_id))


def _lesson_or_redirect(assignment, enrolment, lesson_id: int):
    course, lessons, state = _course_and_state(assignment, enrolment)
    lesson = next((item for item in lessons if item.id == lesson_id), None) or abort(404)
    if not _is_open(assignment):
        flash(_("This course opens on %(day)s.", day=assignment.opens_on.isoformat()), "warning")
        return None, lessons, state
    if state.content_locked:
        flash(_("Please take the pre-test first: the lessons open once it is submitted."), "warning")
        return None, lessons, state
    return lesson, lessons, state


@bp.route("/learn/<int:assignment_id>/lessons/<int:lesson_id>")
@trainee_required
def lesson(assignment_id: int, lesson_id: int):
    """A lesson page (phone-friendly, printable) with previous/next; opening it records a view."""
    assignment, enrolment = _context(assignment_id)
    current, lessons, state = _lesson_or_redirect(assignment, enrolment, lesson_id)
    if current is None:
        return redirect(url_for("courses.outline", assignment_id=assignment_id))
    if current.id not in state.viewed:  # a write on GET, idempotent: the first view is kept, a repeat adds nothing
        with unit_of_work():
            attempts.record_lesson_view(enrolment.id, current.id)
    index = lessons.index(current)
    return render_template("courses/portal/lesson.html", assignment=assignment,
                           lesson=queries.portal_lesson(current.id), state=state,
                           previous=lessons[index - 1] if index else None, number=index + 1, total=len(lessons),
                           next=lessons[index + 1] if index + 1 < len(lessons) else None, form=ConfirmForm())


@bp.route("/learn/<int:assignment_id>/lessons/<int:lesson_id>/complete", methods=["POST"])
@trainee_required
def lesson_complete(assignment_id: int, lesson_id: int):
    """Mark a lesson completed and go on to the next one (or back to the outline)."""
    assignment, enrolment = _context(assignment_id)
    current, lessons, _state = _lesson_or_redirect(assignment, enrolment, lesson_id)
    if current is None or not ConfirmForm().validate_on_submit():
        return redirect(url_for("courses.outline", assignment_id=assignment_id))
    with unit_of_work():
        attempts.complete_lesson(enrolment.id, current.id)
    index = lessons.index(current)
    if index + 1 < len(lessons):
        return redirect(url_for("courses.lesson", assignment_id=assignment_id, lesson_id=lessons[index + 1].id))
    flash(_("You have completed every lesson."), "success")
    return redirect(url_for("courses.outline", assignment_id=assignment_id))


@bp.route("/learn/<int:assignment_id>/lessons/<int:lesson_id>/file")
@trainee_required
def lesson_file(assignment_id: int, lesson_id: int):
    """Download a lesson's attachment (only for trainees who may read the lesson)."""
    assignment, enrolment = _context(assignment_id)
    current, _lessons, _state = _lesson_or_redirect(assignment, enrolment, lesson_id)
    if current is None:
        abort(404)
    return send_attachment(db.session.get(Lesson, current.id))


def _quiz_or_404(assignment, quiz_id: int) -> Quiz:
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or quiz.course_id != assignment.course_id:
        abort(404)
    return quiz


@bp.route("/learn/<int:assignment_id>/quizzes/<int:quiz_id>")
@trainee_required
def quiz(assignment_id: int, quiz_id: int):
    """A quiz's rules, the trainee's attempts so far and the button to start or resume."""
    assignment, enrolment = _context(assignment_id)
    current = queries.portal_quiz(assignment.course_id, quiz_id) or abort(404)
    history = queries.attempt_history(enrolment.id, current.id)
    open_attempt = next((a for a in reversed(history) if a.submitted_at is None), None)  # the latest open one
    if open_attempt is not None and attempts.due_for_auto_submit(open_attempt):
        with unit_of_work():  # a write on GET, idempotent: auto-submits once, on the first request after the deadline
            attempts.finalise_if_expired(db.session.get(Attempt, open_attempt.id))
        history = queries.attempt_history(enrolment.id, current.id)  # reloaded after the commit (rare path)
    state = queries.quiz_gate(assignment, enrolment.id)
    left = None if not current.max_attempts else max(0, current.max_attempts - len(history))
    return render_template("courses/portal/quiz.html", assignment=assignment, quiz=current, history=history,
                           left=left, available=_is_open(assignment) and queries.quiz_available(
                               current, assignment, state), state=state, form=ConfirmForm(),
                           open_attempt=next((a for a in history if a.submitted_at is None), None))


@bp.route("/learn/<int:assignment_id>/quizzes/<int:quiz_id>/start", methods=["POST"])
@trainee_required
def quiz_start(assignment_id: int, quiz_id: int):
    """Start a new attempt (or resume the open one)."""
    assignment, enrolment = _context(assignment_id)
    current = _quiz_or_404(assignment, quiz_id)
    state = queries.quiz_gate(assignment, enrolment.id)
    if not ConfirmForm().validate_on_submit() or not _is_open(assignment) or not queries.quiz_available(
            current, assignment, state):
        flash(_("This quiz is not open to you yet."), "warning")
        return redirect(url_for("courses.quiz", assignment_id=assignment_id, quiz_id=quiz_id))
    try:
        with unit_of_work() as work:
            attempt = attempts.start_attempt(enrolment, assignment, current)
    except IntegrityError:  # a second click started the same attempt number at the same moment (rolled back)
        attempt = attempts.open_attempt(enrolment.id, current.id) or abort(409)
    else:
        if work.error:
            return redirect(url_for("courses.quiz", assignment_id=assignment_id, quiz_id=quiz_id))
    return redirect(url_for("courses.attempt", attempt_id=attempt.id))


def _owned(attempt_id: int):
    return queries.owned_attempt(current_user.id, attempt_id) or abort(404)


def _values_from_form(attempt, only: list[int] | None = None) -> dict[int, list[str]]:
    ids = attempt.question_ids if only is None else [q for q in only if q in attempt.question_ids]
    return {qid: request.form.getlist(f"q-{qid}") for qid in ids}


QUESTIONS_PER_PAGE = 10


def _pages(attempt) -> list[list[int]]:
    ids = attempt.question_ids
    return [ids[i:i + QUESTIONS_PER_PAGE] for i in range(0, len(ids), QUESTIONS_PER_PAGE)] or [[]]


def _page_of(attempt, question_id: int) -> int:
    return next((n for n, ids in enumerate(_pages(attempt), start=1) if question_id in ids), 1)


@bp.route("/learn/attempts/<int:attempt_id>", methods=["GET", "POST"])
@trainee_required
def attempt(attempt_id: int):
    """Take a quiz, one page of questions at a time: answers are autosaved by script, or saved with the
    navigation buttons (no script needed); flags for review; "Finish attempt" leads to the summary, where
    the trainee confirms the final submission."""
    current = _owned(attempt_id)
    pages = _pages(current)
    page = min(max(request.values.get("page", 1, type=int) or 1, 1), len(pages))
    if request.method == "POST":
        if current.submitted_at is not None or not ConfirmForm().validate_on_submit():
            return redirect(url_for("courses.attempt_result", attempt_id=current.id))
        action, goto = request.form.get("action", "save"), request.form.get("goto", type=int)
        with unit_of_work() as work:
            try:
                if action == "submit" and request.form.get("all") == "1":
                    page_ids = []  # the summary's final button carries no answers
                else:
                    page_ids = pages[page - 1]
                    attempts.save_answers(current, _values_from_form(current, page_ids))
                    flagged = {int(v) for v in request.form.getlist("flag") if v.isdigit()}
                    attempts.set_flags(current, page_ids, flagged)
                if action == "submit":
                    attempts.submit_attempt(current)
                    return redirect(url_for("courses.attempt_result", attempt_id=current.id))
            except attempts.AttemptClosed as exc:  # the service submitted the expired attempt: the work keeps it
                work.flash(exc.message, "warning")
                return redirect(url_for("courses.attempt_result", attempt_id=current.id))
        if work.ok:
            if action == "summary":
                return redirect(url_for("courses.attempt_summary", attempt_id=current.id))
            if goto is not None and goto in current.question_ids:
                return redirect(url_for("courses.attempt", attempt_id=current.id, page=_page_of(current, goto),
                                        _anchor=f"question-{goto}"))
            flash(_("Your answers are saved."), "success")
        return redirect(url_for("courses.attempt", attempt_id=current.id, page=page))
    if attempts.due_for_auto_submit(current):
        with unit_of_work():  # a write on GET, idempotent: auto-submits once, on the first request after the deadline
            attempts.finalise_if_expired(current)
    if current.submitted_at is not None:
        return redirect(url_for("courses.attempt_result", attempt_id=current.id))
    return _render_attempt(current, page)


def _render_attempt(current, page: int = 1):
    pages = _pages(current)
    on_page = set(pages[page - 1])
    all_questions = queries.attempt_questions(current)
    questions = [q for q in all_questions if q.id in on_page]
    responses = attempts.saved_responses(current)
    visibility = grading.feedback_visibility(current.quiz.feedback, False, False)
    item_feedback = {q.id: grading.score_item(q.qtype, q.spec, responses[q.id]) for q in questions
                     if visibility.items and responses.get(q.id) is not None}
    numbers = {qid: n for n, qid in enumerate(current.question_ids, start=1)}
    return render_template("courses/portal/attempt.html", attempt=current, quiz=current.quiz, questions=questions,
                           layout=dict((qid, order) for qid, order in current.layout), responses=responses,
                           item_feedback=item_feedback, form=ConfirmForm(), page=page, pages=pages,
                           numbers=numbers, flagged=set(current.flagged or []),
                           seconds_left=grading.seconds_left(as_utc(current.deadline), utcnow()))


@bp.route("/learn/attempts/<int:attempt_id>/summary")
@trainee_required
def attempt_summary(attempt_id: int):
    """Before the final submission: every question answered or not, flagged or not, with a way back."""
    current = _owned(attempt_id)
    if attempts.due_for_auto_submit(current):
        with unit_of_work():  # a write on GET, idempotent: auto-submits once, on the first request after the deadline
            attempts.finalise_if_expired(current)
    if current.submitted_at is not None:
        return redirect(url_for("courses.attempt_result", attempt_id=current.id))
    responses = attempts.saved_responses(current)
    flagged = set(current.flagged or [])
    rows = [{"number": n, "id": qid, "page": _page_of(current, qid), "answered": responses.get(qid) is not None,
             "flagged": qid in flagged} for n, qid in enumerate(current.question_ids, start=1)]
    return render_template("courses/portal/summary.html", attempt=current, quiz=current.quiz, rows=rows,
                           unanswered=sum(not r["answered"] for r in rows), form=ConfirmForm(),
                           seconds_left=grading.seconds_left(as_utc(current.deadline), utcnow()))


@bp.route("/learn/attempts/<int:attempt_id>/autosave", methods=["POST"])
@trainee_required
def attempt_autosave(attempt_id: int):
    """Save the answer to one question (JSON; the CSRF token comes in the X-CSRFToken header)."""
    current = _owned(attempt_id)
    qid = request.form.get("question", type=int)
    if qid is None or qid not in current.question_ids:
        return jsonify(ok=False, message=_("Unknown question.")), 400
    with unit_of_work():
        try:
            saved = attempts.save_answers(current, _values_from_form(current, [qid]))
            if request.form.get("flag") in ("0", "1"):
                attempts.set_flags(current, [qid], {qid} if request.form["flag"] == "1" else set())
        except attempts.AttemptClosed as exc:  # the service submitted the expired attempt: the work keeps it
            return jsonify(ok=False, message=exc.message,
                           redirect=url_for("courses.attempt_result", attempt_id=current.id)), 409
    body = {"ok": True, "saved_at": utcnow().isoformat(timespec="seconds"),
            "seconds_left": grading.seconds_left(as_utc(current.deadline), utcnow())}
    if current.quiz.feedback == "immediate" and saved:
        question = next(q for q in queries.attempt_questions(current) if q.id == qid)
        body["correct"] = grading.score_item(question.qtype, question.spec, saved[qid]) >= 1.0
    return jsonify(body)


@bp.route("/learn/attempts/<int:attempt_id>/result")
@trainee_required
def attempt_result(attempt_id: int):
    """The result of a submitted attempt, with as much feedback as the quiz's policy allows."""
    current = _owned(attempt_id)
    if attempts.due_for_auto_submit(current):
        with unit_of_work():  # a write on GET, idempotent: auto-submits once, on the first request after the deadline
            attempts.finalise_if_expired(current)
    if current.submitted_at is None:
        return redirect(url_for("courses.attempt", attempt_id=current.id))
    visibility = grading.feedback_visibility(current.quiz.feedback, True, attempts.is_closed(current.assignment))
    return render_template("courses/portal/result.html", attempt=current, quiz=current.quiz,
                           questions=queries.attempt_questions(current) if visibility.items else [],
                           responses=attempts.saved_responses(current), scores=queries.attempt_scores(current),
                           layout=dict((qid, order) for qid, order in current.layout), visibility=visibility,
                           passed=grading.passed(current.score, current.quiz.pass_mark))
