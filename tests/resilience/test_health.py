"""/healthz and /readyz: public, not rate-limited, sessionless, no data; /readyz names what is down."""

from __future__ import annotations

from sqlalchemy import event

from core.extensions import db
from tests.conftest import make_test_app
from tests.resilience.conftest import Outage, sign_in


def test_healthz_answers_without_any_dependency(site):
    client = site.test_client()
    with Outage(site):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_readyz_ok_then_503_naming_the_database_when_it_is_down(site):
    client = site.test_client()
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"] == {"database": "ok", "ratelimit": "skipped", "jobs": "skipped"}
    with Outage(site):
        response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "unavailable"
    assert body["checks"]["database"] == "OperationalError"  # the class name only: no host, no message
    assert "simulated" not in response.get_data(as_text=True)
    assert response.headers["Retry-After"]
    assert client.get("/readyz").status_code == 200  # back


def test_readyz_fails_while_migrations_are_behind(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'r.sqlite3'}", READYZ_CHECK_MIGRATIONS=True)
    with app.app_context():
        db.create_all()  # tables, but never stamped by Alembic: "behind"
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["database"] == "behind"
    with app.app_context():
        from flask_migrate import stamp

        stamp(directory="migrations")
    assert app.test_client().get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_readyz_fails_when_the_rate_limit_storage_is_down(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'r.sqlite3'}", RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/15")
    with app.app_context():
        db.create_all()
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["ratelimit"] == "unreachable"
    with app.app_context():
        db.engine.dispose()


def test_probes_are_not_rate_limited_and_ignore_the_session(site):
    client = sign_in(site)
    with site.app_context():
        engine = db.engine
    statements = []

    def _count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        responses = [client.get("/healthz") for _ in range(200)]
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    assert {r.status_code for r in responses} == {200}
    assert not any("Set-Cookie" in r.headers for r in responses)
    assert statements == []  # no session user lookup, no limiter, nothing
    assert "X-RateLimit-Limit" not in responses[0].headers
