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
    from completion.defaults import builtin_text
    from completion.seed import seed_completion
    from core.cli import register_seeder
    from core.i18n import _l
    from core.templating import register_nav

    app.register_blueprint(views.bp)
    app.add_template_filter(builtin_text, "builtin")
    register_nav(app, _l("Completion"), "completion.index", ("admin", "organiser"), order=40)
    register_nav(app, _l("Surveys & certificates"), "completion.my_after_course", ("trainee",), order=40)
    register_seeder(app, 50, seed_completion)
    _register_report_sources(app)


def _register_report_sources(app: Flask) -> None:
    """The ``Satisfaction`` and ``Action plans`` sheets, the satisfaction figure and dashboard section."""
    from completion import exports
    from completion.models import ActionPlan, SurveyAnswer, SurveyInstance, SurveyItem, SurveyParticipation
    from core.reporting import ReportSource, register_source
    from trainees.models import Cohort, Enrolment

    register_source(app, ReportSource(
        key="completion.satisfaction", order=10,
        sheet=("Satisfaction", exports.satisfaction_sheet),
        summary={"satisfaction": exports.satisfaction_mean},
        dashboard=exports.satisfaction_section,
        tables=(SurveyAnswer, SurveyItem, SurveyInstance, SurveyParticipation, Cohort, Enrolment),
    ))
    register_source(app, ReportSource(
        key="completion.action_plans", order=30,
        sheet=("Action plans", exports.action_plans_sheet),
        tables=(ActionPlan, SurveyInstance, SurveyParticipation, Cohort, Enrolment),
    ))
