"""Bulk certificate issue as a background job with progress (issue 12).

A cohort with more than ``CERTIFICATE_SYNC_LIMIT`` eligible enrolments is issued by
:func:`issue_certificates_job`: it works in chunks of ``CHUNK`` enrolments, each chunk one commit that
issues the certificates, tells their holders (notification and mail by their setting) and advances
the run's progress. Idempotent: the service skips enrolments that already hold a valid certificate of
the kind, so a retried or repeated run issues no duplicates. A run that fails for good is marked
failed on its page and listed at /admin/jobs (retry there).
"""

from __future__ import annotations

import json
from datetime import timedelta

from flask import url_for

from core import filestore
from core.db import utcnow
from core.extensions import db
from core.i18n import _l
from core.jobs import JobRun, enqueue_after_commit, job

KIND = "certificates.issue"
ZIP_KIND = "certificates.zip"
CHUNK = 20
ZIP_HOURS = 24  # the zip is kept this long in the file store, then purged


def start_issue(cohort, kind: str, actor) -> JobRun:
    """Record a run for ``cohort`` and enqueue it after the caller's commit."""
    from completion import services

    total = len(services.eligible_enrolment_ids(cohort, kind))
    run = JobRun(kind=KIND, subject_id=cohort.id, owner_id=getattr(actor, "id", None),
                 parameters=json.dumps({"kind": kind}), total=total)
    db.session.add(run)
    db.session.flush()
    enqueue_after_commit(issue_certificates_job, run.id)
    return run


def running_issue(cohort_id: int) -> JobRun | None:
    return db.session.scalar(db.select(JobRun).where(JobRun.kind == KIND, JobRun.subject_id == cohort_id,
                                                     JobRun.status.in_(("queued", "running"))))


def notify_holders(certificates) -> None:
    """Tell each holder with a portal account that their certificate is ready (in their language)."""
    from notifications.services import notify

    for cert in certificates:
        user = cert.enrolment.trainee.user if cert.enrolment.trainee.user_id else None
        if user is None:
            continue
        notify("certificate", _l("Your certificate for %(code)s is ready", code=cert.cohort_code),
               _l("You can download it from My training."), user=user,
               link=url_for("completion.my_certificate_pdf", cert_id=cert.id))


@job(retries=3, retry_delay=10)
def issue_certificates_job(run_id: int) -> int:
    from completion import services
    from trainees.models import Cohort

    run = db.session.get(JobRun, run_id)
    if run is None or run.status == "done":
        return 0
    cohort = db.session.get(Cohort, run.subject_id)
    kind = json.loads(run.parameters or "{}").get("kind", "completion")
    actor = None
    if run.owner_id:
        from accounts.models import User

        actor = db.session.get(User, run.owner_id)
    try:
        ids = services.eligible_enrolment_ids(cohort, kind)
        run.status, run.total, run.done = "running", len(ids), 0
        db.session.commit()
        issued = 0
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            certificates = services.issue_certificates(cohort, kind, actor, enrolment_ids=chunk)
            notify_holders(certificates)
            issued += len(certificates)
            run.done = start + len(chunk)
            db.session.commit()  # the chunk's certificates, notifications, mail and progress together
        previous = json.loads(run.outcome or "{}").get("issued", 0) if run.outcome.startswith("{") else 0
        run.status, run.finished_at = "done", utcnow()
        run.outcome = json.dumps({"issued": previous + issued})
        db.session.commit()
        return issued
    except Exception as exc:
        db.session.rollback()
        run = db.session.get(JobRun, run_id)
        run.status, run.finished_at = "failed", utcnow()
        run.outcome = json.dumps({"error": f"{type(exc).__name__}: {exc}"[:500]})
        db.session.commit()
        raise


def start_zip(cohort, total: int, actor) -> JobRun:
    run = JobRun(kind=ZIP_KIND, subject_id=cohort.id, owner_id=getattr(actor, "id", None), total=total)
    db.session.add(run)
    db.session.flush()
    enqueue_after_commit(certificates_zip_job, run.id)
    return run


def running_zip(cohort_id: int, owner_id: int) -> JobRun | None:
    """The owner's zip of this cohort that is being built or still downloadable."""
    runs = db.session.scalars(db.select(JobRun).where(JobRun.kind == ZIP_KIND, JobRun.subject_id == cohort_id,
                                                      JobRun.owner_id == owner_id,
                                                      JobRun.status.in_(("queued", "running"))))
    return runs.first()


@job(retries=2, retry_delay=10)
def certificates_zip_job(run_id: int) -> int:
    """Render every valid certificate of the cohort into one zip kept in the file store (idempotent)."""
    from completion import pdf, queries
    from trainees.models import Cohort

    run = db.session.get(JobRun, run_id)
    if run is None or (run.status == "done" and filestore.info(run.result_key, kind="download")):
        return 0
    cohort = db.session.get(Cohort, run.subject_id)
    try:
        certs = [c for c in queries.certificates_for_cohort(cohort.id) if c.is_valid]
        items = [(c, url_for("completion.verify", code=c.verify_code, _external=True)) for c in certs]
        run.status, run.total, run.done = "running", len(items), 0
        db.session.commit()

        def progress(n: int) -> None:
            if n % 10 == 0:
                run.done = n
                db.session.commit()

        data = pdf.certificates_zip(items, progress, logo=queries.certificate_logo(cohort_id=cohort.id))
        run.result_key = filestore.put(data, name=f"certificates-{cohort.code}.zip", content_type="application/zip",
                                       kind="download", owner_id=run.owner_id,
                                       expires_at=utcnow() + timedelta(hours=ZIP_HOURS))
        run.status, run.done, run.finished_at = "done", len(items), utcnow()
        run.outcome = json.dumps({"certificates": len(items)})
        db.session.commit()
        return len(items)
    except Exception as exc:
        db.session.rollback()
        run = db.session.get(JobRun, run_id)
        run.status, run.finished_at = "failed", utcnow()
        run.outcome = json.dumps({"error": f"{type(exc).__name__}: {exc}"[:500]})
        db.session.commit()
        raise
