"""Friendly error pages: bad input never ends in a bare 500."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from accounts.permissions import public
from tests import factories
from tests.conftest import make_test_app


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_unknown_url_gets_friendly_404(client):
    response = client.get("/this/does/not/exist")
    assert response.status_code == 404
    page = _page(response)
    assert "Page not found" in page
    assert "Go to the start page" in page
    assert 'class="error-page"' in page


def test_wrong_method_gets_friendly_405(client):
    response = client.get("/logout")  # POST only
    assert response.status_code == 405
    assert "does not accept that kind of request" in _page(response)
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("email", ["not-an-email", "two@@example.org", "user@localhost", "a" * 300])
def test_malformed_email_on_login_gives_a_field_message(client, db, email):
    response = client.post("/login", data={"email": email, "password": "whatever-password"})
    assert response.status_code == 200
    page = _page(response)
    assert 'class="errors"' in page  # the message sits next to the e-mail field
    assert 'aria-invalid="true"' in page
    assert client.get("/account").status_code == 302


def test_empty_login_form_gives_field_messages(client, db):
    response = client.post("/login", data={})
    assert response.status_code == 200
    assert _page(response).count("This field is required.") == 2


def test_malformed_email_on_forgot_password_gives_a_field_message(client, db, outbox):
    response = client.post("/password/forgot", data={"email": "nobody-at-example.org"})
    assert response.status_code == 200
    assert 'class="errors"' in _page(response)
    assert outbox == []


@pytest.fixture
def fragile_app(database_url):
    """A separate app whose routes fail on purpose; exceptions are handled as in production."""
    app = make_test_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("unexpected failure with secret detail")

    @app.route("/db-down")
    @public
    def db_down():
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    return app


def test_unexpected_exception_gets_friendly_500(fragile_app):
    response = fragile_app.test_client().get("/boom")
    assert response.status_code == 500
    page = _page(response)
    assert "Something went wrong" in page
    assert "Nothing was saved" in page
    assert "secret detail" not in page and "Traceback" not in page


def test_operational_error_gets_503(fragile_app):
    response = fragile_app.test_client().get("/db-down")
    assert response.status_code == 503
    page = _page(response)
    assert "Service unavailable" in page
    assert "connection refused" not in page


def test_database_gone_while_serving_gets_503(tmp_path):
    """A real outage: the database file's folder does not exist, so every query fails."""
    app = make_test_app(f"sqlite:///{tmp_path / 'missing' / 'gone.sqlite3'}", PROPAGATE_EXCEPTIONS=False)
    response = app.test_client().post("/login", data={"email": "someone@example.org",
                                                      "password": factories.PASSWORD})
    assert response.status_code == 503
    assert "The database cannot be reached" in _page(response)
