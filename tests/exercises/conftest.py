"""Fixtures for the exercise tests."""

from __future__ import annotations

import contextlib

import pytest

from tests import factories


@pytest.fixture
def signed_in(app, db):
    """``signed_in(user)`` → a separate test client signed in as ``user`` (several users in one test)."""

    def _client(user):
        db.session.commit()
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client

    return _client


@pytest.fixture
def gate_sees_test_data(app, db, monkeypatch):
    """Let the poll gate read through this test's transaction (it normally opens its own connection,
    which cannot see the uncommitted test data)."""
    connection = db.session.connection()
    monkeypatch.setattr(app.wsgi_app, "connection", lambda: contextlib.nullcontext(connection))
