"""CSRF protection, security headers and session cookie flags."""

from __future__ import annotations

import re
import time

import itsdangerous
from sqlalchemy import func, select

from accounts.models import User, UserSession
from core.audit import AuditEvent
from tests import factories
from tests.conftest import make_test_app

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|type="hidden" name="csrf_token" value="([^"]+)"')


def _token(response) -> str:
    match = TOKEN.search(response.get_data(as_text=True))
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _sign_in(client, user) -> None:
    token = _token(client.get("/login"))
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302


# --- CSRF -------------------------------------------------------------------------------------

def test_login_without_token_gets_friendly_400_and_nothing_happens(csrf_app, db):
    user = factories.user()
    db.session.commit()
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "security check failed" in page
    assert "Bad request" in page and "<html" in page  # the site's own error page
    assert _count(db, AuditEvent) == 0
    assert _count(db, UserSession) == 0
    assert client.get("/account").status_code == 302  # still anonymous


def test_login_with_token_from_the_form_works(csrf_app, db):
    user = factories.user()
    db.session.commit()
    client = csrf_app.test_client()
    _sign_in(client, user)
    assert client.get("/account").status_code == 200


def test_token_from_another_session_is_refused(csrf_app, db):
    user = factories.user()
    db.session.commit()
    foreign = _token(csrf_app.test_client().get("/login"))
    client = csrf_app.test_client()
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": foreign})
    assert response.status_code == 400
    assert "security check failed" in response.get_data(as_text=True)


def test_expired_form_gets_friendly_400(csrf_app, db, monkeypatch):
    user = factories.user()
    db.session.commit()
    client = csrf_app.test_client()
    token = _token(client.get("/login"))
    later = int(time.time()) + csrf_app.config["WTF_CSRF_TIME_LIMIT"] + 60
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: later)
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 400
    assert "security check failed" in response.get_data(as_text=True)
    assert _count(db, UserSession) == 0


def test_admin_form_without_token_changes_nothing(csrf_app, db):
    admin = factories.user(role="admin")
    db.session.commit()
    client = csrf_app.test_client()
    _sign_in(client, admin)
    users_before, events_before = _count(db, User), _count(db, AuditEvent)
    form = {"email": "forged@example.org", "display_name": "Forged", "role": "admin", "send_invitation": "y"}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 400
    assert "security check failed" in response.get_data(as_text=True)
    assert _count(db, User) == users_before
    assert _count(db, AuditEvent) == events_before
    assert db.session.scalar(select(User).where(User.email == "forged@example.org")) is None
    # the same form with the page's token is accepted
    token = _token(client.get("/admin/users/new"))
    response = client.post("/admin/users/new", data={**form, "csrf_token": token})
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "forged@example.org")).role == "admin"


def test_sign_out_without_token_is_refused(csrf_app, db):
    user = factories.user()
    db.session.commit()
    client = csrf_app.test_client()
    _sign_in(client, user)
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200  # still signed in


# --- headers and cookies ----------------------------------------------------------------------

def test_security_headers_over_http(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_error_pages_carry_the_headers_too(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_hsts_only_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_every_security_header_is_sent_once_and_a_views_own_value_is_kept(database_url):
    from accounts.permissions import public

    app = make_test_app(database_url)

    @app.route("/own-headers")
    @public
    def own_headers():
        return "x", 200, {"X-Frame-Options": "SAMEORIGIN", "cache-control": "private, max-age=60"}

    client = app.test_client()
    plain = client.get("/login", base_url="https://localhost").headers
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
                 "Cross-Origin-Opener-Policy", "Strict-Transport-Security", "Cache-Control"):
        assert len(plain.getlist(name)) == 1, name
    assert plain["Cache-Control"] == "no-store" and plain["X-Frame-Options"] == "DENY"
    own = client.get("/own-headers").headers
    assert own.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert own.getlist("Cache-Control") == ["private, max-age=60"]  # any spelling of the name counts
    assert "default-src 'self'" in own["Content-Security-Policy"]
    static = client.get("/static/css/kakehashi.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")  # stylesheets may be cached
    assert "default-src 'self'" in static.headers["Content-Security-Policy"]


def _session_cookie_header(response) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert headers, "no session cookie was set"
    return headers[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client, db):
    user = factories.user()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    cookie = _session_cookie_header(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # only when configured (behind HTTPS)


def test_session_cookie_secure_when_configured(database_url, db):
    user = factories.user()
    db.session.commit()
    secure_app = make_test_app(database_url, SESSION_COOKIE_SECURE=True)
    client = secure_app.test_client()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD},
                           base_url="https://localhost")
    cookie = _session_cookie_header(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- behind a reverse proxy -------------------------------------------------------------------

def test_forwarded_headers_ignored_unless_proxies_are_trusted(client, db):
    user = factories.user()
    db.session.commit()
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    response = client.post("/login", data={"email": user.email, "password": "wrong-password-1"}, headers=forged)
    assert "Strict-Transport-Security" not in response.headers
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).one()
    assert event.ip_address == "127.0.0.1"


def test_trusted_proxy_supplies_client_address_and_scheme(database_url, db):
    user = factories.user()
    db.session.commit()
    proxied = make_test_app(database_url, TRUSTED_PROXIES=1)
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    response = proxied.test_client().post("/login", data={"email": user.email, "password": "wrong-password-1"},
                                          headers=forwarded)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).one()
    assert event.ip_address == "203.0.113.9"
