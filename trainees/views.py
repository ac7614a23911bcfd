"""Organiser pages for programmes, cohorts, sessions, attendance, organisations and trainees.

Every route is for organisers and administrators. Views are thin: form → service/query → one commit →
flash and redirect, or render. A ``ServiceError`` rolls back and is shown next to the field it names.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.validators import ValidationError

from accounts.permissions import organiser_required
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _, ngettext
from core.refdata import GENDERS, MODALITIES, country_codes, org_type_codes, sector_codes
from trainees import queries, services
from trainees.display import COMMON_TIMEZONES, default_timezone, options
from trainees.duplicates import possible_duplicates
from trainees.forms import (
    AttendanceForm,
    BulkStatusForm,
    CohortForm,
    ConfirmForm,
    EnrolExistingForm,
    NewTraineeForm,
    OrganisationForm,
    ProgrammeEditForm,
    ProgrammeForm,
    SessionForm,
    StatusChangeForm,
    TraineeForm,
    attendance_choices,
    enrolment_status_choices,
)
from trainees.models import COHORT_STATUSES, Organisation, Programme, Trainee
from trainees.status import allowed_targets

bp = Blueprint("trainees", __name__, template_folder="templates")


# --- helpers ----------------------------------------------------------------------------------

def _me():
    return current_user._get_current_object()


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int)


def _text_arg(name: str, max_length: int = 200) -> str:
    """A search text from the query string, trimmed, without NUL characters (PostgreSQL refuses them)."""
    return request.args.get(name, "").replace("\x00", "").strip()[:max_length]


def _choice_arg(name: str, allowed) -> str:
    value = request.args.get(name, "").strip()
    return value if value in allowed else ""


def _country_arg(name: str) -> str:
    return _choice_arg(name, country_codes())


def _show_error(form, exc: ServiceError, default: str) -> None:
    """Roll back whatever the failed service did and show its message next to the named field."""
    db.session.rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None or not hasattr(field, "errors"):
        field = getattr(form, default)
    field.errors = [*field.errors, exc.message]


def _organisation_for(form) -> tuple[Organisation, bool]:
    """The organisation named on a trainee form (by name within its country), created when new.

    Sector and type are asked for only when the organisation is new; an existing one keeps its own.
    """
    name, country, sector, org_type = form.organisation_values()
    existing = services.find_organisation(name, country) if name else None
    if existing is not None:
        return existing, False
    if name and not (sector and org_type):
        raise ServiceError(_("“%(name)s” is a new organisation: choose its sector and its type (or pick the name of "
                             "an existing organisation in that country).", name=name),
                           "sector" if not sector else "org_type")
    return services.get_or_create_organisation(name, country, sector, org_type, actor=_me())


def _unique_code(lookup, message: str, current=None):
    """A validator reporting a code already in use together with the form's other errors (the service re-checks)."""
    def check(form, field):
        other = lookup(field.data) if field.data else None
        if other is not None and other is not current:
            raise ValidationError(message % {"code": field.data})
    return check


def _per_page() -> int:
    return current_app.config["PER_PAGE"]


def _warn_if_over_capacity(cohort) -> None:
    if services.is_over_capacity(cohort):
        flash(_("%(code)s is over capacity: %(taken)d seats taken for %(capacity)d places.", code=cohort.code,
                taken=services.counted_or_open_count(cohort), capacity=cohort.capacity), "warning")


# --- programmes -------------------------------------------------------------------------------

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
        try:
            programme = services.create_programme(
                form.code.data, form.name.data, form.funder.data or "", form.description.data or "",
                organiser_names=form.organiser_entries, actor=_me())
        except ServiceError as exc:
            _show_error(form, exc, "code")
        else:
            db.session.commit()
            flash(_("Programme %(code)s created.", code=programme.code), "success")
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
        try:
            services.update_programme(programme, actor=_me(), name=form.name.data, funder=form.funder.data or "",
                                      description=form.description.data or "")
            services.set_organiser_names(programme, form.organiser_entries, actor=_me())
        except ServiceError as exc:
            _show_error(form, exc, "organiser_history")
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("trainees.programme_detail", programme_id=programme_id))
    return render_template("trainees/programme_form.html", form=form, programme=programme)


# --- cohorts ----------------------------------------------------------------------------------

@bp.route("/cohorts")
@organiser_required
def cohorts():
    """Cohorts filtered by fiscal year, modality, host country, status and text, with enrolment counts."""
    f = queries.CohortFilters(
        q=_text_arg("q"), fy=_int_arg("fy"), modality=_choice_arg("modality", MODALITIES),
        country=_country_arg("country"), status=_choice_arg("status", COHORT_STATUSES),
        programme_id=_int_arg("programme"))
    page = db.paginate(queries.cohorts_query(f), per_page=_per_page(), error_out=False)
    return render_template(
        "trainees/cohorts.html", page=page, f=f, counts=queries.cohort_counts([c.id for c in page.items]),
        fy_options=options("fy", queries.fiscal_years()), modality_options=options("modality", MODALITIES),
        country_options=options("country", queries.host_countries(), by_name=True),
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
            try:
                cohort = services.create_cohort(programme, actor=_me(), **form.values())
            except ServiceError as exc:
                _show_error(form, exc, "code")
            else:
                db.session.commit()
                flash(_("Cohort %(code)s created. Add its sessions and participants next.", code=cohort.code),
                      "success")
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
        try:
            programme = db.session.get(Programme, form.programme_id.data)
            if programme is None:
                raise ServiceError(_("Choose a programme."), "programme_id")
            services.update_cohort(cohort, actor=_me(), **form.values())
            services.move_cohort(cohort, programme, actor=_me())
        except ServiceError as exc:
            _show_error(form, exc, "code")
        else:
            outside = [s for s in cohort.sessions if not cohort.start_date <= s.date <= cohort.end_date]
            db.session.commit()
            flash(_("Changes saved."), "success")
            _warn_if_over_capacity(cohort)
            if outside:
                flash(ngettext("%(num)d session now lies outside the cohort's dates; move or delete it.",
                               "%(num)d sessions now lie outside the cohort's dates; move or delete them.",
                               len(outside)), "warning")
            return redirect(url_for("trainees.cohort_detail", cohort_id=cohort_id))
    return render_template("trainees/cohort_form.html", form=form, cohort=cohort)


@bp.route("/cohorts/<int:cohort_id>")
@organiser_required
def cohort_detail(cohort_id: int):
    """A cohort: participants with status, sessions with attendance summary, bulk status change."""
    return _render_cohort(queries.get_cohort(cohort_id), _bulk_form())


def _bulk_form() -> BulkStatusForm:
    form = BulkStatusForm()
    form.target.choices = [("", _("— choose —")), *enrolment_status_choices()]
    return form


def _render_cohort(cohort, bulk_form: BulkStatusForm):
    """The cohort page; after a refused bulk change it keeps the ticks, status and reason, with the errors."""
    enrolments = queries.cohort_enrolments(cohort)
    counts = queries.cohort_counts([cohort.id])[cohort.id]
    return render_template(
        "trainees/cohort_detail.html", cohort=cohort, enrolments=enrolments, counts=counts,
        over_capacity=cohort.capacity is not None and counts.seats > cohort.capacity,
        summaries=queries.session_summaries(cohort), rates=queries.enrolment_attendance_rates(
            [e.id for e in enrolments]), bulk_form=bulk_form, lock_form=ConfirmForm(),
        selected=set(bulk_form.enrolment_ids.data or ()) if bulk_form.errors else set(),
        sheet_size=sum(1 for e in enrolments if e.status in queries.SHEET_STATUSES))


@bp.route("/cohorts/<int:cohort_id>/enrolments/status", methods=["POST"])
@organiser_required
def bulk_status(cohort_id: int):
    """Change the status of the ticked enrolments; illegal changes are skipped and reported."""
    cohort = queries.get_cohort(cohort_id)
    form = _bulk_form()
    if not form.validate_on_submit():
        return _render_cohort(cohort, form)
    enrolments = queries.enrolments_by_ids(cohort, form.enrolment_ids.data)
    changed, problems = services.bulk_change_status(enrolments, form.target.data, form.reason.data or "",
                                                    actor=_me())
    db.session.commit()
    flash(ngettext("%(num)d enrolment changed.", "%(num)d enrolments changed.", changed), "success")
    if problems:
        flash(ngettext("%(num)d skipped: ", "%(num)d skipped: ", len(problems)) + " · ".join(problems), "warning")
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
        try:
            services.change_status(enrolment, form.target.data, form.reason.data or "", actor=_me())
        except ServiceError as exc:
            _show_error(form, exc, "target")
            enrolment = queries.get_enrolment(enrolment_id)
        else:
            db.session.commit()
            flash(_("%(name)s is now %(status)s.", name=enrolment.trainee.full_name,
                    status=dict(enrolment_status_choices())[enrolment.status]), "success")
            return redirect(url_for("trainees.cohort_detail", cohort_id=enrolment.cohort_id))
    return render_template("trainees/enrolment_status.html", enrolment=enrolment, form=form)


# --- adding participants -------------------------------------------------------------------------

def _duplicates_to_confirm(form) -> list:
    """Possible duplicates of a person typed in by hand, unless the organiser said it is someone else."""
    if request.form.get("not_duplicate"):
        return []
    v = form.trainee_values()
    if services.find_trainee_by_email(v["email"]) is not None:
        return []  # the same e-mail is refused by the service, with a link to the registered person
    return possible_duplicates(v["family_name"], v["given_names"], v["email"], v["date_of_birth"], v["nationality"],
                               loose=True)


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
    try:
        services.enrol(trainee, cohort, form.status.data, actor=_me())
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s added to %(code)s.", name=trainee.full_name, code=cohort.code), "success")
        _warn_if_over_capacity(cohort)
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
        try:
            org, _created = _organisation_for(form)
            trainee = services.create_trainee(org, actor=_me(), **form.trainee_values())
            services.enrol(trainee, cohort, form.status.data, actor=_me())
        except ServiceError as exc:
            _show_error(form, exc, "email")
        else:
            db.session.commit()
            flash(_("%(name)s added to %(code)s.", name=trainee.full_name, code=cohort.code), "success")
            _warn_if_over_capacity(cohort)
            return redirect(url_for("trainees.enrol", cohort_id=cohort_id))
    return _render_enrol(queries.get_cohort(cohort_id), form)


# --- sessions and attendance --------------------------------------------------------------------

@bp.route("/cohorts/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
@organiser_required
def session_new(cohort_id: int):
    """Add a session within the cohort's dates."""
    cohort = queries.get_cohort(cohort_id)
    form = SessionForm()
    form.cohort = cohort
    if request.method == "GET":
        form.date.data = cohort.start_date
        form.venue.data = cohort.venue
        form.timezone.data = default_timezone(cohort)
    if form.validate_on_submit():
        try:
            services.add_session(cohort, actor=_me(), **form.values())
        except ServiceError as exc:
            _show_error(form, exc, "date")
        else:
            db.session.commit()
            flash(_("Session added."), "success")
            return redirect(url_for("trainees.cohort_detail", cohort_id=cohort_id, _anchor="sessions"))
    return render_template("trainees/session_form.html", form=form, cohort=cohort, session=None,
                           timezones=COMMON_TIMEZONES)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@organiser_required
def session_edit(session_id: int):
    """Edit a session."""
    session = queries.get_session(session_id)
    form = SessionForm(obj=session)
    form.cohort = session.cohort
    if form.validate_on_submit():
        try:
            services.update_session(session, actor=_me(), **form.values())
        except ServiceError as exc:
            _show_error(form, exc, "date")
            session = queries.get_session(session_id)
        else:
            db.session.commit()
            flash(_("Session saved."), "success")
            return redirect(url_for("trainees.cohort_detail", cohort_id=session.cohort_id, _anchor="sessions"))
    return render_template("trainees/session_form.html", form=form, cohort=session.cohort, session=session,
                           timezones=COMMON_TIMEZONES)


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@organiser_required
def session_delete(session_id: int):
    """Ask for confirmation, then delete a session and its attendance marks."""
    session = queries.get_session(session_id)
    cohort_id = session.cohort_id
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            deleted = services.delete_session(session, actor=_me())
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(ngettext("Session deleted with %(num)d attendance mark.",
                           "Session deleted with %(num)d attendance marks.", deleted), "success")
        return redirect(url_for("trainees.cohort_detail", cohort_id=cohort_id, _anchor="sessions"))
    marks = len(queries.session_marks(session))
    return render_template("trainees/session_delete.html", session=session, form=form, marks=marks)


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@organiser_required
def attendance(session_id: int):
    """The attendance sheet of a session: one row per accepted/confirmed/completed/incomplete enrolment."""
    session = queries.get_session(session_id)
    rows = queries.cohort_enrolments(session.cohort, queries.SHEET_STATUSES)
    form = AttendanceForm()
    if form.validate_on_submit():
        marks = {e.id: request.form[f"mark-{e.id}"] for e in rows if request.form.get(f"mark-{e.id}")}
        if form.all_present.data:  # the rows left unmarked become present; marks chosen on the sheet are kept
            marks = {e.id: "present" for e in rows} | marks
        try:
            changed = services.record_attendance(session, marks, actor=_me())
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(ngettext("%(num)d change saved.", "%(num)d changes saved.", changed), "success")
        return redirect(url_for("trainees.attendance", session_id=session_id))
    return render_template("trainees/attendance.html", session=session, cohort=session.cohort, rows=rows,
                           marks=queries.session_marks(session), form=form, lock_form=ConfirmForm(),
                           choices=attendance_choices())


@bp.route("/cohorts/<int:cohort_id>/attendance-lock", methods=["POST"])
@organiser_required
def attendance_lock(cohort_id: int):
    """Lock (read-only) or unlock the cohort's attendance sheets."""
    cohort = queries.get_cohort(cohort_id)
    if ConfirmForm().validate_on_submit():
        locked = request.form.get("locked") == "1"
        services.set_attendance_lock(cohort, locked, actor=_me())
        db.session.commit()
        flash(_("Attendance is locked.") if locked else _("Attendance is unlocked."), "success")
    session_id = request.form.get("session_id", type=int)
    if session_id and any(s.id == session_id for s in cohort.sessions):
        return redirect(url_for("trainees.attendance", session_id=session_id))
    return redirect(url_for("trainees.cohort_detail", cohort_id=cohort_id, _anchor="sessions"))


# --- organisations ----------------------------------------------------------------------------

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
        try:
            org, created = services.get_or_create_organisation(values["name"], values["country"],
                                                               values["sector_code"], values["org_type"], actor=_me())
            if not created:
                raise ServiceError(_("%(name)s already exists in that country.", name=org.name), "name")
        except ServiceError as exc:
            _show_error(form, exc, "name")
        else:
            db.session.commit()
            flash(_("Organisation %(name)s added.", name=org.name), "success")
            return redirect(url_for("trainees.organisation_edit", org_id=org.id))
    return render_template("trainees/organisation_form.html", form=form, org=None)


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
@organiser_required
def organisation_edit(org_id: int):
    """Edit an organisation; links to its trainees and to merging a duplicate."""
    org = db.get_or_404(Organisation, org_id)
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        try:
            services.update_organisation(org, actor=_me(), **form.values())
        except ServiceError as exc:
            _show_error(form, exc, "name")
            org = db.get_or_404(Organisation, org_id)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("trainees.organisation_edit", org_id=org_id))
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
        try:
            moved = services.merge_organisations(keep, duplicate, actor=_me())
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("trainees.organisation_merge", org_id=keep_id))
        db.session.commit()
        flash(ngettext("Merged %(dup)s into %(keep)s: %(num)d trainee moved.",
                       "Merged %(dup)s into %(keep)s: %(num)d trainees moved.", moved, dup=name, keep=keep.name),
              "success")
        return redirect(url_for("trainees.organisation_edit", org_id=keep_id))
    counts = queries.organisation_trainee_counts([keep_id, duplicate_id])
    return render_template("trainees/organisation_merge_confirm.html", keep=keep, duplicate=duplicate,
                           counts=counts, form=form)


# --- trainees ---------------------------------------------------------------------------------

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
        try:
            org, _created = _organisation_for(form)
            trainee = services.create_trainee(org, actor=_me(), **form.trainee_values())
        except ServiceError as exc:
            _show_error(form, exc, "email")
        else:
            db.session.commit()
            flash(_("Trainee %(name)s added.", name=trainee.full_name), "success")
            return redirect(url_for("trainees.trainee_detail", trainee_id=trainee.id))
    return render_template("trainees/trainee_form.html", form=form, trainee=None, duplicates=duplicates)


@bp.route("/trainees/<int:trainee_id>")
@organiser_required
def trainee_detail(trainee_id: int):
    """The person's training passport: every enrolment across years, its history and attendance."""
    trainee = queries.get_trainee(trainee_id)
    return render_template("trainees/trainee_detail.html", trainee=trainee,
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
        try:
            org, created = _organisation_for(form)
            services.update_trainee(trainee, actor=_me(), organisation_id=org.id, **form.trainee_values())
        except ServiceError as exc:
            _show_error(form, exc, "email")
            trainee = queries.get_trainee(trainee_id)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            if created:
                flash(_("A new organisation %(name)s was created. If it duplicates an existing one, merge them.",
                        name=org.name), "warning")
            return redirect(url_for("trainees.trainee_detail", trainee_id=trainee_id))
    return render_template("trainees/trainee_form.html", form=form, trainee=trainee)
