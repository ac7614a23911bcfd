"""The report workbook and the ministry template fill as background jobs with progress (issue 12).

A workbook or fill for a filter with at least ``REPORT_JOB_MIN_ROWS`` / ``REPORT_FILL_JOB_MIN_ROWS``
counted enrolments (Participants rows) runs here instead of in the request; smaller ones stay
synchronous (the thresholds come from ``bench/report_job_threshold.py``). It is the same mechanism as
the certificate jobs (:class:`core.jobs.JobRun` polled by ``/jobs/<id>``): the run's ``done`` counts
Participants rows written, committed every ``workbook.PROGRESS_EVERY`` rows. The result goes to the
file store as a ``download`` owned by the user who asked, kept ``RESULT_HOURS`` and then purged by the
hourly clean-up; only that user may download it (``/jobs/<id>/download``, ``no-store``).

Idempotent: a run that is done and whose file is still stored is not built again.
"""

from __future__ import annotations

import json
import tempfile
from contextlib import contextmanager
from datetime import timedelta

from flask_babel import force_locale

from core import filestore
from core.db import utcnow
from core.extensions import db
from core.i18n import _
from core.jobs import JobRun, enqueue_after_commit, job
from core.spreadsheets import XLSX_MIME

WORKBOOK_KIND = "reports.workbook"
FILL_KIND = "reports.template_fill"
UPLOAD_KIND = "report_template_upload"  # the uploaded form waiting for its fill job
RESULT_HOURS = 24
UPLOAD_HOURS = 6


def _start(kind: str, parameters: dict, total: int, actor) -> JobRun:
    run = JobRun(kind=kind, owner_id=getattr(actor, "id", None), total=total,
                 parameters=json.dumps(parameters, sort_keys=True))
    db.session.add(run)
    db.session.flush()
    return run


def pending_workbook(parameters: dict, owner_id: int) -> JobRun | None:
    """The owner's run of the same workbook that is queued or running (a second click shows it)."""
    return db.session.scalars(
        db.select(JobRun).where(JobRun.kind == WORKBOOK_KIND, JobRun.owner_id == owner_id,
                                JobRun.parameters == json.dumps(parameters, sort_keys=True),
                                JobRun.status.in_(("queued", "running"))).order_by(JobRun.id.desc())).first()


def start_workbook(parameters: dict, total: int, actor) -> JobRun:
    """``parameters``: ``args`` (the filter's arguments), ``lang``, ``no_pii``, ``download_name``."""
    run = _start(WORKBOOK_KIND, parameters, total, actor)
    enqueue_after_commit(report_workbook_job, run.id)
    return run


def start_fill(content: bytes, parameters: dict, total: int, actor) -> JobRun:
    """Keep the checked upload in the file store for the job; ``parameters`` as for the workbook."""
    key = filestore.put(content, name=parameters["download_name"], content_type=XLSX_MIME, kind=UPLOAD_KIND,
                        owner_id=getattr(actor, "id", None), expires_at=utcnow() + timedelta(hours=UPLOAD_HOURS))
    run = _start(FILL_KIND, {**parameters, "template_key": key}, total, actor)
    enqueue_after_commit(template_fill_job, run.id)
    return run


def _already_done(run: JobRun | None) -> bool:
    return run is None or (run.status == "done" and filestore.info(run.result_key, kind="download") is not None)


def _progress(run: JobRun):
    def report(n: int) -> None:
        run.done = n
        db.session.commit()  # no cursor is open here (see workbook.spooled)
    return report


def _keep(run: JobRun, data, name: str) -> None:
    run.result_key = filestore.put(data, name=name, content_type=XLSX_MIME, kind="download", owner_id=run.owner_id,
                                   expires_at=utcnow() + timedelta(hours=RESULT_HOURS))


def _failed(run_id: int, outcome: dict) -> None:
    db.session.rollback()
    run = db.session.get(JobRun, run_id)
    run.status, run.finished_at = "failed", utcnow()
    run.outcome = json.dumps(outcome)
    db.session.commit()


def _filter(parameters: dict):
    from reports.filters import ReportFilter

    filt = ReportFilter.parse(parameters.get("args") or {})
    filt.check_exists(db.session)
    return filt


def _open_run(run_id: int) -> tuple[JobRun | None, dict]:
    """The run and its parameters; (None, {}) when it is gone or already finished (a retried task)."""
    run = db.session.get(JobRun, run_id)
    if _already_done(run):
        return None, {}
    return run, json.loads(run.parameters or "{}")


@contextmanager
def _fail_on_error(run_id: int):
    """Record an unexpected error on the run (shown on its page), then let the queue retry the task."""
    try:
        yield
    except Exception as exc:
        _failed(run_id, {"error": f"{type(exc).__name__}: {exc}"[:500]})
        raise


@job(retries=2, retry_delay=10)
def report_workbook_job(run_id: int) -> int:
    """Build the report workbook of the run's filter into the file store; return the Participants rows."""
    from reports import statistics, workbook

    run, parameters = _open_run(run_id)
    if run is None:
        return 0
    with _fail_on_error(run_id):
        filt = _filter(parameters)
        data = statistics.compute(filt)
        run.status, run.total, run.done = "running", data.summary.enrolments, 0
        db.session.commit()
        with tempfile.TemporaryFile() as spool:
            info = workbook.build_workbook(spool, filt, lang=parameters.get("lang", "en"),
                                           no_pii=bool(parameters.get("no_pii")), data=data,
                                           progress=_progress(run))
            _keep(run, spool, parameters.get("download_name") or "kakehashi-report.xlsx")
        run.status, run.finished_at = "done", utcnow()
        run.done = run.total = info.participant_rows
        run.outcome = json.dumps({"rows": info.participant_rows})
        db.session.commit()
        return info.participant_rows


@job(retries=2, retry_delay=10)
def template_fill_job(run_id: int) -> int:
    """Fill the uploaded form kept for the run; the filled form goes to the file store. Returns placeholders."""
    from reports import queries, statistics, template_fill, workbook

    run, parameters = _open_run(run_id)
    if run is None:
        return 0
    with _fail_on_error(run_id):
        blob = filestore.get(parameters.get("template_key"), kind=UPLOAD_KIND)
        if blob is None:
            with force_locale(parameters.get("ui_locale") or "en"):
                _failed(run_id, {"message": str(_("The uploaded form has expired. Upload it again."))})
            return 0
        filt = _filter(parameters)
        lang = parameters.get("lang", "en")
        data = statistics.compute(filt)
        run.status, run.total, run.done = "running", data.summary.enrolments, 0
        db.session.commit()
        try:
            with force_locale(parameters.get("ui_locale") or "en"):  # the warnings in the asker's language
                result = template_fill.fill(
                    blob.data, workbook.template_values(data, filt, lang, queries.programme_by_code(filt.programme)),
                    workbook.template_tables(data, filt, lang, bool(parameters.get("no_pii")),
                                             progress=_progress(run)))
                warnings = [str(w) for w in result.warnings]
        except template_fill.TemplateError as exc:  # the form's own problem: retrying cannot help
            with force_locale(parameters.get("ui_locale") or "en"):
                message = str(exc.message)
            _failed(run_id, {"message": message})
            filestore.delete(parameters.get("template_key"))
            db.session.commit()
            return 0
        _keep(run, result.content, parameters.get("download_name") or "form-filled.xlsx")
        filestore.delete(parameters.get("template_key"))
        run.status, run.done, run.finished_at = "done", run.total, utcnow()
        run.outcome = json.dumps({"replaced": result.replaced, "tables": result.tables,
                                  "warnings": warnings})
        db.session.commit()
        return result.replaced
