"""Public pages: an open call's General Information, and self-application through a focal point's link."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from accounts.permissions import public
from core.extensions import limiter
from core.i18n import _
from core.uow import unit_of_work
from nominations import letters, queries, services
from nominations.blueprint import bp
from nominations.forms import CandidateForm
from nominations.views.common import question_answers, question_files, today
from trainees.display import current_lang


@bp.route("/open/<int:call_id>")
@public
def public_call(call_id: int):
    """General Information of an open call, in the visitor's language (no personal data)."""
    call = queries.get_call(call_id)
    if not call.is_open(today()):
        abort(404)
    info = call.info_ja if current_lang() == "ja" and call.info_ja.strip() else call.info_en
    return render_template("nominations/public_call.html", call=call, info=info)


@bp.route("/apply/<token>/<int:call_id>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def apply(token: str, call_id: int):
    """A candidate applies with the link their focal point shared; the focal point then endorses."""
    fp = queries.focal_point_by_token(token)
    call = queries.get_call(call_id)
    if call not in queries.open_calls(fp.country, today()):
        abort(404)
    form = CandidateForm()
    if request.method == "GET":
        form.nationality.data = fp.country
        form.locale.data = current_lang()
    if form.validate_on_submit():
        success = _("Thank you. Your application now waits for your focal point's endorsement.")
        with unit_of_work(form, success=success):
            candidate = services.self_apply(call, fp, today(), question_answers(call, request.form),
                                            files=question_files(call), **form.candidate_values())
            letters.queue_application_notice(candidate)  # the focal point learns of it, in their language
            return redirect(url_for("nominations.public_call", call_id=call_id))
    return render_template("nominations/candidate_form.html", form=form, call=call, fp=fp, public=True)
