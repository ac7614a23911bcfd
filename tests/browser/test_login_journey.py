"""Sign in through the real form in Chromium, walk the menu, and never touch another host."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from accounts.seed import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.browser

LOCAL_SCHEMES = {"data", "blob", "about"}


def _demo_user(role: str) -> tuple[str, str]:
    return next((email, name) for email, name, r in DEMO_USERS if r == role)


class Recorder:
    """Every request and every browser-side error (CSP violations appear as console errors)."""

    def __init__(self, context):
        self.urls: list[str] = []
        self.errors: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))
        context.on("page", self.watch)

    def watch(self, page) -> None:
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def foreign(self, host: str) -> list[str]:
        return [u for u in self.urls if urlsplit(u).scheme not in LOCAL_SCHEMES and urlsplit(u).netloc != host]


def _sign_in(page, live_server, email: str) -> None:
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # organisers land on the start page, trainees are sent on to "My training"
    expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/(me)?$"))


@pytest.mark.parametrize("role", ["organiser", "admin", "trainee"])
def test_demo_user_signs_in_and_every_page_stays_on_this_host(live_server, context, role):
    from playwright.sync_api import expect

    email, name = _demo_user(role)
    recorder = Recorder(context)
    page = context.new_page()
    _sign_in(page, live_server, email)
    # the signed-in user's name is in the header on every page
    expect(page.get_by_role("banner")).to_contain_text(name)

    navigation = page.get_by_role("navigation", name="Main")
    hrefs = list(dict.fromkeys(link.get_attribute("href") for link in navigation.get_by_role("link").all()))
    assert "/account" in hrefs, hrefs
    for href in hrefs:
        response = page.goto(urljoin(live_server.url + "/", href))
        assert response is not None and response.ok, f"{href} answered {response and response.status}"
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # still signed in

    assert recorder.urls, "no requests were recorded"
    assert any(u.endswith(".css") for u in recorder.urls), "the stylesheet was not loaded"
    assert recorder.foreign(live_server.host) == [], "requests to other hosts"
    assert recorder.errors == [], "errors in the browser (CSP violations?)"


def test_sign_out_makes_a_copied_cookie_useless(live_server, browser, context):
    from playwright.sync_api import expect

    email, _name = _demo_user("organiser")
    page = context.new_page()
    _sign_in(page, live_server, email)
    copied = context.cookies()
    assert any(c["name"] == "session" for c in copied)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")

    thief = browser.new_context()
    try:
        thief.add_cookies(copied)
        stolen = thief.new_page()
        stolen.goto(live_server.url + "/account")
        expect(stolen).to_have_url(re.compile(r"/login\?next="))
        expect(stolen.get_by_role("button", name="Sign in")).to_be_visible()
    finally:
        thief.close()
