"""Start-up database checks: auto-upgrade embedded SQLite; refuse to serve an un-upgraded PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.exc import SQLAlchemyError

from core.errors import safe_database_name
from core.extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class DatabaseNotReady(RuntimeError):
    """The configured database cannot be used yet; the message says what to do."""


def head_revision() -> str | None:
    """The single head revision of the migration scripts."""
    from alembic.config import Config

    cfg = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision() -> str | None:
    """The revision stamped in the connected database (None for an empty database).

    Read through the session's connection, so a command that checks the schema and then writes
    (``seed-demo``) sees one consistent database state inside one transaction.
    """
    return MigrationContext.configure(db.session.connection()).get_current_revision()


def _serving() -> bool:
    """True when the app is being built to serve requests (WSGI server or ``flask run``)."""
    ctx = click.get_current_context(silent=True)
    return ctx is None or (ctx.command is not None and ctx.command.name == "run")


def prepare_database(app: Flask) -> None:
    """Upgrade an embedded SQLite database, or check that PostgreSQL has been upgraded."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    is_sqlite = uri.startswith("sqlite")
    if is_sqlite and app.config.get("AUTO_UPGRADE_SQLITE"):
        with app.app_context():
            try:
                upgrade(directory=str(MIGRATIONS_DIR))
            except SQLAlchemyError as exc:
                raise DatabaseNotReady(
                    f"Cannot open database {safe_database_name(uri)}: {exc.__class__.__name__}: "
                    f"{getattr(exc, 'orig', exc)}"
                ) from None
            finally:
                _release_connections()
        return
    if app.config.get("CHECK_DB_ON_START") and _serving():
        with app.app_context():
            try:
                check_schema(uri)
            finally:
                _release_connections()


def _release_connections() -> None:
    """Close the start-up connections: they must not be inherited by forked workers or leak."""
    db.session.remove()
    db.engine.dispose()


def check_schema(uri: str) -> None:
    """Raise DatabaseNotReady unless the database is reachable and at the head revision."""
    name = safe_database_name(uri)
    try:
        current = current_revision()
    except SQLAlchemyError as exc:
        raise DatabaseNotReady(
            f"Cannot connect to database {name}: {getattr(exc, 'orig', exc)}".strip()
        ) from None
    head = head_revision()
    if current != head:
        state = "empty" if current is None else f"at revision {current}, code expects {head}"
        raise DatabaseNotReady(
            f"Database {name} is {state}. Run `flask --app app db upgrade` first, then start the site again."
        )
