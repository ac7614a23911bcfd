"""The live console: clock, MSEL with release status, responses per inject and team, stall warnings.

Any organiser may watch a run; only its facilitator or controller may drive it. The page works
without JavaScript (reload to refresh); static/js/exercises-console.js polls ``console.json``.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from accounts.permissions import organiser_required
from core.db import utcnow
from core.errors import ServiceError
from core.i18n import _
from core.uow import unit_of_work
from exercises import lifecycle, queries, timeline
from exercises.blueprint import bp
from exercises.forms import ActionForm, AdhocForm, ModuleOpenForm
from exercises.models import RunInject
from exercises.services import play
from exercises.services import runs as run_services
from exercises.views.access import get_owned, load_run, require_control, roles_of
from exercises.views.common import send_attachment
from exercises.vocab import RUN_STATUS_NAMES


def _console_context(run, now):
    content = queries.run_content(run.id)
    teams = queries.run_teams(run.id)
    responses = queries.run_responses(run.id)
    by_inject: dict[int | None, dict[int, list]] = {}
    for response in responses:
        by_inject.setdefault(response.inject_id, {}).setdefault(response.team_id, []).append(response)
    t0 = timeline.parse_clock(run.t0_clock)
    scenario_minutes = queries.scenario_clock(run, content.injects, now)
    clock = run.clock
    due_at = {i.id: clock.planned_at(i.planned_offset_minutes, now) for i in content.injects
              if i.status == "scheduled" and i.planned_offset_minutes is not None and not i.contingency}
    current_module = next((m for m in content.modules if m.position == run.current_module_position), None)
    return {
        "run": run, "content": content, "teams": teams, "responses": list(reversed(responses)),
        "by_inject": by_inject, "team_statuses": queries.team_statuses(run, teams, now), "due_at": due_at,
        "elapsed": run.elapsed_seconds(now), "scenario_label": (
            timeline.scenario_day_clock(scenario_minutes, t0) if scenario_minutes is not None else ""),
        "current_module": current_module, "now": now,
    }


@bp.route("/runs/<int:run_id>/console")
@organiser_required
def console(run_id: int):
    """The live console of a run (controls for its facilitator and controller only)."""
    run = load_run(run_id)
    now = utcnow()
    if play.has_due(run, now):  # a write on GET, idempotent: due injects are released once
        with unit_of_work():
            play.release_due(run, now)
    roles = roles_of(run)
    ctx = _console_context(run, now)
    adhoc = AdhocForm()
    adhoc.team_id.choices = [("", _("every team"))] + [(t.id, t.name) for t in ctx["teams"]]
    module_form = ModuleOpenForm()
    modules = ctx["content"].modules
    module_form.module_id.choices = [(m.id, f"{m.position}. {m.title}") for m in modules]
    # the selector follows the run: the module after the current one, or the current one when it is the last
    following = [m for m in modules if m.position > (run.current_module_position or 0)]
    preset = following[0] if following else ctx["current_module"]
    if preset is not None:
        module_form.module_id.data = preset.id
    return render_template("exercises/console.html", roles=roles, may_control=lifecycle.may_control(roles),
                           action_form=ActionForm(), adhoc=adhoc, module_form=module_form, **ctx)


@bp.route("/runs/<int:run_id>/console.json")
@organiser_required
def console_json(run_id: int):
    """What the console's script refreshes: clock, MSEL, team silence and responses (releases due injects)."""
    run = load_run(run_id)
    now = utcnow()
    if play.has_due(run, now):  # a write on GET, idempotent: due injects are released once
        with unit_of_work():
            play.release_due(run, now)
    roles = roles_of(run)
    ctx = _console_context(run, now)
    may = lifecycle.may_control(roles)
    return jsonify({
        "status": run.status, "status_label": str(RUN_STATUS_NAMES[run.status]),
        "elapsed": int(ctx["elapsed"]), "running": run.status == "running",
        "scenario_label": ctx["scenario_label"],
        "msel": render_template("exercises/_console_msel.html", may_control=may, action_form=ActionForm(), **ctx),
        "teams": render_template("exercises/_console_teams.html", **ctx),
        "responses": render_template("exercises/_console_responses.html", **ctx),
    })


@bp.route("/runs/<int:run_id>/control", methods=["POST"])
@organiser_required
def control(run_id: int):
    """Start, pause, resume or end play (facilitator or controller)."""
    run = load_run(run_id)
    require_control(run)
    form = ActionForm()
    action = form.action.data if form.validate_on_submit() else ""
    if action not in lifecycle.CONTROL_ACTIONS:
        abort(400)
    with unit_of_work() as work:
        run_services.transition(run, action, actor=current_user)
        work.success = _("The run is now %(status)s.", status=RUN_STATUS_NAMES[run.status])
    return redirect(url_for("exercises.console", run_id=run.id))


@bp.route("/runs/<int:run_id>/injects/<int:inject_id>/<any(release, skip):what>", methods=["POST"])
@organiser_required
def inject_action(run_id: int, inject_id: int, what: str):
    """Release an inject now, or skip it (facilitator or controller)."""
    run = load_run(run_id)
    require_control(run)
    inject = get_owned(RunInject, inject_id, run)
    with unit_of_work(success=_("Inject %(n)d released.", n=inject.position) if what == "release"
                      else _("Inject %(n)d skipped.", n=inject.position)):
        (play.release if what == "release" else play.skip)(run, inject.id, actor=current_user)
    return redirect(url_for("exercises.console", run_id=run.id, _anchor=f"inject-{inject.id}"))


@bp.route("/runs/<int:run_id>/adhoc", methods=["POST"])
@organiser_required
def adhoc(run_id: int):
    """Write and release an ad-hoc inject (facilitator or controller)."""
    run = load_run(run_id)
    require_control(run)
    form = AdhocForm()
    form.team_id.choices = [("", "")] + [(t.id, t.name) for t in queries.run_teams(run.id)]
    if form.validate_on_submit():
        with unit_of_work(form, "title") as work:
            inject = play.add_adhoc(run, actor=current_user, **{k: getattr(form, k).data for k in (
                "title", "body", "channel", "from_persona", "audience", "scenario_time", "team_id")})
            work.success = _("Ad-hoc inject %(n)d released.", n=inject.position)
            return redirect(url_for("exercises.console", run_id=run.id))
    flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Check the ad-hoc inject."),
          "error")
    return redirect(url_for("exercises.console", run_id=run.id, _anchor="adhoc"))


@bp.route("/runs/<int:run_id>/module", methods=["POST"])
@organiser_required
def module_open(run_id: int):
    """Show another module's situation to the players (facilitator or controller)."""
    run = load_run(run_id)
    require_control(run)
    form = ModuleOpenForm()
    form.module_id.choices = [(m.id, m.title) for m in queries.run_content(run.id).modules]
    with unit_of_work(success=_("The module's situation is now shown to the players.")):
        if not form.validate_on_submit():
            raise ServiceError(_("Choose a module of this run."), "module_id")
        play.open_module(run, form.module_id.data, actor=current_user)
    return redirect(url_for("exercises.console", run_id=run.id))


@bp.route("/runs/<int:run_id>/injects/<int:inject_id>/attachment")
@organiser_required
def run_attachment(run_id: int, inject_id: int):
    """Download a run inject's attachment (organisers)."""
    run = load_run(run_id)
    inject = get_owned(RunInject, inject_id, run)
    return send_attachment(queries.attachment_data(inject.attachment_id) if inject.attachment_id else None)
