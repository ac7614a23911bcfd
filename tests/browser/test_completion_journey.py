"""Issue 7 journey in Chromium: a trainee answers the survey and submits an action plan; the organiser
confirms completion and issues certificates; the trainee downloads theirs."""

from __future__ import annotations

import re

import pytest

from accounts.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TRAINEE = "trainee2@demo.kakehashi.example"  # PHAN Somchai, confirmed in AHRD-2026-TH
ORGANISER = "organiser@demo.kakehashi.example"
COURSE = "ISMS Implementation Workshop (Bangkok)"


def _sign_in(page, live_server, email):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_survey_action_plan_completion_and_certificate(live_server, context):
    from playwright.sync_api import expect

    page = context.new_page()
    _sign_in(page, live_server, TRAINEE)
    page.get_by_role("link", name="Surveys & certificates").click()
    page.get_by_role("listitem").filter(has_text=COURSE).get_by_role("link", name="Answer now").click()
    for group in page.locator("fieldset").all():
        radios = group.get_by_role("radio")
        if radios.count():
            radios.nth(min(3, radios.count() - 1)).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you for your answers.")

    page.get_by_role("listitem").filter(has_text=COURSE).get_by_role("link", name="Write my action plan").click()
    page.get_by_label("Title of your plan").fill("Launch an ISMS pilot in our ministry")
    page.get_by_label("Goals: what will you change in your organisation?").fill("Scope, policy and risk register")
    page.get_by_label("Milestone").first.fill("Scope approved by the director")
    page.get_by_label("Supervisor's name").fill("Ms Kanya")
    page.get_by_label("Supervisor's e-mail").fill("kanya@example.org")
    page.get_by_role("button", name="Submit and send to my supervisor").click()
    expect(page.get_by_role("status").first).to_contain_text("Your plan was sent to kanya@example.org")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, ORGANISER)
    page.get_by_role("link", name="Completion").first.click()
    page.get_by_role("row", name=re.compile("AHRD-2026-TH")).get_by_role("link", name="Completion", exact=True).click()
    page.get_by_label(re.compile("Decision for PHAN Somchai")).select_option("completed")
    page.get_by_role("button", name="Review completion decisions").click()  # a summary before anything changes
    expect(page.locator("#completion-summary")).to_contain_text("completed; ")
    expect(page.get_by_role("listitem").filter(has_text="PHAN Somchai")).to_be_visible()
    page.get_by_role("button", name="Confirm and update the enrolments").click()
    expect(page.get_by_role("status").first).to_contain_text("enrolments updated")
    page.get_by_role("link", name="Certificates").first.click()
    page.get_by_label("Certificate").select_option("completion")
    page.get_by_role("button", name="Issue certificates").click()
    expect(page.get_by_role("row", name=re.compile("PHAN Somchai"))).to_contain_text("valid")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, TRAINEE)
    page.get_by_role("link", name="Surveys & certificates").click()
    with page.expect_download() as download_info:
        page.get_by_role("listitem").filter(has_text=COURSE).get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
