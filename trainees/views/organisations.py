"""Organiser pages: organisations, and merging duplicates.

Every route is for organisers and administrators; views are thin (form → service → one unit of work
(``core.uow``) → flash and redirect, or render)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from accounts.permissions import organiser_required
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _, ngettext
from core.refdata import org_type_codes, sector_codes
from core.uow import unit_of_work
from trainees import queries, services
from trainees.blueprint import bp
from trainees.display import options
from trainees.forms import (
    ConfirmForm,
    OrganisationForm,
)
from trainees.models import Organisation
from trainees.views._common import (
    _choice_arg,
    _country_arg,
    _int_arg,
    _me,
    _per_page,
    _text_arg,
)


@bp.route("/organisations")
@organiser_required
def organisations():
    """Organisations by name, filtered by country, sector and type, with their number of trainees."""
    f = queries.OrganisationFilters(
        q=_text_arg("q"), country=_country_arg("country"),
        sector=_choice_arg("sector", sector_codes(include_retired=True)),
        org_type=_choice_arg("org_type", org_type_codes()))
    page = db.paginate(queries.organisations_query(f), per_page=_per_page(), error_out=False)
    return render_template("trainees/organisations.html", page=page, f=f,
                           counts=queries.organisation_trainee_counts([o.id for o in page.items]),
                           country_options=options("country", queries.organisation_countries(), by_name=True),
                           sector_options=options("sector", sector_codes()),
                           type_options=options("org_type", org_type_codes()))


@bp.route("/organisations/new", methods=["GET", "POST"])
@organiser_required
def organisation_new():
    """Add an organisation (most are added with their trainees)."""
    form = OrganisationForm()
    if form.validate_on_submit():
        values = form.values()
        with unit_of_work(form, "name") as work:
            org, created = services.get_or_create_organisation(values["name"], values["country"],
                                                               values["sector_code"], values["org_type"], actor=_me())
            if not created:
                raise ServiceError(_("%(name)s already exists in that country.", name=org.name), "name")
            work.success = _("Organisation %(name)s added.", name=org.name)
            return redirect(url_for("trainees.organisation_edit", org_id=org.id))
    return render_template("trainees/organisation_form.html", form=form, org=None)


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
@organiser_required
def organisation_edit(org_id: int):
    """Edit an organisation; links to its trainees and to merging a duplicate."""
    org = db.get_or_404(Organisation, org_id)
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        with unit_of_work(form, "name", success=_("Changes saved.")):
            services.update_organisation(org, actor=_me(), **form.values())
            return redirect(url_for("trainees.organisation_edit", org_id=org_id))
        org = db.get_or_404(Organisation, org_id)
    trainees = queries.organisation_trainee_counts([org.id])[org.id]
    return render_template("trainees/organisation_form.html", form=form, org=org, trainees=trainees)


@bp.route("/organisations/<int:org_id>/merge")
@organiser_required
def organisation_merge(org_id: int):
    """Choose the duplicate to merge with this organisation, and which of the two to keep."""
    org = db.get_or_404(Organisation, org_id)
    other_id, keep = _int_arg("other"), request.args.get("keep", "")
    if other_id and keep in ("this", "other"):
        keep_id, duplicate_id = (org_id, other_id) if keep == "this" else (other_id, org_id)
        return redirect(url_for("trainees.organisation_merge_confirm", keep_id=keep_id, duplicate_id=duplicate_id))
    if other_id or keep:
        flash(_("Choose the other organisation and which of the two to keep."), "error")
    q = _text_arg("q")
    candidates = queries.merge_candidates(org, q)
    counts = queries.organisation_trainee_counts([org.id, *(c.id for c in candidates)])
    return render_template("trainees/organisation_merge.html", org=org, q=q, candidates=candidates, counts=counts)


@bp.route("/organisations/<int:keep_id>/merge/<int:duplicate_id>", methods=["GET", "POST"])
@organiser_required
def organisation_merge_confirm(keep_id: int, duplicate_id: int):
    """Confirm a merge (showing how many trainees move), then move them and delete the duplicate."""
    keep, duplicate = db.get_or_404(Organisation, keep_id), db.get_or_404(Organisation, duplicate_id)
    if keep_id == duplicate_id:  # only reachable by editing the address: never offer to merge a record with itself
        flash(_("Choose two different organisations to merge."), "error")
        return redirect(url_for("trainees.organisation_merge", org_id=keep_id))
    form = ConfirmForm()
    if form.validate_on_submit():
        name = duplicate.name
        with unit_of_work() as work:
            moved = services.merge_organisations(keep, duplicate, actor=_me())
            work.success = ngettext("Merged %(dup)s into %(keep)s: %(num)d trainee moved.",
                                    "Merged %(dup)s into %(keep)s: %(num)d trainees moved.", moved, dup=name,
                                    keep=keep.name)
            return redirect(url_for("trainees.organisation_edit", org_id=keep_id))
        return redirect(url_for("trainees.organisation_merge", org_id=keep_id))
    counts = queries.organisation_trainee_counts([keep_id, duplicate_id])
    return render_template("trainees/organisation_merge_confirm.html", keep=keep, duplicate=duplicate,
                           counts=counts, form=form)
