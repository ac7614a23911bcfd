"""Issue 16 journey in Chromium: a trainee answers the baseline benchmark for their organisation, the organiser
sees the radar chart, and a follow-up answered later shows the change."""

from __future__ import annotations

import re

import pytest

from accounts.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TRAINEE = "trainee1@demo.kakehashi.example"  # Nguyen Thi Lan, confirmed in AHRD-2026-JP
ORGANISER = "organiser@demo.kakehashi.example"
COHORT = "AHRD-2026-JP"


def _sign_in(page, live_server, email):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _request(page, live_server, kind: str):
    from playwright.sync_api import expect

    _sign_in(page, live_server, ORGANISER)
    page.get_by_role("link", name="Impact").first.click()
    page.get_by_role("link", name=re.compile(COHORT)).first.click()
    page.get_by_label("Instrument").select_option(label="Information security benchmark (2026.1)")
    page.get_by_label("Kind").select_option(kind)
    page.get_by_role("button", name="Request assessments").click()
    expect(page.get_by_role("status").first).to_contain_text("assessments requested")
    page.get_by_role("button", name="Sign out").click()


def _answer(page, live_server, link_name: str, level_for):
    from playwright.sync_api import expect

    _sign_in(page, live_server, TRAINEE)
    page.get_by_role("link", name="Self-assessments").first.click()
    page.get_by_role("listitem").filter(has_text=COHORT).get_by_role("link", name=link_name).click()
    page.get_by_label("Size of the organisation").select_option("300-999")
    for group in page.locator("fieldset.item").all():
        code = group.locator("legend").inner_text().split("-")[0]
        group.get_by_role("radio", name=re.compile(rf"^{level_for(code)} —")).check()
    page.get_by_role("button", name="Submit the assessment").click()
    expect(page.get_by_role("status").first).to_contain_text("was submitted")
    expect(page.get_by_role("img", name="Scores per group: baseline and follow-up")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()


def test_baseline_radar_then_follow_up_shows_change(live_server, context):
    from playwright.sync_api import expect

    page = context.new_page()
    _request(page, live_server, "baseline")
    _answer(page, live_server, "Information security benchmark — Baseline", lambda code: 2)

    _sign_in(page, live_server, ORGANISER)
    page.get_by_role("link", name="Impact").first.click()
    page.get_by_role("link", name=re.compile(COHORT)).first.click()
    page.get_by_role("link", name=re.compile("Result of")).first.click()
    expect(page.get_by_role("img", name="Scores per group: baseline and follow-up")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Organisational approach"))).to_contain_text("2.00")
    page.get_by_role("button", name="Sign out").click()

    _request(page, live_server, "followup")
    _answer(page, live_server, "Information security benchmark — Follow-up", lambda code: 4 if code == "INC" else 3)

    _sign_in(page, live_server, ORGANISER)
    page.get_by_role("link", name="Impact").first.click()
    page.get_by_role("link", name=re.compile(COHORT)).first.click()
    page.get_by_role("link", name=re.compile("Result of")).first.click()
    expect(page.get_by_role("definition").filter(has_text="+1.20")).to_be_visible()  # overall 2.00 → 3.20
    expect(page.get_by_role("row", name=re.compile("Incident response"))).to_contain_text("+2.00")
    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("region", name="Impact: self-assessments, outcomes and costs")).to_be_visible()
