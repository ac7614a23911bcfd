"""Organiser pages: cohorts, their participants' statuses (one and in bulk).

Every route is for organisers and administrators; views are thin (form → service → one unit of work
(``core.uow``) → flash and redirect, or render)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from accounts.permissions import organiser_required
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _, ngettext
from core.pagination import paginate_rows
from core.refdata import MODALITIES
from core.uow import unit_of_work
from trainees import queries, services
from trainees.blueprint import bp
from trainees.display import options
from trainees.forms import (
    BulkStatusBox,
    BulkStatusForm,
    CohortForm,
    StatusChangeForm,
    bulk_target_choices,
    enrolment_status_choices,
)
from trainees.models import COHORT_STATUSES, Programme
from trainees.status import allowed_targets
from trainees.views._common import (
    _choice_arg,
    _country_arg,
    _int_arg,
    _me,
    _per_page,
    _text_arg,
    _unique_code,
    _warn_if_over_capacity,
)


@bp.route("/cohorts")
@organiser_required
def cohorts():
    """Cohorts filtered by fiscal year, modality, host country, status and text, with enrolment counts."""
    f = queries.CohortFilters(
        q=_text_arg("q"), fy=_int_arg("fy"), modality=_choice_arg("modality", MODALITIES),
        country=_country_arg("country"), status=_choice_arg("status", COHORT_STATUSES),
        programme_id=_int_arg("programme"))
    statement, params = queries.cohorts_query(f)
    page = paginate_rows(statement, queries.CohortListRow, per_page=_per_page(), params=params)
    years, countries = queries.cohort_filter_values()
    return render_template(
        "trainees/cohorts.html", page=page, f=f, counts=queries.cohort_counts([c.id for c in page.items]),
        fy_options=options("fy", years), modality_options=options("modality", MODALITIES),
        country_options=options("country", countries, by_name=True),
        status_options=options("cohort_status", COHORT_STATUSES))


def _cohort_form(cohort=None) -> CohortForm:
    form = CohortForm(obj=cohort)
    form.programme_id.choices = queries.programme_choices()
    if cohort is None:
        # a new cohort names its programme on purpose (preselected only when coming from a programme's page)
        if form.programme_id.choices:
            form.programme_id.choices = [("", _("— choose —")), *form.programme_id.choices]
        if request.method == "GET":
            form.programme_id.data = _int_arg("programme")
    return form


@bp.route("/cohorts/new", methods=["GET", "POST"])
@organiser_required
def cohort_new():
    """Create a cohort (a run of a course) in a programme."""
    form = _cohort_form()
    unique = _unique_code(services.get_cohort_by_code, _("A cohort with the code %(code)s already exists."))
    if form.validate_on_submit(extra_validators={"code": [unique]}):
        programme = db.session.get(Programme, form.programme_id.data)
        if programme is None:
            form.programme_id.errors.append(_("Choose a programme."))
        else:
            with unit_of_work(form, "code") as work:
                cohort = services.create_cohort(programme, actor=_me(), **form.values())
                work.success = _("Cohort %(code)s created. Add its sessions and participants next.", code=cohort.code)
                return redirect(url_for("trainees.cohort_detail", cohort_id=cohort.id))
    return render_template("trainees/cohort_form.html", form=form, cohort=None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@organiser_required
def cohort_edit(cohort_id: int):
    """Edit a cohort's code, dates, place, capacity and status."""
    cohort = queries.get_cohort(cohort_id)
    form = _cohort_form(cohort)
    unique = _unique_code(services.get_cohort_by_code, _("A cohort with the code %(code)s already exists."), cohort)
    if form.validate_on_submit(extra_validators={"code": [unique]}):
        with unit_of_work(form, "code", success=_("Changes saved.")) as work:
            programme = db.session.get(Programme, form.programme_id.data)
            if programme is None:
                raise ServiceError(_("Choose a programme."), "programme_id")
            services.update_cohort(cohort, actor=_me(), **form.values())
            services.move_cohort(cohort, programme, actor=_me())
            outside = [s for s in cohort.sessions if not cohort.start_date <= s.date <= cohort.end_date]
            _warn_if_over_capacity(work, cohort)
            if outside:
                work.flash(ngettext("%(num)d session now lies outside the cohort's dates; move or delete it.",
                               "%(num)d sessions now lie outside the cohort's dates; move or delete them.",
                               len(outside)), "warning")
            return redirect(url_for("trainees.cohort_detail", cohort_id=cohort_id))
    return render_template("trainees/cohort_form.html", form=form, cohort=cohort)


@bp.route("/cohorts/<int:cohort_id>")
@organiser_required
def cohort_detail(cohort_id: int):
    """A cohort: participants with status, sessions with attendance summary, bulk status change."""
    return _render_cohort(queries.cohort_header(cohort_id), BulkStatusBox.blank())


def _bulk_form() -> BulkStatusForm:
    form = BulkStatusForm()
    form.target.choices = bulk_target_choices()
    return form


def _render_cohort(cohort: queries.CohortHeader, box: BulkStatusBox):
    """The cohort page; after a refused bulk change its box keeps the ticks, status and reason, with the errors."""
    enrolments = queries.cohort_participants(cohort)
    counts = queries.seat_counts(e.status for e in enrolments)
    return render_template(
        "trainees/cohort_detail.html", cohort=cohort, enrolments=enrolments, counts=counts,
        over_capacity=cohort.capacity is not None and counts.seats > cohort.capacity,
        sessions=queries.cohort_sessions(cohort), box=box,
        sheet_size=sum(1 for e in enrolments if e.status in queries.SHEET_STATUSES))


@bp.route("/cohorts/<int:cohort_id>/enrolments/status", methods=["POST"])
@organiser_required
def bulk_status(cohort_id: int):
    """Change the status of the ticked enrolments; illegal changes are skipped and reported."""
    cohort = queries.get_cohort(cohort_id, sessions=False)
    form = _bulk_form()
    if not form.validate_on_submit():
        return _render_cohort(queries.cohort_header(cohort_id), BulkStatusBox.of(form))
    enrolments = queries.enrolments_by_ids(cohort, form.enrolment_ids.data)
    with unit_of_work() as work:
        changed, problems = services.bulk_change_status(enrolments, form.target.data, form.reason.data or "",
                                                        actor=_me())
        work.flash(ngettext("%(num)d enrolment changed.", "%(num)d enrolments changed.", changed))
        if problems:
            work.flash(ngettext("%(num)d skipped: ", "%(num)d skipped: ", len(problems)) + " · ".join(problems),
                       "warning")
    return redirect(url_for("trainees.cohort_detail", cohort_id=cohort_id))


@bp.route("/enrolments/<int:enrolment_id>/status", methods=["GET", "POST"])
@organiser_required
def enrolment_status(enrolment_id: int):
    """Change one enrolment's status with a reason; shows its history. Only legal targets are offered."""
    enrolment = queries.get_enrolment(enrolment_id)
    form = StatusChangeForm()
    targets = enrolment_status_choices(allowed_targets(enrolment.status))
    # nothing is preselected: a stray click must not mark someone "Completed" before the course has run
    form.target.choices = [("", _("— choose —")), *targets] if targets else []
    if form.validate_on_submit():
        with unit_of_work(form, "target") as work:
            services.change_status(enrolment, form.target.data, form.reason.data or "", actor=_me())
            work.success = _("%(name)s is now %(status)s.", name=enrolment.trainee.full_name,
                             status=dict(enrolment_status_choices())[enrolment.status])
            return redirect(url_for("trainees.cohort_detail", cohort_id=enrolment.cohort_id))
        enrolment = queries.get_enrolment(enrolment_id)
    return render_template("trainees/enrolment_status.html", enrolment=enrolment, form=form)
