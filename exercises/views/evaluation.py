"""Evaluation pages (observations, P/S/M/U ratings, hot wash, improvement plan) and the after-action report.

Organisers may read them; only the run's facilitator or evaluators may write.
"""

from __future__ import annotations

from io import BytesIO

from flask import redirect, render_template, request, send_file, url_for
from flask_login import current_user

from accounts.permissions import organiser_required
from core.i18n import _
from core.spreadsheets import XLSX_MIME
from core.uow import unit_of_work
from exercises import aar, lifecycle, queries
from exercises.blueprint import bp
from exercises.forms import (
    ActionForm,
    DeleteForm,
    HotwashForm,
    ImprovementForm,
    ObservationForm,
    ratings_form,
)
from exercises.models import ImprovementItem, Observation
from exercises.services import evaluation as services
from exercises.services.runs import unrated_objectives
from exercises.views.access import get_owned, load_run, require_evaluate, roles_of

IMPROVEMENT_KEYS = ("objective_id", "issue", "corrective_action", "poete", "owner_organisation", "point_of_contact",
                    "due_date", "status")


def _rating_keys(content, teams) -> list[tuple[int, int | None]]:
    return [(o.id, t) for o in content.objectives for t in [None, *[team.id for team in teams]]]


def _observation_form(content, teams, **kwargs) -> ObservationForm:
    form = ObservationForm(**kwargs)
    form.objective_id.choices = [("", _("— none —"))] + [(o.id, f"{o.position}. {o.text[:80]}")
                                                         for o in content.objectives]
    form.inject_id.choices = [("", _("— none —"))] + [(i.id, f"{i.position}. {i.title[:80]}")
                                                      for i in content.injects]
    form.team_id.choices = [("", _("— all / none —"))] + [(t.id, t.name) for t in teams]
    return form


def _improvement_form(content, **kwargs) -> ImprovementForm:
    form = ImprovementForm(**kwargs)
    form.objective_id.choices = [("", _("— none —"))] + [(o.id, f"{o.position}. {o.text[:80]}")
                                                         for o in content.objectives]
    return form


def _render(run, observation_form=None, improvement_form=None, rating=None, hotwash=None, status=200):
    content = queries.run_content(run.id)
    teams = queries.run_teams(run.id)
    current = queries.ratings(run.id)
    keys = _rating_keys(content, teams)
    roles = roles_of(run)
    return render_template(
        "exercises/evaluation.html", run=run, content=content, teams=teams, roles=roles,
        may_evaluate=lifecycle.may_evaluate(roles), open=run.status in lifecycle.EVALUATION_STATUSES,
        observations=queries.observations(run.id), improvements=queries.improvements(run.id), current=current,
        observation_form=observation_form or _observation_form(content, teams),
        improvement_form=improvement_form or _improvement_form(content),
        rating_form=rating or ratings_form(keys, current)(formdata=None),
        hotwash_form=hotwash or HotwashForm(notes=run.hotwash_notes, formdata=None),
        delete_form=DeleteForm(), action_form=ActionForm(),
        unrated=unrated_objectives(run) if run.status == "ended" else [],
        rating_columns=[(None, _("Overall"))] + [(t.id, t.name) for t in teams],
    ), status


@bp.route("/runs/<int:run_id>/evaluation")
@organiser_required
def evaluation(run_id: int):
    """Observations, ratings, hot-wash notes and the improvement plan of a run."""
    return _render(load_run(run_id))


@bp.route("/runs/<int:run_id>/observations", methods=["POST"])
@organiser_required
def observation_add(run_id: int):
    """Record a time-stamped observation (facilitator or evaluator)."""
    run = load_run(run_id)
    require_evaluate(run)
    form = _observation_form(queries.run_content(run.id), queries.run_teams(run.id))
    if form.validate_on_submit():
        with unit_of_work(form, "text", success=_("Observation recorded.")):
            services.add_observation(run, current_user, **{k: getattr(form, k).data for k in (
                "kind", "objective_id", "inject_id", "team_id", "text")})
            return redirect(url_for("exercises.evaluation", run_id=run.id, _anchor="observations"))
    return _render(run, observation_form=form, status=400)


@bp.route("/runs/<int:run_id>/observations/<int:observation_id>/delete", methods=["POST"])
@organiser_required
def observation_delete(run_id: int, observation_id: int):
    """Delete an observation (facilitator or evaluator)."""
    run = load_run(run_id)
    require_evaluate(run)
    observation = get_owned(Observation, observation_id, run)  # another run's observation: 404
    with unit_of_work(success=_("Observation deleted.")):
        services.delete_observation(run, observation.id, actor=current_user)
    return redirect(url_for("exercises.evaluation", run_id=run.id, _anchor="observations"))


@bp.route("/runs/<int:run_id>/ratings", methods=["POST"])
@organiser_required
def ratings(run_id: int):
    """Save the P/S/M/U ratings per objective, per team and overall, with rationale."""
    run = load_run(run_id)
    require_evaluate(run)
    content, teams = queries.run_content(run.id), queries.run_teams(run.id)
    keys = _rating_keys(content, teams)
    form = ratings_form(keys, queries.ratings(run.id))()
    if form.validate_on_submit():
        values = {(o, t): (getattr(form, f"rating_{o}_{t or 'all'}").data,
                           getattr(form, f"rationale_{o}_{t or 'all'}").data) for o, t in keys}
        with unit_of_work() as work:
            changed = services.save_ratings(run, values, actor=current_user)
            work.success = _("%(n)d ratings saved.", n=changed)
            return redirect(url_for("exercises.evaluation", run_id=run.id, _anchor="ratings"))
    return _render(run, rating=form, status=400)


@bp.route("/runs/<int:run_id>/hotwash", methods=["POST"])
@organiser_required
def hotwash(run_id: int):
    """Save the hot-wash notes."""
    run = load_run(run_id)
    require_evaluate(run)
    form = HotwashForm()
    if form.validate_on_submit():
        with unit_of_work(form, "notes", success=_("Hot-wash notes saved.")):
            services.save_hotwash(run, form.notes.data, actor=current_user)
            return redirect(url_for("exercises.evaluation", run_id=run.id, _anchor="hotwash"))
    return _render(run, hotwash=form, status=400)


@bp.route("/runs/<int:run_id>/improvements", methods=["POST"])
@organiser_required
def improvement_add(run_id: int):
    """Add an improvement-plan item."""
    run = load_run(run_id)
    require_evaluate(run)
    form = _improvement_form(queries.run_content(run.id))
    if form.validate_on_submit():
        with unit_of_work(form, "issue", success=_("Improvement item added.")):
            services.add_improvement(run, actor=current_user, **{k: getattr(form, k).data for k in IMPROVEMENT_KEYS})
            return redirect(url_for("exercises.evaluation", run_id=run.id, _anchor="improvements"))
    return _render(run, improvement_form=form, status=400)


@bp.route("/runs/<int:run_id>/improvements/<int:item_id>/edit", methods=["GET", "POST"])
@organiser_required
def improvement_edit(run_id: int, item_id: int):
    """Edit an improvement-plan item (for example to track its status)."""
    run = load_run(run_id)
    require_evaluate(run)
    item = get_owned(ImprovementItem, item_id, run)
    form = _improvement_form(queries.run_content(run.id), obj=item)
    if form.validate_on_submit():
        with unit_of_work(form, "issue", success=_("Changes saved.")):
            services.update_improvement(item, run, actor=current_user,
                                        **{k: getattr(form, k).data for k in IMPROVEMENT_KEYS})
            return redirect(url_for("exercises.evaluation", run_id=run.id, _anchor="improvements"))
    return render_template("exercises/improvement_form.html", run=run, form=form, item=item)


@bp.route("/runs/<int:run_id>/improvements/<int:item_id>/delete", methods=["GET", "POST"])
@organiser_required
def improvement_delete(run_id: int, item_id: int):
    """Delete an improvement-plan item after confirmation."""
    run = load_run(run_id)
    require_evaluate(run)
    item = get_owned(ImprovementItem, item_id, run)
    form = DeleteForm()
    back = url_for("exercises.evaluation", run_id=run.id, _anchor="improvements")
    if form.validate_on_submit():
        with unit_of_work(success=_("Improvement item deleted.")):
            services.delete_improvement(item, actor=current_user)
        return redirect(back)
    return render_template("exercises/confirm.html", form=form, title=_("Delete this improvement item?"),
                           message=item.issue[:300], back=back)


@bp.route("/runs/<int:run_id>/aar")
@organiser_required
def aar_page(run_id: int):
    """The after-action report; ``?anon=1`` shows teams as Team A, B… without names or organisations."""
    run = load_run(run_id)
    anonymous = request.args.get("anon") == "1"
    return render_template("exercises/aar.html", report=aar.build(run, anonymous=anonymous), run=run,
                           anonymous=anonymous)


@bp.route("/runs/<int:run_id>/aar.xlsx")
@organiser_required
def aar_xlsx(run_id: int):
    """The after-action report as an Excel workbook (``?anon=1`` for the non-attributed version)."""
    run = load_run(run_id)
    anonymous = request.args.get("anon") == "1"
    data = aar.workbook(aar.build(run, anonymous=anonymous))
    name = f"aar-run-{run.id}{'-non-attributed' if anonymous else ''}.xlsx"
    return send_file(BytesIO(data), mimetype=XLSX_MIME, as_attachment=True, download_name=name)
