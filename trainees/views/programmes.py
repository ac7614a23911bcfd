"""Organiser pages: programmes and their organiser-name history.

Every route is for organisers and administrators; views are thin (form → service → one unit of work
(``core.uow``) → flash and redirect, or render)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from accounts.permissions import organiser_required
from core import filestore
from core.i18n import _
from core.uow import run_service, unit_of_work
from trainees import queries, services
from trainees.blueprint import bp
from trainees.forms import (
    ConfirmForm,
    ProgrammeEditForm,
    ProgrammeForm,
    ProgrammeLogoForm,
)
from trainees.views._common import (
    _me,
    _unique_code,
)


@bp.route("/programmes")
@organiser_required
def programmes():
    """All programmes with their number of cohorts and current organiser."""
    return render_template("trainees/programmes.html", rows=queries.programmes_with_counts())


@bp.route("/programmes/new", methods=["GET", "POST"])
@organiser_required
def programme_new():
    """Create a programme with its organiser-name history."""
    form = ProgrammeForm()
    unique = _unique_code(services.get_programme_by_code, _("A programme with the code %(code)s already exists."))
    if form.validate_on_submit(extra_validators={"code": [unique]}):
        with unit_of_work(form, "code") as work:
            programme = services.create_programme(
                form.code.data, form.name.data, form.funder.data or "", form.description.data or "",
                organiser_names=form.organiser_entries, actor=_me())
            work.success = _("Programme %(code)s created.", code=programme.code)
            return redirect(url_for("trainees.programme_detail", programme_id=programme.id))
    return render_template("trainees/programme_form.html", form=form, programme=None)


@bp.route("/programmes/<int:programme_id>")
@organiser_required
def programme_detail(programme_id: int):
    """A programme: organiser names by fiscal year and its cohorts."""
    programme = queries.get_programme(programme_id)
    cohorts = queries.programme_cohorts(programme)
    counts = queries.cohort_counts([c.id for c in cohorts])
    return render_template("trainees/programme_detail.html", programme=programme, cohorts=cohorts, counts=counts)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@organiser_required
def programme_edit(programme_id: int):
    """Edit a programme's name, funder, description and organiser-name history; its logo is uploaded
    and removed by the two routes below from the same page."""
    programme = queries.get_programme(programme_id)
    form = ProgrammeEditForm(obj=programme)
    if request.method == "GET":
        form.organiser_history.data = "\n".join(f"{e.from_fy}: {e.name}" for e in programme.organiser_names)
    if form.validate_on_submit():
        with unit_of_work(form, "organiser_history", success=_("Changes saved.")):
            services.update_programme(programme, actor=_me(), name=form.name.data, funder=form.funder.data or "",
                                      description=form.description.data or "")
            services.set_organiser_names(programme, form.organiser_entries, actor=_me())
            return redirect(url_for("trainees.programme_detail", programme_id=programme_id))
    return _edit_page(programme, form)


def _edit_page(programme, form=None, logo_form=None, status: int = 200):
    if form is None:
        form = ProgrammeEditForm(obj=programme, formdata=None)
        form.organiser_history.data = "\n".join(f"{e.from_fy}: {e.name}" for e in programme.organiser_names)
    return render_template("trainees/programme_form.html", form=form, programme=programme,
                           logo_form=logo_form or ProgrammeLogoForm(formdata=None), confirm=ConfirmForm()), status


@bp.route("/programmes/<int:programme_id>/logo", methods=["POST"])
@organiser_required
def programme_logo_upload(programme_id: int):
    """Upload or replace the programme's logo (PNG/JPEG by content, at most 1 MB; kept in the file store).
    A refused file is shown at the logo field of the edit page."""
    programme = queries.get_programme(programme_id)
    form = ProgrammeLogoForm()
    upload = form.logo.data if form.validate_on_submit() else None
    if upload is None or not getattr(upload, "filename", ""):
        form.logo.errors = [*form.logo.errors, _("Choose a PNG or JPEG file to upload.")]
        return _edit_page(programme, logo_form=form, status=400)
    # one byte more than the limit is enough to refuse a larger file without reading it whole
    data = upload.stream.read(services.logo_limit() + 1)
    with unit_of_work(form.logo, success=_("Logo uploaded. Certificates of this programme now show it.")) as work:
        services.set_programme_logo(programme, upload.filename, data, actor=_me())
    if not work.ok:
        return _edit_page(programme, logo_form=form, status=400)
    return redirect(url_for("trainees.programme_edit", programme_id=programme.id, _anchor="logo"))


@bp.route("/programmes/<int:programme_id>/logo/delete", methods=["POST"])
@organiser_required
def programme_logo_delete(programme_id: int):
    """Remove the programme's logo."""
    programme = queries.get_programme(programme_id)
    if ConfirmForm().validate_on_submit():
        run_service(lambda: services.remove_programme_logo(programme, actor=_me()), success=_("Logo removed."))
    return redirect(url_for("trainees.programme_edit", programme_id=programme.id, _anchor="logo"))


@bp.route("/programmes/<int:programme_id>/logo")
@organiser_required
def programme_logo(programme_id: int):
    """The programme's logo as an image (for the edit page's preview)."""
    programme = queries.get_programme(programme_id)
    if not programme.logo_key:
        abort(404)
    return filestore.send(programme.logo_key, kind=services.LOGO_KIND, as_attachment=False, private=False)
