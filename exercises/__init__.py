"""Tabletop exercises: scenario library with MSEL import/export, live runs with injects, team player
rooms, evaluation (observations, P/S/M/U ratings, improvement plan) and after-action reports.

Owns the ``scenarios``, ``scenario_*``, ``exercise_*``, ``run_*``, ``team_responses``,
``objective_ratings`` and ``improvement_items`` tables.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the exercises blueprint, navigation, the Markdown filter and the demo seeder."""
    from core.cli import register_seeder
    from core.i18n import _l
    from core.templating import register_nav
    from exercises import (
        models,  # noqa: F401 - metadata must see the models
        views,
    )
    from exercises.placeholders import fill
    from exercises.pollgate import PollGate
    from exercises.rendering import channel_name, iso_utc, render_markdown
    from exercises.seed import seed_exercises
    from exercises.vocab import RESPONSE_KINDS, STAFF_ROLE_NAMES

    app.register_blueprint(views.bp)
    app.wsgi_app = PollGate(app, app.wsgi_app)
    app.jinja_env.filters["exercise_markdown"] = render_markdown
    app.jinja_env.filters["exercise_fill"] = fill
    app.jinja_env.filters["exercise_iso"] = iso_utc
    app.jinja_env.filters["exercise_channel"] = channel_name
    app.jinja_env.globals["exercise_names"] = {"role": STAFF_ROLE_NAMES, "kind": RESPONSE_KINDS}
    register_nav(app, _l("Exercises"), "exercises.index", ("admin", "organiser"), order=40)
    register_nav(app, _l("My exercises"), "exercises.play_index", ("trainee",), order=40)
    register_seeder(app, 40, seed_exercises)
    _register_report_sources(app)


def _register_report_sources(app: Flask) -> None:
    """The ``Exercises`` sheet, the "Exercises run" figure and the dashboard section (``core.reporting``)."""
    from core.reporting import ReportSource, register_source
    from exercises import exports
    from exercises.models import (
        ExerciseRun,
        ImprovementItem,
        ObjectiveRating,
        RunObjective,
        Scenario,
        Team,
        TeamMember,
    )
    from trainees.models import Cohort, Enrolment

    register_source(app, ReportSource(
        key="exercises.runs", order=20,
        sheet=("Exercises", exports.exercises_sheet),
        summary={"exercises_run": exports.exercises_run_count},
        dashboard=exports.exercises_section,
        tables=(ExerciseRun, Scenario, Team, TeamMember, RunObjective, ObjectiveRating, ImprovementItem,
                Cohort, Enrolment),
    ))
