"""Privacy: data-subject rights (own data download, admin export and erasure), retention (issue 13 item 9)
and the ministry observer (item 8).

Owns ``observer_grants``; otherwise it reads and pseudonymises the other features' rows
(``privacy/personal_data.py``).
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the privacy blueprint, the ``flask privacy`` commands and the daily retention job."""
    from core.i18n import _l
    from core.templating import register_nav
    from privacy import cli, jobs, observer, views  # noqa: F401 - jobs: the periodic task; observer: its model

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.privacy_cli)
    register_nav(app, _l("Aggregate figures"), "privacy.observer_dashboard", ("observer",), order=10)
