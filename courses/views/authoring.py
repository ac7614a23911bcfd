"""Organiser pages: courses, modules, lessons, the question bank, GIFT, quizzes, editions, assignments."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accounts.permissions import organiser_required
from core import filestore
from core.extensions import db
from core.i18n import _
from core.richtext import render_markup
from core.uow import run_service, unit_of_work
from courses import gift, queries, services
from courses.blueprint import bp
from courses.forms import (
    AssignmentForm,
    AttachmentForm,
    ConfirmForm,
    CourseForm,
    EditionForm,
    GiftImportForm,
    LessonForm,
    ModuleForm,
    QuestionForm,
    QuizForm,
    split_tags,
)
from courses.models import Course, CourseAssignment, Lesson, Module, Question, Quiz
from courses.question_types import TYPE_KEYS, keep_extras
from trainees.models import Cohort


def _module_choices(course_id: int) -> list[tuple[int, str]]:
    course = queries.course_outline(course_id)
    return [(0, "—")] + [(m.id, f"{i}. {m.title}") for i, m in enumerate(course.modules, start=1)]


# --- courses -------------------------------------------------------------------------------------


def _run_confirmed(action, success: str | None = None) -> bool | None:
    """Run a write posted with a ConfirmForm as the request's unit of work (``core.uow.run_service``).
    Returns True/False, or None when the form (CSRF) did not validate."""
    if not ConfirmForm().validate_on_submit():
        return None
    return run_service(action, success=success).ok

@bp.route("/courses/")
@organiser_required
def course_list():
    """All courses (every edition) with counts; search by code or title, filter by track."""
    q, track = request.args.get("q", "").strip(), request.args.get("track", "")
    page = db.paginate(queries.course_list_query(q, track), per_page=50)
    rows = db.session.execute(queries.course_list_query(q, track).limit(page.per_page).offset(
        (page.page - 1) * page.per_page)).all()
    return render_template("courses/admin/list.html", page=page, rows=rows, q=q, track=track)


@bp.route("/courses/new", methods=["GET", "POST"])
@organiser_required
def course_new():
    """Create a course."""
    form = CourseForm()
    if form.validate_on_submit():
        with unit_of_work(form, success=_("Saved.")):
            course = services.create_course(form.data_dict(), actor=current_user)
            return redirect(url_for("courses.course_detail", course_id=course.id))
    return render_template("courses/admin/course_form.html", form=form, course=None)


@bp.route("/courses/<int:course_id>")
@organiser_required
def course_detail(course_id: int):
    """A course's outline for authoring: modules, lessons, quizzes, assignments, editions."""
    course = queries.course_outline(course_id) or abort(404)
    return render_template("courses/admin/detail.html", course=course, quizzes=queries.course_quizzes(course_id),
                           assignments=queries.course_assignments(course_id), confirm=ConfirmForm())


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@organiser_required
def course_edit(course_id: int):
    """Edit a course's details."""
    course = db.get_or_404(Course, course_id)
    form = CourseForm(obj=course)
    if form.validate_on_submit():
        with unit_of_work(form, success=_("Saved.")):
            services.update_course(course, form.data_dict(), actor=current_user)
            return redirect(url_for("courses.course_detail", course_id=course.id))
    return render_template("courses/admin/course_form.html", form=form, course=course)


@bp.route("/courses/<int:course_id>/delete", methods=["POST"])
@organiser_required
def course_delete(course_id: int):
    """Delete a course that no cohort uses and no trainee has attempted."""
    course = db.get_or_404(Course, course_id)
    if _run_confirmed(lambda: services.delete_course(course, actor=current_user), _("Course deleted.")):
        return redirect(url_for("courses.course_list"))
    return redirect(url_for("courses.course_detail", course_id=course_id))


@bp.route("/courses/<int:course_id>/edition", methods=["GET", "POST"])
@organiser_required
def course_edition(course_id: int):
    """Copy a course into a new edition; past attempts keep the old edition and their scores."""
    course = queries.course_outline(course_id) or abort(404)
    form = EditionForm()
    if form.validate_on_submit():
        with unit_of_work(form, success=_("New edition created. It is not published yet.")):
            copy = services.new_edition(course, form.edition.data, actor=current_user)
            return redirect(url_for("courses.course_detail", course_id=copy.id))
    return render_template("courses/admin/edition.html", form=form, course=course)


# --- modules -------------------------------------------------------------------------------------

@bp.route("/courses/<int:course_id>/modules/new", methods=["GET", "POST"])
@organiser_required
def module_new(course_id: int):
    """Add a module at the end of a course."""
    course = db.get_or_404(Course, course_id)
    form = ModuleForm()
    if form.validate_on_submit():
        with unit_of_work(success=_("Saved.")):
            services.create_module(course, form.title.data, form.summary.data or "", actor=current_user)
        return redirect(url_for("courses.course_detail", course_id=course.id))
    return render_template("courses/admin/module_form.html", form=form, course=course, module=None)


@bp.route("/courses/modules/<int:module_id>/edit", methods=["GET", "POST"])
@organiser_required
def module_edit(module_id: int):
    """Rename a module or change its summary."""
    module = db.get_or_404(Module, module_id)
    form = ModuleForm(obj=module)
    if form.validate_on_submit():
        with unit_of_work(success=_("Saved.")):
            services.update_module(module, form.title.data, form.summary.data or "", actor=current_user)
        return redirect(url_for("courses.course_detail", course_id=module.course_id))
    return render_template("courses/admin/module_form.html", form=form, course=module.course, module=module,
                           confirm=ConfirmForm())


@bp.route("/courses/modules/<int:module_id>/delete", methods=["POST"])
@organiser_required
def module_delete(module_id: int):
    """Delete a module with its lessons and quizzes (refused once trainees took its quizzes)."""
    module = db.get_or_404(Module, module_id)
    course_id = module.course_id
    _run_confirmed(lambda: services.delete_module(module, actor=current_user), _("Module deleted."))
    return redirect(url_for("courses.course_detail", course_id=course_id))


@bp.route("/courses/modules/<int:module_id>/move/<any(up, down):direction>", methods=["POST"])
@organiser_required
def module_move(module_id: int, direction: str):
    """Move a module up or down."""
    module = db.get_or_404(Module, module_id)
    _run_confirmed(lambda: services.move_module(module, direction, actor=current_user))
    return redirect(url_for("courses.course_detail", course_id=module.course_id, _anchor=f"module-{module.id}"))


# --- lessons -------------------------------------------------------------------------------------

@bp.route("/courses/modules/<int:module_id>/lessons/new", methods=["GET", "POST"])
@organiser_required
def lesson_new(module_id: int):
    """Write a new lesson (with a server-rendered preview)."""
    module = db.get_or_404(Module, module_id)
    form = LessonForm()
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = render_markup(form.body_md.data or "")
        else:
            with unit_of_work(form, success=_("Saved.")):
                lesson = services.create_lesson(module, {"title": form.title.data, "minutes": form.minutes.data,
                                                         "body_md": form.body_md.data or ""}, actor=current_user)
                return redirect(url_for("courses.lesson_edit", lesson_id=lesson.id))
    return render_template("courses/admin/lesson_form.html", form=form, module=module, lesson=None, preview=preview)


@bp.route("/courses/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@organiser_required
def lesson_edit(lesson_id: int):
    """Edit a lesson's text with preview; upload or remove its attachment."""
    lesson = db.get_or_404(Lesson, lesson_id)
    form = LessonForm(obj=lesson)
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = render_markup(form.body_md.data or "")
        else:
            with unit_of_work(form, success=_("Saved.")):
                services.update_lesson(lesson, {"title": form.title.data, "minutes": form.minutes.data,
                                                "body_md": form.body_md.data or ""}, actor=current_user)
                return redirect(url_for("courses.lesson_edit", lesson_id=lesson.id))
    return render_template("courses/admin/lesson_form.html", form=form, module=lesson.module, lesson=lesson,
                           preview=preview, attach=AttachmentForm(), confirm=ConfirmForm())


@bp.route("/courses/lessons/<int:lesson_id>/delete", methods=["POST"])
@organiser_required
def lesson_delete(lesson_id: int):
    """Delete a lesson (and the trainees' progress on it)."""
    lesson = db.get_or_404(Lesson, lesson_id)
    course_id = lesson.module.course_id
    _run_confirmed(lambda: services.delete_lesson(lesson, actor=current_user), _("Lesson deleted."))
    return redirect(url_for("courses.course_detail", course_id=course_id))


@bp.route("/courses/lessons/<int:lesson_id>/move/<any(up, down):direction>", methods=["POST"])
@organiser_required
def lesson_move(lesson_id: int, direction: str):
    """Move a lesson up or down within its module."""
    lesson = db.get_or_404(Lesson, lesson_id)
    _run_confirmed(lambda: services.move_lesson(lesson, direction, actor=current_user))
    return redirect(url_for("courses.course_detail", course_id=lesson.module.course_id,
                            _anchor=f"module-{lesson.module_id}"))


@bp.route("/courses/lessons/<int:lesson_id>/attachment", methods=["POST"])
@organiser_required
def lesson_attach(lesson_id: int):
    """Upload (or replace) a lesson's attachment: size- and type-checked, kept in the file store."""
    lesson = db.get_or_404(Lesson, lesson_id)
    form = AttachmentForm()
    upload = form.attachment.data if form.validate_on_submit() else None
    if upload is None or not getattr(upload, "filename", ""):
        flash(_("Choose a file to upload."), "error")
    else:
        with unit_of_work(success=_("Attachment uploaded.")):
            services.set_attachment(lesson, upload.filename, upload.read(), actor=current_user)
    return redirect(url_for("courses.lesson_edit", lesson_id=lesson.id))


@bp.route("/courses/lessons/<int:lesson_id>/attachment/delete", methods=["POST"])
@organiser_required
def lesson_detach(lesson_id: int):
    """Remove a lesson's attachment."""
    lesson = db.get_or_404(Lesson, lesson_id)
    _run_confirmed(lambda: services.remove_attachment(lesson, actor=current_user), _("Attachment removed."))
    return redirect(url_for("courses.lesson_edit", lesson_id=lesson.id))


@bp.route("/courses/lessons/<int:lesson_id>/attachment/file")
@organiser_required
def lesson_file_admin(lesson_id: int):
    """Download a lesson's attachment (organisers)."""
    return send_attachment(db.get_or_404(Lesson, lesson_id))


def send_attachment(lesson: Lesson):
    """The lesson's attachment from the file store: always a download (never inline), not cached."""
    if not lesson.attachment_key:
        abort(404)
    return filestore.send(lesson.attachment_key, kind=services.ATTACHMENT_KIND,
                          download_name=lesson.attachment_name or None)


# --- question bank -------------------------------------------------------------------------------

@bp.route("/courses/<int:course_id>/questions")
@organiser_required
def questions(course_id: int):
    """The question bank of a course, filtered by tag, type, module or text."""
    course = db.get_or_404(Course, course_id)
    tag, qtype, q = request.args.get("tag", ""), request.args.get("type", ""), request.args.get("q", "").strip()
    module_id = request.args.get("module", type=int)
    page = db.paginate(queries.question_query(course_id, tag, qtype if qtype in TYPE_KEYS else "", q, module_id),
                       per_page=50)
    return render_template("courses/admin/questions.html", course=course, page=page, tags=queries.course_tags(
        course_id), tag=tag, qtype=qtype, q=q, module_id=module_id, modules=_module_choices(course_id)[1:])


def _question_form_page(course: Course, question: Question | None):
    form = QuestionForm()
    form.module_id.choices = _module_choices(course.id)
    if request.method == "GET" and question is not None:
        form.fill_from(question)
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = {"text": render_markup(form.text.data), "spec": form.spec(), "qtype": form.qtype.data,
                       "explanation": render_markup(form.explanation.data or "")}
        else:
            with unit_of_work(form, success=_("Saved.")) as work:
                if question is None:
                    question = services.create_question(course, form.fields_dict(), split_tags(form.tags.data),
                                                        actor=current_user)
                else:
                    fields = form.fields_dict()
                    if fields["qtype"] == question.qtype:  # keep imported weights/feedback the form cannot show
                        fields["spec"] = keep_extras(question.spec, fields["spec"], question.qtype)
                    services.update_question(question, fields, split_tags(form.tags.data),
                                             actor=current_user)
                return redirect(url_for("courses.questions", course_id=course.id))
            if work.error.field == "spec":
                form.options.errors = [work.error.message]
    return render_template("courses/admin/question_form.html", form=form, course=course, question=question,
                           preview=preview, confirm=ConfirmForm())


@bp.route("/courses/<int:course_id>/questions/new", methods=["GET", "POST"])
@organiser_required
def question_new(course_id: int):
    """Add a question to the bank (with preview)."""
    return _question_form_page(db.get_or_404(Course, course_id), None)


@bp.route("/courses/questions/<int:question_id>/edit", methods=["GET", "POST"])
@organiser_required
def question_edit(question_id: int):
    """Edit a bank question (with preview)."""
    question = db.get_or_404(Question, question_id)
    return _question_form_page(db.get_or_404(Course, question.course_id), question)


@bp.route("/courses/questions/<int:question_id>")
@organiser_required
def question_preview(question_id: int):
    """A question as a trainee sees it, with its answer and explanation."""
    question = db.get_or_404(Question, question_id)
    return render_template("courses/admin/question_preview.html", question=question,
                           course=db.get_or_404(Course, question.course_id))


@bp.route("/courses/questions/<int:question_id>/delete", methods=["POST"])
@organiser_required
def question_delete(question_id: int):
    """Delete a question nobody has answered yet."""
    question = db.get_or_404(Question, question_id)
    course_id = question.course_id
    _run_confirmed(lambda: services.delete_question(question, actor=current_user), _("Question deleted."))
    return redirect(url_for("courses.questions", course_id=course_id))


@bp.route("/courses/<int:course_id>/questions/import", methods=["GET", "POST"])
@organiser_required
def gift_import(course_id: int):
    """Import questions from Moodle GIFT; problems are reported per question."""
    course = db.get_or_404(Course, course_id)
    form = GiftImportForm()
    report = None
    if form.validate_on_submit():
        text = form.text.data or ""
        upload = form.file.data
        if upload is not None and getattr(upload, "filename", ""):
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.file.errors = [_("The file is not UTF-8 text.")]
                return render_template("courses/admin/gift_import.html", form=form, course=course, report=None)
        if not text.strip():
            form.text.errors = [_("Choose a file or paste GIFT text.")]
        else:
            with unit_of_work():
                created, updated, problems = services.import_gift(course, text, actor=current_user)
                report = {"created": created, "updated": updated, "problems": problems}
    return render_template("courses/admin/gift_import.html", form=form, course=course, report=report)


@bp.route("/courses/<int:course_id>/questions/export.gift")
@organiser_required
def gift_export(course_id: int):
    """Download the (filtered) question bank as a Moodle GIFT file."""
    course = db.get_or_404(Course, course_id)
    rows = db.session.scalars(queries.question_query(course_id, request.args.get("tag", ""),
                                                     request.args.get("type", ""), request.args.get("q", ""))).all()
    filename = f"{course.code}-{course.edition or 'questions'}".replace(" ", "_").replace("/", "-")
    return Response(gift.export(rows), mimetype="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}.gift"'})


# --- quizzes -------------------------------------------------------------------------------------

def _quiz_form_page(course: Course, quiz: Quiz | None):
    form = QuizForm(obj=quiz)
    form.module_id.choices = _module_choices(course.id)
    if request.method == "GET" and quiz is not None:
        form.module_id.data = quiz.module_id or 0
    if form.validate_on_submit():
        with unit_of_work(form, success=_("Saved.")):
            if quiz is None:
                quiz = services.create_quiz(course, form.fields_dict(), actor=current_user)
            else:
                services.update_quiz(quiz, form.fields_dict(), actor=current_user)
            return redirect(url_for("courses.quiz_builder", quiz_id=quiz.id))
    return render_template("courses/admin/quiz_form.html", form=form, course=course, quiz=quiz,
                           tags=queries.course_tags(course.id), confirm=ConfirmForm())


@bp.route("/courses/<int:course_id>/quizzes/new", methods=["GET", "POST"])
@organiser_required
def quiz_new(course_id: int):
    """Create a quiz (settings first, then pick its questions)."""
    return _quiz_form_page(db.get_or_404(Course, course_id), None)


@bp.route("/courses/quizzes/<int:quiz_id>/edit", methods=["GET", "POST"])
@organiser_required
def quiz_edit(quiz_id: int):
    """Edit a quiz's settings."""
    quiz = db.get_or_404(Quiz, quiz_id)
    return _quiz_form_page(quiz.course, quiz)


@bp.route("/courses/quizzes/<int:quiz_id>/delete", methods=["POST"])
@organiser_required
def quiz_delete(quiz_id: int):
    """Delete a quiz nobody has attempted."""
    quiz = db.get_or_404(Quiz, quiz_id)
    course_id = quiz.course_id
    if _run_confirmed(lambda: services.delete_quiz(quiz, actor=current_user), _("Quiz deleted.")) is False:
        return redirect(url_for("courses.quiz_builder", quiz_id=quiz_id))
    return redirect(url_for("courses.course_detail", course_id=course_id))


@bp.route("/courses/quizzes/<int:quiz_id>")
@organiser_required
def quiz_builder(quiz_id: int):
    """A quiz's questions in order (move, remove) and the bank to add from, filtered by tag."""
    quiz = db.get_or_404(Quiz, quiz_id)
    tag, q = request.args.get("tag", ""), request.args.get("q", "").strip()
    page = db.paginate(queries.question_query(quiz.course_id, tag, "", q), per_page=50)
    return render_template("courses/admin/quiz_builder.html", quiz=quiz, items=queries.quiz_items(quiz), page=page,
                           tags=queries.course_tags(quiz.course_id), tag=tag, q=q, confirm=ConfirmForm(),
                           in_quiz={i.question_id for i in quiz.items})


@bp.route("/courses/quizzes/<int:quiz_id>/add", methods=["POST"])
@organiser_required
def quiz_add(quiz_id: int):
    """Append the ticked bank questions to a quiz."""
    quiz = db.get_or_404(Quiz, quiz_id)
    if ConfirmForm().validate_on_submit():
        ids = [int(v) for v in request.form.getlist("question_id") if v.isdigit()]
        with unit_of_work() as work:
            added = services.add_quiz_questions(quiz, ids, actor=current_user)
            work.flash(_("%(n)s questions added.", n=added), "success" if added else "warning")
    return redirect(url_for("courses.quiz_builder", quiz_id=quiz.id, tag=request.form.get("tag") or None))


@bp.route("/courses/quizzes/<int:quiz_id>/items/<int:item_id>/remove", methods=["POST"])
@organiser_required
def quiz_remove(quiz_id: int, item_id: int):
    """Take a question out of a quiz (it stays in the bank)."""
    quiz = db.get_or_404(Quiz, quiz_id)
    _run_confirmed(lambda: services.remove_quiz_question(quiz, item_id, actor=current_user))
    return redirect(url_for("courses.quiz_builder", quiz_id=quiz.id))


@bp.route("/courses/quizzes/<int:quiz_id>/items/<int:item_id>/move/<any(up, down):direction>", methods=["POST"])
@organiser_required
def quiz_item_move(quiz_id: int, item_id: int, direction: str):
    """Move a question up or down in a quiz."""
    quiz = db.get_or_404(Quiz, quiz_id)
    _run_confirmed(lambda: services.move_quiz_question(quiz, item_id, direction, actor=current_user))
    return redirect(url_for("courses.quiz_builder", quiz_id=quiz.id, _anchor=f"item-{item_id}"))


# --- assignments ---------------------------------------------------------------------------------

def _assignment_form(course: Course, assignment: CourseAssignment | None) -> AssignmentForm:
    form = AssignmentForm(obj=assignment)
    form.cohort_id.choices = queries.cohort_choices()
    quizzes = [(q.id, q.title) for q in queries.course_quizzes(course.id)]
    form.pre_test_id.choices = form.post_test_id.choices = [(0, "—"), *quizzes]
    if request.method == "GET" and assignment is None:
        form.pre_test_id.data = next((q.id for q in queries.course_quizzes(course.id) if q.kind == "pre_test"), 0)
        form.post_test_id.data = next((q.id for q in queries.course_quizzes(course.id) if q.kind == "post_test"), 0)
    elif request.method == "GET":
        form.pre_test_id.data = assignment.pre_test_id or 0
        form.post_test_id.data = assignment.post_test_id or 0
    return form


@bp.route("/courses/<int:course_id>/assign", methods=["GET", "POST"])
@organiser_required
def assign(course_id: int):
    """Assign a course to a cohort with open/due dates and its pre- and post-test."""
    course = db.get_or_404(Course, course_id)
    form = _assignment_form(course, None)
    if form.validate_on_submit():
        with unit_of_work(form, success=_("Saved.")):
            services.assign_course(db.get_or_404(Cohort, form.cohort_id.data), course, form.opens_on.data,
                                   form.due_on.data, form.pre_test_id.data, form.post_test_id.data,
                                   actor=current_user)
            return redirect(url_for("courses.course_detail", course_id=course.id, _anchor="assignments"))
    return render_template("courses/admin/assignment_form.html", form=form, course=course, assignment=None)


@bp.route("/courses/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@organiser_required
def assignment_edit(assignment_id: int):
    """Change an assignment's dates or its pre-/post-test."""
    assignment = db.get_or_404(CourseAssignment, assignment_id)
    form = _assignment_form(assignment.course, assignment)
    del form.cohort_id  # the cohort of an assignment does not change
    if form.validate_on_submit():
        with unit_of_work(form, success=_("Saved.")):
            services.update_assignment(assignment, form.opens_on.data, form.due_on.data, form.pre_test_id.data,
                                       form.post_test_id.data, actor=current_user)
            return redirect(url_for("courses.course_detail", course_id=assignment.course_id, _anchor="assignments"))
    return render_template("courses/admin/assignment_form.html", form=form, course=assignment.course,
                           assignment=assignment, confirm=ConfirmForm())


@bp.route("/courses/assignments/<int:assignment_id>/delete", methods=["POST"])
@organiser_required
def assignment_delete(assignment_id: int):
    """Remove a course from a cohort (refused once its trainees have attempts)."""
    assignment = db.get_or_404(CourseAssignment, assignment_id)
    course_id = assignment.course_id
    _run_confirmed(lambda: services.delete_assignment(assignment, actor=current_user), _("Assignment removed."))
    return redirect(url_for("courses.course_detail", course_id=course_id, _anchor="assignments"))
