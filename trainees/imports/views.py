"""Trainee import pages: upload → preview (nothing written) → confirm; and the template download.

Routes live on the trainees blueprint (``trainees.blueprint.bp``). The upload page's endpoint is
``trainees.import_upload`` (``url_for("trainees.import_upload", cohort_id=…)``).
"""

from __future__ import annotations

import io
import posixpath

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from accounts.permissions import organiser_required
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from core.spreadsheets import XLSX_MIME
from core.uow import unit_of_work
from trainees.blueprint import bp
from trainees.imports import store as import_store
from trainees.imports.forms import ImportConfirmForm, ImportUploadForm
from trainees.imports.reader import COLUMNS, ImportFileError, parse_file
from trainees.imports.service import apply_import, import_limits, plan_import, preview_result
from trainees.imports.template import build_template
from trainees.models import Cohort

PREVIEW_ROWS = 500  # rows shown besides every invalid one


def _plan(cohort: Cohort, data: bytes, filename: str):
    return plan_import(parse_file(data, filename, import_limits()), cohort)


def _preview(cohort: Cohort, plan, token: str, skip_invalid: bool, status: int = 200):
    rows = [r for r in plan.rows if r.kind == "invalid"]
    rows += [r for r in plan.rows if r.kind != "invalid"][:PREVIEW_ROWS]
    rows.sort(key=lambda r: r.number)
    return render_template("trainees/import_preview.html", cohort=cohort, plan=plan, rows=rows,
                           result=preview_result(plan, skip_invalid), skip_invalid=skip_invalid,
                           confirm=ImportConfirmForm(token=token), upload=ImportUploadForm(),
                           counts=plan.counts), status


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@organiser_required
def import_upload(cohort_id: int):
    """Upload a trainee file for a cohort; a valid file shows the preview, and nothing is written yet."""
    cohort = db.get_or_404(Cohort, cohort_id)
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = posixpath.basename((upload.filename or "").replace("\\", "/"))
        data = upload.read()
        try:
            plan = _plan(cohort, data, filename)
        except ImportFileError as exc:
            form.file.errors.append(exc.message + " " + _("Nothing was imported."))
        else:
            with unit_of_work():  # the preview's file is kept in the shared file store until confirmed
                token = import_store.save_upload(data, filename, current_user.id, cohort.id,
                                                 form.skip_invalid.data)
            return _preview(cohort, plan, token, form.skip_invalid.data)
    return render_template("trainees/import_upload.html", cohort=cohort, form=form, columns=COLUMNS,
                           limits=import_limits())


@bp.route("/cohorts/<int:cohort_id>/import/confirm", methods=["POST"])
@organiser_required
def import_confirm(cohort_id: int):
    """Import the previewed file (checked again now) and commit once; a stale or foreign token is refused."""
    cohort = db.get_or_404(Cohort, cohort_id)
    form = ImportConfirmForm()
    try:
        stored = import_store.load_upload(form.token.data if form.validate_on_submit() else None,
                                          current_user.id, cohort.id)
        plan = _plan(cohort, stored.data, stored.filename)
        with unit_of_work() as work:
            result = apply_import(plan, current_user, stored.skip_invalid, ip=request.remote_addr)
            if result.refused:
                raise ServiceError(_("Nothing was imported: some rows are invalid now. Check the preview below."))
            import_store.delete_upload(stored.token)  # gone with the import's commit, kept if it rolls back
        if not work.ok:
            return _preview(cohort, plan, stored.token, stored.skip_invalid, 422)
    except import_store.StaleUpload:
        flash(_("This preview has expired or does not belong to you. Upload the file again."), "error")
        return redirect(url_for("trainees.import_upload", cohort_id=cohort.id))
    except ImportFileError as exc:
        flash(exc.message + " " + _("Nothing was imported."), "error")
        return redirect(url_for("trainees.import_upload", cohort_id=cohort.id))
    except IntegrityError:  # the unit of work has rolled back
        flash(_("The import could not be completed because the data changed meanwhile (perhaps another import "
                "ran at the same time). Nothing was imported; upload the file again."), "error")
        return redirect(url_for("trainees.import_upload", cohort_id=cohort.id))
    if result.written:
        flash(_("Import finished: %(new)d new, %(updated)d updated, %(invalid)d invalid rows skipped.",
                new=result.imported, updated=result.updated, invalid=result.invalid), "success")
    else:
        flash(_("Nothing to change: every row is already up to date."), "info")
    return redirect(url_for("trainees.import_upload", cohort_id=cohort.id))


@bp.route("/import/template.xlsx")
@organiser_required
def import_template():
    """Download the import template: the header row, an example row and a sheet explaining the columns."""
    return send_file(io.BytesIO(build_template()), mimetype=XLSX_MIME, as_attachment=True,
                     download_name="kakehashi-trainee-import-template.xlsx")
