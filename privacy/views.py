"""Own data download (any signed-in user), admin export and erasure of a trainee."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user

from accounts.models import User
from accounts.permissions import admin_required, signed_in
from core import audit
from core.extensions import db
from core.i18n import _
from core.uow import unit_of_work
from privacy import personal_data
from trainees.models import Trainee

bp = Blueprint("privacy", __name__, template_folder="templates")


def _my_records():
    user = db.session.get(User, current_user.id)
    trainee = db.session.scalar(db.select(Trainee).where(Trainee.user_id == user.id))
    return trainee, user


def _json_download(data: dict, filename: str) -> Response:
    response = Response(personal_data.to_json(data), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response  # core.security answers every download with Cache-Control: no-store, private


@bp.route("/me/data")
@signed_in
def my_data():
    """Everything Kakehashi holds about the signed-in person, readable, with a JSON download."""
    trainee, user = _my_records()
    return render_template("privacy/my_data.html", data=personal_data.collect(trainee, user))


@bp.route("/me/data.json")
@signed_in
def my_data_json():
    """The same, as one JSON file."""
    trainee, user = _my_records()
    return _json_download(personal_data.collect(trainee, user), "my-kakehashi-data.json")


@bp.route("/trainees/<int:trainee_id>/personal-data.json")
@admin_required
def trainee_export(trainee_id: int):
    """Admin: everything held about a trainee (a data-subject access request), as JSON; audit-logged."""
    trainee = db.get_or_404(Trainee, trainee_id)
    with unit_of_work():
        audit.record("trainee.exported", object_type="Trainee", object_id=trainee.id,
                     summary="personal data exported")
    return _json_download(personal_data.collect(trainee), f"trainee-{trainee.id}-personal-data.json")


@bp.route("/trainees/<int:trainee_id>/erase", methods=["GET", "POST"])
@admin_required
def trainee_erase(trainee_id: int):
    """Admin: confirm, then pseudonymise the trainee; enrolments and scores stay for the statistics."""
    trainee = db.get_or_404(Trainee, trainee_id)
    if request.method == "POST":
        reason = (request.form.get("reason") or "request").strip()[:200] or "request"
        with unit_of_work(success=_("The person's personal data has been erased.")) as work:
            personal_data.erase(trainee, actor=current_user._get_current_object(), reason=reason)
        if work.ok:
            return redirect(url_for("trainees.trainee_detail", trainee_id=trainee_id))
        return redirect(url_for("privacy.trainee_erase", trainee_id=trainee_id))
    return render_template("privacy/erase.html", trainee=trainee, erased=personal_data.is_erased(trainee))
