"""Organiser pages: programmes and their organiser-name history.

Every route is for organisers and administrators; views are thin (form → service → one unit of work
(``core.uow``) → flash and redirect, or render)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from accounts.permissions import organiser_required
from core.i18n import _
from core.uow import unit_of_work
from trainees import queries, services
from trainees.blueprint import bp
from trainees.forms import (
    ProgrammeEditForm,
    ProgrammeForm,
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
    """Edit a programme's name, funder, description and organiser-name history."""
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
    return render_template("trainees/programme_form.html", form=form, programme=programme)
