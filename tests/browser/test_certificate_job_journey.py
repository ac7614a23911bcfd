"""Issue 12 journey in Chromium: the organiser sees the to-do on the home page, decides completion,
issues certificates as a background job with a progress page, and the trainee is notified and
downloads the certificate from the notification.

Both this and the completion journey decide AHRD-2026-TH on the shared live server: this one puts the
cohort back as it found it (PHAN Somchai confirmed, no certificate) so the other finds it undecided.
"""

from __future__ import annotations

import re

import pytest

from accounts.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TRAINEE = "trainee2@demo.kakehashi.example"  # PHAN Somchai, confirmed in AHRD-2026-TH
ORGANISER = "organiser@demo.kakehashi.example"


def _sign_in(page, live_server, email):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture()
def restore_cohort(live_server):
    """Undo this journey's decisions afterwards (the live server's database is shared by all journeys)."""
    yield
    from sqlalchemy import delete, select

    from completion.models import Certificate
    from core.extensions import db
    from trainees.models import Cohort, Enrolment

    with live_server.app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "AHRD-2026-TH"))
        ids = [e.id for e in db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id))]
        db.session.execute(delete(Certificate).where(Certificate.enrolment_id.in_(ids)))
        for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.id.in_(ids),
                                                                    Enrolment.status == "completed")):
            enrolment.status = "confirmed"
        db.session.commit()
        db.session.remove()


def test_todo_certificates_job_with_progress_and_trainee_notification(live_server, context, monkeypatch,
                                                                     restore_cohort):
    from playwright.sync_api import expect

    monkeypatch.setitem(live_server.app.config, "CERTIFICATE_SYNC_LIMIT", 0)  # every issue runs as a job
    page = context.new_page()
    _sign_in(page, live_server, ORGANISER)
    todo = page.get_by_role("region", name="To do")
    item = todo.get_by_role("listitem").filter(has_text="AHRD-2026-TH awaits completion decisions")
    expect(item).to_be_visible()
    item.get_by_role("link", name="Decide completion").click()
    page.get_by_label(re.compile("Decision for PHAN Somchai")).select_option("completed")
    page.get_by_role("button", name="Review completion decisions").click()  # a summary before anything changes
    page.get_by_role("button", name="Confirm and update the enrolments").click()
    expect(page.get_by_role("status").first).to_contain_text("enrolments updated")

    page.get_by_role("link", name="Certificates").first.click()
    page.get_by_label("Certificate").select_option("completion")
    page.get_by_role("button", name="Issue certificates").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.get_by_role("heading", name="Issuing certificates")).to_be_visible()
    expect(page.locator("#job-status")).to_contain_text("Finished")  # refreshes itself until then
    progress = page.locator("progress#job-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") != "0"
    status = page.request.get(page.url + ".json").json()
    assert status["status"] == "done" and status["percent"] == 100
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("row", name=re.compile("PHAN Somchai"))).to_contain_text("valid")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_server, TRAINEE)
    expect(page.locator("a.bell .badge")).to_be_visible()
    page.locator("a.bell").click()
    note = page.get_by_role("button", name=re.compile("Your certificate for AHRD-2026-TH is ready"))
    with page.expect_download() as download_info:
        note.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
