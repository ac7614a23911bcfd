"""Organiser pages: trainees (people across years) and their training passport.

Every route is for organisers and administrators; views are thin (form → service → one unit of work
(``core.uow``) → flash and redirect, or render)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for

from accounts.permissions import organiser_required
from core.extensions import db
from core.i18n import _
from core.refdata import GENDERS, sector_codes
from core.uow import unit_of_work
from trainees import queries, services
from trainees.blueprint import bp
from trainees.display import options
from trainees.forms import (
    TraineeForm,
)
from trainees.models import Organisation
from trainees.views._common import (
    _choice_arg,
    _country_arg,
    _duplicates_to_confirm,
    _int_arg,
    _me,
    _organisation_for,
    _per_page,
    _text_arg,
)


@bp.route("/trainees")
@organiser_required
def trainees():
    """Trainees searched by name, e-mail or organisation; filtered by nationality, sector, gender, cohort."""
    f = queries.TraineeFilters(
        q=_text_arg("q"), nationality=_country_arg("nationality"),
        sector=_choice_arg("sector", sector_codes(include_retired=True)), gender=_choice_arg("gender", GENDERS),
        cohort_id=_int_arg("cohort"), organisation_id=_int_arg("organisation"))
    page = db.paginate(queries.trainees_query(f), per_page=_per_page(), error_out=False)
    organisation = db.session.get(Organisation, f.organisation_id) if f.organisation_id else None
    return render_template("trainees/trainees.html", page=page, f=f, organisation=organisation,
                           counts=queries.trainee_enrolment_counts([t.id for t in page.items]),
                           nationality_options=options("country", queries.nationalities(), by_name=True),
                           sector_options=options("sector", sector_codes()), gender_options=options("gender", GENDERS),
                           cohort_options=[(c.id, f"{c.code} — {c.title}") for c in queries.cohort_options()])


@bp.route("/trainees/new", methods=["GET", "POST"])
@organiser_required
def trainee_new():
    """Add a person without enrolling them (enrol from a cohort's page)."""
    form = TraineeForm()
    duplicates = []
    if form.validate_on_submit() and not (duplicates := _duplicates_to_confirm(form)):
        with unit_of_work(form, "email") as work:
            org, _created = _organisation_for(form)
            trainee = services.create_trainee(org, actor=_me(), **form.trainee_values())
            work.success = _("Trainee %(name)s added.", name=trainee.full_name)
            return redirect(url_for("trainees.trainee_detail", trainee_id=trainee.id))
    return render_template("trainees/trainee_form.html", form=form, trainee=None, duplicates=duplicates)


@bp.route("/trainees/<int:trainee_id>")
@organiser_required
def trainee_detail(trainee_id: int):
    """The person's training passport: every enrolment across years, its history and attendance."""
    trainee = queries.get_trainee(trainee_id)
    from accounts import consent

    record = consent.latest_records([trainee.user_id]).get(trainee.user_id) if trainee.user_id else None
    return render_template("trainees/trainee_detail.html", trainee=trainee,
                           consent_record=record, consent_status=consent.status_of(record),
                           passport=queries.training_passport(trainee),
                           can_invite="trainees.invite" in current_app.view_functions)


@bp.route("/trainees/<int:trainee_id>/edit", methods=["GET", "POST"])
@organiser_required
def trainee_edit(trainee_id: int):
    """Edit a person; a new organisation name (in that country) creates the organisation."""
    trainee = queries.get_trainee(trainee_id)
    form = TraineeForm(obj=trainee)
    if request.method == "GET":
        org = trainee.organisation
        form.organisation.data, form.organisation_country.data = org.name, org.country
        form.sector.data, form.org_type.data = org.sector_code, org.org_type
    if form.validate_on_submit():
        with unit_of_work(form, "email", success=_("Changes saved.")) as work:
            org, created = _organisation_for(form)
            services.update_trainee(trainee, actor=_me(), organisation_id=org.id, **form.trainee_values())
            if created:
                work.flash(_("A new organisation %(name)s was created. If it duplicates an existing one, merge them.",
                             name=org.name), "warning")
            return redirect(url_for("trainees.trainee_detail", trainee_id=trainee_id))
        trainee = queries.get_trainee(trainee_id)
    return render_template("trainees/trainee_form.html", form=form, trainee=trainee)
