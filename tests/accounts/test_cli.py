"""``flask users create`` and ``flask seed-demo`` (ARCHITECTURE §4.1: bad input exits non-zero, clearly)."""

from __future__ import annotations

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from accounts.models import User
from accounts.seed import DEMO_PASSWORD, DEMO_USERS
from core.dbcheck import MIGRATIONS_DIR
from tests import factories

GOOD_PASSWORD = "tokyo-bangkok-bridge-7"


def _user_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _create(runner, *args, password: str | None = GOOD_PASSWORD):
    argv = ["users", "create", *args]
    if password is not None:
        argv.append("--password-stdin")
    return runner.invoke(args=argv, input=None if password is None else password + "\n")


def test_create_user_with_password_from_stdin_who_can_sign_in(runner, client, db):
    result = _create(runner, "Lan.Nguyen@Example.org", "--role", "organiser", "--name", "Nguyen Thi Lan")
    assert result.exit_code == 0, result.output
    assert "created organiser lan.nguyen@example.org" in result.output
    user = db.session.scalar(select(User).where(User.email == "lan.nguyen@example.org"))
    assert user.role == "organiser" and user.display_name == "Nguyen Thi Lan"
    assert GOOD_PASSWORD not in result.output
    response = client.post("/login", data={"email": "lan.nguyen@example.org", "password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_create_user_without_password_prints_a_set_password_link(runner, client, db):
    result = _create(runner, "invitee@example.org", "--role", "trainee", password=None)
    assert result.exit_code == 0, result.output
    path = result.output.split("set-password link path: ", 1)[1].strip()
    assert client.get(path).status_code == 200


def test_duplicate_email_is_refused(runner, db):
    factories.user(email="taken@example.org")
    db.session.commit()
    before = _user_count(db)
    result = _create(runner, "TAKEN@example.org", "--role", "trainee")
    assert result.exit_code != 0
    assert "A user with the e-mail taken@example.org already exists." in result.output
    assert _user_count(db) == before


@pytest.mark.parametrize("email", ["not-an-email", "two@@example.org", "someone@localhost"])
def test_malformed_email_is_refused(runner, db, email):
    before = _user_count(db)
    result = _create(runner, email, "--role", "trainee")
    assert result.exit_code != 0
    assert "is not a valid e-mail address" in result.output
    assert _user_count(db) == before


def test_unknown_role_is_refused(runner, db):
    before = _user_count(db)
    result = _create(runner, "someone@example.org", "--role", "superuser")
    assert result.exit_code != 0
    assert "--role" in result.output and "superuser" in result.output
    assert _user_count(db) == before


def test_missing_role_is_refused(runner, db):
    result = runner.invoke(args=["users", "create", "someone@example.org"])
    assert result.exit_code != 0
    assert "--role" in result.output


@pytest.mark.parametrize(("password", "message"), [("", "no password on standard input"),
                                                   ("short", "at least 10"),
                                                   ("password123", "too common")])
def test_weak_or_missing_password_is_refused(runner, db, password, message):
    before = _user_count(db)
    result = _create(runner, "weak@example.org", "--role", "trainee", password=password)
    assert result.exit_code != 0
    assert message in result.output
    assert _user_count(db) == before


# --- seed-demo --------------------------------------------------------------------------------

@pytest.fixture
def at_head(db):
    """Stamp the test database at the head revision, inside the test's rolled-back transaction.

    The suite builds its schema with ``create_all`` (the migration tests prove that equals head),
    so it has no ``alembic_version``; ``seed-demo`` rightly refuses such a database. The schema
    check reads through the session's connection, so this stamp is seen and then rolled back.
    """
    context = MigrationContext.configure(db.session.connection())
    context.stamp(ScriptDirectory(str(MIGRATIONS_DIR)), "heads")
    return db


def test_seed_demo_refuses_a_database_without_migrations(runner, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "flask --app app db upgrade" in result.output
    assert _user_count(db) == 0


def test_seed_demo_is_idempotent_and_prints_sign_ins(runner, at_head, client):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    count = _user_count(at_head)
    assert count >= len(DEMO_USERS)
    for email, _name, role in DEMO_USERS:
        assert email in first.output
        assert at_head.session.scalar(select(User.role).where(User.email == email)) == role
    assert DEMO_PASSWORD in first.output

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert _user_count(at_head) == count
    assert "Demo sign-ins" in second.output

    organiser = next(email for email, _name, role in DEMO_USERS if role == "organiser")
    response = client.post("/login", data={"email": organiser, "password": DEMO_PASSWORD})
    assert response.status_code == 302
