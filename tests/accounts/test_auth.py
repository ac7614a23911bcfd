"""Every sign-in flow through the HTTP client."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import select

from accounts import services
from accounts.models import PasswordToken, User, UserSession
from core.audit import AuditEvent
from core.db import utcnow
from tests import factories


def _events(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_sign_in_success_records_session_and_audit(client, db):
    user = factories.user(role="organiser")
    db.session.commit()
    response = client.post("/login", data={"email": user.email.upper(), "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == user.id)) is not None
    assert len(_events(db, "login.success")) == 1
    assert client.get("/account").status_code == 200


def test_wrong_password_is_refused_with_message_and_audited(client, db):
    user = factories.user()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": "wrong-password-1"})
    assert response.status_code == 200
    assert "E-mail or password is not correct." in response.get_data(as_text=True)
    assert _events(db, "login.failed")[0].summary == user.email
    assert client.get("/account").status_code == 302  # still anonymous


def test_unknown_email_and_inactive_user_cannot_sign_in(client, db):
    inactive = factories.user(active=False)
    db.session.commit()
    for email in ("nobody@example.org", inactive.email):
        response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
        assert response.status_code == 200
        assert "not correct" in response.get_data(as_text=True)


def test_sixth_wrong_password_within_a_minute_is_refused_and_audited(client, db):
    user = factories.user()
    db.session.commit()
    for _ in range(5):
        assert client.post("/login", data={"email": user.email, "password": "bad-password-x"}).status_code == 200
    sixth = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert sixth.status_code == 429
    assert "Too many failed sign-ins for this account" in sixth.get_data(as_text=True)
    assert len(_events(db, "login.throttled")) == 1
    # another account from the same address is not locked by this one
    other = factories.user()
    db.session.commit()
    assert client.post("/login", data={"email": other.email, "password": factories.PASSWORD}).status_code == 302


def test_successful_sign_ins_do_not_count_towards_the_lockout(client, db):
    user = factories.user()
    db.session.commit()
    for _ in range(7):
        assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD}).status_code == 302


def test_copied_cookie_stops_working_after_sign_out(app, client, db, login_as):
    login_as("organiser")
    cookie = client.get_cookie("session").value
    assert client.get("/account").status_code == 200
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="localhost")
    response = thief.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_in_starts_a_fresh_session(client, db):
    user = factories.user()
    db.session.commit()
    with client.session_transaction() as sess:
        sess["planted"] = "by-attacker"
    client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["sid"]


def test_idle_session_expires(app, client, db, login_as):
    login_as("organiser")
    with client.session_transaction() as sess:
        sess["seen"] = time.time() - app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 5
    assert client.get("/account").status_code == 302


def test_external_next_is_refused(client, db):
    user = factories.user()
    db.session.commit()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(f"/login?next={target}", data={"email": user.email, "password": factories.PASSWORD})
        assert response.headers["Location"] == "/"
        client.post("/logout")
    response = client.post("/login?next=/account", data={"email": user.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/account"


def test_reset_link_is_single_use_and_signs_out_other_sessions(app, client, db, login_as):
    user = login_as("trainee")
    raw = services.issue_password_token(user, "reset")
    db.session.commit()
    response = client.post(f"/password/set/{raw}", data={"password": "a-brand-new-secret-42",
                                                          "confirm": "a-brand-new-secret-42"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 302  # the old session was ended
    again = client.get(f"/password/set/{raw}")
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    ok = client.post("/login", data={"email": user.email, "password": "a-brand-new-secret-42"})
    assert ok.status_code == 302


def test_expired_reset_link_is_refused(client, db):
    user = factories.user()
    raw = services.issue_password_token(user, "reset")
    token = db.session.scalar(select(PasswordToken).where(PasswordToken.user_id == user.id))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/password/set/{raw}")
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert client.get("/password/set/not-a-token").status_code == 410


def test_new_link_invalidates_the_previous_one(client, db):
    user = factories.user()
    first = services.issue_password_token(user, "reset")
    services.issue_password_token(user, "reset")
    db.session.commit()
    assert client.get(f"/password/set/{first}").status_code == 410


def test_weak_and_common_passwords_are_refused(client, db):
    user = factories.user(email="lan.nguyen@example.org")
    raw = services.issue_password_token(user, "invite")
    db.session.commit()
    for weak, message in (("short1", "at least 10"), ("password123", "too common"),
                          ("lan.nguyen-2026!", "e-mail address")):
        response = client.post(f"/password/set/{raw}", data={"password": weak, "confirm": weak})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    mismatch = client.post(f"/password/set/{raw}", data={"password": "long-enough-pass-1",
                                                          "confirm": "long-enough-pass-2"})
    assert "do not match" in mismatch.get_data(as_text=True)


def test_forgot_password_sends_mail_without_revealing_accounts(client, db, outbox):
    user = factories.user()
    db.session.commit()
    r1 = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    r2 = client.post("/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert r1.get_data(as_text=True).count("If that address belongs") == 1
    assert r2.get_data(as_text=True).count("If that address belongs") == 1
    assert [m.to for m in outbox] == [[user.email]]
    link = re.search(r"http://localhost(/password/set/[\w-]+)", outbox[0].body).group(1)
    assert client.get(link).status_code == 200


def test_invitation_flow_admin_creates_user_who_sets_password(app, client, db, login_as):
    login_as("admin")
    response = client.post("/admin/users/new", data={"email": "New.Person@Example.org", "display_name": "New",
                                                     "role": "trainee", "send_invitation": "y"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "User new.person@example.org created." in page
    link = re.search(r"http://localhost(/password/set/[\w-]+)", page).group(1)
    client.post("/logout")
    new_password = {"password": "kakehashi-invite-77", "confirm": "kakehashi-invite-77"}
    assert client.post(link, data=new_password).status_code == 302
    assert client.post("/login", data={"email": "new.person@example.org",
                                       "password": "kakehashi-invite-77"}).status_code == 302


def test_duplicate_email_is_refused_case_insensitively(client, db, login_as):
    login_as("admin")
    existing = factories.user(email="dup@example.org")
    db.session.commit()
    response = client.post("/admin/users/new", data={"email": "DUP@example.org", "role": "trainee"})
    assert response.status_code == 200
    assert f"A user with the e-mail {existing.email} already exists." in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "dup@example.org")).id == existing.id


def test_malformed_email_gets_a_field_message(client, db, login_as):
    login_as("admin")
    response = client.post("/admin/users/new", data={"email": "not-an-email", "role": "trainee"})
    assert response.status_code == 200
    assert "is not a valid e-mail address" in response.get_data(as_text=True)


def test_admin_changes_role_and_deactivation_signs_user_out(app, client, db, login_as):
    target = factories.user(role="trainee")
    db.session.commit()
    victim_client = app.test_client()
    victim_client.post("/login", data={"email": target.email, "password": factories.PASSWORD})
    assert victim_client.get("/account").status_code == 200
    login_as("admin")
    response = client.post(f"/admin/users/{target.id}", data={"display_name": "Renamed", "role": "organiser"})
    assert response.status_code == 302
    assert victim_client.get("/account").status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert event.changes["after"] == {"role": "organiser", "active": False, "display_name": "Renamed"}


def test_admin_cannot_demote_self(client, db, login_as):
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}", data={"display_name": "x", "role": "trainee", "active": "y"})
    assert "cannot change your own role" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin"


def test_change_own_password_and_language(client, db, login_as):
    user = login_as("trainee")
    bad = client.post("/account", data={"pw-current_password": "wrong", "pw-password": "another-good-pass-9",
                                         "pw-confirm": "another-good-pass-9", "pw-submit": "1"})
    assert "The current password is not correct." in bad.get_data(as_text=True)
    ok = client.post("/account", data={"pw-current_password": factories.PASSWORD,
                                       "pw-password": "another-good-pass-9",
                                       "pw-confirm": "another-good-pass-9", "pw-submit": "1"})
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200  # this session survives its own change
    client.post("/account", data={"lang-locale": "ja", "lang-submit": "1"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "ja"
    assert "マイアカウント" in client.get("/account").get_data(as_text=True)


def test_audit_page_filters(client, db, login_as):
    login_as("admin")
    factories.user(email="someone@example.org")
    client.post("/login", data={"email": "someone@example.org", "password": "nope-nope-nope"})
    page = client.get("/admin/audit?action=login.failed").get_data(as_text=True)
    assert "someone@example.org" in page
    assert "login.success" not in page.split("<tbody>")[1]
    empty = client.get("/admin/audit?start=2000-01-01&end=2000-01-02").get_data(as_text=True)
    assert "No events match these filters." in empty
    assert client.get("/admin/audit?start=not-a-date").status_code == 200


def test_roles_are_shown_by_name_not_by_code(client, login_as):
    login_as("organiser")
    assert " · Organiser</p>" in client.get("/account").get_data(as_text=True)


def test_users_page_filters_by_every_role(client, db, login_as):
    """The role filter offered admin, organiser and trainee only: focal points and observers could not be listed."""
    factories.user(role="observer", email="ministry.observer@example.org")
    factories.user(role="focal_point", email="focal.kh@example.org")
    login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert 'value="observer"' in page and 'value="focal_point"' in page
    observers = client.get("/admin/users?role=observer").get_data(as_text=True)
    assert "ministry.observer@example.org" in observers and "focal.kh@example.org" not in observers
