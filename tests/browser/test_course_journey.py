"""Browser journey (marker ``browser``): a trainee signs in, takes the pre-test, reads the lessons, passes
a module test, takes the post-test and sees their progress — against a live server on 127.0.0.1.

Uses its own minimal live server (tests/browser/conftest.py was not on this branch): a werkzeug server in a
thread on a free port, backed by a temporary SQLite file built with ``create_all``.
"""

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from core.extensions import db
from courses.models import Attempt
from tests import factories
from tests.conftest import make_test_app
from tests.courses.builders import enrolled, sample_course

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'live.sqlite3'}", SERVER_NAME=None, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        portal = enrolled(course=sample_course(), pre_post=True)
        db.session.commit()
        info = {"email": portal.user.email, "assignment": portal.assignment.id}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", info
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def _answer_and_submit(page, choices: list[tuple[str, str]], texts: dict[str, str] | None = None):
    """Tick ``label`` in the question whose stem contains ``stem``; fill text answers likewise."""
    for stem, label in choices:
        page.locator("fieldset", has_text=stem).get_by_label(label, exact=True).check()
    for stem, value in (texts or {}).items():
        page.locator("fieldset", has_text=stem).get_by_role("textbox").fill(value)
    page.locator("#save-status").filter(has_text="All answers saved").wait_for(timeout=10000)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**/result")


def test_trainee_journey(live, context):
    from playwright.sync_api import expect

    app, base, info = live
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(info["email"])
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="My courses").first.click()
    page.get_by_role("link", name="Sample Foundations").click()
    expect(page.get_by_text("Take the pre-test first")).to_be_visible()

    page.get_by_role("link", name="Sample pre-test").click()
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.locator("#timer")).to_be_visible()
    _answer_and_submit(page, [("Annex A controls", "Risk register"), ("TLP label", "TLP:CLEAR")])
    expect(page.locator("#score")).to_have_text("25.0 %")

    page.get_by_role("link", name="Back to the course").click()
    page.get_by_role("link", name="Information assets").click()
    expect(page.get_by_role("heading", name="Information assets")).to_be_visible()
    for _ in range(3):
        page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_text("You have completed every lesson")).to_be_visible()

    page.get_by_role("link", name="Module 1 test").click()
    page.get_by_role("button", name="Start the quiz").click()
    cia = "CIA triad"
    _answer_and_submit(page, [("Annex A controls with", "Statement of Applicability"), (cia, "Confidentiality"),
                              (cia, "Integrity"), (cia, "Availability"), ("27002", "False")],
                       {"How many controls": "93"})
    expect(page.locator("#score")).to_have_text("100.0 %")
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()

    page.get_by_role("link", name="Back to the course").click()
    page.get_by_role("link", name="Sample post-test").click()
    page.get_by_role("button", name="Start the quiz").click()
    _answer_and_submit(page, [("27002", "False"), ("Triage decides", "True")], {"How many controls": "93"})
    expect(page.locator("#score")).to_have_text("75.0 %")
    expect(page.get_by_text("93 controls in four themes.")).to_be_visible()

    page.get_by_role("link", name="My courses").first.click()
    expect(page.get_by_text("Lessons completed: 3 of 3")).to_be_visible()
    expect(page.get_by_text("Pre-test: 25.0 %")).to_be_visible()
    expect(page.get_by_text("Post-test: 75.0 %")).to_be_visible()
    with app.app_context():
        assert len(db.session.scalars(select(Attempt)).all()) == 3
