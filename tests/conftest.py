"""Shared fixtures: one schema per test session, one rolled-back transaction per test.

Set ``KAKEHASHI_TEST_DATABASE_URL`` to a PostgreSQL URL to run the same suite on PostgreSQL.
"""

from __future__ import annotations

import contextvars
import os
import re

import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from core.config import TestConfig
from core.extensions import db as _db
from core.extensions import limiter

TEST_DATABASE_URL = os.environ.get("KAKEHASHI_TEST_DATABASE_URL")
#: The task-queue storage for the suite (default ``memory://``); the CI Redis stage sets a Redis db.
TEST_JOBS_STORAGE_URL = os.environ.get("KAKEHASHI_JOBS_STORAGE_URL")


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, so it gets its own app context, ``g`` and DB session,
    exactly as in production, even while the test holds an app context of its own."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_app(uri: str, **overrides):
    """An app on ``uri`` with the test configuration plus ``overrides``."""
    if TEST_JOBS_STORAGE_URL:
        overrides.setdefault("JOBS_STORAGE_URL", TEST_JOBS_STORAGE_URL)
    config = type("Cfg", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri, **overrides})
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def _sqlite_savepoints(engine) -> None:
    """pysqlite needs these hooks for SAVEPOINT-based test isolation (SQLAlchemy docs recipe)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url):
    app = make_test_app(database_url)
    with app.app_context():
        if database_url.startswith("sqlite"):
            _sqlite_savepoints(_db.engine)
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database, inside a transaction rolled back after the test (commits become savepoints)."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        _db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"), scopefunc=_app_ctx_id
        )
        limiter.reset()
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(database_url):
    """A separate app with CSRF protection switched on (the test config turns it off)."""
    app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    return app


@pytest.fixture
def login_as(client, db):
    """``login_as(role)`` creates a user with that role, signs in through the form, returns the user."""
    from tests import factories

    def _login(role: str = "organiser", user=None):
        user = user or factories.user(role=role)
        db.session.commit()
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|PRAGMA)", statement, re.I):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(db):
    """``with count_queries() as counter: ...`` then ``counter.count`` (transaction control excluded)."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        counter = QueryCounter()
        event.listen(_db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", counter)

    return _count


@pytest.fixture
def outbox(app):
    """Messages sent during the test (Flask-Mailman's locmem backend)."""
    mail = app.extensions["mailman"]
    mail.outbox = []
    return mail.outbox
