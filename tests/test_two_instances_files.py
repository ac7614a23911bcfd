"""Two application instances, one database: nothing a request needs lives on one machine's disk.

Two ``create_app()`` objects with separate (empty) instance folders share one database — a fresh
SQLite file, or a throwaway PostgreSQL database when ``KAKEHASHI_TEST_DATABASE_URL`` is set. An
import previewed on one is confirmed on the other; a lesson attachment uploaded on one downloads on
the other; and neither instance folder receives a file.
"""

from __future__ import annotations

import io
import uuid

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from core.extensions import db
from tests import factories
from tests.conftest import TEST_DATABASE_URL, make_test_app
from tests.courses.builders import enrolled, lessons, sample_course
from tests.trainees.import_files import row, xlsx_bytes
from trainees.models import Trainee

pytestmark = pytest.mark.two_instances

PDF = b"%PDF-1.4\n" + b"x" * 2000 + b"\n%%EOF\n"
TOKEN_FIELD = 'name="token" type="hidden" value="'


def _libpq(url) -> dict:
    params = {"host": url.host, "port": url.port, "user": url.username, "password": url.password,
              "dbname": url.database}
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture
def shared_url(tmp_path):
    if not (TEST_DATABASE_URL or "").startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    server = make_url(TEST_DATABASE_URL)
    name = f"kakehashi_two_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**_libpq(server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**_libpq(server), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def two_apps(shared_url, tmp_path):
    apps = []
    for name in ("a", "b"):
        app = make_test_app(shared_url, SECRET_KEY="shared-secret-for-both-instances")
        app.instance_path = str(tmp_path / f"instance-{name}")
        apps.append(app)
    with apps[0].app_context():
        db.create_all()
    yield apps
    with apps[0].app_context():
        db.drop_all()
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def _sign_in(client, email):
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _token(html: str) -> str:
    return html.split(TOKEN_FIELD, 1)[1].split('"', 1)[0]


def test_an_import_previewed_on_one_instance_is_confirmed_on_the_other(two_apps, tmp_path):
    a, b = two_apps
    with a.app_context():
        organiser = factories.user(role="organiser")
        cohort = factories.cohort(code="C-TWO")
        db.session.commit()
        email, cohort_id = organiser.email, cohort.id
    on_a, on_b = a.test_client(), b.test_client()
    _sign_in(on_a, email)
    _sign_in(on_b, email)
    preview = on_a.post(f"/cohorts/{cohort_id}/import", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(xlsx_bytes([row(email="two@example.org")])), "r.xlsx")})
    assert preview.status_code == 200
    token = _token(preview.get_data(as_text=True))
    done = on_b.post(f"/cohorts/{cohort_id}/import/confirm", data={"token": token})
    assert done.status_code == 302
    assert "Import finished: 1 new" in on_b.get(done.headers["Location"]).get_data(as_text=True)
    with b.app_context():
        assert db.session.scalar(select(func.count()).select_from(Trainee)) == 1
    assert not any(p.is_file() for p in tmp_path.glob("instance-*/**/*"))


def test_an_attachment_uploaded_on_one_instance_downloads_on_the_other(two_apps, tmp_path):
    a, b = two_apps
    with a.app_context():
        organiser = factories.user(role="organiser")
        p = enrolled(course=sample_course(), pre_post=False)
        lesson = lessons(p.course)[0]
        db.session.commit()
        email, trainee_email, lesson_id, assignment_id = organiser.email, p.user.email, lesson.id, p.assignment.id
    on_a, on_b = a.test_client(), b.test_client()
    _sign_in(on_a, email)
    up = on_a.post(f"/courses/lessons/{lesson_id}/attachment",
                   data={"attachment": (io.BytesIO(PDF), "handout.pdf")})
    assert up.status_code == 302
    _sign_in(on_b, trainee_email)
    got = on_b.get(f"/learn/{assignment_id}/lessons/{lesson_id}/file")
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    assert got.headers["Content-Disposition"] == "attachment; filename=handout.pdf"
    got.close()
    assert not any(p.is_file() for p in tmp_path.glob("instance-*/**/*"))


def test_an_inject_attachment_uploaded_on_one_instance_downloads_on_the_other(two_apps, tmp_path):
    from exercises.models import ScenarioInject
    from tests.exercises import builders as exercise_builders

    a, b = two_apps
    with a.app_context():
        organiser = factories.user(role="organiser")
        scenario = exercise_builders.scenario()
        inject = db.session.scalars(select(ScenarioInject).where(ScenarioInject.scenario_id == scenario.id)).first()
        db.session.commit()
        email, scenario_id, inject_id = organiser.email, scenario.id, inject.id
        fields = {"scenario_time": inject.scenario_time, "title": inject.title, "channel": inject.channel}
    on_a, on_b = a.test_client(), b.test_client()
    _sign_in(on_a, email)
    _sign_in(on_b, email)
    up = on_a.post(f"/exercises/scenarios/{scenario_id}/inject/{inject_id}/edit", content_type="multipart/form-data",
                   data={**fields, "attachment": (io.BytesIO(PDF), "brief.pdf")})
    assert up.status_code == 302
    with b.app_context():
        attachment_id = db.session.get(ScenarioInject, inject_id).attachment_id
    got = on_b.get(f"/exercises/scenarios/attachments/{attachment_id}")
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    assert got.headers["Content-Disposition"] == "attachment; filename=brief.pdf"
    got.close()
    assert not any(p.is_file() for p in tmp_path.glob("instance-*/**/*"))
