"""Layout checks found in the new-user review: nothing wider than a phone, tables that fit a desktop,
a required-field asterisk on its label's line and filter labels that stay next to their controls."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from tests.browser.test_login_journey import _demo_user, _sign_in
from trainees.models import Cohort, CohortSession, Enrolment, Organisation, Programme, Trainee

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _ids(live_server) -> dict:
    with live_server.app.app_context():
        busiest = db.session.scalar(select(Cohort).where(Cohort.id.in_(select(CohortSession.cohort_id)))
                                    .order_by(Cohort.capacity.desc().nulls_last()).limit(1))
        linked = db.session.scalar(select(Trainee).where(Trainee.user_id.is_not(None)).order_by(Trainee.id))
        ids = {
            "programme": db.session.scalar(select(Programme.id).order_by(Programme.id)),
            "cohort": busiest.id,
            "session": db.session.scalar(select(CohortSession.id).where(CohortSession.cohort_id == busiest.id)),
            "enrolment": db.session.scalar(select(Enrolment.id).where(Enrolment.cohort_id == busiest.id)),
            "organisation": db.session.scalar(select(Organisation.id).order_by(Organisation.id)),
            "trainee": linked.id,
            "trainee_email": linked.email,
            "trainee_cohort": db.session.scalar(select(Enrolment.cohort_id).where(Enrolment.trainee_id == linked.id)),
        }
        db.session.remove()
    return ids


def _overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_organiser_and_admin_pages_fit_a_phone_screen(live_server, browser):
    ids = _ids(live_server)
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        _sign_in(page, live_server, _demo_user("admin")[0])
        paths = ["/cohorts", "/trainees", "/organisations", "/programmes", f"/programmes/{ids['programme']}",
                 f"/cohorts/{ids['cohort']}", f"/cohorts/{ids['cohort']}/enrol", f"/trainees/{ids['trainee']}",
                 f"/enrolments/{ids['enrolment']}/status", f"/organisations/{ids['organisation']}/merge",
                 f"/sessions/{ids['session']}/attendance", "/cohorts/new", "/admin/users", "/admin/audit"]
        too_wide = {}
        for path in paths:
            page.goto(live_server.url + path)
            if _overflow(page) > 0:
                too_wide[path] = _overflow(page)
        assert too_wide == {}
    finally:
        context.close()


def test_trainee_portal_fits_a_phone_screen(live_server, browser):
    ids = _ids(live_server)
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        _sign_in(page, live_server, ids["trainee_email"])
        for path in ("/me", f"/me/cohorts/{ids['trainee_cohort']}", "/account"):
            page.goto(live_server.url + path)
            assert _overflow(page) == 0, path
    finally:
        context.close()


def test_trainee_list_fits_a_desktop_window_and_filters_keep_labels_with_controls(live_server, browser):
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        _sign_in(page, live_server, _demo_user("organiser")[0])
        page.goto(live_server.url + "/trainees")
        wrap = page.locator(".table-wrap").first
        assert wrap.evaluate("el => el.scrollWidth - el.clientWidth") == 0  # every column visible, no side scroll
        for name in ("Nationality", "Sector", "Gender", "Cohort"):
            label = page.locator(f"form[role=search] label:text-is('{name}')").bounding_box()
            control = page.get_by_label(name, exact=True).bounding_box()
            # the control starts on the label's line, right after it
            assert abs(control["y"] + control["height"] / 2 - (label["y"] + label["height"] / 2)) < control["height"]
            assert control["x"] > label["x"]
    finally:
        context.close()


def test_required_marker_is_on_the_label_line(live_server, browser):
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        _sign_in(page, live_server, _demo_user("organiser")[0])
        page.goto(live_server.url + "/programmes/new")
        label = page.locator("label[for=code]").bounding_box()
        star = page.locator(".field:has(#code) .req").bounding_box()
        assert abs(star["y"] - label["y"]) < label["height"] / 2
        assert star["x"] > label["x"] + label["width"] - 1
        page.get_by_label("Code", exact=True).fill("X")  # the asterisk is not part of the field's name
    finally:
        context.close()


def test_every_attendance_choice_is_visible_on_a_phone_without_scrolling_sideways(live_server, browser):
    ids = _ids(live_server)
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        _sign_in(page, live_server, _demo_user("organiser")[0])
        page.goto(f"{live_server.url}/sessions/{ids['session']}/attendance")
        radios = page.locator("table.attendance tbody tr").first.locator("input[type=radio]")
        assert radios.count() == 4
        for i in range(4):
            box = radios.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], i
    finally:
        context.close()


def test_audit_log_changes_wrap_inside_the_page_and_a_scrolling_table_takes_the_keyboard(live_server, browser):
    """The changes column used to run off the page (axe scrollable-region-focusable, serious)."""
    from core.audit import AuditEvent

    with live_server.app.app_context():
        db.session.add(AuditEvent(action="layout.check", object_type="trainee", object_id="1", summary="long change",
                                  changes={"notes": ["x" * 40 + "," + "y" * 300, "z" * 200],
                                           "job_title": ["Incident handler", "Head of incident response " * 6]}))
        db.session.commit()
        db.session.remove()
    for viewport in (DESKTOP, PHONE):
        context = browser.new_context(viewport=viewport)
        try:
            page = context.new_page()
            _sign_in(page, live_server, _demo_user("admin")[0])
            page.goto(live_server.url + "/admin/audit?action=layout.check")
            assert _overflow(page) == 0
            wrap = page.locator(".table-wrap").first
            if viewport is DESKTOP:  # the JSON wraps in its column: nothing to scroll sideways
                assert wrap.evaluate("el => el.scrollWidth - el.clientWidth") == 0
            # a region that can scroll can be reached and scrolled with the keyboard, and is named
            assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
            assert wrap.get_attribute("aria-label")
        finally:
            context.close()


def test_lesson_tables_never_break_a_word_in_the_middle(browser):
    """A lesson's table on a phone: every one-word cell stays on one line ("Propert-y" was the bug); a table
    wider than the screen scrolls sideways inside the lesson instead."""
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "static" / "css"
    css = (static / "kakehashi.css").read_text() + (static / "courses.css").read_text()
    words = ["Property", "Confidentiality", "Availability", "Responsibility", "Accountability", "Authenticity"]
    rows = "".join("<tr>" + "".join(f"<td>{w}</td>" for w in words) + "</tr>" for _ in range(3))
    html = (f"<style>{css}</style><main><div class='lesson-body'><p>Intro.</p><table><thead><tr>"
            + "".join(f"<th>{w}</th>" for w in words) + f"</tr></thead><tbody>{rows}</tbody></table></div></main>")
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.set_content(html)
        broken = page.evaluate("""() => [...document.querySelectorAll('.lesson-body td, .lesson-body th')]
            .filter(cell => { const r = document.createRange(); r.selectNodeContents(cell);
                              return r.getClientRects().length > 1; }).map(cell => cell.textContent)""")
        assert broken == []
        assert _overflow(page) == 0  # the table scrolls inside the lesson, not the page
    finally:
        context.close()


def test_organiser_header_is_one_row_at_1280_px_and_its_menu_one_row_on_a_phone(live_server, browser):
    """The header used to wrap to two rows at 1280 px and four on a phone."""
    rows = """() => new Set([...document.querySelectorAll(
                  '.site-header .brand, .site-header .nav li, .site-header .user-menu > *')]
                  .map(e => Math.round(e.getBoundingClientRect().top / 8))).size"""
    menu_rows = """() => new Set([...document.querySelectorAll('.site-header .nav li')]
                       .map(e => e.getBoundingClientRect().top)).size"""
    for viewport, most in ((DESKTOP, 1), (PHONE, 3)):
        context = browser.new_context(viewport=viewport)
        try:
            page = context.new_page()
            _sign_in(page, live_server, _demo_user("organiser")[0])
            assert page.evaluate(rows) <= most, viewport
            assert page.evaluate(menu_rows) == 1  # on a phone the menu scrolls sideways within its row
            assert _overflow(page) == 0
            page.get_by_role("link", name="Notifications").click()  # the bell keeps its name
            expect_url = live_server.url + "/notifications"
            assert page.url.startswith(expect_url)
        finally:
            context.close()
