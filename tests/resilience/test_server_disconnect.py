"""PostgreSQL closes every connection (what a restart does to the pool): the next request works.

bench/pg_restart.py measures a real restart of a private cluster under load; this is the part of it
a test can do on the shared server without restarting it: ``pg_terminate_backend`` of every session
of a throwaway database, then the same signed-in client asks again. The pool's pre-ping (on for
database servers, core/config.py) replaces the dead connections, so the user never notices; without
it the first request after a restart fails (a friendly 503, not a bare 500) and only the next works.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from core.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_test_app
from tests.resilience.conftest import sign_in

pytestmark = pytest.mark.skipif(not (TEST_DATABASE_URL or "").startswith("postgresql"),
                                reason="needs PostgreSQL (KAKEHASHI_TEST_DATABASE_URL)")


def _terminate_every_session(database_url: str) -> int:
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                         "WHERE datname = :name AND pid <> pg_backend_pid()"),
                                    {"name": url.database}).all())
    finally:
        admin.dispose()


@pytest.fixture
def server_site(shared_database):
    apps = []

    def build(**options):
        app = make_test_app(shared_database, PROPAGATE_EXCEPTIONS=False, **options)
        with app.app_context():
            db.create_all()
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_after_the_server_closed_every_connection_the_next_page_and_write_work(server_site, shared_database):
    from trainees.models import Programme

    site = server_site()
    client = sign_in(site)
    assert client.get("/account").status_code == 200  # the pool holds a connection now
    assert _terminate_every_session(shared_database) >= 1
    assert client.get("/account").status_code == 200  # pre-ping: a fresh connection, no error
    assert _terminate_every_session(shared_database) >= 1
    created = client.post("/programmes/new", data={"code": "AFTER", "name": "After the restart", "funder": "METI"})
    assert created.status_code == 302
    with site.app_context():
        assert db.session.scalar(select(func.count()).select_from(Programme).where(Programme.code == "AFTER")) == 1


def test_without_pre_ping_the_first_request_after_it_is_a_friendly_503(server_site, shared_database):
    """The control: what the pre-ping saves users from (and even then, never a bare 500)."""
    site = server_site(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False})
    client = sign_in(site)
    assert client.get("/account").status_code == 200
    assert _terminate_every_session(shared_database) >= 1
    failed = client.get("/account")
    assert failed.status_code == 503 and failed.headers["Retry-After"]
    assert "Internal Server Error" not in failed.get_data(as_text=True)
    assert client.get("/account").status_code == 200  # the dead connection was discarded
