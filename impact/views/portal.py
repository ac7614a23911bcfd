"""Trainee pages: answer a self-assessment on behalf of one's own organisation, or invite a colleague by link."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from accounts.permissions import public, trainee_required
from core.extensions import db, limiter
from core.i18n import _
from core.uow import unit_of_work
from impact import queries, services
from impact.blueprint import bp
from impact.forms import AnswerForm, InviteForm, MyOutcomeForm
from impact.models import ORG_SIZES, Assessment, Outcome
from impact.views.common import answer_levels, result_context
from impact.vocab import ORG_SIZE_LABELS, OUTCOME_KINDS
from trainees.models import Trainee


def _me() -> Trainee | None:
    return db.session.scalar(select(Trainee).where(Trainee.user_id == current_user.id))


def _own(assessment_id: int) -> Assessment:
    """Object-level check: the assessment is of the signed-in trainee's organisation, else 404."""
    assessment = db.get_or_404(Assessment, assessment_id)
    me = _me()
    if me is None or me.organisation_id != assessment.organisation_id:
        abort(404)
    return assessment


def _answer_form(assessment: Assessment) -> AnswerForm:
    form = AnswerForm()
    form.size.choices = [("", "—")] + [(s, str(ORG_SIZE_LABELS[s])) for s in ORG_SIZES]
    return form


def _submit(assessment: Assessment, form: AnswerForm, user, name: str, success: str | None = None):
    """Submit the answers in the request's unit of work: {} when stored, {item id: message} when not,
    None when the service refused (its message is flashed)."""
    errors = None
    with unit_of_work() as work:
        errors = services.submit_assessment(assessment, answer_levels(assessment), size=form.size.data or "",
                                            user=user, name=name)
        if not errors:  # with errors nothing was written: the commit is empty and nothing is flashed
            work.success = success
    return errors if work.ok else None


@bp.route("/me")
@trainee_required
def my_assessments():
    """Self-assessments requested for the trainee's organisation."""
    me = _me()
    assessments = queries.open_for_organisation(me.organisation_id) if me else []
    return render_template("impact/my_assessments.html", me=me, assessments=assessments)


@bp.route("/me/assessments/<int:assessment_id>", methods=["GET", "POST"])
@trainee_required
def my_answer(assessment_id: int):
    """Answer the assessment for the organisation (once; the answers are then read-only)."""
    assessment = _own(assessment_id)
    if assessment.status == "submitted":
        return render_template("impact/my_result.html", **result_context(assessment))
    form, errors = _answer_form(assessment), {}
    if form.validate_on_submit():
        errors = _submit(assessment, form, current_user, form.name.data or _me().full_name,
                         _("Thank you: the assessment of %(org)s was submitted.", org=assessment.organisation.name))
        if errors == {}:
            return redirect(url_for("impact.my_answer", assessment_id=assessment.id))
    return render_template("impact/answer.html", assessment=assessment, form=form, errors=errors or {},
                           invite_form=InviteForm(formdata=None), via_link=False)


@bp.route("/me/assessments/<int:assessment_id>/invite", methods=["POST"])
@trainee_required
def my_invite(assessment_id: int):
    """E-mail a colleague a one-off link to answer for the organisation (no account needed)."""
    assessment = _own(assessment_id)
    invite_form = InviteForm()
    if invite_form.validate_on_submit():
        email = invite_form.email.data.strip()
        with unit_of_work(invite_form, "email", success=_("We e-mailed the link to %(email)s.", email=email)):
            services.invite_colleague(assessment, email, inviter=_me().full_name, locale=str(get_locale() or "en"))
            return redirect(url_for("impact.my_answer", assessment_id=assessment.id))
    if assessment.status == "submitted":
        return redirect(url_for("impact.my_answer", assessment_id=assessment.id))
    return render_template("impact/answer.html", assessment=assessment, form=_answer_form(assessment), errors={},
                           invite_form=invite_form, via_link=False), 400


@bp.route("/answer/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute")
def answer_by_link(token: str):
    """A colleague answers through the trainee's link."""
    assessment = services.assessment_for_token(token)
    if assessment is None:
        return render_template("impact/link_invalid.html"), 410
    form, errors = _answer_form(assessment), {}
    if form.validate_on_submit():
        if not (form.name.data or "").strip():
            form.name.errors.append(_("Give your name."))
        else:
            errors = _submit(assessment, form, None, form.name.data)
            if errors == {}:
                return render_template("impact/answered.html", assessment=assessment)
    return render_template("impact/answer.html", assessment=assessment, form=form, errors=errors or {},
                           invite_form=None, via_link=True, token=token)


@bp.route("/me/outcomes", methods=["GET", "POST"])
@trainee_required
def my_outcomes():
    """The trainee reports a result after the training (counted with source “trainee”)."""
    me = _me()
    if me is None:
        abort(404)
    form = MyOutcomeForm()
    form.kind.choices = [(k, str(v)) for k, v in OUTCOME_KINDS.items()]
    if form.validate_on_submit():
        with unit_of_work(form, "kind", success=_("Thank you: your outcome was recorded.")):
            services.add_outcome(form.kind.data, form.occurred_on.data, trainee=me, audience=form.audience.data,
                                 note=form.note.data or "", source="trainee", user=current_user)
            return redirect(url_for("impact.my_outcomes"))
    mine = db.session.scalars(select(Outcome).where(Outcome.trainee_id == me.id)
                              .order_by(Outcome.occurred_on.desc())).all()
    return render_template("impact/my_outcomes.html", form=form, outcomes=mine, kinds=OUTCOME_KINDS)
