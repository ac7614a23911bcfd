"""Focal-point pages: open calls for their country, nominating, ranking and endorsing, following status.

Every candidate a focal point can reach is one they handle for their own country; anything else is
a 404 (nothing about another country's candidates is revealed).
"""

from __future__ import annotations

import io

from flask import abort, redirect, render_template, request, send_file, url_for

from accounts.permissions import focal_point_required
from core.i18n import _
from core.spreadsheets import XLSX_MIME
from core.uow import unit_of_work
from nominations import queries, services, spreadsheet
from nominations.blueprint import bp
from nominations.forms import EndorseForm, NominateForm, NominationFileForm
from nominations.views.common import me, question_answers, question_files, send_document, store_upload, today
from trainees.imports.reader import COLUMNS, ImportFileError, parse_file


@bp.route("/my")
@focal_point_required
def fp_home():
    """Open calls for my country, my candidates with their status, and my self-application link."""
    fp = queries.current_focal_point()
    return render_template("nominations/fp_home.html", fp=fp, calls=queries.open_calls(fp.country, today()),
                           candidates=queries.focal_point_candidates(fp), missing=spreadsheet.missing_documents)


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
        with unit_of_work(form) as work:
            values = form.candidate_values() | {"rank": form.rank.data}
            candidate = services.nominate(call, fp, today(), question_answers(call, request.form), actor=me(),
                                          files=question_files(call),
                                          endorsement_key=store_upload(form.endorsement.data, "endorsement"),
                                          **values)
            work.success = _("%(name)s nominated.", name=candidate.full_name)
            return redirect(url_for("nominations.fp_home"))
    return render_template("nominations/candidate_form.html", form=form, call=call, fp=fp, public=False)


@bp.route("/my/candidates/<int:candidate_id>", methods=["GET", "POST"])
@focal_point_required
def fp_candidate(candidate_id: int):
    """Rank a candidate, attach (or replace) the endorsement and the documents the call asks for (a CV…);
    submits a self-application."""
    fp = queries.current_focal_point()
    candidate = queries.own_candidate(fp, candidate_id)
    form = EndorseForm(obj=candidate)
    if form.validate_on_submit():
        with unit_of_work(form, "endorsement", success=_("Saved.")):
            services.attach_documents(candidate, question_files(candidate.call), actor=me())
            services.endorse(candidate, store_upload(form.endorsement.data, "endorsement"), form.rank.data,
                             actor=me())
            return redirect(url_for("nominations.fp_home"))
        candidate = queries.own_candidate(fp, candidate_id)  # rolled back: read it again
    return render_template("nominations/fp_candidate.html", form=form, candidate=candidate, fp=fp,
                           documents=spreadsheet.file_questions(candidate.call),
                           missing=spreadsheet.missing_documents(candidate))


@bp.route("/my/candidates/<int:candidate_id>/endorsement")
@focal_point_required
def fp_endorsement(candidate_id: int):
    """Download the endorsement letter of one of my candidates (an attachment, never cached)."""
    candidate = queries.own_candidate(queries.current_focal_point(), candidate_id)
    return send_document(candidate.endorsement_key)


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
            parsed = parse_file(upload.stream.read(), upload.filename,
                                extra_columns=spreadsheet.question_columns(call))
        except ImportFileError as exc:  # the guarded workbook reader refused the file: nothing was written
            problems = [str(exc)]
        else:
            with unit_of_work(form.file) as work:
                created = services.nominate_from_rows(call, fp, parsed, today(), actor=me())
                work.success = _("%(n)d candidates nominated.", n=len(created))
                return redirect(url_for("nominations.fp_home"))
            # all or nothing: nothing was written; the problems are listed one line per row
            problems, form.file.errors = work.error.message.splitlines(), []
    elif request.method == "POST":
        problems = [_("Choose a file.")]
    return render_template("nominations/fp_upload.html", form=form, call=call, problems=problems,
                           columns=[c.name for c in COLUMNS if c.name not in spreadsheet.LEFT_OUT],
                           questions=spreadsheet.answerable(call), documents=spreadsheet.file_questions(call))


@bp.route("/my/calls/<int:call_id>/template.xlsx")
@focal_point_required
def fp_template(call_id: int):
    """This call's nomination template: the import template's columns plus one column per call question."""
    call = _open_call_for(queries.current_focal_point(), call_id)
    return send_file(io.BytesIO(spreadsheet.build_call_template(call)), mimetype=XLSX_MIME, as_attachment=True,
                     download_name=f"kakehashi-nominations-call-{call.id}.xlsx")
