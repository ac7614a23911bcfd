"""Organiser pages: adding participants to a cohort (existing or new people).

Every route is for organisers and administrators; views are thin (form → service → one unit of work
(``core.uow``) → flash and redirect, or render)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from accounts.permissions import organiser_required
from core.extensions import db
from core.i18n import _
from core.uow import unit_of_work
from trainees import queries, services
from trainees.blueprint import bp
from trainees.forms import (
    EnrolExistingForm,
    NewTraineeForm,
)
from trainees.models import Trainee
from trainees.views._common import (
    _duplicates_to_confirm,
    _me,
    _organisation_for,
    _text_arg,
    _warn_if_over_capacity,
)


def _render_enrol(cohort, new_form: NewTraineeForm, status: int = 200, duplicates=()):
    q = _text_arg("q")
    # a "new" person whose e-mail is already registered: offer to add the registered person instead
    email = new_form.email.data if new_form.email.errors else None
    known = services.find_trainee_by_email(email) if email else None
    return render_template("trainees/enrol.html", cohort=cohort, q=q, new_form=new_form, known=known,
                           duplicates=duplicates,
                           candidates=queries.enrolment_candidates(cohort, q), existing_form=EnrolExistingForm(),
                           seats=queries.cohort_counts([cohort.id])[cohort.id]), status


@bp.route("/cohorts/<int:cohort_id>/enrol")
@organiser_required
def enrol(cohort_id: int):
    """Add participants: search existing trainees by name or e-mail, or create a new one."""
    cohort = queries.get_cohort(cohort_id)
    return _render_enrol(cohort, NewTraineeForm())


@bp.route("/cohorts/<int:cohort_id>/enrol/existing", methods=["POST"])
@organiser_required
def enrol_existing(cohort_id: int):
    """Enrol an existing trainee."""
    cohort = queries.get_cohort(cohort_id)
    form = EnrolExistingForm()
    if not form.validate_on_submit():
        flash(_("Choose a trainee and an initial status."), "error")
        return redirect(url_for("trainees.enrol", cohort_id=cohort_id))
    trainee = db.get_or_404(Trainee, form.trainee_id.data)
    with unit_of_work(success=_("%(name)s added to %(code)s.", name=trainee.full_name, code=cohort.code)) as work:
        services.enrol(trainee, cohort, form.status.data, actor=_me())
        _warn_if_over_capacity(work, cohort)
    return redirect(url_for("trainees.enrol", cohort_id=cohort_id, q=request.form.get("q") or None))


@bp.route("/cohorts/<int:cohort_id>/enrol/new", methods=["POST"])
@organiser_required
def enrol_new(cohort_id: int):
    """Create a trainee (and their organisation if new) and enrol them."""
    cohort = queries.get_cohort(cohort_id)
    form = NewTraineeForm()
    if form.validate_on_submit():
        duplicates = _duplicates_to_confirm(form)
        if duplicates:
            return _render_enrol(cohort, form, duplicates=duplicates)
        with unit_of_work(form, "email") as work:
            org, _created = _organisation_for(form)
            trainee = services.create_trainee(org, actor=_me(), **form.trainee_values())
            services.enrol(trainee, cohort, form.status.data, actor=_me())
            work.success = _("%(name)s added to %(code)s.", name=trainee.full_name, code=cohort.code)
            _warn_if_over_capacity(work, cohort)
            return redirect(url_for("trainees.enrol", cohort_id=cohort_id))
    return _render_enrol(queries.get_cohort(cohort_id), form)
