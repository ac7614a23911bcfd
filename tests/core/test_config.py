"""Configuration order: class defaults, then ``instance/config.py``, then ``KAKEHASHI_*`` variables,
then explicit overrides. The default embedded SQLite database is brought to head on start."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import inspect

from app import create_app
from core.dbcheck import head_revision
from core.extensions import db
from tests.conftest import make_test_app


@pytest.fixture
def instance(tmp_path, monkeypatch) -> Path:
    """A fresh, empty instance folder for apps built in this test, and no KAKEHASHI_* variables."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))
    for name in list(os.environ):
        if name.startswith("KAKEHASHI_"):
            monkeypatch.delenv(name)
    return folder


def _stamped_revision(path: Path) -> str | None:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("select version_num from alembic_version").fetchall()
    return rows[0][0] if rows else None


def test_environment_overrides_defaults(instance, tmp_path, monkeypatch):
    database = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv("KAKEHASHI_SQLALCHEMY_DATABASE_URI", f"sqlite:///{database}")
    monkeypatch.setenv("KAKEHASHI_SECRET_KEY", "secret-from-the-environment")
    monkeypatch.setenv("KAKEHASHI_IDLE_TIMEOUT_MINUTES", "15")
    monkeypatch.setenv("KAKEHASHI_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("KAKEHASHI_LOGIN_ACCOUNT_LIMIT", "3 per minute")
    monkeypatch.setenv("KAKEHASHI_RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("KAKEHASHI_MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("KAKEHASHI_MAIL_PORT", "587")
    monkeypatch.setenv("KAKEHASHI_PER_PAGE", "10")
    app = create_app({"PER_PAGE": 20})  # explicit overrides win over the environment
    cfg = app.config
    assert not cfg.get("TESTING")
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{database}"
    assert cfg["SECRET_KEY"] == "secret-from-the-environment"
    assert cfg["IDLE_TIMEOUT_MINUTES"] == 15
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["LOGIN_ACCOUNT_LIMIT"] == "3 per minute"
    assert cfg["MAIL_SERVER"] == "smtp.example.org" and cfg["MAIL_PORT"] == 587
    assert cfg["MAIL_BACKEND"] == "smtp"
    assert cfg["PER_PAGE"] == 20
    assert cfg["PASSWORD_MIN_LENGTH"] == 10  # untouched default
    assert not (instance / "secret_key").exists()  # a configured secret needs no generated one
    assert _stamped_revision(database) == head_revision()  # AUTO_UPGRADE_SQLITE on by default


def test_instance_config_file_is_read_and_environment_wins(instance, monkeypatch):
    instance.mkdir()
    (instance / "config.py").write_text(
        'SITE_NAME = "Kakehashi Staging"\nPASSWORD_MIN_LENGTH = 12\nIDLE_TIMEOUT_MINUTES = 30\n'
    )
    monkeypatch.setenv("KAKEHASHI_IDLE_TIMEOUT_MINUTES", "20")
    app = create_app({})
    assert app.instance_path == str(instance)
    assert app.config["SITE_NAME"] == "Kakehashi Staging"
    assert app.config["PASSWORD_MIN_LENGTH"] == 12
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 20
    assert app.config["MAIL_BACKEND"] == "core.mail.EmailBackend"  # no MAIL_SERVER: messages go to the log


def test_default_sqlite_in_a_fresh_instance_is_upgraded_to_head(instance):
    app = create_app({})
    database = instance / "kakehashi.sqlite3"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{database}"
    assert database.exists()
    assert _stamped_revision(database) == head_revision()
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    # the generated development secret is private and stable across restarts
    secret = instance / "secret_key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert create_app({}).config["SECRET_KEY"] == app.config["SECRET_KEY"] == secret.read_text().strip()


def test_old_sqlite_database_is_brought_to_head_on_start(instance, tmp_path):
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    from core.dbcheck import MIGRATIONS_DIR

    database = tmp_path / "old.sqlite3"
    uri = f"sqlite:///{database}"
    first = ScriptDirectory(str(MIGRATIONS_DIR)).get_base()
    old = make_test_app(uri)
    with old.app_context():
        upgrade(directory=str(MIGRATIONS_DIR), revision=first)
        db.engine.dispose()
    assert _stamped_revision(database) == first
    create_app({"SQLALCHEMY_DATABASE_URI": uri})
    assert _stamped_revision(database) == head_revision()


def test_test_configuration_ignores_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("KAKEHASHI_SITE_NAME", "Not for tests")
    monkeypatch.setenv("KAKEHASHI_PASSWORD_MIN_LENGTH", "99")
    app = make_test_app(database_url)
    assert app.config["SITE_NAME"] == "Kakehashi"
    assert app.config["PASSWORD_MIN_LENGTH"] == 10


def _pings(app, monkeypatch) -> int:
    """How many liveness pings two pooled connection checkouts cost."""
    calls = []
    with app.app_context():
        dialect = db.engine.dialect
        original = dialect.do_ping
        monkeypatch.setattr(dialect, "do_ping", lambda conn: calls.append(1) or original(conn))
        for _ in range(2):
            with db.engine.connect() as conn:
                conn.exec_driver_sql("select 1")
        db.engine.dispose()
    return len(calls)


def test_pool_pre_ping_is_off_for_sqlite_and_on_for_database_servers(tmp_path, database_url, monkeypatch):
    from core.config import Config, engine_options

    sqlite_app = make_test_app(f"sqlite:///{tmp_path / 'ping.sqlite3'}")
    assert sqlite_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    assert _pings(sqlite_app, monkeypatch) == 0  # an embedded file has no server to lose the connection
    server_app = make_test_app("postgresql+psycopg://kakehashi@db.invalid/kakehashi")  # not connected here
    assert server_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    with server_app.app_context():
        assert db.engine.pool._pre_ping is True
    if database_url.startswith("postgresql"):
        assert _pings(make_test_app(database_url), monkeypatch) >= 1
    # an explicit setting wins, other options are kept, and the shared default is never modified
    explicit = make_test_app(f"sqlite:///{tmp_path / 'ping.sqlite3'}",
                             SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "echo": False})
    assert explicit.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "echo": False}
    assert _pings(explicit, monkeypatch) >= 1
    assert engine_options("postgresql://h/d", {"pool_pre_ping": False}) == {"pool_pre_ping": False}
    assert Config.SQLALCHEMY_ENGINE_OPTIONS == {}
