"""Run pages: list, create from a scenario, set-up (placeholders, teams, staff) and status changes."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accounts.models import User
from accounts.permissions import organiser_required
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _, _l
from core.uow import unit_of_work
from exercises import lifecycle, queries
from exercises.blueprint import bp
from exercises.forms import (
    ActionForm,
    DeleteForm,
    MemberMoveForm,
    RunCreateForm,
    RunSettingsForm,
    StaffForm,
    TeamAddForm,
    TeamRenameForm,
    TeamsForm,
    placeholder_form,
)
from exercises.models import Team
from exercises.services import runs as services
from exercises.views.access import get_owned, load_run, may_manage_staff, require_staff_manager, roles_of
from exercises.vocab import RUN_STATUS_NAMES
from trainees.models import Cohort

PLACEHOLDER_HINTS = {
    "COUNTRY": _l("The country where the scenario is set."),
    "NATIONAL_CSIRT": _l("The national CSIRT (e.g. its usual short name)."),
    "DPA": _l("The data-protection authority."),
    "CENTRAL_BANK": _l("The central bank / banking supervisor."),
    "HOLIDAY": _l("A national holiday with skeleton staffing."),
    "CURRENCY": _l("The currency code."),
    "POLICE_CYBER_UNIT": _l("The police unit for cybercrime."),
    "HEALTH_MINISTRY": _l("The ministry responsible for hospitals."),
    "SECTOR_REGULATOR": _l("The regulator of the sector in the scenario."),
    "GRID_OPERATOR": _l("The transmission-system / grid operator."),
    "ENERGY_REGULATOR": _l("The energy regulator."),
    "CIVIL_AVIATION_AUTHORITY": _l("The civil aviation authority."),
}


@bp.route("/runs")
@organiser_required
def runs():
    """All exercise runs, filtered by status or searched by title or cohort code."""
    status, q = request.args.get("status", ""), request.args.get("q", "").strip()
    page = db.paginate(queries.runs_query(status if status in lifecycle.RUN_STATUSES else "", None, q),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
    counts = queries.run_counts([r.id for r in page.items])
    return render_template("exercises/runs.html", page=page, counts=counts, status=status, q=q,
                           statuses=RUN_STATUS_NAMES)


@bp.route("/scenarios/<int:scenario_id>/runs/new", methods=["GET", "POST"])
@organiser_required
def run_new(scenario_id: int):
    """Create a run of a scenario for a cohort (a copy of the scenario as it is now)."""
    scenario = queries.scenario_detail(scenario_id)
    if scenario is None:
        abort(404)
    form = RunCreateForm()
    form.cohort_id.choices = [("", _("— choose a cohort —"))] + queries.cohort_choices()
    if form.validate_on_submit():
        cohort = db.session.get(Cohort, form.cohort_id.data)
        with unit_of_work(form, "cohort_id", success=_("Run created as a draft. Check the placeholders, form the "
                                                       "teams and assign staff.")):
            if cohort is None:
                raise ServiceError(_("Choose a cohort from the list."), "cohort_id")
            run = services.create_run(scenario.id, cohort, form.title.data, actor=current_user,
                                      stall_minutes=form.stall_minutes.data)
            return redirect(url_for("exercises.run_detail", run_id=run.id))
    return render_template("exercises/run_new.html", form=form, scenario=scenario)


@bp.route("/runs/<int:run_id>")
@organiser_required
def run_detail(run_id: int):
    """A run's overview: status, what is missing before it can start, and links to every part."""
    run = load_run(run_id)
    content = queries.run_content(run.id)
    teams = queries.run_teams(run.id)
    names = queries.run_placeholders(run, content)
    problems = services.readiness_problems(run) if run.status == "draft" else []
    settings = RunSettingsForm(obj=run)
    return render_template("exercises/run.html", run=run, content=content, teams=teams, staff=queries.run_staff(run.id),
                           placeholder_names=names, problems=problems, settings=settings, roles=roles_of(run),
                           action_form=ActionForm())


@bp.route("/runs/<int:run_id>/settings", methods=["POST"])
@organiser_required
def run_settings(run_id: int):
    """Rename the run or change its stall-warning threshold."""
    run = load_run(run_id)
    form = RunSettingsForm()
    if form.validate_on_submit():
        with unit_of_work(success=_("Changes saved.")):
            services.update_run(run, form.title.data, form.stall_minutes.data, actor=current_user)
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("exercises.run_detail", run_id=run.id))


@bp.route("/runs/<int:run_id>/status", methods=["POST"])
@organiser_required
def run_status(run_id: int):
    """Mark a draft ready (or back to draft), or mark an ended run evaluated (or reopen it)."""
    run = load_run(run_id)
    form = ActionForm()
    action = form.action.data if form.validate_on_submit() else ""
    if action in lifecycle.EVALUATION_ACTIONS and not lifecycle.may_evaluate(roles_of(run)):
        abort(403)
    if action not in lifecycle.SETUP_ACTIONS + lifecycle.EVALUATION_ACTIONS:
        abort(400)
    with unit_of_work() as work:
        services.transition(run, action, actor=current_user)
        work.success = _("The run is now %(status)s.", status=RUN_STATUS_NAMES[run.status])
    target = "exercises.evaluation" if action in lifecycle.EVALUATION_ACTIONS else "exercises.run_detail"
    return redirect(url_for(target, run_id=run.id))


@bp.route("/runs/<int:run_id>/delete", methods=["GET", "POST"])
@organiser_required
def run_delete(run_id: int):
    """Delete a run that has not started, after confirmation."""
    run = load_run(run_id)
    form = DeleteForm()
    back = url_for("exercises.run_detail", run_id=run.id)
    if form.validate_on_submit():
        with unit_of_work(success=_("Run deleted.")):
            services.delete_run(run, actor=current_user)
            return redirect(url_for("exercises.runs"))
        return redirect(back)
    return render_template("exercises/confirm.html", form=form, title=_("Delete run “%(t)s”?", t=run.title),
                           message=_("Its teams and staff assignments are removed too."), back=back)


@bp.route("/runs/<int:run_id>/placeholders", methods=["GET", "POST"])
@organiser_required
def run_placeholders(run_id: int):
    """Fill in the country values of the placeholders found in the run's text."""
    run = load_run(run_id)
    names = queries.run_placeholders(run, queries.run_content(run.id))
    form = placeholder_form(names, run.placeholder_values or {}, PLACEHOLDER_HINTS)()
    if form.validate_on_submit():
        # The service names the placeholder (its field on the form is ph_<name>); any other refusal is flashed.
        with unit_of_work(form, success=_("Placeholder values saved."), field_prefix="ph_"):
            services.set_placeholders(run, {n: getattr(form, f"ph_{n}").data for n in names}, actor=current_user)
            return redirect(url_for("exercises.run_detail", run_id=run.id))
    fields = [getattr(form, f"ph_{n}") for n in names]
    return render_template("exercises/run_placeholders.html", run=run, form=form, fields=fields,
                           editable=run.status in lifecycle.SETUP_STATUSES)


@bp.route("/runs/<int:run_id>/teams", methods=["GET", "POST"])
@organiser_required
def run_teams(run_id: int):
    """Teams of a run: form them automatically, then adjust by hand."""
    run = load_run(run_id)
    form = TeamsForm()
    if form.validate_on_submit():
        with unit_of_work(form, "mode") as work:
            teams = services.form_teams(run, form.mode.data, actor=current_user)
            work.success = _("%(n)d teams formed.", n=len(teams))
            return redirect(url_for("exercises.run_teams", run_id=run.id))
    teams = queries.run_teams(run.id)
    move = MemberMoveForm()
    move.team_id.choices = [("", _("— no team —"))] + [(t.id, t.name) for t in teams]
    return render_template("exercises/run_teams.html", run=run, form=form, teams=teams, move=move,
                           add_form=TeamAddForm(), unassigned=queries.unassigned_participants(run),
                           editable=run.status in lifecycle.SETUP_STATUSES)


@bp.route("/runs/<int:run_id>/teams/add", methods=["POST"])
@organiser_required
def team_add(run_id: int):
    """Add an empty team."""
    run = load_run(run_id)
    form = TeamAddForm()
    if form.validate_on_submit():
        with unit_of_work(success=_("Team added.")):
            services.add_team(run, form.name.data, actor=current_user)
    else:
        flash(_("Enter a team name."), "error")
    return redirect(url_for("exercises.run_teams", run_id=run.id))


@bp.route("/runs/<int:run_id>/teams/<int:team_id>/rename", methods=["POST"])
@organiser_required
def team_rename(run_id: int, team_id: int):
    """Rename a team."""
    run = load_run(run_id)
    team = get_owned(Team, team_id, run)
    form = TeamRenameForm()
    with unit_of_work(success=_("Team renamed.")):
        if not form.validate_on_submit():
            raise ServiceError(_("Enter a team name."), "name")
        services.rename_team(team, form.name.data, actor=current_user)
    return redirect(url_for("exercises.run_teams", run_id=run.id))


@bp.route("/runs/<int:run_id>/teams/<int:team_id>/delete", methods=["GET", "POST"])
@organiser_required
def team_delete(run_id: int, team_id: int):
    """Delete a team after confirmation (its members become unassigned)."""
    run = load_run(run_id)
    team = get_owned(Team, team_id, run)
    form = DeleteForm()
    back = url_for("exercises.run_teams", run_id=run.id)
    if form.validate_on_submit():
        with unit_of_work(success=_("Team deleted.")):
            services.delete_team(team, actor=current_user)
        return redirect(back)
    return render_template("exercises/confirm.html", form=form, title=_("Delete team “%(t)s”?", t=team.name),
                           message=_("Its members become unassigned."), back=back)


@bp.route("/runs/<int:run_id>/members/move", methods=["POST"])
@organiser_required
def member_move(run_id: int):
    """Move a trainee to another team (or out of every team)."""
    run = load_run(run_id)
    form = MemberMoveForm()
    form.team_id.choices = [("", "")] + [(t.id, t.name) for t in queries.run_teams(run.id)]
    with unit_of_work(success=_("Team membership changed.")):
        if not form.validate_on_submit() or not str(form.trainee_id.data).isdigit():
            raise ServiceError(_("Choose a team from the list."), "team_id")
        services.move_member(run, int(form.trainee_id.data), form.team_id.data, actor=current_user)
    return redirect(url_for("exercises.run_teams", run_id=run.id))


@bp.route("/runs/<int:run_id>/staff", methods=["GET", "POST"])
@organiser_required
def run_staff(run_id: int):
    """Assign organisers to the run as facilitator, controller, evaluator or observer."""
    run = load_run(run_id)
    if request.method == "POST":
        require_staff_manager(run)
    form = StaffForm()
    form.user_id.choices = [("", _("— choose —"))] + queries.organiser_choices()
    if form.validate_on_submit():
        with unit_of_work(form, "user_id", success=_("Staff role saved.")):
            services.assign_staff(run, db.session.get(User, form.user_id.data), form.role.data, actor=current_user)
            return redirect(url_for("exercises.run_staff", run_id=run.id))
    return render_template("exercises/run_staff.html", run=run, form=form, staff=queries.run_staff(run.id),
                           remove_form=DeleteForm(), can_manage=may_manage_staff(run))


@bp.route("/runs/<int:run_id>/staff/<int:staff_id>/remove", methods=["POST"])
@organiser_required
def staff_remove(run_id: int, staff_id: int):
    """Take someone off the run's staff."""
    run = load_run(run_id)
    require_staff_manager(run)
    with unit_of_work(success=_("Removed from the staff.")):
        services.remove_staff(run, staff_id, actor=current_user)
    return redirect(url_for("exercises.run_staff", run_id=run.id))
