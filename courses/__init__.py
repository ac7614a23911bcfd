"""Courses: e-learning courses (editions) → modules → lessons and quizzes, a tagged question bank with
GIFT import/export, cohort assignments with pre/post tests, the trainee portal (lessons, timed quizzes
with autosave), progress and analytics (progress grid, item analysis, normalised gain).

Owns the ``courses``, ``course_modules``, ``lessons``, ``questions``, ``question_tags``, ``quizzes``,
``quiz_questions``, ``course_assignments``, ``attempts``, ``answers`` and ``lesson_progress`` tables.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the courses blueprint, navigation, CLI and the demo seeder."""
    from core.cli import register_seeder
    from core.i18n import _l
    from core.richtext import render_inline, render_markup
    from core.templating import register_nav
    from courses import (
        cli,
        models,  # noqa: F401 - metadata must see the models
        views,
    )
    from courses.forms import DIFFICULTY_LABELS, FEEDBACK_LABELS, KIND_LABELS, TRACK_LABELS, TYPE_LABELS, kind_labels
    from courses.seed import seed_courses

    app.register_blueprint(views.bp)
    app.jinja_env.filters["md"] = render_markup
    app.jinja_env.filters["md_inline"] = render_inline
    app.jinja_env.globals["course_labels"] = {"type": TYPE_LABELS, "kind": KIND_LABELS, "feedback": FEEDBACK_LABELS,
                                              "track": TRACK_LABELS, "difficulty": DIFFICULTY_LABELS}
    app.jinja_env.globals["quiz_kind_labels"] = kind_labels
    app.cli.add_command(cli.courses_cli)
    register_seeder(app, 30, seed_courses)
    register_nav(app, _l("My courses"), "courses.my_courses", ("trainee",), order=20)
    register_nav(app, _l("Courses"), "courses.course_list", ("admin", "organiser"), order=40)
    _register_report_sources(app)


def _register_report_sources(app: Flask) -> None:
    """The pre/post-test scores behind the reports' learning figures (see ``core.reporting``)."""
    from core.reporting import ReportSource, register_source
    from courses import exports
    from courses.models import Attempt, CourseAssignment, Quiz
    from trainees.models import Enrolment

    register_source(app, ReportSource(
        key="courses.learning", order=0, learning_scores=exports.learning_scores,
        tables=(CourseAssignment, Enrolment, Attempt, Quiz),
    ))
