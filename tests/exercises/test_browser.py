"""Browser journey (Playwright, Debian's chromium): the controller releases an inject, the player's room
shows it without a reload, the player responds, and the controller's console shows the response.

Runs against a live server on 127.0.0.1 with its own SQLite file (the suite's per-test transactions
cannot be seen from another thread), with CSRF protection on as in production.
"""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from core.config import TestConfig
from core.extensions import db as _db

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def live(tmp_path):
    """A live server with a ready run: a facilitator and one player in each of two teams."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from app import create_app
    from tests import factories
    from tests.exercises import builders

    config = type("LiveConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite3'}", "SERVER_NAME": None,
        "WTF_CSRF_ENABLED": True})
    app = create_app(config)
    with app.app_context():
        _db.create_all()
        facilitator = factories.user(role="organiser", email="facilitator@example.org")
        run, people, _s = builders.ready_run(facilitator=facilitator)
        _db.session.commit()
        info = {"run": run.id, "facilitator": facilitator.email, "player": people[0][1].email,
                "other": people[-1][1].email}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    info["url"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield info
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            _db.engine.dispose()


def _sign_in(browser, base, email):
    from tests import factories

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    return page


def test_release_reaches_the_player_who_responds_and_the_console_sees_it(live):
    from playwright.sync_api import expect, sync_playwright

    base, run_id = live["url"], live["run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            controller = _sign_in(browser, base, live["facilitator"])
            controller.goto(f"{base}/exercises/runs/{run_id}/console")
            controller.get_by_role("button", name="Start").click()
            expect(controller.locator("#run-status")).to_contain_text("running")

            player = _sign_in(browser, base, live["player"])
            player.get_by_role("navigation", name="Main").get_by_role("link", name="My exercises").click()
            player.get_by_role("link", name="Test hospital ransomware").click()
            expect(player.get_by_role("heading", name="1. Ransom note")).to_be_visible()
            expect(player.get_by_text("Contingency call")).to_have_count(0)
            player.evaluate("window.__noReload = true")

            row = controller.locator("tr", has_text="Contingency call")
            row.get_by_role("button", name="Release now").click()
            expect(controller.locator("tr", has_text="Contingency call")).to_contain_text("released")

            heading = player.get_by_role("heading", name="3. Contingency call")
            expect(heading).to_be_visible(timeout=15_000)
            assert player.evaluate("window.__noReload") is True  # arrived without a reload
            expect(player.locator("#room-announce")).to_contain_text("Contingency call")

            inject = player.locator("li.inject", has=heading)
            inject.get_by_label("Your team’s response").fill("We explain the ransom governance to the chair")
            inject.get_by_label("Type").select_option("decision")
            inject.get_by_role("button", name="Send").click()
            expect(player.get_by_text("Sent to the exercise staff.")).to_be_visible()
            expect(player.get_by_text("We explain the ransom governance to the chair")).to_be_visible()

            controller.evaluate("window.__noReload = true")
            expect(controller.locator("#console-responses")).to_contain_text(
                "We explain the ransom governance to the chair", timeout=15_000)
            assert controller.evaluate("window.__noReload") is True

            other = _sign_in(browser, base, live["other"])
            other.goto(f"{base}/exercises/play/{run_id}")
            expect(other.get_by_role("heading", name="3. Contingency call")).to_be_visible()
            expect(other.get_by_text("We explain the ransom governance")).to_have_count(0)  # the other team's
        finally:
            browser.close()
