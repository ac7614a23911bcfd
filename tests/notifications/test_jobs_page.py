"""The failed-job page: a task that failed on every attempt is listed with its error and can be retried."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from core.jobs import FailedJob, job
from core.mailqueue import FAILED, SENT, OutgoingMail

CALLS: list[str] = []
FAIL = {"on": True}


@job(retries=0)
def flaky_report(label: str) -> str:
    CALLS.append(label)
    if FAIL["on"]:
        raise RuntimeError(f"workbook {label} could not be built")
    return label


def test_a_failed_job_is_listed_with_its_error_and_retried(client, db, login_as):
    CALLS.clear()
    FAIL["on"] = True
    flaky_report("FY2025")  # immediate mode in tests: runs now, fails, no retries left
    [failed] = db.session.scalars(select(FailedJob)).all()
    assert failed.task_path.endswith("flaky_report") and "could not be built" in failed.error
    login_as("admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "workbook FY2025 could not be built" in page and "Retry" in page
    FAIL["on"] = False
    response = client.post(f"/admin/jobs/{failed.id}/retry")
    assert response.status_code == 302
    assert CALLS == ["FY2025", "FY2025"]
    db.session.expire_all()
    assert db.session.get(FailedJob, failed.id).retried_at is not None
    assert "Retried" in client.get("/admin/jobs").get_data(as_text=True)


def test_undelivered_mail_is_listed_and_can_be_sent_again(client, db, login_as, outbox):
    message = OutgoingMail(to_addr="x@example.org", subject="Reminder", body="b", status=FAILED, attempts=6,
                           last_error="SMTPServerDisconnected: gone")
    db.session.add(message)
    login_as("admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "SMTPServerDisconnected: gone" in page and "x@example.org" in page
    client.post(f"/admin/mail/{message.id}/retry")
    db.session.expire_all()
    assert db.session.get(OutgoingMail, message.id).status == SENT
    assert [m.to for m in outbox] == [["x@example.org"]]


def test_only_admins_see_the_job_page(client, db, login_as):
    login_as("organiser")
    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/1/retry").status_code == 403


def test_retry_needs_the_csrf_token(csrf_app):
    client = csrf_app.test_client()
    for url in ("/admin/jobs/1/retry", "/admin/mail/1/retry"):
        assert client.post(url).status_code == 400


def test_every_post_form_sends_the_csrf_token():
    folder = Path(__file__).resolve().parents[2] / "notifications" / "templates" / "notifications"
    for template in folder.glob("*.html"):
        for chunk in re.split(r"<form\b", template.read_text())[1:]:
            form = chunk.split("</form>", 1)[0]
            if 'method="post"' in form.split(">", 1)[0]:
                assert "csrf_token" in form or "csrf()" in form, template.name
