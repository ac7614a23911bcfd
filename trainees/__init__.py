"""Trainees: programmes, cohorts (course runs), sessions, organisations, trainees (persons),
enrolments with their status history, attendance, trainee import and the trainee home page."""

from flask import Flask


def register(app: Flask) -> None:
    """Register the trainees blueprint (organiser pages, import pages, trainee portal) and its CLI."""
    from core.cli import register_seeder
    from core.i18n import _l
    from core.templating import register_nav
    from trainees import (
        cli,
        models,  # noqa: F401 - metadata must see the models
        views,
    )
    from trainees.display import register_display
    from trainees.imports import views as import_views  # noqa: F401 - adds the import routes to the blueprint
    from trainees.seed import seed_trainees

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.cohorts_cli)
    app.cli.add_command(cli.trainees_cli)
    register_display(app)
    register_seeder(app, 20, seed_trainees)
    organisers = ("admin", "organiser")
    register_nav(app, _l("My training"), "trainees.portal_home", ("trainee",), order=5)
    register_nav(app, _l("Cohorts"), "trainees.cohorts", organisers, order=20)
    register_nav(app, _l("Trainees"), "trainees.trainees", organisers, order=30)
    register_nav(app, _l("Organisations"), "trainees.organisations", organisers, order=40)
    register_nav(app, _l("Programmes"), "trainees.programmes", organisers, order=50)
