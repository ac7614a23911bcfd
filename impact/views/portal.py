"""Trainee pages: answer a self-assessment on behalf of one's own organisation, or invite a colleague by link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from accounts.permissions import public, trainee_required
from core.errors import ServiceError
from core.extensions import db, limiter
from core.i18n import _
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


def _submit(assessment: Assessment, form: AnswerForm, user, name: str):
    try:
        errors = services.submit_assessment(assessment, answer_levels(assessment), size=form.size.data or "",
                                            user=user, name=name)
    except ServiceError as exc:
        flash(exc.message, "error")
        return None
    if errors:
        db.session.rollback()
    else:
        db.session.commit()
    return errors


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
        errors = _submit(assessment, form, current_user, form.name.data or _me().full_name)
        if errors == {}:
            flash(_("Thank you: the assessment of %(org)s was submitted.", org=assessment.organisation.name),
                  "success")
            return redirect(url_for("impact.my_answer", assessment_id=assessment.id))
    return render_template("impact/answer.html", assessment=assessment, form=form, errors=errors or {},
                           invite_form=InviteForm(), via_link=False)


@bp.route("/me/assessments/<int:assessment_id>/invite", methods=["POST"])
@trainee_required
def my_invite(assessment_id: int):
    """A one-off link a colleague can use to answer for the organisation (no account needed)."""
    assessment = _own(assessment_id)
    if not InviteForm().validate_on_submit():
        abort(400)
    try:
        raw = services.create_invite(assessment)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("impact.my_answer", assessment_id=assessment.id))
    db.session.commit()
    link = url_for("impact.answer_by_link", token=raw, _external=True)
    flash(_("Send this link to the colleague who will answer (it works until the assessment is submitted): "
            "%(link)s", link=link), "link")
    return redirect(url_for("impact.my_answer", assessment_id=assessment.id))


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
        try:
            services.add_outcome(form.kind.data, form.occurred_on.data, trainee=me, audience=form.audience.data,
                                 note=form.note.data or "", source="trainee", user=current_user)
        except ServiceError as exc:
            db.session.rollback()
            getattr(form, exc.field or "kind").errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Thank you: your outcome was recorded."), "success")
            return redirect(url_for("impact.my_outcomes"))
    mine = db.session.scalars(select(Outcome).where(Outcome.trainee_id == me.id)
                              .order_by(Outcome.occurred_on.desc())).all()
    return render_template("impact/my_outcomes.html", form=form, outcomes=mine, kinds=OUTCOME_KINDS)
