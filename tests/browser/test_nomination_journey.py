"""Issue 15 journey in Chromium: an organiser opens a call, the focal point of Viet Nam nominates three
candidates (one trained before), the organiser sees the duplicate warning, accepts two and waitlists one
within the quota, and the accepted candidates appear as enrolments of the cohort."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from accounts.seed import DEMO_PASSWORD
from core.extensions import db
from tests.nominations.builders import PDF
from trainees.models import Cohort, Enrolment, Trainee
from trainees.status import COUNTED_STATUSES

pytestmark = pytest.mark.browser


def _sign_in(browser, url, email):
    context = browser.new_context()
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(url + "/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return context, page


def _known_person(app):
    """A Vietnamese trainee of the demo data who was counted in a cohort (the previously-trained one)."""
    with app.app_context():
        trainee = db.session.scalar(
            select(Trainee).join(Enrolment, Enrolment.trainee_id == Trainee.id)
            .where(Trainee.nationality == "VN", Trainee.date_of_birth.is_not(None),
                   Enrolment.status.in_(COUNTED_STATUSES)).order_by(Trainee.id).limit(1))
        cohort = db.session.scalar(select(Cohort).order_by(Cohort.start_date.desc()).limit(1))
        result = (trainee.family_name, trainee.given_names, trainee.date_of_birth.isoformat(), trainee.full_name,
                  cohort.id, cohort.code)
        db.session.remove()
        return result


def _nominate(page, call_title, family, given, email, dob, rank, pdf=None):
    page.get_by_role("listitem").filter(has_text=call_title).get_by_role("link", name="Nominate a candidate").click()
    page.get_by_label("Family name (as in passport)").fill(family)
    page.get_by_label("Given names").fill(given)
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Gender").select_option("F")
    page.get_by_label("Date of birth").fill(dob)
    page.get_by_label("Organisation", exact=True).fill("VNCERT/CC")
    page.get_by_label("Sector").select_option("ICT")
    page.get_by_label("Organisation type").select_option("national_csirt")
    page.get_by_label("Years of experience").fill("5")
    page.get_by_label("English level").select_option("advanced")
    page.get_by_label("Your rank for this candidate (1 = first)").fill(str(rank))
    if pdf is not None:
        page.get_by_label("Endorsement letter (PDF or DOCX)").set_input_files(str(pdf))
    page.get_by_role("button", name="Nominate").click()


def test_call_nominate_select_enrol(live_server, browser, tmp_path):
    from playwright.sync_api import expect

    family, given, dob, known_name, cohort_id, cohort_code = _known_person(live_server.app)
    today = date.today()
    title = "E2E call: incident handling"

    organiser, page = _sign_in(browser, live_server.url, "organiser@demo.kakehashi.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Nominations").click()
    page.get_by_role("link", name="New call").click()
    page.get_by_label("Cohort").select_option(str(cohort_id))
    page.get_by_label("Title").fill(title)
    page.get_by_label("General Information (English)").fill("Hands-on incident handling for national CSIRTs.")
    page.get_by_label("Opens on").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Closes on").fill((today + timedelta(days=14)).isoformat())
    page.get_by_label("Quota per country").fill("VN=2, TH=1")
    page.get_by_label("Total quota").fill("3")
    page.get_by_role("button", name="Save call").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    selection_url = page.url

    focal, fp_page = _sign_in(browser, live_server.url, "focal.vn@demo.kakehashi.example")
    expect(fp_page.get_by_role("heading", level=1)).to_contain_text("Viet Nam")
    pdf = tmp_path / "endorsement.pdf"
    pdf.write_bytes(PDF)
    # the previously-trained person, typed in capitals with a new e-mail address
    _nominate(fp_page, title, family.upper(), given.upper(), "again@example.org", dob, 1, pdf)
    expect(fp_page.get_by_text("nominated.")).to_be_visible()
    _nominate(fp_page, title, "Kieu", "Bao Chau", "chau.kieu@example.org", "1992-04-01", 2)
    _nominate(fp_page, title, "Quach", "Quoc Khanh", "khanh.quach@example.org", "1988-09-09", 3)
    expect(fp_page.get_by_role("row")).to_have_count(4)  # header + three candidates
    focal.close()

    page.goto(selection_url)
    warning = page.locator(".duplicate-warning")
    expect(warning).to_contain_text(f"Possibly the same person as {known_name}, trained in")
    warning.get_by_label("Is this the same person?").select_option("merge")
    warning.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Merged with the existing trainee.")).to_be_visible()

    def decide(name, decision):
        page.get_by_label(f"Decision for {name}").select_option(decision)
        page.get_by_role("row").filter(has_text=name).get_by_role("button", name="Decide").click()
        expect(page.get_by_text("decision saved")).to_be_visible()

    decide(f"{family.upper()} {given.upper()}", "accepted")
    decide("KIEU Bao Chau", "accepted")
    decide("QUACH Quoc Khanh", "waitlisted")
    balance = page.locator("section.balance")
    expect(balance.get_by_role("row").filter(has_text="Viet Nam")).to_contain_text("2")
    expect(page.get_by_text("First-time: 1 · previously trained: 1")).to_be_visible()

    page.goto(f"{live_server.url}/cohorts/{cohort_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(cohort_code)
    expect(page.get_by_text("KIEU Bao Chau")).to_be_visible()
    expect(page.get_by_text(known_name).first).to_be_visible()
    organiser.close()
