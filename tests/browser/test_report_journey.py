"""A programme officer goes from the dashboard to a filtered workbook in two clicks (real Chromium)."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_test_app

pytestmark = pytest.mark.browser


@pytest.fixture
def live_site(tmp_path):
    """Its own app and SQLite file (the per-test transaction of the ``db`` fixture is invisible to a server)."""
    from core.extensions import db
    from tests import factories
    from tests.reports import dataset

    app = make_test_app(f"sqlite:///{tmp_path / 'live.sqlite3'}", SERVER_NAME=None)
    with app.app_context():
        db.create_all()
        dataset.build()
        user = factories.user(role="organiser", email="officer@example.org")
        db.session.commit()
        email = user.email
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", email
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


def test_dashboard_to_filtered_workbook_in_two_clicks(live_site, context, tmp_path):
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from tests import factories

    base, email = live_site
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_label("Fiscal year from").select_option("2024")
    page.get_by_label("Fiscal year to").select_option("2024")
    page.get_by_label("Nationality", exact=True).select_option("VN")
    page.get_by_role("button", name="Apply filters").click()  # click 1
    expect(page.get_by_text("Active filters:")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download workbook (.xlsx)").click()  # click 2
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    summary = {r[0]: r[1] for r in load_workbook(path)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Enrolments"] == 3 and summary["Participants"] == 2
