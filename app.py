"""Kakehashi application factory: ``flask --app app run`` or ``gunicorn 'app:create_app()'``."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from core import jobs, mailqueue
from core.cli import register_cli
from core.config import load_config
from core.dbcheck import prepare_database
from core.errors import register_errors
from core.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from core.health import register_health
from core.i18n import install_template_gettext, select_locale
from core.querystring import register_querystring
from core.security import register_security
from core.templating import Environment as TemplateEnvironment
from core.templating import register_templating


def create_app(config: dict | type | None = None) -> Flask:
    """Build a configured Kakehashi app; ``config`` is a Config class or a dict of overrides."""
    # KAKEHASHI_INSTANCE_PATH: this instance's own folder (instance/config.py; on one machine, several
    # instances may each have one). It must be absolute; default: ./instance next to the code.
    instance_path = os.environ.get("KAKEHASHI_INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.jinja_environment = TemplateEnvironment  # before anything builds app.jinja_env
    load_config(app, config)
    logging.basicConfig(level=logging.INFO)
    register_extensions(app)
    register_security(app)
    register_querystring(app)
    register_errors(app)
    register_health(app)
    register_templating(app)
    register_cli(app)
    register_features(app)
    prepare_database(app)
    jobs.maybe_start_for_dev_server(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions from ``core.extensions`` to this app."""
    import core.filestore  # noqa: F401 - the stored_files model (the one file store)

    db.init_app(app)
    migrations = Path(__file__).resolve().parent / "migrations"
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    limiter.init_app(app)
    mail.init_app(app)
    jobs.init_app(app)
    mailqueue.register(app)


def register_features(app: Flask) -> None:
    """Register each feature package (blueprint, CLI, navigation, seeders), in dependency order."""
    import accounts
    import completion
    import courses
    import exercises
    import impact
    import nominations
    import notifications
    import privacy
    import reports
    import trainees

    accounts.register(app)
    trainees.register(app)
    courses.register(app)
    exercises.register(app)
    completion.register(app)
    impact.register(app)
    notifications.register(app)
    nominations.register(app)
    reports.register(app)
    privacy.register(app)
