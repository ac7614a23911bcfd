"""Routes: failed jobs (admin)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.permissions import admin_required
from core import audit
from core.extensions import db
from core.i18n import _
from core.jobs import FailedJob, retry_failed
from core.mailqueue import FAILED, OutgoingMail, requeue_mail

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.route("/admin/jobs")
@admin_required
def jobs():
    """Tasks that failed for good and undelivered mail, newest first, each with a retry button."""
    failed = db.paginate(select(FailedJob).order_by(FailedJob.retried_at.is_not(None), FailedJob.id.desc()),
                         per_page=current_app.config["PER_PAGE"], error_out=False)
    mails = db.session.scalars(select(OutgoingMail).where(OutgoingMail.status == FAILED)
                               .order_by(OutgoingMail.id.desc()).limit(100)).all()
    return render_template("notifications/jobs.html", page=failed, mails=mails)


@bp.route("/admin/jobs/<int:job_id>/retry", methods=["POST"])
@admin_required
def retry_job(job_id: int):
    failed = db.get_or_404(FailedJob, job_id)
    retry_failed(failed, actor=current_user)
    audit.record("job.retry", obj=failed, summary=failed.task_path)
    db.session.commit()
    flash(_("The job was queued again."), "success")
    return redirect(url_for("notifications.jobs"))


@bp.route("/admin/mail/<int:mail_id>/retry", methods=["POST"])
@admin_required
def retry_mail(mail_id: int):
    message = db.get_or_404(OutgoingMail, mail_id)
    requeue_mail(message)
    audit.record("mail.retry", obj=message, summary=message.to_addr)
    db.session.commit()
    flash(_("The message was queued again."), "success")
    return redirect(url_for("notifications.jobs"))
