"""Large report workbooks and template fills run as background jobs with progress (issue 12 item 2)."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core.db import utcnow
from core.filestore import StoredFile
from core.jobs import JobRun
from reports import jobs as report_jobs
from reports import workbook
from tests import factories
from tests.reports import dataset
from tests.reports.helpers import open_book, rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def ds(db):
    data = dataset.build()
    db.session.commit()
    return data


@pytest.fixture
def progress_seen(monkeypatch):
    """Every progress value the job committed, in order."""
    seen: list[int] = []
    original = report_jobs._progress

    def spy(run):
        report = original(run)

        def wrapped(n: int) -> None:
            report(n)
            seen.append(n)
        return wrapped

    monkeypatch.setattr(report_jobs, "_progress", spy)
    monkeypatch.setattr(workbook, "PROGRESS_EVERY", 2)
    return seen


def _runs(db) -> int:
    return db.session.scalar(select(func.count(JobRun.id)))


def _job_args(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="/reports/export/job">.*?</form>', html, re.S).group(0)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))


def test_below_the_threshold_the_workbook_is_sent_at_once(client, db, ds, login_as, app, monkeypatch):
    login_as("organiser")
    total = len(rows(open_book(client.get("/reports/export.xlsx").data), "Participants")) - 1
    monkeypatch.setitem(app.config, "REPORT_JOB_MIN_ROWS", total + 1)
    response = client.get("/reports/export.xlsx")
    assert response.mimetype == XLSX and _runs(db) == 0
    monkeypatch.setitem(app.config, "REPORT_JOB_MIN_ROWS", total)  # at the threshold: a job
    response = client.get("/reports/export.xlsx")
    assert response.mimetype == "text/html" and "Prepare the workbook" in response.get_data(as_text=True)


def test_a_large_workbook_is_built_by_a_job_with_progress_and_downloaded_by_its_owner_only(
        client, db, ds, login_as, app, monkeypatch, progress_seen):
    monkeypatch.setitem(app.config, "REPORT_JOB_MIN_ROWS", 3)
    owner = login_as("organiser")
    page = client.get("/reports/export.xlsx", query_string={"programme": "ASEAN-CSIRT", "lang": "ja"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store, private"
    assert _runs(db) == 0  # the GET only offers the job (no write on GET)
    args = _job_args(page.get_data(as_text=True))
    assert args["programme"] == "ASEAN-CSIRT" and args["lang"] == "ja"

    response = client.post("/reports/export/job", data=args)
    [run] = db.session.scalars(select(JobRun)).all()
    assert response.headers["Location"] == f"/jobs/{run.id}"
    assert (run.kind, run.owner_id, run.status) == (report_jobs.WORKBOOK_KIND, owner.id, "done")
    assert (run.done, run.total) == (8, 8) and json.loads(run.outcome) == {"rows": 8}
    assert progress_seen == [2, 4, 6, 8]  # committed while the rows were written
    status = client.get(f"/jobs/{run.id}.json").json
    assert status["percent"] == 100 and status["has_result"]
    html = client.get(f"/jobs/{run.id}").get_data(as_text=True)
    assert "Preparing the report workbook" in html and f"/jobs/{run.id}/download" in html

    download = client.get(f"/jobs/{run.id}/download")
    assert download.mimetype == XLSX and download.headers["Cache-Control"] == "no-store, private"
    assert "ASEAN-CSIRT" in download.headers["Content-Disposition"]
    book = open_book(download.data)
    assert len(rows(book, "Participants")) == 9 and rows(book, "Participants")[0][0] == "受講ID"
    stored = db.session.scalar(select(StoredFile).where(StoredFile.key == run.result_key))
    assert stored.kind == "download" and stored.owner_id == owner.id
    assert stored.expires_at is not None
    assert report_jobs.report_workbook_job.call_local(run.id) == 0  # done and kept: not built again

    # another organiser, an admin and an observer cannot download it
    for role, expected in (("organiser", 404), ("admin", 404), ("observer", 403)):
        client.post("/logout")
        login_as(role)
        assert client.get(f"/jobs/{run.id}/download").status_code == expected, role


def test_a_second_click_shows_the_run_under_way(client, db, ds, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_JOB_MIN_ROWS", 3)
    owner = login_as("organiser")
    parameters = {"args": {}, "lang": "en", "no_pii": False, "download_name": "kakehashi-report.xlsx"}
    run = JobRun(kind=report_jobs.WORKBOOK_KIND, owner_id=owner.id, status="running",
                 parameters=json.dumps(parameters, sort_keys=True))
    db.session.add(run)
    db.session.commit()
    response = client.post("/reports/export/job", data={"lang": "en", "stem": "kakehashi-report"})
    assert response.headers["Location"] == f"/jobs/{run.id}" and _runs(db) == 1


def test_the_cohort_workbook_of_a_large_cohort_is_offered_as_a_job(client, db, ds, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_JOB_MIN_ROWS", 1)
    login_as("organiser")
    cohort = ds.cohorts["C1"]
    args = _job_args(client.get(f"/reports/cohorts/{cohort.id}.xlsx").get_data(as_text=True))
    assert args["cohort"] == cohort.code and args["stem"] == "kakehashi-cohort"
    client.post("/reports/export/job", data=args)
    run = db.session.scalar(select(JobRun))
    assert run.status == "done" and cohort.code in json.loads(run.parameters)["download_name"]


def test_the_publication_workbook_stays_synchronous(client, db, ds, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_JOB_MIN_ROWS", 1)
    login_as("organiser")
    response = client.get("/reports/export.xlsx", query_string={"publication": "1"})
    assert response.mimetype == XLSX and _runs(db) == 0  # aggregate only: no Participants rows to write


def test_the_result_expires_and_is_purged_by_the_cleanup(client, db, ds, login_as, app, monkeypatch):
    from notifications import reminders

    monkeypatch.setitem(app.config, "REPORT_JOB_MIN_ROWS", 1)
    login_as("organiser")
    client.post("/reports/export/job", data={"lang": "en"})
    run = db.session.scalar(select(JobRun))
    assert client.get(f"/jobs/{run.id}/download").status_code == 200
    reminders.cleanup(utcnow() + timedelta(hours=report_jobs.RESULT_HOURS, minutes=1))
    db.session.commit()
    assert db.session.scalar(select(StoredFile).where(StoredFile.key == run.result_key)) is None
    response = client.get(f"/jobs/{run.id}/download")
    assert response.status_code == 302 and response.headers["Location"] == "/reports/"


def _form(*cells: str) -> bytes:
    wb = Workbook()
    for i, value in enumerate(cells, start=1):
        wb.active[f"A{i}"] = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _post_form(client, content: bytes, **fields):
    data = {"template": (io.BytesIO(content), "様式 3.xlsx"), "lang": "en", **fields}
    return client.post("/reports/template", data=data, content_type="multipart/form-data")


def test_a_large_template_fill_runs_as_a_job_with_progress_and_warnings(client, db, ds, login_as, app, monkeypatch,
                                                                        progress_seen):
    monkeypatch.setitem(app.config, "REPORT_FILL_JOB_MIN_ROWS", 3)
    owner = login_as("organiser")
    content = _form("{{enrolments}}", "{{budget_yen}}", "{{table:participants}}")
    response = _post_form(client, content, programme="ASEAN-CSIRT")
    run = db.session.scalar(select(JobRun))
    assert response.headers["Location"] == f"/jobs/{run.id}"
    assert (run.kind, run.owner_id, run.status, run.total) == (report_jobs.FILL_KIND, owner.id, "done", 8)
    assert progress_seen == [2, 4, 6, 8]
    outcome = json.loads(run.outcome)
    assert outcome["replaced"] == 1 and any("budget_yen" in w for w in outcome["warnings"])
    html = client.get(f"/jobs/{run.id}").get_data(as_text=True)
    assert "Filling the ministry template" in html and "Unknown placeholder {{budget_yen}}" in html
    download = client.get(f"/jobs/{run.id}/download")
    assert download.headers["Cache-Control"] == "no-store, private"
    filled = open_book(download.data).active
    assert filled["A1"].value == 8 and filled["A3"].value is not None
    # the uploaded form is not kept once filled
    assert db.session.scalar(select(func.count(StoredFile.id)).where(StoredFile.kind == report_jobs.UPLOAD_KIND)) == 0
    client.post("/logout")
    login_as("organiser")
    assert client.get(f"/jobs/{run.id}/download").status_code == 404


def test_below_the_fill_threshold_the_form_comes_back_at_once(client, db, ds, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_FILL_JOB_MIN_ROWS", 9)
    login_as("organiser")
    response = _post_form(client, _form("{{enrolments}}"), programme="ASEAN-CSIRT")
    assert response.mimetype == XLSX and _runs(db) == 0


def test_a_bad_upload_is_refused_in_the_request_not_queued(client, db, ds, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_FILL_JOB_MIN_ROWS", 1)
    login_as("organiser")
    response = _post_form(client, b"not a workbook")
    assert response.status_code == 200 and _runs(db) == 0


def test_an_expired_upload_fails_the_run_with_a_message(db, ds, app):
    owner = factories.user(role="organiser")
    db.session.commit()
    with app.test_request_context():
        run = report_jobs.start_fill(_form("{{enrolments}}"), {"args": {}, "lang": "en", "no_pii": False,
                                                             "download_name": "x.xlsx"}, 1, owner)
        key = json.loads(run.parameters)["template_key"]
        db.session.query(StoredFile).filter_by(key=key).delete()
        db.session.commit()
    run = db.session.get(JobRun, run.id)
    db.session.refresh(run)
    assert run.status == "failed" and "expired" in json.loads(run.outcome)["message"]
