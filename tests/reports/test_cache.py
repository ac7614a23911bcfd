"""The report cache never shows figures older than the last write (and is off in tests by default)."""

from __future__ import annotations

import re

import pytest

from reports import cache
from tests.reports import dataset


@pytest.fixture
def cached_app(app, tmp_path):
    saved = dict(app.config)
    app.config.update(REPORTS_CACHE=True, REPORTS_DATA_VERSION_FILE=str(tmp_path / "version"))
    cache.clear()
    yield app
    app.config.clear()
    app.config.update(saved)
    cache.clear()


def _enrolments(html: str) -> str:
    return re.search(r'<span class="value">([^<]*)</span>\s*Enrolments</li>', html).group(1)


def test_cache_is_off_in_tests_by_default(app):
    assert cache.enabled(app) is False


def test_second_request_is_served_from_cache_and_a_write_is_visible_next(cached_app, client, db, login_as,
                                                                          count_queries):
    from trainees import services

    login_as("organiser")
    ds = dataset.build()
    db.session.commit()
    with count_queries() as first:
        assert _enrolments(client.get("/reports/").get_data(as_text=True)) == "9"
    with count_queries() as second:
        assert _enrolments(client.get("/reports/").get_data(as_text=True)) == "9"
    assert second.count < first.count - 4  # the statistics queries are not run again

    services.change_status(ds.enrolments[("G", "C2")], "withdrawn", reason="visa refused")
    db.session.commit()
    assert _enrolments(client.get("/reports/").get_data(as_text=True)) == "8"


def test_bulk_update_statements_also_invalidate(cached_app, client, db, login_as):
    from sqlalchemy import update

    from trainees.models import Enrolment

    login_as("organiser")
    dataset.build()
    db.session.commit()
    assert _enrolments(client.get("/reports/").get_data(as_text=True)) == "9"
    db.session.execute(update(Enrolment).where(Enrolment.status == "confirmed").values(status="withdrawn"))
    db.session.commit()
    assert _enrolments(client.get("/reports/").get_data(as_text=True)) == "7"


def test_other_writes_do_not_invalidate(cached_app, client, db, login_as):
    login_as("organiser")
    version = cache.current_version(cached_app)
    from tests import factories

    factories.user()  # accounts tables do not feed reports
    db.session.commit()
    assert cache.current_version(cached_app) == version


def test_unwritable_version_file_disables_caching(cached_app, tmp_path):
    cached_app.config["REPORTS_DATA_VERSION_FILE"] = str(tmp_path / "missing-dir" / "sub" / "version")
    (tmp_path / "missing-dir").write_text("a file where a folder should be")
    calls = []
    with cached_app.app_context():
        cache.cached(("k",), lambda: calls.append(1))
        cache.cached(("k",), lambda: calls.append(1))
    assert len(calls) == 2
