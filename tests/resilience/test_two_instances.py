"""Two instances of the site ("two machines"): separate app objects with separate instance folders,
the same database and secret (and the same Redis when there is one) — whatever one instance does,
the other sees on the next request."""

from __future__ import annotations

import re

import pytest

from core.extensions import db, limiter
from reports import cache
from tests import factories
from tests.conftest import make_test_app
from tests.resilience.test_rate_limits import REDIS_URL, _redis_available

pytestmark = pytest.mark.two_instance


@pytest.fixture
def pair(tmp_path, shared_database):
    storage = REDIS_URL if _redis_available() else "memory://"
    apps = []
    for name in ("a", "b"):
        app = make_test_app(shared_database, RATELIMIT_STORAGE_URI=storage, REPORTS_CACHE=True,
                            PROPAGATE_EXCEPTIONS=False)
        app.instance_path = str(tmp_path / f"instance-{name}")  # nothing may be shared through the disk
        apps.append(app)
    with apps[0].app_context():
        db.create_all()
        limiter.reset()
    cache.clear()
    yield apps
    cache.clear()
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    with apps[0].app_context():
        db.drop_all()
        db.engine.dispose()


def _user(app, role="organiser"):
    with app.app_context():
        user = factories.user(role=role)
        email = user.email
        db.session.commit()
    return email


def _move_session(source, target) -> None:
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value, domain=cookie.domain)


def test_sign_in_on_one_continue_on_the_other_and_sign_out_ends_both(pair):
    a, b = (app.test_client() for app in pair)
    email = _user(pair[0])
    assert a.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    _move_session(a, b)
    assert b.get("/account").status_code == 200  # the session started on A works on B
    assert b.post("/logout").status_code == 302  # sign out on B ...
    response = a.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]  # ... ends it on A too


def _enrolments(html: str) -> str:
    return re.search(r'<span class="value">([^<]*)</span>\s*Enrolments</li>', html).group(1)


def test_a_write_on_one_shows_in_the_others_cached_dashboard(pair):
    from tests.reports import dataset

    a, b = (app.test_client() for app in pair)
    email = _user(pair[0])
    for client in (a, b):
        assert client.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    with pair[0].app_context():
        ds = dataset.build()
        db.session.commit()
        enrolment_id = ds.enrolments[("G", "C2")].id
    assert _enrolments(b.get("/reports/").get_data(as_text=True)) == "9"  # B computes and caches
    assert _enrolments(b.get("/reports/").get_data(as_text=True)) == "9"
    # a write through A's own request (its unit of work commits on A's engine) ...
    changed = a.post(f"/enrolments/{enrolment_id}/status", data={"target": "withdrawn", "reason": "visa refused"})
    assert changed.status_code == 302, changed.get_data(as_text=True)[:300]
    assert _enrolments(b.get("/reports/").get_data(as_text=True)) == "8"  # ... shows on B's next request
    cache.clear()  # and B's figure is the one it would compute from scratch
    assert _enrolments(b.get("/reports/").get_data(as_text=True)) == "8"


@pytest.mark.skipif(not _redis_available(), reason="counting across instances needs the shared Redis")
def test_failed_sign_ins_are_counted_across_both(pair):
    email = _user(pair[0])
    clients = [app.test_client() for app in pair]
    statuses = [clients[i % 2].post("/login", data={"email": email, "password": "wrong-password-123"}).status_code
                for i in range(12)]
    assert statuses.count(200) == 5 and statuses.count(429) == 7, statuses


def test_an_import_previewed_on_one_is_confirmed_on_the_other(pair):
    import io

    from tests.trainees.import_files import row, xlsx_bytes

    a, b = (app.test_client() for app in pair)
    email = _user(pair[0])
    with pair[0].app_context():
        cohort_id = factories.cohort(code="C-TWO").id
        db.session.commit()
    assert a.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    _move_session(a, b)
    preview = a.post(f"/cohorts/{cohort_id}/import", content_type="multipart/form-data",
                     data={"file": (io.BytesIO(xlsx_bytes([row(email="two@example.org")])), "roster.xlsx")})
    token = re.search(r'name="token" type="hidden" value="([A-Za-z0-9_-]+)"', preview.get_data(as_text=True))[1]
    done = b.post(f"/cohorts/{cohort_id}/import/confirm", data={"token": token})
    assert "Import finished: 1 new" in b.get(done.headers["Location"]).get_data(as_text=True)


def test_an_attachment_uploaded_on_one_downloads_on_the_other(pair):
    import io

    from tests.courses.builders import lessons, sample_course

    pdf = b"%PDF-1.4\n% two instances\n%%EOF\n"
    a, b = (app.test_client() for app in pair)
    email = _user(pair[0])
    with pair[0].app_context():
        lesson_id = lessons(sample_course())[0].id
        db.session.commit()
    assert a.post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 302
    _move_session(a, b)
    uploaded = a.post(f"/courses/lessons/{lesson_id}/attachment",
                      data={"attachment": (io.BytesIO(pdf), "handout.pdf")})
    assert uploaded.status_code == 302
    got = b.get(f"/courses/lessons/{lesson_id}/attachment/file")
    assert got.status_code == 200 and got.data == pdf
    got.close()
