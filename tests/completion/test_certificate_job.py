"""Bulk certificate issue as a background job: progress, idempotency, failure, notification (issue 12)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from completion import jobs as certificate_jobs
from completion.models import Certificate
from core.jobs import FailedJob, JobRun
from notifications.models import Notification
from tests import factories


@pytest.fixture
def big_cohort(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_SYNC_LIMIT", 3)
    monkeypatch.setattr(certificate_jobs, "CHUNK", 2)
    cohort = factories.cohort()
    holder = factories.user(role="trainee", locale="ja")
    trainees = [factories.trainee(user_id=holder.id)] + [factories.trainee() for _ in range(4)]
    for t in trainees:
        factories.enrolment(t, cohort, status="completed")
    db.session.commit()
    return cohort, holder


def _count(db, cohort):
    return db.session.scalar(select(func.count(Certificate.id)).where(Certificate.cohort_code == cohort.code))


def test_a_large_cohort_is_issued_by_a_job_with_progress_and_no_duplicates(client, db, login_as, big_cohort,
                                                                          outbox):
    cohort, holder = big_cohort
    organiser = login_as("organiser")
    response = client.post(f"/cohorts/{cohort.id}/certificates", data={"kind": "completion"})
    [run] = db.session.scalars(select(JobRun)).all()
    assert response.headers["Location"] == f"/jobs/{run.id}"
    assert (run.status, run.done, run.total, run.owner_id) == ("done", 5, 5, organiser.id)
    assert json.loads(run.outcome) == {"issued": 5} and _count(db, cohort) == 5
    status = client.get(f"/jobs/{run.id}.json")
    assert status.json["percent"] == 100 and status.json["status"] == "done"
    assert "no-store" in status.headers["Cache-Control"]
    page = client.get(f"/jobs/{run.id}").get_data(as_text=True)
    assert "<progress" in page and 'http-equiv="refresh"' not in page  # finished: no more refreshing
    # the holder with a portal account is told, in their language
    [note] = db.session.scalars(select(Notification).where(Notification.user_id == holder.id)).all()
    assert cohort.code in note.title and "証明書" in note.title
    # running the job again (a retry, a second click) issues nothing more
    assert certificate_jobs.issue_certificates_job.call_local(run.id) == 0
    client.post(f"/cohorts/{cohort.id}/certificates", data={"kind": "completion"})
    assert _count(db, cohort) == 5


def test_progress_page_refreshes_while_running_and_is_private(client, db, login_as, big_cohort):
    cohort, _holder = big_cohort
    organiser = login_as("organiser")
    run = JobRun(kind=certificate_jobs.KIND, subject_id=cohort.id, owner_id=organiser.id, total=10, done=4,
                 status="running")
    db.session.add(run)
    db.session.commit()
    page = client.get(f"/jobs/{run.id}")
    assert 'http-equiv="refresh"' in page.get_data(as_text=True) and 'value="4"' in page.get_data(as_text=True)
    assert client.get(f"/jobs/{run.id}.json").json["percent"] == 40
    # a second click while it runs shows the same run instead of starting another
    again = client.post(f"/cohorts/{cohort.id}/certificates", data={"kind": "completion"})
    assert again.headers["Location"] == f"/jobs/{run.id}"
    client.post("/logout")
    login_as("organiser")  # another organiser: not theirs
    assert client.get(f"/jobs/{run.id}").status_code == 404
    assert client.get(f"/jobs/{run.id}.json").status_code == 404


def test_a_failing_job_is_marked_failed_and_listed_for_admins(client, db, login_as, big_cohort, monkeypatch):
    cohort, _holder = big_cohort
    from completion import services

    def broken(*args, **kwargs):
        raise RuntimeError("PDF font missing")

    monkeypatch.setattr(services, "issue_certificates", broken)
    monkeypatch.setattr(certificate_jobs.issue_certificates_job.task_class, "default_retries", 0)  # last try
    login_as("organiser")
    client.post(f"/cohorts/{cohort.id}/certificates", data={"kind": "completion"})
    [run] = db.session.scalars(select(JobRun)).all()
    assert run.status == "failed" and "PDF font missing" in run.outcome
    assert "PDF font missing" in db.session.scalar(select(FailedJob.error))
    assert _count(db, cohort) == 0
    monkeypatch.undo()
    client.post("/logout")
    login_as("admin")
    assert "PDF font missing" in client.get("/admin/jobs").get_data(as_text=True)


def test_a_small_cohort_stays_synchronous(client, db, login_as, app, big_cohort, monkeypatch):
    cohort, _holder = big_cohort
    monkeypatch.setitem(app.config, "CERTIFICATE_SYNC_LIMIT", 40)
    login_as("organiser")
    response = client.post(f"/cohorts/{cohort.id}/certificates", data={"kind": "completion"})
    assert response.headers["Location"] == f"/cohorts/{cohort.id}/certificates"
    assert _count(db, cohort) == 5 and db.session.scalar(select(func.count(JobRun.id))) == 0


def test_a_large_zip_is_built_by_a_job_kept_in_the_file_store_and_downloaded_no_store(client, db, app, login_as,
                                                                                        big_cohort, monkeypatch):
    import io
    import zipfile
    from datetime import timedelta

    from core.db import utcnow
    from core.filestore import StoredFile

    cohort, _holder = big_cohort
    monkeypatch.setitem(app.config, "CERTIFICATE_SYNC_LIMIT", 40)
    monkeypatch.setitem(app.config, "CERTIFICATE_ZIP_SYNC_LIMIT", 2)
    login_as("organiser")
    client.post(f"/cohorts/{cohort.id}/certificates", data={"kind": "completion"})  # 5, synchronously
    response = client.get(f"/cohorts/{cohort.id}/certificates.zip")
    run = db.session.scalar(select(JobRun).where(JobRun.kind == certificate_jobs.ZIP_KIND))
    assert response.headers["Location"] == f"/jobs/{run.id}"
    assert (run.status, run.done, run.total) == ("done", 5, 5)
    assert f"/jobs/{run.id}/download" in client.get(f"/jobs/{run.id}").get_data(as_text=True)
    download = client.get(f"/jobs/{run.id}/download")
    assert download.headers["Cache-Control"] == "no-store, private"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert len(archive.namelist()) == 5
    stored = db.session.scalar(select(StoredFile).where(StoredFile.key == run.result_key))
    assert stored.kind == "download" and stored.expires_at is not None
    assert certificate_jobs.certificates_zip_job.call_local(run.id) == 0  # done and kept: not built again
    # expired: the page says so instead of sending a stale file
    stored.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/jobs/{run.id}/download").status_code == 302
    client.post("/logout")
    login_as("organiser")
    assert client.get(f"/jobs/{run.id}/download").status_code == 404  # someone else's result


def test_the_progress_page_and_status_cost_constant_queries(client, db, login_as, count_queries):
    organiser = login_as("organiser")
    run = JobRun(kind=certificate_jobs.KIND, subject_id=1, owner_id=organiser.id, total=10, done=4, status="running")
    db.session.add(run)
    db.session.commit()
    for url in (f"/jobs/{run.id}", f"/jobs/{run.id}.json"):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert counter.count == 2, url  # the user and the run
