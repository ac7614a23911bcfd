"""Privacy: data-subject rights (own data download, admin export and erasure) and retention (issue 13 item 9).

Owns no table: it reads and pseudonymises the other features' rows (see ``privacy/personal_data.py``).
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the privacy blueprint, the ``flask privacy`` commands and the daily retention job."""
    from privacy import cli, jobs, views  # noqa: F401 - jobs registers the periodic task

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.privacy_cli)
