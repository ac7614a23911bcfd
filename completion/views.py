"""Organiser pages (completion, surveys, action plans, certificates), trainee pages and public pages."""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.permissions import ensure_owner, organiser_required, public, trainee_required
from completion import jobs as certificate_jobs
from completion import pdf, queries, services
from completion.forms import (
    AcknowledgeForm,
    ActionPlanForm,
    AnswerForm,
    FinaliseForm,
    FollowupForm,
    IssueForm,
    PolicyForm,
    RevokeForm,
    SurveyCreateForm,
)
from completion.models import ActionPlan, Certificate, SurveyInstance, SurveyTemplate
from completion.rules import Policy
from core.extensions import db, limiter
from core.i18n import _
from core.mail import mail_is_configured
from core.mailqueue import queue_mail, recipient_locale
from core.uow import run_service, unit_of_work
from trainees.models import Cohort, Enrolment, Trainee
from trainees.status import COUNTED_STATUSES

bp = Blueprint("completion", __name__, template_folder="templates")


def _policy(cohort: Cohort) -> Policy:
    p = services.get_policy(cohort)
    return Policy(p.min_attendance_pct, p.min_post_test_pct, p.require_courses, p.require_exercise,
                  p.require_action_plan)


def _verify_url(cert: Certificate) -> str:
    return url_for("completion.verify", code=cert.verify_code, _external=True)


# --- organiser --------------------------------------------------------------------------------

@bp.route("/completion")
@organiser_required
def index():
    """Cohorts with links to their completion, surveys, action plans and certificates."""
    cohorts = db.session.scalars(select(Cohort).order_by(Cohort.start_date.desc())).all()
    return render_template("completion/index.html", cohorts=cohorts)


@bp.route("/cohorts/<int:cohort_id>/completion", methods=["GET", "POST"])
@organiser_required
def cohort_completion(cohort_id: int):
    """Completion rules and every trainee against them; the organiser confirms the decisions."""
    cohort = db.get_or_404(Cohort, cohort_id)
    policy = services.get_policy(cohort)
    form, finalise = PolicyForm(obj=policy, prefix="rules"), FinaliseForm(prefix="final")
    if form.submit.data and form.validate_on_submit():
        with unit_of_work(form, success=_("Completion rules saved.")):
            services.update_policy(cohort, current_user, **{k: getattr(form, k).data for k in services.POLICY_FIELDS})
            return redirect(url_for("completion.cohort_completion", cohort_id=cohort.id))
    elif (finalise.submit.data or finalise.confirm.data) and finalise.validate_on_submit():
        decisions = {int(k.split("-", 1)[1]): v for k, v in request.form.items()
                     if k.startswith("decision-") and k.split("-", 1)[1].isdigit()}
        if not finalise.confirm.data:  # first step: say what would change and ask to confirm
            return render_template("completion/cohort_completion_confirm.html", cohort=cohort, finalise=finalise,
                                   decisions=decisions, summary=services.completion_summary(cohort, decisions))
        with unit_of_work() as work:
            changed, problems = services.finalise_completion(cohort, decisions, finalise.reason.data, current_user)
            work.success = _("%(n)d enrolments updated.", n=changed)
        for problem in problems:
            flash(problem, "warning")
        return redirect(url_for("completion.cohort_completion", cohort_id=cohort.id))
    rows = queries.completion_rows(cohort, _policy(cohort))
    return render_template("completion/cohort_completion.html", cohort=cohort, form=form, finalise=finalise,
                           rows=rows, active=_policy(cohort).active_rules())


@bp.route("/cohorts/<int:cohort_id>/surveys", methods=["GET", "POST"])
@organiser_required
def cohort_surveys(cohort_id: int):
    """A cohort's surveys with response rates; create a survey or schedule follow-ups."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if request.method == "GET" and services.default_templates_missing():
        with unit_of_work():  # a write on GET, idempotent: the built-in templates are created once, then found
            services.ensure_default_templates()
    else:  # a POST: any template created lands with the request's one commit
        services.ensure_default_templates()
    templates = db.session.scalars(select(SurveyTemplate).order_by(SurveyTemplate.id)).all()
    form = SurveyCreateForm(title=_("End-of-course survey"), opens_on=cohort.end_date,
                            closes_on=cohort.end_date + timedelta(days=14))
    form.template_id.choices = [(t.id, t.title) for t in templates]
    follow = FollowupForm(prefix="f")
    if follow.submit.data and follow.validate_on_submit():
        with unit_of_work() as work:
            created = services.schedule_followups(cohort, current_user)
            work.success = _("%(n)d follow-up surveys scheduled.", n=len(created))
        return redirect(url_for("completion.cohort_surveys", cohort_id=cohort.id))
    if form.submit.data and form.validate_on_submit():
        template = db.get_or_404(SurveyTemplate, form.template_id.data)
        with unit_of_work(form, "title", success=_("Survey created.")):
            services.create_survey(cohort, template, title=form.title.data, opens_on=form.opens_on.data,
                                   closes_on=form.closes_on.data, anonymous=form.anonymous.data,
                                   kind=template.kind, actor=current_user)
            return redirect(url_for("completion.cohort_surveys", cohort_id=cohort.id))
    surveys = queries.surveys_for_cohort(cohort.id)
    return render_template("completion/cohort_surveys.html", cohort=cohort, form=form, follow=follow,
                           surveys=surveys, eligible=queries.eligible_count(cohort.id))


@bp.route("/surveys/<int:survey_id>")
@organiser_required
def survey_results(survey_id: int):
    """Results per item: mean, top-2-box share, n, response rate, comments."""
    instance = db.get_or_404(SurveyInstance, survey_id)
    results, answered, eligible = queries.survey_results(instance)
    minimum = queries.min_responses()
    return render_template("completion/survey_results.html", instance=instance,
                           results=results if answered >= minimum else [], minimum=minimum,
                           answered=answered, eligible=eligible)


@bp.route("/cohorts/<int:cohort_id>/action-plans")
@organiser_required
def cohort_action_plans(cohort_id: int):
    """Every trainee's action plan, its acknowledgement and the follow-up response rates."""
    cohort = db.get_or_404(Cohort, cohort_id)
    rows = queries.action_plans_for_cohort(cohort.id)
    followups = [(s, n) for s, n in queries.surveys_for_cohort(cohort.id) if s.kind.startswith("followup")]
    return render_template("completion/cohort_action_plans.html", cohort=cohort, rows=rows, followups=followups,
                           eligible=queries.eligible_count(cohort.id))


@bp.route("/cohorts/<int:cohort_id>/action-plans/<int:plan_id>/ack-link", methods=["POST"])
@organiser_required
def renew_ack_link(cohort_id: int, plan_id: int):
    """Show the organiser a new supervisor link for a waiting plan (to pass on when there is no mail)."""
    plan = db.get_or_404(ActionPlan, plan_id)
    if plan.enrolment.cohort_id != cohort_id:
        abort(404)
    outcome = run_service(lambda: services.renew_ack_link(plan, current_user))
    if outcome.ok:
        raw = outcome.result
        link = url_for("completion.acknowledge", token=raw, _external=True)
        flash(_("Send this link to %(email)s (%(name)s); earlier links no longer work: %(link)s",
                email=plan.supervisor_email, name=plan.supervisor_name or "—", link=link), "link")
    return redirect(url_for("completion.cohort_action_plans", cohort_id=cohort_id))


@bp.route("/cohorts/<int:cohort_id>/certificates", methods=["GET", "POST"])
@organiser_required
def cohort_certificates(cohort_id: int):
    """Issue certificates in bulk and list those issued."""
    cohort = db.get_or_404(Cohort, cohort_id)
    form = IssueForm()
    if form.validate_on_submit():
        running = certificate_jobs.running_issue(cohort.id)
        if running is not None:  # one run per cohort at a time: show the one in progress
            return redirect(url_for("notifications.job_run", run_id=running.id))
        eligible = len(services.eligible_enrolment_ids(cohort, form.kind.data))
        if eligible > current_app.config.get("CERTIFICATE_SYNC_LIMIT", 40):
            with unit_of_work(success=_("Issuing certificates in the background.")):
                run = certificate_jobs.start_issue(cohort, form.kind.data, current_user)
                return redirect(url_for("notifications.job_run", run_id=run.id))
        with unit_of_work() as work:
            issued = services.issue_certificates(cohort, form.kind.data, current_user)
            certificate_jobs.notify_holders(issued)
            work.flash(_("%(n)d certificates issued.", n=len(issued)), "success" if issued else "info")
        return redirect(url_for("completion.cohort_certificates", cohort_id=cohort.id))
    return render_template("completion/cohort_certificates.html", cohort=cohort, form=form,
                           certificates=queries.certificates_for_cohort(cohort.id))


@bp.route("/cohorts/<int:cohort_id>/certificates.zip")
@organiser_required
def cohort_certificates_zip(cohort_id: int):
    """All valid certificates of a cohort as one zip of PDFs."""
    cohort = db.get_or_404(Cohort, cohort_id)
    certs = [c for c in queries.certificates_for_cohort(cohort.id) if c.is_valid]
    if not certs:
        flash(_("No valid certificates to download yet."), "info")
        return redirect(url_for("completion.cohort_certificates", cohort_id=cohort.id))
    if len(certs) > current_app.config.get("CERTIFICATE_ZIP_SYNC_LIMIT", 20):
        running = certificate_jobs.running_zip(cohort.id, current_user.id)
        if running is not None:
            return redirect(url_for("notifications.job_run", run_id=running.id))
        with unit_of_work(success=_("Preparing the zip in the background.")):
            run = certificate_jobs.start_zip(cohort, len(certs), current_user)
            return redirect(url_for("notifications.job_run", run_id=run.id))
        return redirect(url_for("completion.cohort_certificates", cohort_id=cohort.id))
    data = pdf.certificates_zip([(c, _verify_url(c)) for c in certs],
                                logo=queries.certificate_logo(cohort_id=cohort.id))
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=f"certificates-{cohort.code}.zip")


@bp.route("/certificates/<int:cert_id>.pdf")
@organiser_required
def certificate_pdf(cert_id: int):
    """One certificate as PDF (organiser copy)."""
    cert = db.get_or_404(Certificate, cert_id)
    return _pdf_response(cert)


@bp.route("/certificates/<int:cert_id>/revoke", methods=["GET", "POST"])
@organiser_required
def certificate_revoke(cert_id: int):
    """Confirm and revoke a certificate with a reason."""
    cert = db.get_or_404(Certificate, cert_id)
    form = RevokeForm()
    if form.validate_on_submit():
        with unit_of_work(form.reason, success=_("Certificate %(serial)s revoked.", serial=cert.serial)):
            services.revoke_certificate(cert, form.reason.data, current_user)
            return redirect(url_for("completion.cohort_certificates", cohort_id=cert.enrolment.cohort_id))
    return render_template("completion/certificate_revoke.html", cert=cert, form=form)


# --- trainee ----------------------------------------------------------------------------------

def _my_enrolments() -> list[Enrolment]:
    trainee = db.session.scalar(select(Trainee).where(Trainee.user_id == current_user.id))
    if trainee is None:
        return []
    return list(db.session.scalars(select(Enrolment).where(Enrolment.trainee_id == trainee.id)
                                   .options(db.joinedload(Enrolment.cohort))))


@bp.route("/me/after-course")
@trainee_required
def my_after_course():
    """Open surveys, action plans and certificates of the signed-in trainee."""
    enrolments = _my_enrolments()
    ids = [e.id for e in enrolments]
    surveys = queries.open_surveys_for(ids, date.today())
    plans = {p.enrolment_id: p for p in db.session.scalars(select(ActionPlan).where(ActionPlan.enrolment_id.in_(ids)))}
    certs = db.session.scalars(select(Certificate).where(Certificate.enrolment_id.in_(ids))
                               .order_by(Certificate.issued_at.desc())).all()
    return render_template("completion/my_after_course.html", enrolments=enrolments, surveys=surveys,
                           plans=plans, certificates=certs)


@bp.route("/me/surveys/<int:survey_id>/<int:enrolment_id>", methods=["GET", "POST"])
@trainee_required
def my_survey(survey_id: int, enrolment_id: int):
    """Answer a survey (once)."""
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    ensure_owner(enrolment.trainee.user_id)
    instance = db.get_or_404(SurveyInstance, survey_id)
    if not services.eligible_for_survey(instance, enrolment):
        abort(404)
    form, errors = AnswerForm(), {}
    if request.method == "POST" and form.validate_on_submit():
        answers = {item.id: request.form.get(f"item-{item.id}", "") for item in instance.items}
        with unit_of_work() as work:
            errors = services.submit_response(instance, enrolment, answers)
            if not errors:  # with errors the service wrote nothing: the form is shown again
                work.success = _("Thank you for your answers.")
                return redirect(url_for("completion.my_after_course"))
        if work.error:
            return redirect(url_for("completion.my_after_course"))
    return render_template("completion/my_survey.html", instance=instance, enrolment=enrolment, form=form,
                           errors=errors, values=request.form, answered=services.has_answered(instance, enrolment))


@bp.route("/me/action-plans/<int:enrolment_id>", methods=["GET", "POST"])
@trainee_required
def my_action_plan(enrolment_id: int):
    """Draft, save and submit an action plan; the supervisor gets a one-time acknowledgement link."""
    enrolment = db.get_or_404(Enrolment, enrolment_id)
    ensure_owner(enrolment.trainee.user_id)
    if enrolment.status not in COUNTED_STATUSES:
        flash(_("Action plans open once your participation is confirmed."), "info")
        return redirect(url_for("completion.my_after_course"))
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.enrolment_id == enrolment.id))
    form = ActionPlanForm(obj=plan)
    if request.method == "GET" and plan is not None:
        for entry, milestone in zip(form.milestones.entries, plan.milestones, strict=False):
            entry.form.text.data, entry.form.due.data = milestone.get("text"), milestone.get("due")
    valid = form.validate_on_submit()
    if not valid and form.save.data and form.is_submitted() and not form.errors.get("csrf_token"):
        # A draft keeps whatever is valid; the invalid fields stay marked on the page.
        if plan is None or plan.acknowledged_at is None:
            with unit_of_work(form, "title") as work:
                _save_partial_draft(enrolment, plan, form)
                work.flash(_("Draft saved without the marked fields; correct them and save again."), "warning")
        return render_template("completion/my_action_plan.html", form=form, plan=plan, enrolment=enrolment), 422
    if valid:
        with unit_of_work(form, "title") as work:
            plan = services.save_action_plan(
                enrolment, title=form.title.data, goals=form.goals.data or "",
                milestones=[m.data for m in form.milestones.entries], supervisor_name=form.supervisor_name.data or "",
                supervisor_email=form.supervisor_email.data or "")
            raw = services.submit_action_plan(plan) if form.send.data else None
            if raw:  # queued in the same transaction as the token; the supervisor reads the trainee's language
                link = url_for("completion.acknowledge", token=raw, _external=True)
                with recipient_locale(enrolment.trainee.user):
                    queue_mail(plan.supervisor_email, _("Please acknowledge an action plan"),
                               _("%(name)s asks you to read and acknowledge their action plan from the training "
                                 "%(course)s:\n%(link)s", name=enrolment.trainee.full_name,
                                 course=enrolment.cohort.title, link=link), kind="supervisor_link")
        if work.ok:
            if raw:
                flash(_("Your plan was sent to %(email)s for acknowledgement.", email=plan.supervisor_email), "success")
                if not mail_is_configured(current_app):
                    # The link is never shown to the trainee (they could acknowledge their own plan).
                    flash(_("E-mail is not configured here; the programme office will pass the link to your "
                            "supervisor."), "info")
            else:
                flash(_("Draft saved."), "success")
            return redirect(url_for("completion.my_action_plan", enrolment_id=enrolment.id))
    return render_template("completion/my_action_plan.html", form=form, plan=plan, enrolment=enrolment)


def _save_partial_draft(enrolment: Enrolment, plan: ActionPlan | None, form: ActionPlanForm) -> None:
    """Save the valid parts of an action-plan form (the draft button never loses work)."""
    def ok(field, fallback):
        return field.data if not field.errors and field.data else fallback

    milestones = [{"text": "" if entry.form.text.errors else entry.form.text.data,
                   "due": "" if entry.form.due.errors else entry.form.due.data} for entry in form.milestones.entries]
    services.save_action_plan(
        enrolment, title=ok(form.title, plan.title if plan else _("My action plan")),
        goals=ok(form.goals, plan.goals if plan else ""), milestones=milestones,
        supervisor_name=ok(form.supervisor_name, plan.supervisor_name if plan else ""),
        supervisor_email=ok(form.supervisor_email, plan.supervisor_email if plan else ""))


@bp.route("/me/certificates/<int:cert_id>.pdf")
@trainee_required
def my_certificate_pdf(cert_id: int):
    """Download one's own certificate."""
    cert = db.get_or_404(Certificate, cert_id)
    ensure_owner(cert.enrolment.trainee.user_id)
    if not cert.is_valid:
        abort(404)
    return _pdf_response(cert)


def _pdf_response(cert: Certificate):
    data = pdf.render_certificate(cert, _verify_url(cert), queries.certificate_logo(enrolment_id=cert.enrolment_id))
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{cert.serial}.pdf")


# --- public -----------------------------------------------------------------------------------

@bp.route("/verify/<code>")
@public
@limiter.limit("30 per minute")
def verify(code: str):
    """Public verification: valid or revoked, name, course and dates — nothing more."""
    cert = db.session.scalar(select(Certificate).where(Certificate.verify_code == code))
    return render_template("completion/verify.html", cert=cert), 200 if cert else 404


@bp.route("/ack/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute")
def acknowledge(token: str):
    """A supervisor reads and acknowledges an action plan through a one-time link (no account needed)."""
    plan, problem = services.plan_for_ack_token(token)
    if plan is None:
        return render_template("accounts/link_invalid.html", problem=problem), 410
    form = AcknowledgeForm()
    if form.validate_on_submit():
        with unit_of_work():
            services.acknowledge_action_plan(token, form.comment.data or "")
            return render_template("completion/ack_done.html", plan=plan)
    return render_template("completion/ack.html", plan=plan, form=form)
