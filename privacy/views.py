"""Own data download (any signed-in user), admin export and erasure of a trainee, the ministry observer."""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user

from accounts.models import User
from accounts.permissions import admin_required, role_required, signed_in
from core import audit
from core.extensions import db
from core.i18n import _, _l
from core.spreadsheets import XLSX_MIME, Cell
from core.uow import unit_of_work
from privacy import observer, personal_data
from reports import labels, statistics, suppression, workbook
from reports.filters import ReportFilter
from trainees.models import Programme, Trainee

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


# --- ministry observer (issue 13 item 8) ------------------------------------------------------------

observer_required = role_required("observer", "admin")

#: Headings of the aggregate tables on the page (the workbook's sheet names stay English: scripts rely on them)
TABLE_TITLES = {"Summary": _l("Summary"), "By country": _l("By country"), "By sector": _l("By sector"),
                "By cohort": _l("By cohort"), "By fiscal year": _l("By fiscal year"), "Learning": _l("Learning")}


def _granted_or_404(programme_id: int) -> Programme:
    programme = next((p for p in observer.granted_programmes(current_user) if p.id == programme_id), None)
    if programme is None:
        abort(404)  # not granted: the programme's existence is not revealed
    return programme


def _k() -> int:
    return current_app.config["PUBLICATION_MIN_PEOPLE"]


def _for_display(tables, lang: str) -> list[tuple[str, list, list]]:
    """(name, columns, rows of (value, kind)) for the page: a cell's own kind, else its column's, so rates show
    as percentages and counts with grouped thousands as on the organiser dashboard; a fiscal-year column holds
    years, not quantities (no grouping)."""
    year = labels.t("Fiscal year", lang)
    out = []
    for name, table in tables:
        kinds = ["year" if column.header == year else column.kind for column in table.columns]
        rows = [[(cell.value, cell.kind) if isinstance(cell, Cell) else (cell, kind)
                 for cell, kind in zip(row, kinds, strict=True)] for row in table.rows]
        out.append((name, table.columns, rows))
    return out


@bp.route("/observer/")
@observer_required
def observer_dashboard():
    """Aggregate figures of each granted programme, small cells suppressed; no names, no lists of people."""
    lang = str(get_locale() or "en")
    sections = []
    for programme in observer.granted_programmes(current_user):
        data = statistics.compute(ReportFilter(programme=programme.code))
        sections.append((programme, _for_display(workbook.publication_tables(data, lang, _k()), lang)))
    return render_template("privacy/observer.html", sections=sections, k=_k(), label=suppression.LABEL,
                           titles=TABLE_TITLES)


@bp.route("/observer/programmes/<int:programme_id>.xlsx")
@observer_required
def observer_workbook(programme_id: int):
    """The programme's aggregate-only workbook with small-cell suppression."""
    programme = _granted_or_404(programme_id)
    buffer = io.BytesIO()
    workbook.build_publication_workbook(buffer, ReportFilter(programme=programme.code),
                                        lang=str(get_locale() or "en"), k=_k())
    with unit_of_work():
        audit.record("report.export_observer", object_type="Programme", object_id=programme.id,
                     summary=f"{programme.code}; for publication (k={_k()})")
    return send_file(io.BytesIO(buffer.getvalue()), mimetype=XLSX_MIME, as_attachment=True,
                     download_name=f"kakehashi-{programme.code}-aggregate.xlsx")


@bp.route("/admin/users/<int:user_id>/observer-programmes", methods=["GET", "POST"])
@admin_required
def observer_grants(user_id: int):
    """Admin: the programmes a ministry observer may see."""
    user = db.get_or_404(User, user_id)
    if request.method == "POST":
        try:
            ids = [int(v) for v in request.form.getlist("programme")]
        except ValueError:
            ids = [-1]
        with unit_of_work(success=_("Programmes saved.")) as work:
            observer.set_grants(user, ids, actor=current_user._get_current_object())
        if work.ok:
            return redirect(url_for("privacy.observer_grants", user_id=user_id))
    programmes = db.session.scalars(db.select(Programme).order_by(Programme.code)).all()
    granted = {p.id for p in observer.granted_programmes(user)} if user.role == "observer" else set()
    return render_template("privacy/observer_grants.html", user=user, programmes=programmes, granted=granted)
