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
