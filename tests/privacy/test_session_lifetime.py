"""Absolute session lifetime from the sign-in time (ASVS 3.3.2, issue 13 item 3)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from accounts.models import UserSession
from core.config import Config, load_config
from core.db import utcnow


def test_active_session_ends_after_the_absolute_lifetime(app, client, db, login_as):
    login_as("organiser")
    assert client.get("/cohorts").status_code == 200
    lifetime = app.permanent_session_lifetime
    db.session.execute(update(UserSession).values(created_at=utcnow() - lifetime + timedelta(minutes=5)))
    db.session.commit()
    assert client.get("/cohorts").status_code == 200  # still inside the lifetime, and active
    db.session.execute(update(UserSession).values(created_at=utcnow() - lifetime - timedelta(minutes=1)))
    db.session.commit()
    response = client.get("/cohorts")  # the user was active a moment ago: the idle timeout does not apply
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_lifetime_in_seconds_from_the_environment_is_a_timedelta(monkeypatch, tmp_path):
    monkeypatch.setenv("KAKEHASHI_PERMANENT_SESSION_LIFETIME", "90")
    from flask import Flask

    flask_app = Flask(__name__, instance_path=str(tmp_path))
    load_config(flask_app, Config)
    assert flask_app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(seconds=90)
