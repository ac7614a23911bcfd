"""Completion: per-cohort completion rules and decisions, surveys (reaction and action-plan follow-up),
action plans with supervisor acknowledgement, and verifiable PDF certificates.

Sits above ``courses`` and ``exercises`` (it reads their results for completion rules) and below ``reports``.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the completion blueprint, navigation and demo seeder."""
    from completion import (
        models,  # noqa: F401 - metadata must see the models
        views,
    )
    from completion.seed import seed_completion
    from core.cli import register_seeder
    from core.i18n import _l
    from core.templating import register_nav

    app.register_blueprint(views.bp)
    register_nav(app, _l("Completion"), "completion.index", ("admin", "organiser"), order=40)
    register_nav(app, _l("Surveys & certificates"), "completion.my_after_course", ("trainee",), order=40)
    register_seeder(app, 50, seed_completion)
