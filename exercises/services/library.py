"""Scenario library writes: scenarios, objectives, modules, injects, questions and attachments."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select

from accounts.models import User
from core import audit, filestore
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from core.refdata import sector_codes
from exercises.models import (
    Attachment,
    Scenario,
    ScenarioInject,
    ScenarioModule,
    ScenarioObjective,
    ScenarioQuestion,
)
from exercises.services.common import offset_message, snapshot
from exercises.timeline import OffsetError, parse_clock, parse_offset
from exercises.vocab import CHANNELS, CSF_FUNCTIONS, FIRST_SERVICES, TLP_MARKINGS

SCENARIO_FIELDS = ("title", "summary", "sector_code", "threat_type", "tlp", "t0_clock")
OBJECTIVE_FIELDS = ("position", "text", "csf_function", "first_service")
MODULE_FIELDS = ("position", "title", "scenario_start", "planned_minutes", "situation")
INJECT_FIELDS = ("module_id", "position", "scenario_time", "planned_offset_minutes", "channel", "from_persona",
                 "audience", "title", "body", "expected_actions", "contingency")
QUESTION_FIELDS = ("module_id", "position", "text")

MAX_OFFSET_MINUTES = 7 * 24 * 60  # a single run longer than a week of play is a typo
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
#: Accepted attachment types, recognised by content (not by the name the browser sent).
ATTACHMENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "txt": "text/plain",
                    "csv": "text/csv"}


def _touch(scenario: Scenario) -> None:
    scenario.version = (scenario.version or 0) + 1


def _required(values: dict, key: str, label: str, limit: int | None = None) -> str:
    text = (values.get(key) or "").strip()
    if not text:
        raise ServiceError(_("%(label)s is required.", label=label), key)
    if limit and len(text) > limit:
        raise ServiceError(_("%(label)s must be at most %(n)d characters.", label=label, n=limit), key)
    return text


def _limit(values: dict, key: str, label: str, limit: int) -> str:
    text = (values.get(key) or "").strip()
    if len(text) > limit:
        raise ServiceError(_("%(label)s must be at most %(n)d characters.", label=label, n=limit), key)
    return text


def _next_position(model, parent_column, parent_id: int) -> int:
    current = db.session.scalar(select(func.max(model.position)).where(parent_column == parent_id))
    return (current or 0) + 1


# --- scenarios --------------------------------------------------------------------------------

def clean_scenario(values: dict) -> dict:
    """Validated scenario fields (raises ServiceError naming the field)."""
    clean = {
        "title": _required(values, "title", _("Title"), 300),
        "summary": values.get("summary") or "",
        "threat_type": _limit(values, "threat_type", _("Threat type"), 120),
        "sector_code": values.get("sector_code") or None,
        "tlp": values.get("tlp") or "AMBER",
        "t0_clock": (values.get("t0_clock") or "09:00").strip(),
    }
    if clean["sector_code"] is not None and clean["sector_code"] not in sector_codes(include_retired=True):
        raise ServiceError(_("Choose a sector from the list."), "sector_code")
    if clean["tlp"] not in TLP_MARKINGS:
        raise ServiceError(_("Choose a TLP marking from the list."), "tlp")
    try:
        parse_clock(clean["t0_clock"])
    except OffsetError as exc:
        raise ServiceError(offset_message(exc), "t0_clock") from None
    return clean


def create_scenario(actor: User | None = None, **values) -> Scenario:
    """Add a scenario to the library."""
    scenario = Scenario(**clean_scenario(values), created_by_id=getattr(actor, "id", None), version=1)
    db.session.add(scenario)
    db.session.flush()
    audit.record("scenario.create", obj=scenario, actor=actor, summary=scenario.title,
                 after=snapshot(scenario, SCENARIO_FIELDS))
    return scenario


def update_scenario(scenario: Scenario, actor: User | None = None, **values) -> Scenario:
    """Change a scenario's description; a new T0 clock re-places ``Day N`` inject times."""
    clean = clean_scenario(values)
    before = snapshot(scenario, SCENARIO_FIELDS)
    clock_changed = clean["t0_clock"] != scenario.t0_clock
    for key, value in clean.items():
        setattr(scenario, key, value)
    if clock_changed:
        t0 = parse_clock(scenario.t0_clock)
        injects = db.session.scalars(select(ScenarioInject).where(ScenarioInject.scenario_id == scenario.id))
        for inject in injects:
            inject.scenario_minutes = parse_offset(inject.scenario_time, t0)
    _touch(scenario)
    db.session.flush()
    old, new = audit.diff(before, snapshot(scenario, SCENARIO_FIELDS))
    audit.record("scenario.update", obj=scenario, actor=actor, summary=scenario.title, before=old, after=new)
    return scenario


def delete_scenario(scenario: Scenario, actor: User | None = None) -> None:
    """Remove a scenario from the library; runs made from it keep their own copy."""
    audit.record("scenario.delete", obj=scenario, actor=actor, summary=scenario.title,
                 before=snapshot(scenario, SCENARIO_FIELDS))
    db.session.delete(scenario)
    db.session.flush()


# --- objectives -------------------------------------------------------------------------------

def clean_objective(values: dict) -> dict:
    clean = {
        "text": _required(values, "text", _("Objective"), 2000),
        "csf_function": values.get("csf_function") or None,
        "first_service": (values.get("first_service") or "").strip() or None,
        "position": values.get("position"),
    }
    if clean["csf_function"] is not None and clean["csf_function"] not in CSF_FUNCTIONS:
        raise ServiceError(_("Choose a NIST CSF function from the list."), "csf_function")
    if clean["first_service"] is not None and clean["first_service"] not in FIRST_SERVICES:
        raise ServiceError(_("Use a FIRST CSIRT service number such as 6.2."), "first_service")
    if clean["csf_function"] is None and clean["first_service"] is None:
        raise ServiceError(_("Map the objective to a NIST CSF function, a FIRST service, or both."), "csf_function")
    return clean


def add_objective(scenario: Scenario, actor: User | None = None, **values) -> ScenarioObjective:
    clean = clean_objective(values)
    clean["position"] = clean["position"] or _next_position(ScenarioObjective, ScenarioObjective.scenario_id,
                                                             scenario.id)
    objective = ScenarioObjective(scenario_id=scenario.id, **clean)
    db.session.add(objective)
    _touch(scenario)
    db.session.flush()
    audit.record("scenario.objective.create", obj=objective, actor=actor,
                 summary=f"{scenario.title}: {objective.text}"[:200],
                 after=snapshot(objective, OBJECTIVE_FIELDS))
    return objective


def update_objective(objective: ScenarioObjective, actor: User | None = None, **values) -> ScenarioObjective:
    clean = clean_objective(values)
    clean["position"] = clean["position"] or objective.position
    before = snapshot(objective, OBJECTIVE_FIELDS)
    for key, value in clean.items():
        setattr(objective, key, value)
    _touch(objective.scenario)
    db.session.flush()
    old, new = audit.diff(before, snapshot(objective, OBJECTIVE_FIELDS))
    audit.record("scenario.objective.update", obj=objective, actor=actor, summary=objective.text[:200],
                 before=old, after=new)
    return objective


# --- modules ----------------------------------------------------------------------------------

def clean_module(values: dict, t0_clock: str) -> dict:
    clean = {
        "title": _required(values, "title", _("Title"), 200),
        "scenario_start": _limit(values, "scenario_start", _("Scenario time"), 40),
        "planned_minutes": values.get("planned_minutes"),
        "situation": values.get("situation") or "",
        "position": values.get("position"),
    }
    if clean["scenario_start"]:
        try:
            parse_offset(clean["scenario_start"], parse_clock(t0_clock))
        except OffsetError as exc:
            raise ServiceError(offset_message(exc), "scenario_start") from None
    minutes = clean["planned_minutes"]
    if minutes is not None and not 0 < minutes <= 24 * 60:
        raise ServiceError(_("Planned duration must be between 1 and 1440 minutes."), "planned_minutes")
    return clean


def add_module(scenario: Scenario, actor: User | None = None, **values) -> ScenarioModule:
    clean = clean_module(values, scenario.t0_clock)
    clean["position"] = clean["position"] or _next_position(ScenarioModule, ScenarioModule.scenario_id, scenario.id)
    module = ScenarioModule(scenario_id=scenario.id, **clean)
    db.session.add(module)
    _touch(scenario)
    db.session.flush()
    audit.record("scenario.module.create", obj=module, actor=actor,
                 summary=f"{scenario.title}: {module.title}"[:200],
                 after=snapshot(module, MODULE_FIELDS))
    return module


def update_module(module: ScenarioModule, actor: User | None = None, **values) -> ScenarioModule:
    clean = clean_module(values, module.scenario.t0_clock)
    clean["position"] = clean["position"] or module.position
    before = snapshot(module, MODULE_FIELDS)
    for key, value in clean.items():
        setattr(module, key, value)
    _touch(module.scenario)
    db.session.flush()
    old, new = audit.diff(before, snapshot(module, MODULE_FIELDS))
    audit.record("scenario.module.update", obj=module, actor=actor, summary=module.title, before=old, after=new)
    return module


# --- injects ----------------------------------------------------------------------------------

def clean_inject(scenario: Scenario, values: dict) -> dict:
    """Validated inject fields; ``scenario_minutes`` is derived from the scenario-time label."""
    label = _required(values, "scenario_time", _("Scenario time"), 40)
    try:
        minutes = parse_offset(label, parse_clock(scenario.t0_clock))
    except OffsetError as exc:
        raise ServiceError(offset_message(exc), "scenario_time") from None
    module_id = values.get("module_id") or None
    if module_id is not None:
        owner = db.session.scalar(select(ScenarioModule.scenario_id).where(ScenarioModule.id == module_id))
        if owner != scenario.id:
            raise ServiceError(_("Choose a module of this scenario."), "module_id")
    offset = values.get("planned_offset_minutes")
    if offset is not None and not 0 <= offset <= MAX_OFFSET_MINUTES:
        raise ServiceError(_("The planned offset must be between 0 and %(n)d minutes.", n=MAX_OFFSET_MINUTES),
                           "planned_offset_minutes")
    channel = values.get("channel") or "email"
    if channel not in CHANNELS:
        raise ServiceError(_("Choose a channel from the list."), "channel")
    actions = values.get("expected_actions") or []
    for item in actions:
        if len(item.get("action", "")) > 2000 or len(item.get("role", "")) > 200:
            raise ServiceError(_("An expected action is too long (at most 2000 characters)."), "expected_actions")
    return {
        "module_id": module_id,
        "position": values.get("position"),
        "scenario_time": label,
        "scenario_minutes": minutes,
        "planned_offset_minutes": offset,
        "channel": channel,
        "from_persona": _limit(values, "from_persona", _("From"), 200),
        "audience": _limit(values, "audience", _("To / audience"), 200),
        "title": _required(values, "title", _("Title"), 200),
        "body": values.get("body") or "",
        "expected_actions": [{"role": a.get("role", ""), "action": a["action"]} for a in actions],
        "contingency": bool(values.get("contingency")),
    }


def add_inject(scenario: Scenario, actor: User | None = None, **values) -> ScenarioInject:
    clean = clean_inject(scenario, values)
    clean["position"] = clean["position"] or _next_position(ScenarioInject, ScenarioInject.scenario_id, scenario.id)
    inject = ScenarioInject(scenario_id=scenario.id, **clean)
    db.session.add(inject)
    _touch(scenario)
    db.session.flush()
    audit.record("scenario.inject.create", obj=inject, actor=actor,
                 summary=f"{scenario.title}: {inject.title}"[:200],
                 after=snapshot(inject, INJECT_FIELDS))
    return inject


def update_inject(inject: ScenarioInject, actor: User | None = None, **values) -> ScenarioInject:
    clean = clean_inject(inject.scenario, values)
    clean["position"] = clean["position"] or inject.position
    before = snapshot(inject, INJECT_FIELDS)
    for key, value in clean.items():
        setattr(inject, key, value)
    _touch(inject.scenario)
    db.session.flush()
    old, new = audit.diff(before, snapshot(inject, INJECT_FIELDS))
    audit.record("scenario.inject.update", obj=inject, actor=actor, summary=inject.title, before=old, after=new)
    return inject


def sniff_attachment(filename: str, data: bytes) -> str:
    """The content type of an accepted attachment, recognised from its bytes; raises ServiceError otherwise."""
    if not data:
        raise ServiceError(_("The file is empty."), "attachment")
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise ServiceError(_("The file is larger than %(mb)d MB.", mb=ATTACHMENT_MAX_BYTES // (1024 * 1024)),
                           "attachment")
    if data.startswith(b"%PDF-"):
        return ATTACHMENT_TYPES["pdf"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ATTACHMENT_TYPES["png"]
    if data.startswith(b"\xff\xd8\xff"):
        return ATTACHMENT_TYPES["jpg"]
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return ATTACHMENT_TYPES["csv"] if filename.lower().endswith(".csv") else ATTACHMENT_TYPES["txt"]
    raise ServiceError(_("Attach a PDF, PNG or JPEG image, or a plain-text/CSV file."), "attachment")


def set_attachment(inject: ScenarioInject, filename: str, data: bytes, actor: User | None = None) -> Attachment:
    """Attach a file to an inject (replacing any earlier one; runs keep the file they copied)."""
    content_type = sniff_attachment(filename, data)
    safe_name = "".join(c for c in filename.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable())[:200]
    key = filestore.put(data, name=safe_name or "attachment", content_type=content_type, kind=Attachment.KIND)
    attachment = Attachment(filename=safe_name or "attachment", content_type=content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), file_key=key)
    db.session.add(attachment)
    db.session.flush()
    inject.attachment_id = attachment.id
    _touch(inject.scenario)
    db.session.flush()
    audit.record("scenario.inject.attach", obj=inject, actor=actor, summary=f"{inject.title}: {attachment.filename}")
    return attachment


def remove_attachment(inject: ScenarioInject, actor: User | None = None) -> None:
    inject.attachment_id = None
    _touch(inject.scenario)
    db.session.flush()
    audit.record("scenario.inject.detach", obj=inject, actor=actor, summary=inject.title)


# --- questions --------------------------------------------------------------------------------

def clean_question(scenario: Scenario, values: dict) -> dict:
    module_id = values.get("module_id") or None
    if module_id is not None:
        owner = db.session.scalar(select(ScenarioModule.scenario_id).where(ScenarioModule.id == module_id))
        if owner != scenario.id:
            raise ServiceError(_("Choose a module of this scenario."), "module_id")
    return {"module_id": module_id, "position": values.get("position"),
            "text": _required(values, "text", _("Question"), 2000)}


def add_question(scenario: Scenario, actor: User | None = None, **values) -> ScenarioQuestion:
    clean = clean_question(scenario, values)
    clean["position"] = clean["position"] or _next_position(ScenarioQuestion, ScenarioQuestion.scenario_id,
                                                             scenario.id)
    question = ScenarioQuestion(scenario_id=scenario.id, **clean)
    db.session.add(question)
    _touch(scenario)
    db.session.flush()
    audit.record("scenario.question.create", obj=question, actor=actor, summary=question.text[:200],
                 after=snapshot(question, QUESTION_FIELDS))
    return question


def update_question(question: ScenarioQuestion, actor: User | None = None, **values) -> ScenarioQuestion:
    clean = clean_question(question.scenario, values)
    clean["position"] = clean["position"] or question.position
    before = snapshot(question, QUESTION_FIELDS)
    for key, value in clean.items():
        setattr(question, key, value)
    _touch(question.scenario)
    db.session.flush()
    old, new = audit.diff(before, snapshot(question, QUESTION_FIELDS))
    audit.record("scenario.question.update", obj=question, actor=actor, summary=question.text[:200],
                 before=old, after=new)
    return question


def delete_part(part: Any, actor: User | None = None) -> None:
    """Delete an objective, module, inject or question of a scenario."""
    kind = {ScenarioObjective: "objective", ScenarioModule: "module", ScenarioInject: "inject",
            ScenarioQuestion: "question"}[type(part)]
    scenario = part.scenario
    label = getattr(part, "title", None) or getattr(part, "text", "")
    audit.record(f"scenario.{kind}.delete", obj=part, actor=actor, summary=f"{scenario.title}: {label}"[:200])
    db.session.delete(part)
    _touch(scenario)
    db.session.flush()


# --- MSEL import ------------------------------------------------------------------------------

def replace_msel(scenario: Scenario, modules: list[dict], injects: list[dict], actor: User | None = None) -> int:
    """Replace a scenario's injects with imported ones (already validated by ``exercises.msel``).

    Modules are matched by title; a title not yet in the scenario becomes a new module (with the
    situation text from the workbook's Modules sheet when it has one). Returns the inject count.
    """
    existing = {m.title.casefold(): m for m in db.session.scalars(
        select(ScenarioModule).where(ScenarioModule.scenario_id == scenario.id))}
    next_position = max((m.position for m in existing.values()), default=0)
    for values in modules:
        module = existing.get(values["title"].casefold())
        if module is None:
            next_position += 1
            module = ScenarioModule(scenario_id=scenario.id, position=values.get("position") or next_position,
                                    title=values["title"])
            db.session.add(module)
            existing[values["title"].casefold()] = module
        for key in ("scenario_start", "planned_minutes", "situation"):
            if values.get(key) not in (None, ""):
                setattr(module, key, values[key])
    db.session.flush()
    removed = db.session.scalars(select(ScenarioInject).where(ScenarioInject.scenario_id == scenario.id)).all()
    for inject in removed:
        db.session.delete(inject)
    db.session.flush()
    for values in injects:
        values = dict(values)  # the caller's rows stay as they were
        module_title = values.pop("module_title", "")
        module = existing.get(module_title.casefold()) if module_title else None
        values["module_id"] = module.id if module else None
        db.session.add(ScenarioInject(scenario_id=scenario.id, **values))
    _touch(scenario)
    db.session.flush()
    audit.record("scenario.msel.import", obj=scenario, actor=actor,
                 summary=f"{scenario.title}: {len(injects)} injects imported, {len(removed)} replaced"[:200])
    return len(injects)
