"""Browser journey (Playwright, Debian's chromium): the controller releases an inject, the player's room
shows it without a reload, the player responds, and the controller's console shows the response.

Runs against a live server on 127.0.0.1 with its own SQLite file (the suite's per-test transactions
cannot be seen from another thread), with CSRF protection on as in production.
"""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request

import pytest
from werkzeug.serving import make_server

from core.config import TestConfig
from core.extensions import db as _db

pytestmark = pytest.mark.browser



@pytest.fixture
def live(tmp_path):
    """A live server with a ready run: a facilitator and one player in each of two teams."""
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
    context.set_default_timeout(30_000)  # generous: CI machines may be busy
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(base) + r"/(me)?$"))  # trainees land on "My training"
    return page


def test_release_reaches_the_player_who_responds_and_the_console_sees_it(live, browser):
    from playwright.sync_api import expect

    base, run_id = live["url"], live["run"]
    expect.set_options(timeout=20_000)
    if True:
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
            # an idle poll with the room's token is answered 304 by the poll gate, even without a session
            room = player.locator("#room")
            idle = urllib.request.Request(f"{base}/exercises/play/{run_id}/feed.json", headers={  # noqa: S310
                "If-None-Match": room.get_attribute("data-etag"),
                "X-Poll-Token": room.get_attribute("data-poll-token")})
            try:
                urllib.request.urlopen(idle, timeout=10)  # noqa: S310 - our own live server
                status = 200
            except urllib.error.HTTPError as exc:
                status = exc.code
            assert status == 304

            row = controller.locator("tr", has_text="Contingency call")
            row.get_by_role("button", name="Release now").click()
            expect(controller.locator("tr", has_text="Contingency call")).to_contain_text("released")

            heading = player.get_by_role("heading", name="3. Contingency call")
            expect(heading).to_be_visible(timeout=30_000)
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
                "We explain the ransom governance to the chair", timeout=30_000)
            assert controller.evaluate("window.__noReload") is True

            other = _sign_in(browser, base, live["other"])
            other.goto(f"{base}/exercises/play/{run_id}")
            expect(other.get_by_role("heading", name="3. Contingency call")).to_be_visible()
            expect(other.get_by_text("We explain the ransom governance")).to_have_count(0)  # the other team's
        finally:
            pass


def test_waiting_banner_goes_when_the_run_starts_without_a_manual_reload(live, browser):
    from playwright.sync_api import expect

    base, run_id = live["url"], live["run"]
    player = _sign_in(browser, base, live["player"])
    player.goto(f"{base}/exercises/play/{run_id}")
    banner = player.get_by_text("The exercise has not started yet.")
    expect(banner).to_be_visible()
    controller = _sign_in(browser, base, live["facilitator"])
    controller.goto(f"{base}/exercises/runs/{run_id}/console")
    controller.get_by_role("button", name="Start").click()
    expect(controller.locator("#run-status")).to_contain_text("running")
    expect(banner).to_have_count(0, timeout=30_000)  # the player did nothing
    expect(player.get_by_role("heading", name="1. Ransom note")).to_be_visible(timeout=30_000)


@pytest.fixture
def live_seeded(tmp_path):
    """A live server with the seeded scenarios, a facilitator, and a cohort of two nationalities."""
    from app import create_app
    from exercises.seed import seed_exercises
    from tests import factories
    from tests.exercises import builders

    config = type("LiveConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'seeded.sqlite3'}", "SERVER_NAME": None,
        "WTF_CSRF_ENABLED": True})
    app = create_app(config)
    with app.app_context():
        _db.create_all()
        facilitator = factories.user(role="organiser", email="new-facilitator@example.org")
        cohort, people = builders.cohort_with_players(("VN", "TH"), per_team=1)
        seed_exercises()
        _db.session.commit()
        info = {"facilitator": facilitator.email, "cohort": cohort.code, "players": [u.email for _t, u in people]}
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


def test_a_facilitator_runs_a_seeded_scenario_end_to_end_and_exports_the_aar(live_seeded, browser, tmp_path):
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    base = live_seeded["url"]
    expect.set_options(timeout=20_000)
    if True:
        try:
            page = _sign_in(browser, base, live_seeded["facilitator"])
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Exercises").click()
            page.get_by_role("link", name="Ransomware at Riverbend General Hospital").click()
            page.get_by_role("link", name="Run this scenario for a cohort").click()
            page.get_by_label("Cohort").select_option(index=1)  # the only cohort
            page.get_by_role("button", name="Create run").click()
            expect(page.get_by_text("Run created as a draft")).to_be_visible()
            expect(page.get_by_role("button", name="Mark ready")).to_be_disabled()

            page.get_by_role("link", name="Placeholders").click()
            page.get_by_label("{HEALTH_MINISTRY}").fill("Ministry of Public Health")
            page.get_by_label("{POLICE_CYBER_UNIT}").fill("Technology Crime Suppression Division")
            page.get_by_role("button", name="Save values").click()
            page.get_by_role("link", name="Teams").click()
            page.get_by_role("button", name="Form teams (replaces the current teams)").click()
            expect(page.get_by_text("2 teams formed.")).to_be_visible()
            page.get_by_role("link", name="Overview").click()
            page.get_by_role("button", name="Mark ready").click()
            expect(page.get_by_text("The run is now ready.")).to_be_visible()

            page.get_by_role("link", name="Open the live console").click()
            page.get_by_role("button", name="Start").click()
            expect(page.locator("tr", has_text="Ransom note on ward computers")).to_contain_text("released")
            player = _sign_in(browser, base, live_seeded["players"][0])
            player.goto(f"{base}/exercises/play")
            player.get_by_role("link", name=f"Ransomware at Riverbend General Hospital — {live_seeded['cohort']}",
                               exact=True).click()
            expect(player.get_by_text("Technology Crime Suppression Division")).to_have_count(0)  # staff text
            first = player.locator("li.inject").first
            first.get_by_label("Your team’s response").fill("Isolating the ward network now")
            first.get_by_role("button", name="Send").click()
            expect(player.get_by_text("Sent to the exercise staff.")).to_be_visible()

            page.get_by_role("button", name="Pause").click()
            expect(page.locator("#run-status")).to_contain_text("paused")
            page.get_by_role("button", name="Resume").click()
            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name="End the exercise").click()
            expect(page.locator("#run-status")).to_contain_text("ended")

            page.get_by_role("link", name="Evaluation").click()
            page.get_by_label("Strength").check()
            page.get_by_role("textbox", name="Observation").fill("Escalated within ten minutes")
            page.get_by_role("button", name="Record observation").click()
            overall = page.locator("select[name^='rating_'][name$='_all']")
            expect(overall.first).to_be_visible()  # the page has loaded before the selects are listed
            for select in overall.all():
                select.select_option("S")
            page.get_by_role("button", name="Save ratings").click()
            expect(page.get_by_role("button", name="Mark evaluated")).to_be_enabled()
            page.get_by_label("Issue / area for improvement").fill("Backups too old")
            page.get_by_label("Corrective action").fill("Daily immutable backups")
            page.get_by_role("button", name="Save item").click()
            page.get_by_role("button", name="Mark evaluated").click()
            expect(page.get_by_text("The run is now evaluated.")).to_be_visible()

            page.get_by_role("navigation", name="This run").get_by_role("link", name="After-action report").click()
            page.get_by_role("link", name="Non-attributed version (Team A, B…)").click()
            with page.expect_download() as download_info:
                page.get_by_role("link", name="Download (.xlsx)").click()
            path = tmp_path / "aar.xlsx"
            download_info.value.save_as(path)
            wb = load_workbook(path)
            assert wb.sheetnames == ["Overview", "Objectives and ratings", "Timeline", "Observations",
                                     "Improvement plan"]
            text = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                            if c.value is not None)
            assert "Isolating the ward network now" in text and "Team A" in text and "Viet Nam" not in text
        finally:
            pass
