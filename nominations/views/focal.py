"""Focal-point pages: open calls for their country, nominating, ranking and endorsing, following status.

Every candidate a focal point can reach is one they handle for their own country; anything else is
a 404 (nothing about another country's candidates is revealed).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from accounts.permissions import focal_point_required
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from nominations import queries, services
from nominations.blueprint import bp
from nominations.forms import EndorseForm, NominateForm, NominationFileForm
from nominations.models import StoredFile
from nominations.views.common import attachment, me, question_answers, show_error, today, upload_from
from trainees.importer import ImportFileError, parse_file


@bp.route("/my")
@focal_point_required
def fp_home():
    """Open calls for my country, my candidates with their status, and my self-application link."""
    fp = queries.current_focal_point()
    return render_template("nominations/fp_home.html", fp=fp, calls=queries.open_calls(fp.country, today()),
                           candidates=queries.focal_point_candidates(fp))


def _open_call_for(fp, call_id: int):
    call = queries.get_call(call_id)
    if call not in queries.open_calls(fp.country, today()):
        abort(404)
    return call


@bp.route("/my/calls/<int:call_id>/nominate", methods=["GET", "POST"])
@focal_point_required
def fp_nominate(call_id: int):
    fp = queries.current_focal_point()
    call = _open_call_for(fp, call_id)
    form = NominateForm()
    if request.method == "GET":
        form.nationality.data = fp.country
    if form.validate_on_submit():
        try:
            stored = upload_from(form.endorsement)
            values = form.candidate_values() | {"rank": form.rank.data}
            candidate = services.nominate(call, fp, today(), question_answers(call, request.form), actor=me(),
                                          **values)
            if stored is not None:
                candidate.endorsement_file_id = stored.id
        except ServiceError as exc:
            db.session.rollback()
            show_error(form, exc, "email")
        else:
            db.session.commit()
            flash(_("%(name)s nominated.", name=candidate.full_name), "success")
            return redirect(url_for("nominations.fp_home"))
    return render_template("nominations/candidate_form.html", form=form, call=call, fp=fp, public=False)


@bp.route("/my/candidates/<int:candidate_id>", methods=["GET", "POST"])
@focal_point_required
def fp_candidate(candidate_id: int):
    """Rank a candidate and attach (or replace) the endorsement; submits a self-application."""
    fp = queries.current_focal_point()
    candidate = queries.own_candidate(fp, candidate_id)
    form = EndorseForm(obj=candidate)
    if form.validate_on_submit():
        try:
            services.endorse(candidate, upload_from(form.endorsement), form.rank.data, actor=me())
        except ServiceError as exc:
            db.session.rollback()
            show_error(form, exc, "endorsement")
            candidate = queries.own_candidate(fp, candidate_id)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("nominations.fp_home"))
    return render_template("nominations/fp_candidate.html", form=form, candidate=candidate, fp=fp)


@bp.route("/my/candidates/<int:candidate_id>/endorsement")
@focal_point_required
def fp_endorsement(candidate_id: int):
    candidate = queries.own_candidate(queries.current_focal_point(), candidate_id)
    if candidate.endorsement_file_id is None:
        abort(404)
    return attachment(db.session.get(StoredFile, candidate.endorsement_file_id))


@bp.route("/my/calls/<int:call_id>/upload", methods=["GET", "POST"])
@focal_point_required
def fp_upload(call_id: int):
    """Nominate several candidates from a spreadsheet read by the trainee importer (all or nothing)."""
    fp = queries.current_focal_point()
    call = _open_call_for(fp, call_id)
    form = NominationFileForm()
    problems: list[str] = []
    if form.validate_on_submit() and form.file.data is not None and form.file.data.filename:
        upload = form.file.data
        try:
            parsed = parse_file(upload.stream.read(), upload.filename)
            created = services.nominate_from_rows(call, fp, parsed, today(), actor=me())
        except ImportFileError as exc:
            db.session.rollback()
            problems = [str(exc)]
        except ServiceError as exc:
            db.session.rollback()
            problems = exc.message.splitlines()
        else:
            db.session.commit()
            flash(_("%(n)d candidates nominated.", n=len(created)), "success")
            return redirect(url_for("nominations.fp_home"))
    elif request.method == "POST":
        problems = [_("Choose a file.")]
    return render_template("nominations/fp_upload.html", form=form, call=call, problems=problems)
