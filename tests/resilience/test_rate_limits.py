"""Rate limits shared by every instance through Redis, and failing closed when the storage is down."""

from __future__ import annotations

import os

import pytest

from core.extensions import db, limiter
from tests import factories
from tests.conftest import make_test_app
from tests.resilience.conftest import sign_in

#: db 15 of the machine's Redis is this test suite's (never another project's data).
REDIS_URL = os.environ.get("KAKEHASHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CLOSED_REDIS = "redis://127.0.0.1:9/15"  # nothing listens on port 9: "Redis is down"


def _redis_available() -> bool:
    """Whether the test Redis answers; with ``KAKEHASHI_REQUIRE_REDIS=1`` (CI) a missing one is an error,
    not a silent skip of the shared-counter and two-instance tests."""
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("KAKEHASHI_REQUIRE_REDIS") == "1":
            raise RuntimeError(f"KAKEHASHI_REQUIRE_REDIS=1 but no Redis answers at {REDIS_URL}") from exc
        return False


needs_redis = pytest.mark.skipif(not _redis_available(), reason=f"no Redis at {REDIS_URL}")


def _instances(tmp_path, storage_uri: str):
    """Two app objects (two "machines"): same database file, same secret, separate instance folders."""
    uri = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    apps = [make_test_app(uri, RATELIMIT_STORAGE_URI=storage_uri, PROPAGATE_EXCEPTIONS=False,
                          LOGIN_ACCOUNT_LIMIT="5 per minute") for _ in range(2)]
    with apps[0].app_context():
        db.create_all()
        limiter.reset()  # a fresh minute for this test
        user = factories.user(role="organiser")
        email = user.email
        db.session.commit()
    return apps, email


def _wrong_passwords(apps, email, attempts=12):
    """Alternate wrong passwords between the instances; return how many were checked (not refused)."""
    clients = [app.test_client() for app in apps]
    statuses = [clients[i % 2].post("/login", data={"email": email, "password": "wrong-password-123"}).status_code
                for i in range(attempts)]
    return statuses


@needs_redis
def test_failed_sign_ins_are_counted_across_two_instances_sharing_redis(tmp_path):
    apps, email = _instances(tmp_path, REDIS_URL)
    statuses = _wrong_passwords(apps, email)
    assert statuses.count(200) == 5, statuses  # the configured 5, not 5 per instance
    assert statuses.count(429) == 7, statuses
    assert statuses[5] == 429 and statuses[6] == 429  # both instances refuse from the sixth on
    with apps[0].app_context():
        limiter.reset()
        db.engine.dispose()


def test_control_memory_storage_counts_per_instance(tmp_path):
    """Why Redis is needed with several processes: memory:// counters are each instance's own."""
    apps, email = _instances(tmp_path, "memory://")
    statuses = _wrong_passwords(apps, email)
    assert statuses.count(200) == 10, statuses
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_sign_in_and_reset_fail_closed_when_the_limit_storage_is_down(tmp_path):
    apps, email = _instances(tmp_path, "memory://")
    client = sign_in(apps[0])  # signed in before the outage, on a healthy instance
    down = make_test_app(f"sqlite:///{tmp_path / 'shared.sqlite3'}", RATELIMIT_STORAGE_URI=CLOSED_REDIS,
                         PROPAGATE_EXCEPTIONS=False)
    other = down.test_client()
    response = other.post("/login", data={"email": email, "password": factories.PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:300]
    assert "sign-in and verification are paused" in page and response.headers["Retry-After"]
    assert "Set-Cookie" not in response.headers or "session=;" in response.headers["Set-Cookie"]  # not signed in
    assert other.post("/password/forgot", data={"email": email}).status_code == 503
    assert other.get("/verify/abc").status_code == 503
    # Pages without a limit keep working: the sign-in form, and a signed-in user's pages.
    assert other.get("/login").status_code == 200
    cookie = client.get_cookie("session")
    other.set_cookie("session", cookie.value, domain=cookie.domain)
    assert other.get("/account").status_code == 200
    for app in (*apps, down):
        with app.app_context():
            db.engine.dispose()


def test_swallow_errors_setting_still_opens_the_limits_when_asked(tmp_path):
    """RATELIMIT_SWALLOW_ERRORS=True is the explicit opt-out (documented): sign-in then works unlimited."""
    apps, email = _instances(tmp_path, "memory://")
    down = make_test_app(f"sqlite:///{tmp_path / 'shared.sqlite3'}", RATELIMIT_STORAGE_URI=CLOSED_REDIS,
                         RATELIMIT_SWALLOW_ERRORS=True, PROPAGATE_EXCEPTIONS=False)
    response = down.test_client().post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302
    for app in (*apps, down):
        with app.app_context():
            db.engine.dispose()
