"""Organiser pages: a cohort's sessions and their attendance sheets.

Every route is for organisers and administrators; views are thin (form → service → one unit of work
(``core.uow``) → flash and redirect, or render)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from accounts.permissions import organiser_required
from core.i18n import _, ngettext
from core.uow import run_service, unit_of_work
from trainees import queries, services
from trainees.blueprint import bp
from trainees.display import COMMON_TIMEZONES, default_timezone
from trainees.forms import (
    AttendanceForm,
    ConfirmForm,
    SessionForm,
    attendance_choices,
)
from trainees.views._common import (
    _me,
)


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
        with unit_of_work(form, "date", success=_("Session added.")):
            services.add_session(cohort, actor=_me(), **form.values())
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
        with unit_of_work(form, "date", success=_("Session saved.")):
            services.update_session(session, actor=_me(), **form.values())
            return redirect(url_for("trainees.cohort_detail", cohort_id=session.cohort_id, _anchor="sessions"))
        session = queries.get_session(session_id)
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
        with unit_of_work() as work:
            deleted = services.delete_session(session, actor=_me())
            work.success = ngettext("Session deleted with %(num)d attendance mark.",
                                    "Session deleted with %(num)d attendance marks.", deleted)
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
        with unit_of_work() as work:
            changed = services.record_attendance(session, marks, actor=_me())
            work.success = ngettext("%(num)d change saved.", "%(num)d changes saved.", changed)
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
        run_service(lambda: services.set_attendance_lock(cohort, locked, actor=_me()),
                    success=_("Attendance is locked.") if locked else _("Attendance is unlocked."))
    session_id = request.form.get("session_id", type=int)
    if session_id and any(s.id == session_id for s in cohort.sessions):
        return redirect(url_for("trainees.attendance", session_id=session_id))
    return redirect(url_for("trainees.cohort_detail", cohort_id=cohort_id, _anchor="sessions"))
