"""The programme runs itself: failed-job page, notifications, announcements, reminders and to-do lists.

Sits above ``completion`` and ``impact`` (reads cohorts, courses, surveys, action plans and requested
self-assessments); the task queue and the mail queue it uses live in ``core/jobs.py`` and
``core/mailqueue.py``. Owns the ``notifications``,
``announcements`` and ``scheduled_sends`` tables.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the blueprint, navigation and the scheduled tasks."""
    from core.i18n import _l
    from core.templating import register_nav
    from notifications import reminders, todo, views  # noqa: F401 - reminders registers the periodic tasks

    app.register_blueprint(views.bp)
    views.register_bell(app)
    app.jinja_env.globals.update(todo_items=views.todo_items, cohort_badge=todo.cohort_badge,
                                 awaiting_badge=todo.awaiting_badge)
    register_nav(app, _l("Jobs"), "notifications.jobs", ("admin",), order=95)
