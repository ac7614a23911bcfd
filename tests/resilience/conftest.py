"""Fixtures for the resilience tests: an app on its own database file, signed-in clients, outages."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event

from core.extensions import db
from tests import factories
from tests.conftest import make_test_app


@pytest.fixture
def site(tmp_path):
    """An app on its own SQLite file (real commits), exceptions handled as in production."""
    app = make_test_app(f"sqlite:///{tmp_path / 'site.sqlite3'}", PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def sign_in(app, role="organiser", locale="en"):
    with app.app_context():
        user = factories.user(role=role, locale=locale)
        email = user.email
        db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


class Outage:
    """Every new connection to ``app``'s database fails (as while PostgreSQL restarts); pooled ones are gone."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            self.engine = db.engine

    def _refuse(self, *args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file (simulated outage)")

    def __enter__(self):
        self.engine.dispose()
        event.listen(self.engine, "do_connect", self._refuse)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "do_connect", self._refuse)


@pytest.fixture
def shared_database(tmp_path):
    """A database that two app objects share with real commits: an SQLite file, or — when the suite runs
    on PostgreSQL (``KAKEHASHI_TEST_DATABASE_URL``) — a throwaway database next to the test database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.conftest import TEST_DATABASE_URL

    if not (TEST_DATABASE_URL or "").startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_two"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
