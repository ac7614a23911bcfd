"""Organiser pages: calls, focal points, the selection page (eligibility, scores, balance, decisions)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accounts import mail as account_mail
from accounts import services as account_services
from accounts.permissions import organiser_required
from core.extensions import db
from core.i18n import _
from core.mail import mail_is_configured
from core.uow import run_service, unit_of_work
from nominations import letters, queries, services
from nominations.blueprint import bp
from nominations.forms import CallForm, DecisionForm, DuplicateForm, FocalPointForm, ScoreForm
from nominations.models import FocalPoint
from nominations.views.common import me, send_document, today
from trainees import services as trainee_services
from trainees.models import Cohort


def _cohort_choices():
    return [(c.id, f"{c.code} — {c.title}") for c in db.session.scalars(
        select(Cohort).order_by(Cohort.start_date.desc()).limit(200))]


@bp.route("/")
@organiser_required
def calls():
    """Calls for nominations with their number of candidates."""
    return render_template("nominations/calls.html", rows=queries.calls_with_counts())


@bp.route("/calls/new", methods=["GET", "POST"])
@organiser_required
def call_new():
    form = CallForm()
    form.cohort_id.choices = _cohort_choices()
    if form.validate_on_submit():
        with unit_of_work(form, "title", success=_("Call for nominations saved.")):
            call = services.create_call(db.get_or_404(Cohort, form.cohort_id.data), form.parsed_quotas(),
                                        form.parsed_questions(), actor=me(), **form.call_values())
            return redirect(url_for("nominations.selection", call_id=call.id))
    return render_template("nominations/call_form.html", form=form, call=None)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@organiser_required
def call_edit(call_id: int):
    call = queries.get_call(call_id)
    form = CallForm(obj=call)
    form.questions.data = ""  # not edited here (the page lists them): never the relationship's repr
    form.cohort_id.choices = _cohort_choices()
    if request.method == "GET":
        form.quotas.data = ", ".join(f"{q.country}={q.quota}" for q in call.quotas)
    if form.validate_on_submit():
        with unit_of_work(form, "title", success=_("Changes saved.")):
            services.update_call(call, form.parsed_quotas(), actor=me(), **form.call_values())
            return redirect(url_for("nominations.selection", call_id=call_id))
    return render_template("nominations/call_form.html", form=form, call=call)


@bp.route("/calls/<int:call_id>")
@organiser_required
def selection(call_id: int):
    """The selection page: candidates, which rule failed, rank, scores, duplicates and the balance panel."""
    call = queries.get_call(call_id)
    # A write on GET, idempotent: accepted candidates whose enrolment was withdrawn since are marked
    # withdrawn once (a repeated GET finds none), so the proposals below offer the next waitlisted one.
    with unit_of_work():
        services.sync_withdrawals(call)
    rows = queries.selection_rows(call, today())
    return render_template("nominations/selection.html", call=call, rows=rows,
                           balance=queries.balance(call, rows), proposals=queries.proposals(call, rows),
                           decision_form=DecisionForm(), duplicate_form=DuplicateForm(), score_form=ScoreForm())


@bp.route("/calls/<int:call_id>/candidates/<int:candidate_id>/decide", methods=["POST"])
@organiser_required
def decide(call_id: int, candidate_id: int):
    call = queries.get_call(call_id)
    candidate = queries.get_candidate(call, candidate_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        sent = services.decide(candidate, form.decision.data, me(), form.reason.data or "")
        queued = letters.queue_letters(sent)  # in the decision's transaction: sent only if it commits
        work.success = _("%(name)s: decision saved; %(n)d letter(s) queued.", name=candidate.full_name, n=queued)
        if queued and not mail_is_configured(current_app):
            work.flash(_("No mail server is configured: the letters are only written to the server log. Copy them "
                         "from the call's Letters page."), "warning")
    return redirect(url_for("nominations.selection", call_id=call.id) + f"#c{candidate_id}")


@bp.route("/calls/<int:call_id>/letters")
@organiser_required
def call_letters(call_id: int):
    """The decision letters of a call (or ``?candidate=<id>``): recipient, subject, text and delivery status."""
    call = queries.get_call(call_id)
    candidate = None
    if request.args.get("candidate"):
        candidate = queries.get_candidate(call, request.args.get("candidate", type=int) or 0)
    rows = queries.letters(call, candidate.id if candidate else None)
    return render_template("nominations/letters.html", call=call, candidate=candidate, rows=rows,
                           mail_configured=mail_is_configured(current_app))


@bp.route("/calls/<int:call_id>/candidates/<int:candidate_id>/duplicate", methods=["POST"])
@organiser_required
def duplicate(call_id: int, candidate_id: int):
    call = queries.get_call(call_id)
    candidate = queries.get_candidate(call, candidate_id)
    form = DuplicateForm()
    if not form.validate_on_submit():
        abort(400)
    run_service(lambda: services.resolve_duplicate(candidate, form.decision.data, me()), success=_("Saved."))
    return redirect(url_for("nominations.selection", call_id=call.id) + f"#c{candidate_id}")


@bp.route("/calls/<int:call_id>/candidates/<int:candidate_id>/scores", methods=["POST"])
@organiser_required
def scores(call_id: int, candidate_id: int):
    call = queries.get_call(call_id)
    candidate = queries.get_candidate(call, candidate_id)
    form = ScoreForm()
    if not form.validate_on_submit():
        flash(_("Scores go from 1 to 5."), "error")
    else:
        scores = {k: getattr(form, k).data for k in ("relevance", "experience", "motivation")}
        run_service(lambda: services.record_scores(candidate, me(), scores), success=_("Scores saved."))
    return redirect(url_for("nominations.selection", call_id=call.id) + f"#c{candidate_id}")


@bp.route("/calls/<int:call_id>/candidates/<int:candidate_id>/endorsement")
@organiser_required
def endorsement(call_id: int, candidate_id: int):
    """Download a candidate's endorsement letter (an attachment, never cached)."""
    candidate = queries.get_candidate(queries.get_call(call_id), candidate_id)
    return send_document(candidate.endorsement_key)


@bp.route("/calls/<int:call_id>/candidates/<int:candidate_id>/documents/<int:question_id>")
@organiser_required
def answer_document(call_id: int, candidate_id: int, question_id: int):
    """Download a document a candidate attached to one of the call's questions (a CV…), as an attachment."""
    candidate = queries.get_candidate(queries.get_call(call_id), candidate_id)
    answer = next((a for a in candidate.answers if a.question_id == question_id), None)
    return send_document(answer.file_key if answer else None)


@bp.route("/focal-points", methods=["GET", "POST"])
@organiser_required
def focal_points():
    """Focal points per country, and inviting a new one."""
    form = FocalPointForm()
    if form.validate_on_submit():
        with unit_of_work(form, "email", success=_("Focal point invited.")):
            org_id = None
            if form.organisation.data:
                found = trainee_services.find_organisation(form.organisation.data, form.country.data)
                org_id = found.id if found else None
            fp = services.create_focal_point(form.email.data, form.country.data, form.display_name.data or "",
                                             org_id, form.locale.data, actor=me())
            raw = account_services.issue_password_token(fp.user, "invite", actor=me())
            account_mail.mail_link(fp.user, raw, "invite")  # queued in this transaction, in their language
            return redirect(url_for("nominations.focal_points"))
    rows = db.session.scalars(select(FocalPoint).options(selectinload(FocalPoint.user))
                              .order_by(FocalPoint.country)).all()
    return render_template("nominations/focal_points.html", form=form, rows=rows)
