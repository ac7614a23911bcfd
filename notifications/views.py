"""Routes: failed jobs (admin), the user's notifications and e-mail setting, a cohort's reminder policy."""

from __future__ import annotations

import json
import time
from contextlib import suppress
from datetime import UTC

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, user_logged_in
from sqlalchemy import select

from accounts.models import ORGANISER_ROLES
from accounts.permissions import admin_required, organiser_required, signed_in
from core import audit, filestore
from core.db import as_utc, utcnow
from core.extensions import db
from core.i18n import _
from core.jobs import FailedJob, JobRun, retry_failed
from core.mailqueue import FAILED, UNCERTAIN, OutgoingMail, requeue_mail
from core.uow import run_service, unit_of_work
from notifications import announcements, services, todo
from notifications.forms import AnnouncementForm, EmailFrequencyForm, ReminderPolicyForm
from notifications.models import Announcement, Notification, ReminderPolicy
from trainees.models import Cohort

bp = Blueprint("notifications", __name__, template_folder="templates")
BELL_SECONDS = 60  # the unread count in the header is cached in the session this long (no query per page)


def bell_count() -> int:
    """Unread notifications of the signed-in user, from the session when recent (else one query)."""
    if not current_user.is_authenticated:
        return 0
    cached = session.get("kk_bell")
    if cached and cached[1] == current_user.id and time.time() - cached[2] < BELL_SECONDS:
        return cached[0]
    return _refresh_bell(current_user.id)


def _refresh_bell(user_id: int) -> int:
    count = services.unread_count(user_id)
    session["kk_bell"] = [count, user_id, time.time()]
    return count


@user_logged_in.connect
def _prime_bell(sender, user, **extra) -> None:
    _refresh_bell(user.id)


@bp.route("/notifications")
@signed_in
def notifications():
    page = db.paginate(select(Notification).where(Notification.user_id == current_user.id)
                       .order_by(Notification.id.desc()), per_page=current_app.config["PER_PAGE"], error_out=False)
    _refresh_bell(current_user.id)
    return render_template("notifications/list.html", page=page)


@bp.route("/notifications/<int:note_id>/read", methods=["POST"])
@signed_in
def read(note_id: int):
    """Mark one notification read and follow its link (only the owner's own notifications)."""
    note = db.session.scalar(select(Notification).where(Notification.id == note_id,
                                                        Notification.user_id == current_user.id))
    if note is None:
        return redirect(url_for("notifications.notifications"))
    run_service(lambda: services.mark_read(current_user.id, note.id))
    _refresh_bell(current_user.id)
    return redirect(note.link if note.link.startswith("/") else url_for("notifications.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@signed_in
def read_all():
    run_service(lambda: services.mark_read(current_user.id), success=_("All notifications are marked as read."))
    _refresh_bell(current_user.id)
    return redirect(url_for("notifications.notifications"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@signed_in
def settings():
    form = EmailFrequencyForm(email_frequency=services.email_frequency(current_user))
    if form.validate_on_submit():
        with unit_of_work(form, "email_frequency", success=_("Changes saved.")):
            services.set_email_frequency(current_user, form.email_frequency.data)
            return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form)


@bp.route("/cohorts/<int:cohort_id>/reminders", methods=["GET", "POST"])
@organiser_required
def reminder_policy(cohort_id: int):
    """When reminders go out for this cohort and how many a non-respondent gets."""
    cohort = db.get_or_404(Cohort, cohort_id)
    policy = db.session.get(ReminderPolicy, cohort.id) or ReminderPolicy(
        cohort_id=cohort.id, enabled=True, days_before_due=3, nonrespondent_after_days=7,
        nonrespondent_every_days=7, nonrespondent_max=2)
    form = ReminderPolicyForm(obj=policy)
    if form.validate_on_submit():
        with unit_of_work(form, "days_before_due", success=_("Changes saved.")):
            before = {k: getattr(policy, k) for k in ("enabled", "days_before_due", "nonrespondent_after_days",
                                                       "nonrespondent_every_days", "nonrespondent_max")}
            form.populate_obj(policy)
            db.session.add(policy)
            audit.record("cohort.reminders", obj=cohort, summary=cohort.code, before=before,
                         after={k: getattr(policy, k) for k in before})
            return redirect(url_for("notifications.reminder_policy", cohort_id=cohort.id))
    return render_template("notifications/reminder_policy.html", form=form, cohort=cohort)


@bp.route("/cohorts/<int:cohort_id>/announcements", methods=["GET", "POST"])
@organiser_required
def cohort_announcements(cohort_id: int):
    """Write to a cohort: preview (with the recipient count) first, then send now or at a set time."""
    cohort = db.get_or_404(Cohort, cohort_id)
    form = AnnouncementForm()
    preview_count = None
    if form.validate_on_submit():
        send_at = form.send_at.data.replace(tzinfo=UTC) if form.send_at.data else None
        if form.send.data:
            with unit_of_work(form, "body") as work:
                item = announcements.create(cohort, form.subject.data, form.body.data, form.audience.data, send_at,
                                            current_user)
                work.success = (_("Announcement sent to %(n)d trainees.", n=item.recipients) if item.sent_at
                                else _("Announcement scheduled."))
                return redirect(url_for("notifications.cohort_announcements", cohort_id=cohort.id))
        else:
            preview_count = len(announcements.recipients(cohort.id, form.audience.data))
    past = db.session.scalars(select(Announcement).where(Announcement.cohort_id == cohort.id)
                              .order_by(Announcement.id.desc()).limit(50)).all()
    return render_template("notifications/announcements.html", cohort=cohort, form=form, past=past,
                           preview_count=preview_count)


@bp.route("/admin/jobs")
@admin_required
def jobs():
    """Tasks that failed for good and undelivered mail, newest first, each with a retry button."""
    failed = db.paginate(select(FailedJob).order_by(FailedJob.retried_at.is_not(None), FailedJob.id.desc()),
                         per_page=current_app.config["PER_PAGE"], error_out=False)
    mails = db.session.scalars(select(OutgoingMail).where(OutgoingMail.status.in_((FAILED, UNCERTAIN)))
                               .order_by(OutgoingMail.id.desc()).limit(100)).all()
    return render_template("notifications/jobs.html", page=failed, mails=mails)


@bp.route("/admin/jobs/<int:job_id>/retry", methods=["POST"])
@admin_required
def retry_job(job_id: int):
    failed = db.get_or_404(FailedJob, job_id)

    def retry():
        retry_failed(failed, actor=current_user)
        audit.record("job.retry", obj=failed, summary=failed.task_path)

    run_service(retry, success=_("The job was queued again."))
    return redirect(url_for("notifications.jobs"))


@bp.route("/admin/mail/<int:mail_id>/retry", methods=["POST"])
@admin_required
def retry_mail(mail_id: int):
    message = db.get_or_404(OutgoingMail, mail_id)

    def retry():
        requeue_mail(message)
        audit.record("mail.retry", obj=message, summary=message.to_addr)

    run_service(retry, success=_("The message was queued again."))
    return redirect(url_for("notifications.jobs"))


def _own_run(run_id: int) -> JobRun:
    run = db.session.get(JobRun, run_id)
    if run is None or (run.owner_id != current_user.id and current_user.role != "admin"):
        abort(404)
    return run


def _run_links(run: JobRun) -> dict:
    links = {"back": url_for("accounts.home"), "download": None, "outcome": {}}
    if run.kind.startswith("certificates."):
        links["back"] = url_for("completion.cohort_certificates", cohort_id=run.subject_id)
    elif run.kind == "reports.workbook":
        links["back"] = url_for("reports.dashboard")
    elif run.kind == "reports.template_fill":
        links["back"] = url_for("reports.template")
        with suppress(ValueError):  # what the user should read: the form's warnings or why it failed
            outcome = json.loads(run.outcome or "{}")
            links["outcome"] = {"warnings": outcome.get("warnings") or [], "message": outcome.get("message")}
    if run.status == "done" and run.result_key and run.owner_id == current_user.id:
        links["download"] = url_for("notifications.job_run_download", run_id=run.id)
    return links


@bp.route("/jobs/<int:run_id>")
@organiser_required
def job_run(run_id: int):
    """A bulk job's progress: refreshes itself every 2 s until the job has finished (no script needed)."""
    run = _own_run(run_id)
    response = make_response(render_template("notifications/job_run.html", run=run, **_run_links(run)))
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.route("/jobs/<int:run_id>.json")
@organiser_required
def job_run_status(run_id: int):
    """The same progress as a small JSON document, for a page that polls."""
    response = jsonify(_own_run(run_id).as_json())
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.route("/jobs/<int:run_id>/download")
@organiser_required
def job_run_download(run_id: int):
    """The job's result file from the file store (no-store); gone once it expired. Only for who asked."""
    run = _own_run(run_id)
    if run.owner_id != current_user.id:  # an admin sees others' progress, never their files (personal data)
        abort(404)
    stored = filestore.info(run.result_key, kind="download") if run.result_key else None
    if stored is None or (stored.expires_at is not None and as_utc(stored.expires_at) <= utcnow()):
        flash(_("This download has expired. Start the job again."), "info")
        return redirect(_run_links(run)["back"])
    return filestore.send(run.result_key, kind="download")


def todo_items() -> list:
    """The signed-in user's to-do (organiser/admin: the programme's; trainee, focal point: their own;
    anyone else — the ministry observer — none: the programme's to-do names cohorts and people)."""
    if not current_user.is_authenticated:
        return []
    if current_user.role == "trainee":
        return todo.trainee_items(current_user.id)
    if current_user.role == "focal_point":  # never the programme's to-do: only their own candidates
        return todo.focal_point_items(current_user.id)
    if current_user.role not in ORGANISER_ROLES:
        return []
    return todo.organiser_items(is_admin=current_user.role == "admin")


def register_bell(app) -> None:
    app.jinja_env.globals["bell_count"] = bell_count
