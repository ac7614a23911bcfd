"""Scenario library pages: list, create, edit, parts (objectives, modules, injects, questions), MSEL."""

from __future__ import annotations

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from accounts.permissions import organiser_required
from core.extensions import db
from core.i18n import _
from core.refdata import sector_choices
from core.spreadsheets import XLSX_MIME
from core.uow import unit_of_work
from exercises import msel, queries
from exercises.blueprint import bp
from exercises.forms import (
    DeleteForm,
    InjectForm,
    ModuleForm,
    MselImportForm,
    ObjectiveForm,
    QuestionForm,
    ScenarioForm,
)
from exercises.injects import format_expected_actions, parse_expected_actions
from exercises.models import Scenario, ScenarioInject, ScenarioModule, ScenarioObjective, ScenarioQuestion
from exercises.services import library as services
from exercises.views.common import send_attachment
from trainees.display import current_lang

PARTS = {
    "objective": (ScenarioObjective, ObjectiveForm, services.add_objective, services.update_objective),
    "module": (ScenarioModule, ModuleForm, services.add_module, services.update_module),
    "inject": (ScenarioInject, InjectForm, services.add_inject, services.update_inject),
    "question": (ScenarioQuestion, QuestionForm, services.add_question, services.update_question),
}


def _scenario_or_404(scenario_id: int) -> Scenario:
    scenario = queries.scenario_detail(scenario_id)
    if scenario is None:
        abort(404)
    return scenario


@bp.route("/")
@organiser_required
def index():
    """The scenario library: search and filter by sector."""
    q, sector = request.args.get("q", "").strip(), request.args.get("sector", "")
    page = db.paginate(queries.scenarios_query(q, sector), per_page=current_app.config["PER_PAGE"], error_out=False)
    counts = queries.scenario_counts([s.id for s in page.items])
    return render_template("exercises/index.html", page=page, counts=counts, q=q, sector=sector,
                           sectors=sector_choices(current_lang()))


@bp.route("/scenarios/new", methods=["GET", "POST"])
@organiser_required
def scenario_new():
    """Start a new scenario."""
    form = ScenarioForm()
    if form.validate_on_submit():
        with unit_of_work(form, "title", success=_("Scenario created. Add objectives, modules and injects next.")):
            scenario = services.create_scenario(actor=current_user, **_scenario_values(form))
            return redirect(url_for("exercises.scenario_detail", scenario_id=scenario.id))
    return render_template("exercises/scenario_form.html", form=form, scenario=None)


def _scenario_values(form: ScenarioForm) -> dict:
    return {k: getattr(form, k).data for k in ("title", "summary", "sector_code", "threat_type", "tlp", "t0_clock")}


@bp.route("/scenarios/<int:scenario_id>")
@organiser_required
def scenario_detail(scenario_id: int):
    """A scenario with its objectives, modules, MSEL and questions."""
    scenario = _scenario_or_404(scenario_id)
    return render_template("exercises/scenario.html", scenario=scenario,
                           placeholders=queries.scenario_placeholders(scenario),
                           counts=queries.scenario_counts([scenario.id])[scenario.id])


@bp.route("/scenarios/<int:scenario_id>/edit", methods=["GET", "POST"])
@organiser_required
def scenario_edit(scenario_id: int):
    """Edit a scenario's description (runs already made keep their copy)."""
    scenario = db.get_or_404(Scenario, scenario_id)
    form = ScenarioForm(obj=scenario)
    if form.validate_on_submit():
        with unit_of_work(form, "title", success=_("Changes saved.")):
            services.update_scenario(scenario, actor=current_user, **_scenario_values(form))
            return redirect(url_for("exercises.scenario_detail", scenario_id=scenario.id))
    return render_template("exercises/scenario_form.html", form=form, scenario=scenario)


@bp.route("/scenarios/<int:scenario_id>/delete", methods=["GET", "POST"])
@organiser_required
def scenario_delete(scenario_id: int):
    """Delete a scenario after confirmation; its runs keep their own copy."""
    scenario = db.get_or_404(Scenario, scenario_id)
    form = DeleteForm()
    if form.validate_on_submit():
        with unit_of_work(success=_("Scenario deleted.")):
            services.delete_scenario(scenario, actor=current_user)
        return redirect(url_for("exercises.index"))
    return render_template("exercises/confirm.html", form=form, title=_("Delete scenario “%(t)s”?", t=scenario.title),
                           message=_("The scenario and its MSEL are removed from the library. Runs made from it "
                                     "keep their own copy."),
                           back=url_for("exercises.scenario_detail", scenario_id=scenario.id))


def _module_choices(scenario: Scenario) -> list:
    return [("", _("— no module —"))] + [(m.id, f"{m.position}. {m.title}") for m in scenario.modules]


def _part_values(kind: str, form) -> dict:
    names = {"objective": ("text", "csf_function", "first_service", "position"),
             "module": ("title", "scenario_start", "planned_minutes", "situation", "position"),
             "inject": ("module_id", "position", "scenario_time", "planned_offset_minutes", "channel", "from_persona",
                        "audience", "title", "body", "contingency"),
             "question": ("module_id", "text", "position")}[kind]
    values = {n: getattr(form, n).data for n in names}
    if kind == "inject":
        values["expected_actions"] = parse_expected_actions(form.expected_actions.data)
    return values


@bp.route("/scenarios/<int:scenario_id>/<any(objective, module, inject, question):kind>/new",
          methods=["GET", "POST"], defaults={"part_id": None}, endpoint="part_new")
@bp.route("/scenarios/<int:scenario_id>/<any(objective, module, inject, question):kind>/<int:part_id>/edit",
          methods=["GET", "POST"], endpoint="part_edit")
@organiser_required
def part_form(scenario_id: int, kind: str, part_id: int | None):
    """Add or edit an objective, module, inject or discussion question of a scenario."""
    scenario = _scenario_or_404(scenario_id)
    model, form_class, add, update = PARTS[kind]
    part = None
    if part_id is not None:
        part = db.session.get(model, part_id)
        if part is None or part.scenario_id != scenario.id:
            abort(404)
    form = form_class(obj=part)
    if hasattr(form, "module_id"):
        form.module_id.choices = _module_choices(scenario)
    if kind == "inject" and isinstance(form.expected_actions.data, list):  # from the object, not the request
        form.expected_actions.data = format_expected_actions(form.expected_actions.data)
    if form.validate_on_submit():
        with unit_of_work(form, "title" if hasattr(form, "title") else "text", success=_("Saved.")):
            part = update(part, actor=current_user, **_part_values(kind, form)) if part else \
                add(scenario, actor=current_user, **_part_values(kind, form))
            if kind == "inject":
                _save_attachment(form, part)
            return redirect(url_for("exercises.scenario_detail", scenario_id=scenario.id, _anchor=f"{kind}-{part.id}"))
    return render_template("exercises/part_form.html", form=form, scenario=scenario, kind=kind, part=part)


def _save_attachment(form: InjectForm, inject: ScenarioInject) -> None:
    upload = form.attachment.data
    if isinstance(upload, FileStorage) and upload.filename:
        services.set_attachment(inject, upload.filename, upload.read(services.ATTACHMENT_MAX_BYTES + 1),
                                actor=current_user)
    elif form.remove_attachment.data and inject.attachment_id:
        services.remove_attachment(inject, actor=current_user)


@bp.route("/scenarios/<int:scenario_id>/<any(objective, module, inject, question):kind>/<int:part_id>/delete",
          methods=["GET", "POST"])
@organiser_required
def part_delete(scenario_id: int, kind: str, part_id: int):
    """Delete one part of a scenario after confirmation."""
    model = PARTS[kind][0]
    part = db.session.get(model, part_id)
    if part is None or part.scenario_id != scenario_id:
        abort(404)
    form = DeleteForm()
    back = url_for("exercises.scenario_detail", scenario_id=scenario_id)
    if form.validate_on_submit():
        with unit_of_work(success=_("Deleted.")):
            services.delete_part(part, actor=current_user)
        return redirect(back)
    label = getattr(part, "title", None) or getattr(part, "text", "")
    return render_template("exercises/confirm.html", form=form, title=_("Delete “%(t)s”?", t=label[:80]),
                           message=_("This cannot be undone. Runs already made keep their copy."), back=back)


@bp.route("/scenarios/<int:scenario_id>/msel.xlsx")
@organiser_required
def msel_export(scenario_id: int):
    """Download the scenario's MSEL as an Excel workbook."""
    scenario = _scenario_or_404(scenario_id)
    data = msel.export_workbook(scenario)
    return _xlsx(data, f"msel-scenario-{scenario.id}.xlsx")


@bp.route("/msel-template.xlsx")
@organiser_required
def msel_template():
    """An empty MSEL workbook with the documented columns."""
    empty = Scenario(title="", t0_clock="09:00")
    empty.modules, empty.injects = [], []
    return _xlsx(msel.export_workbook(empty), "msel-template.xlsx")


def _xlsx(data: bytes, filename: str):
    return send_file(BytesIO(data), mimetype=XLSX_MIME, as_attachment=True, download_name=filename)


@bp.route("/scenarios/<int:scenario_id>/msel/import", methods=["GET", "POST"])
@organiser_required
def msel_import(scenario_id: int):
    """Replace the scenario's injects from an MSEL workbook (all rows valid, or nothing is written)."""
    scenario = db.get_or_404(Scenario, scenario_id)
    form = MselImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        data = form.file.data.read(msel.MAX_BYTES + 1)
        parsed = msel.parse_workbook(data, scenario.t0_clock)
        problems = parsed.errors
        if not problems:
            with unit_of_work() as work:
                count = services.replace_msel(scenario, parsed.modules, parsed.injects, actor=current_user)
                work.success = _("%(n)d injects imported.", n=count)
                return redirect(url_for("exercises.scenario_detail", scenario_id=scenario.id))
        flash(_("Nothing was imported: correct the rows listed below and upload the file again."), "error")
    return render_template("exercises/msel_import.html", form=form, scenario=scenario, problems=problems,
                           columns=msel.COLUMNS)


@bp.route("/scenarios/attachments/<int:attachment_id>")
@organiser_required
def attachment(attachment_id: int):
    """Download an inject attachment (organisers)."""
    return send_attachment(queries.attachment_data(attachment_id))
