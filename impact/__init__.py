"""Impact: organisational self-assessments (ISMS benchmark, SIM3) before and after training, alumni
outcomes (Kirkpatrick level 4) and programme costs, with their report sheets and dashboard sections.

Sits above ``trainees`` and ``completion`` and below ``reports`` (reports reads ``impact.exports``).
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the impact blueprint, navigation, CLI and demo seeder."""
    from core.cli import register_seeder
    from core.i18n import _l
    from core.templating import register_nav
    from impact import cli, models, views  # noqa: F401 - metadata must see the models
    from impact.seed import seed_impact

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.impact_cli)
    register_nav(app, _l("Impact"), "impact.index", ("admin", "organiser"), order=55)
    register_nav(app, _l("Self-assessments"), "impact.my_assessments", ("trainee",), order=45)
    register_seeder(app, 60, seed_impact)
