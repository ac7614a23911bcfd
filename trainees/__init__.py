"""Trainees: programmes, cohorts (course runs), sessions, organisations, trainees (persons),
enrolments with their status history, attendance, trainee import and the trainee home page."""

from flask import Flask


def register(app: Flask) -> None:
    """Register the trainees blueprint (organiser pages, import pages, trainee portal) and its CLI."""
    from trainees import (
        cli,
        import_views,  # noqa: F401 - adds the import routes to views.bp
        models,  # noqa: F401 - metadata must see the models
        views,
    )

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.cohorts_cli)
    app.cli.add_command(cli.trainees_cli)
