"""Trainee portal (the signed-in trainee's own training) and the organiser's portal invitations.

Routes live on the trainees blueprint (``trainees.blueprint.bp``).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from accounts.mail import mail_link, send_password_link
from accounts.permissions import organiser_required, trainee_required
from core.extensions import db
from core.i18n import _, _l
from core.mail import mail_is_configured
from core.refdata import country_name, fiscal_year_label, modality_name
from core.uow import unit_of_work
from trainees import portal_queries, services
from trainees.blueprint import bp
from trainees.models import Cohort, CohortSession, Trainee
from trainees.status import status_name

log = logging.getLogger("kakehashi.trainees")

ATTENDANCE_LABELS = {"present": _l("Present"), "late": _l("Late"), "excused": _l("Excused"), "absent": _l("Absent")}
SESSION_TYPE_LABELS = {
    "lecture": _l("Lecture"), "hands_on": _l("Hands-on"), "exercise": _l("Exercise"),
    "site_visit": _l("Site visit"), "presentation": _l("Presentation"), "test": _l("Test"),
    "ceremony": _l("Ceremony"), "orientation": _l("Orientation"), "other": _l("Other"),
}
#: On the portal home, sessions are unfolded for cohorts running now or starting within this many days.
OPEN_SESSIONS_DAYS = 30
#: How many refusals a cohort invitation lists in flash messages (the session cookie is small).
MAX_FLASHED_PROBLEMS = 5


# --- display helpers ----------------------------------------------------------------------------

def _lang() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def utc_offset_label(day: date, clock, tz_name: str) -> str:
    """'UTC+9', 'UTC+6:30' or 'UTC−3' for a time zone on a given day ('' for an unknown zone)."""
    try:
        offset = datetime.combine(day, clock or datetime.min.time(), tzinfo=ZoneInfo(tz_name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def session_time(session: CohortSession) -> str:
    """'09:30–12:00 Asia/Tokyo (UTC+9)'; times are local to the session's own time zone."""
    if session.start_time and session.end_time:
        clock = f"{session.start_time:%H:%M}–{session.end_time:%H:%M}"
    elif session.start_time:
        clock = f"{session.start_time:%H:%M}"
    else:
        return _("all day")  # no clock time, so the time zone would say nothing useful
    offset = utc_offset_label(session.date, session.start_time, session.timezone)
    return f"{clock} {session.timezone}" + (f" ({offset})" if offset else "")


def _labels() -> dict:
    lang = _lang()
    return {
        "status": lambda s: status_name(s, lang),
        "modality": lambda m: modality_name(m, lang),
        "country": lambda c: country_name(c, lang),
        "fy": lambda fy: fiscal_year_label(fy, lang),
        "attendance": lambda a: ATTENDANCE_LABELS.get(a, a),
        "session_type": lambda t: SESSION_TYPE_LABELS.get(t, t),
        "session_time": session_time,
    }


def _back() -> str:
    """Where to return after an invitation: a local ``next`` field, the referring page on this site, or home."""
    for target in (request.form.get("next"), request.referrer):
        if not target:
            continue
        parts = urlsplit(target)
        if parts.netloc and parts.netloc != request.host:
            continue
        if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/") or parts.path.startswith("//"):
            continue
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for("accounts.home")


# --- trainee portal -------------------------------------------------------------------------------

@bp.route("/me")
@trainee_required
def portal_home():
    """The signed-in trainee's own cohorts, sessions and attendance — nobody else's."""
    trainee = portal_queries.trainee_for_user(current_user.id)
    cohorts = portal_queries.my_cohorts(trainee) if trainee else []
    today = date.today()
    current = [c for c in cohorts if c.cohort.end_date >= today]
    current.reverse()  # soonest first
    past = [c for c in cohorts if c.cohort.end_date < today]
    return render_template("trainees/portal_home.html", trainee=trainee, current=current, past=past,
                           today=today, soon=today + timedelta(days=OPEN_SESSIONS_DAYS), **_labels())


@bp.route("/me/cohorts/<int:cohort_id>")
@trainee_required
def portal_cohort(cohort_id: int):
    """One of the trainee's own cohorts in full; 404 when they are not enrolled in it."""
    trainee = portal_queries.trainee_for_user(current_user.id)
    view = portal_queries.my_cohort(trainee, cohort_id) if trainee else None
    if view is None:
        abort(404)
    return render_template("trainees/portal_cohort.html", trainee=trainee, view=view, today=date.today(),
                           **_labels())


# --- organiser: invitations -----------------------------------------------------------------------

@bp.route("/trainees/<int:trainee_id>/invite", methods=["POST"])
@organiser_required
def invite(trainee_id: int):
    """Give a trainee a portal account (or reuse theirs) and send a one-time link to set a password."""
    trainee = db.get_or_404(Trainee, trainee_id)
    with unit_of_work() as work:
        invitation = services.invite_trainee(trainee, actor=current_user)
        mail_link(invitation.user, invitation.token, invitation.purpose)  # queued with the invitation
    if not work.ok:
        return redirect(_back())
    name, email = trainee.full_name, invitation.user.email
    if not mail_is_configured(current_app):  # nothing is mailed: the next message gives the link to pass on
        if invitation.created:
            flash(_("Portal account created for %(name)s.", name=name), "success")
        elif invitation.purpose == "invite":
            flash(_("A new invitation link was made for %(email)s; earlier links no longer work.", email=email),
                  "success")
        else:
            flash(_("%(name)s already uses the portal; a link to choose a new password was made.", name=name),
                  "success")
    elif invitation.created:
        flash(_("Portal account created for %(name)s; an invitation link was sent to %(email)s.",
                name=name, email=email), "success")
    elif invitation.purpose == "invite":
        flash(_("A new invitation link was sent to %(email)s; earlier links no longer work.", email=email),
              "success")
    else:
        flash(_("%(name)s already uses the portal; a link to choose a new password was sent to %(email)s.",
                name=name, email=email), "success")
    return redirect(_back())


@bp.route("/cohorts/<int:cohort_id>/invite", methods=["POST"])
@organiser_required
def invite_cohort(cohort_id: int):
    """Invite every accepted or confirmed trainee of a cohort who has no portal account yet."""
    cohort = db.get_or_404(Cohort, cohort_id)
    links, unsent = [], 0  # mail is queued with the invitations; a mail server failure is retried later
    with unit_of_work() as work:
        invitations, already, problems = services.invite_cohort(cohort, actor=current_user)
        for invitation in invitations:
            links.append((invitation, send_password_link(invitation.user, invitation.token, invitation.purpose)))
    if not work.ok:
        return redirect(_back())
    if links and (unsent or not mail_is_configured(current_app)):
        return render_template("trainees/portal_invite_links.html", cohort=cohort, links=links, already=already,
                               problems=problems, unsent=unsent, back=_back())
    flash(_("%(code)s: %(invited)d invited, %(already)d already had a portal account, %(refused)d could not be "
            "invited.", code=cohort.code, invited=len(invitations), already=already, refused=len(problems)),
          "success" if not problems else "warning")
    for problem in problems[:MAX_FLASHED_PROBLEMS]:
        flash(problem, "error")
    if len(problems) > MAX_FLASHED_PROBLEMS:
        flash(_("…and %(n)d more.", n=len(problems) - MAX_FLASHED_PROBLEMS), "error")
    return redirect(_back())
