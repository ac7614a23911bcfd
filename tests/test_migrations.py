"""Migrations: one head, upgrade from an empty database, no drift from the models, downgrade to base.

Runs on a fresh SQLite file, and also on a fresh throwaway PostgreSQL database when
``KAKEHASHI_TEST_DATABASE_URL`` points at a PostgreSQL server.
"""

from __future__ import annotations

import uuid
from pprint import pformat

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from core.dbcheck import MIGRATIONS_DIR, current_revision, head_revision
from core.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_test_app

BACKENDS = ["sqlite"]
if TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"):
    BACKENDS.append("postgresql")


def _libpq_params(url) -> dict:
    params = {"host": url.host, "port": url.port, "user": url.username, "password": url.password,
              "dbname": url.database}
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    """The URL of a brand-new, empty database on each backend under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    server = make_url(TEST_DATABASE_URL)
    name = f"kakehashi_migrations_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**_libpq_params(server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**_libpq_params(server), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migration_app(empty_database_url):
    app = make_test_app(empty_database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _drift() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_exactly_one_head():
    heads = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"


def test_every_revision_file_is_date_prefixed():
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    for revision in script.walk_revisions():
        name = revision.path.rsplit("/", 1)[-1]
        assert name[:11].replace("_", "").isdigit() and name.startswith(f"{name[:4]}_"), name


def test_upgrade_from_empty_matches_the_models_and_downgrades(migration_app):
    assert _tables() == set()
    upgrade(directory=str(MIGRATIONS_DIR))
    assert current_revision() == head_revision()
    db.session.remove()
    assert set(db.metadata.tables) <= _tables()
    drift = _drift()
    assert drift == [], "models and migrations disagree; run `flask --app app db migrate`:\n" + pformat(drift)

    downgrade(directory=str(MIGRATIONS_DIR), revision="base")
    assert _tables() <= {"alembic_version"}
    assert current_revision() is None
    db.session.remove()

    upgrade(directory=str(MIGRATIONS_DIR))  # and back up again: downgrades leave nothing behind
    assert current_revision() == head_revision()
    db.session.remove()
    assert _drift() == []


def test_upgrade_one_revision_at_a_time(migration_app):
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        upgrade(directory=str(MIGRATIONS_DIR), revision=revision)
        assert current_revision() == revision
        db.session.remove()
    assert revisions[-1] == head_revision()


def test_inject_attachment_bytes_move_into_the_file_store_and_back(migration_app):
    """Data migration f11e5702e002: exercise_attachments.data → stored_files (kind inject_attachment)."""
    from sqlalchemy import text

    upgrade(directory=str(MIGRATIONS_DIR), revision="f11e5702e001")
    payload = b"%PDF-1.4 " + bytes(range(256)) * 40
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO exercise_attachments (filename, content_type, size, sha256, data, created_at) "
                          "VALUES ('brief.pdf', 'application/pdf', :size, 'abc', :data, '2026-01-02 03:04:05')"),
                     {"size": len(payload), "data": payload})
    upgrade(directory=str(MIGRATIONS_DIR), revision="f11e5702e002")
    with db.engine.connect() as conn:
        key = conn.execute(text("SELECT file_key FROM exercise_attachments")).scalar_one()
        row = conn.execute(text("SELECT kind, name, content_type, size, data FROM stored_files WHERE key = :k"),
                           {"k": key}).one()
    assert (row.kind, row.name, row.content_type, row.size, bytes(row.data)) == \
        ("inject_attachment", "brief.pdf", "application/pdf", len(payload), payload)
    assert "data" not in {c["name"] for c in inspect(db.engine).get_columns("exercise_attachments")}
    downgrade(directory=str(MIGRATIONS_DIR), revision="f11e5702e001")
    with db.engine.connect() as conn:
        assert bytes(conn.execute(text("SELECT data FROM exercise_attachments")).scalar_one()) == payload
        assert conn.execute(text("SELECT count(*) FROM stored_files")).scalar_one() == 0
    db.session.remove()


def test_anonymous_responses_lose_their_answer_day(migration_app):
    """Data migration p2f1a0c0d001: anonymous responses get the survey's opening date; named ones keep theirs."""
    from datetime import date

    from sqlalchemy import text

    from completion import services
    from tests import factories

    upgrade(directory=str(MIGRATIONS_DIR))  # the rows are made with the ORM, so at the head's tables ...
    cohort = factories.cohort(start_date=date(2024, 6, 3), end_date=date(2024, 6, 7))
    enrolment = factories.enrolment(factories.trainee(), cohort, status="confirmed")
    db.session.commit()
    reaction, _ = services.ensure_default_templates()
    instance = services.create_survey(cohort, reaction, title="End", opens_on=date(2024, 6, 7),
                                      closes_on=date(2024, 6, 30), anonymous=True)
    db.session.commit()
    ids = {"i": instance.id, "e": enrolment.id}
    db.session.remove()
    downgrade(directory=str(MIGRATIONS_DIR), revision="j0b5e2a1b003")  # ... then back to before the data move
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO survey_responses (id, instance_id, enrolment_id, submitted_on) VALUES "
                          "('a1', :i, NULL, '2024-06-12'), ('n1', :i, :e, '2024-06-13')"), ids)
    db.session.remove()
    upgrade(directory=str(MIGRATIONS_DIR))
    with db.engine.connect() as conn:
        days = dict(conn.execute(text("SELECT id, submitted_on FROM survey_responses")).all())
    assert {k: str(v) for k, v in days.items()} == {"a1": "2024-06-07", "n1": "2024-06-13"}
    db.session.remove()
