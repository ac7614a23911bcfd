"""Trainee import: match parsed rows against the database, classify them, and write them.

``plan_import`` reads only (a few bulk queries, never one per row) and classifies every row as
new / update / unchanged / invalid. ``apply_import`` writes a plan: all-or-nothing unless
``skip_invalid``. Like every service it flushes and never commits; the view or CLI command commits
once. Matching rules:

- a trainee is the same person when the e-mail matches (stored lower-case);
- an organisation is the same when its name matches case-, width- and space-insensitively
  (``services.name_key``) within its country (``organisation_country``, else the nationality);
  an existing organisation's sector and type are never changed by an import (a note says so);
- an empty optional cell (family name, gender, job title, date of birth) leaves the stored value alone;
- an existing enrolment whose status differs from the file's: a legal transition is applied
  (with history); a status the enrolment has already moved beyond is left alone with a note (the
  file is older than the record); anything else makes the row invalid, with the allowed targets.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accounts.models import User
from core import audit
from core.db import utcnow
from core.extensions import db
from core.i18n import _
from trainees import services
from trainees.imports.reader import Limits, ParsedFile, ParsedRow, Problem, paused_gc
from trainees.models import Cohort, Enrolment, Organisation, Trainee
from trainees.status import SEAT_FREE_STATUSES, TRANSITIONS, allowed_targets, can_transition, status_name

#: Trainee fields an import compares and updates (organisation handled separately).
PERSON_FIELDS = ("family_name", "given_names", "gender", "nationality", "job_title", "date_of_birth")
#: Optional fields where an empty cell means "no information" (the stored value is kept).
KEEP_WHEN_EMPTY = ("family_name", "gender", "job_title", "date_of_birth")


@dataclass(slots=True)
class RowPlan:
    """What the import will do with one row."""

    row: ParsedRow
    kind: str = "invalid"  # new | update | unchanged | invalid
    trainee: Trainee | None = None
    org_key: tuple[str, str] | None = None
    changes: dict[str, tuple] = field(default_factory=dict)  # field -> (old, new), for display and update
    enrol_status: str | None = None  # set when an enrolment is to be created
    status_change: tuple[Enrolment, str] | None = None
    notes: list[Problem] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.row.number

    @property
    def errors(self) -> list[Problem]:
        return self.row.errors


@dataclass
class ImportPlan:
    """Every row's plan, the organisations to create, and notes about the file."""

    cohort: Cohort
    filename: str
    rows: list[RowPlan]
    notes: list[str]
    orgs: dict[tuple[str, str], Organisation]
    new_orgs: dict[tuple[str, str], dict]

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in ("new", "update", "unchanged", "invalid")}

    def problems(self) -> list[str]:
        """``row N: column: message`` for every problem, in row order."""
        return [p.line(r.number) for r in self.rows for p in r.errors]


@dataclass
class ImportResult:
    """What was (or, in a dry run, would be) written."""

    plan: ImportPlan
    imported: int
    updated: int
    invalid: int
    written: bool
    skip_invalid: bool = False

    @property
    def summary(self) -> str:
        return f"imported: {self.imported}, updated: {self.updated}, invalid: {self.invalid}"

    @property
    def refused(self) -> bool:
        """Nothing is (or would be) written because of invalid rows: all-or-nothing, or every row invalid."""
        return self.invalid > 0 and (not self.skip_invalid or self.invalid == len(self.plan.rows))


def import_limits() -> Limits:
    """The import limits from the app's configuration: MAX_IMPORT_BYTES (default MAX_CONTENT_LENGTH),
    MAX_IMPORT_ROWS, MAX_IMPORT_UNPACKED_BYTES."""
    config = current_app.config
    defaults = Limits()
    return Limits(
        max_bytes=config.get("MAX_IMPORT_BYTES") or config.get("MAX_CONTENT_LENGTH") or defaults.max_bytes,
        max_rows=config.get("MAX_IMPORT_ROWS") or defaults.max_rows,
        max_unpacked=config.get("MAX_IMPORT_UNPACKED_BYTES") or defaults.max_unpacked,
    )


# --- matching ----------------------------------------------------------------------------------

_chunks = services.chunks


def _load_trainees(emails: list[str]) -> dict[str, Trainee]:
    found: dict[str, Trainee] = {}
    for chunk in _chunks(emails):
        # joinedload: the preview shows the current organisation of a person whose employer changes.
        stmt = select(Trainee).options(joinedload(Trainee.organisation)).where(Trainee.email.in_(chunk))
        for trainee in db.session.scalars(stmt):
            found[trainee.email] = trainee
    return found


def _load_organisations(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Organisation]:
    found: dict[tuple[str, str], Organisation] = {}
    wanted = sorted({name for _country, name in keys})
    for chunk in _chunks(wanted):
        for org in db.session.scalars(select(Organisation).where(Organisation.name_key.in_(chunk))):
            if (org.country, org.name_key) in keys:
                found[(org.country, org.name_key)] = org
    return found


def _reachable(start: str, target: str) -> bool:
    """Whether ``target`` can be reached from ``start`` in one or more legal steps."""
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in TRANSITIONS.get(queue.popleft(), ()):
            if nxt == target:
                return True
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


def plan_import(parsed: ParsedFile, cohort: Cohort) -> ImportPlan:
    """Classify every row against the database (reads only; a few queries whatever the row count)."""
    with paused_gc():
        return _plan(parsed, cohort)


def _plan(parsed: ParsedFile, cohort: Cohort) -> ImportPlan:
    plans = [RowPlan(row=row) for row in parsed.rows]
    valid = [p for p in plans if p.row.is_valid]
    keys: dict[str, str] = {}
    for plan in valid:
        values = plan.row.values
        name = values["organisation"]
        key = keys.get(name)
        if key is None:
            key = keys[name] = services.name_key(name)
        plan.org_key = (values.get("organisation_country") or values["nationality"], key)
    trainees = _load_trainees([p.row.values["email"] for p in valid])
    orgs = _load_organisations({p.org_key for p in valid})
    in_cohort = select(Enrolment).where(Enrolment.cohort_id == cohort.id)
    enrolments = {e.trainee_id: e for e in db.session.scalars(in_cohort)}
    new_orgs: dict[tuple[str, str], dict] = {}
    for plan in valid:
        _plan_organisation(plan, orgs, new_orgs)
        trainee = trainees.get(plan.row.values["email"])
        if trainee is None:
            plan.kind, plan.enrol_status = "new", plan.row.values.get("status") or "nominated"
        else:
            plan.trainee = trainee
            _plan_existing(plan, trainee, orgs, enrolments.get(trainee.id))
    wanted = {p.org_key for p in valid if p.kind in ("new", "update")}
    new_orgs = {key: spec for key, spec in new_orgs.items() if key in wanted}  # none for rows found invalid
    notes = list(parsed.notes)
    seats = sum(1 for p in plans if p.enrol_status and p.kind != "invalid" and p.enrol_status not in SEAT_FREE_STATUSES)
    if cohort.capacity is not None and seats:
        taken = sum(1 for e in enrolments.values() if e.status not in SEAT_FREE_STATUSES)
        if taken + seats > cohort.capacity:
            notes.append(_("After this import the cohort would have %(n)d participants for a capacity of %(cap)d.",
                           n=taken + seats, cap=cohort.capacity))
    return ImportPlan(cohort=cohort, filename=parsed.filename, rows=plans, notes=notes, orgs=orgs,
                      new_orgs=new_orgs)


def _plan_organisation(plan: RowPlan, orgs: dict, new_orgs: dict) -> None:
    values = plan.row.values
    org = orgs.get(plan.org_key)
    wanted = (values["sector"], values["org_type"])
    if org is not None:
        if (org.sector_code, org.org_type) != wanted:
            plan.notes.append(Problem("organisation", _(
                "%(name)s is recorded with sector %(sector)s and type %(type)s; the file's %(fsector)s / %(ftype)s "
                "were not applied (change them on the organisation's page).", name=org.name, sector=org.sector_code,
                type=org.org_type, fsector=wanted[0], ftype=wanted[1])))
        return
    spec = new_orgs.get(plan.org_key)
    if spec is None:
        new_orgs[plan.org_key] = {"name": values["organisation"], "country": plan.org_key[0], "sector_code": wanted[0],
                                  "org_type": wanted[1], "row": plan.number}
    elif (spec["sector_code"], spec["org_type"]) != wanted:
        plan.notes.append(Problem("organisation", _(
            "%(name)s is created with sector %(sector)s and type %(type)s as in row %(row)d.",
            name=spec["name"], sector=spec["sector_code"], type=spec["org_type"], row=spec["row"])))


def _damaged(new: str | None, old: str | None) -> bool:
    """True when a name update brings a ? or U+FFFD the stored name does not have (character loss)."""
    return bool(new and old) and any(ch in new and ch not in old for ch in ("?", "\ufffd"))


def _plan_existing(plan: RowPlan, trainee: Trainee, orgs: dict, enrolment: Enrolment | None) -> None:
    values = plan.row.values
    for name in PERSON_FIELDS:
        new = values.get(name)
        if new is None and name in KEEP_WHEN_EMPTY:
            continue
        old = getattr(trainee, name)
        if new != old and name in ("family_name", "given_names") and _damaged(new, old):
            plan.notes.append(Problem(name, _(
                "“%(new)s” contains ? or � where “%(old)s” has a letter (a typical loss when a file is saved as "
                "Shift_JIS/CP932); the stored name was kept. Correct the file if the name really changed.",
                new=new, old=old)))
            continue
        if new != old:
            plan.changes[name] = (old, new)
    org = orgs.get(plan.org_key)
    if org is None or org.id != trainee.organisation_id:
        plan.changes["organisation"] = (trainee.organisation.name, values["organisation"])
    target = values.get("status")
    if enrolment is None:
        plan.enrol_status = target or "nominated"
    elif target and target != enrolment.status:
        if can_transition(enrolment.status, target):
            plan.status_change = (enrolment, target)
        elif _reachable(target, enrolment.status):
            plan.notes.append(Problem("status", _(
                "the enrolment is already %(current)s; the file's older status %(target)s was left alone.",
                current=status_name(enrolment.status), target=status_name(target))))
        else:
            allowed = ", ".join(allowed_targets(enrolment.status)) or _("none")
            plan.row.errors.append(Problem("status", _(
                "the enrolment is %(current)s and cannot change to %(target)s (allowed: %(allowed)s).",
                current=enrolment.status, target=target, allowed=allowed)))
            plan.kind = "invalid"
            return
    plan.kind = "update" if (plan.changes or plan.enrol_status or plan.status_change) else "unchanged"


# --- writing -----------------------------------------------------------------------------------

def apply_import(plan: ImportPlan, actor: User | None = None, skip_invalid: bool = False, *,
                 ip: str | None = None) -> ImportResult:
    """Write the plan (flush, no commit). Without ``skip_invalid`` any invalid row means nothing is written.

    ``actor`` and ``ip`` (the client's address, None from the command line) go into the audit events."""
    with paused_gc():
        return _apply(plan, actor, skip_invalid, ip)


def _apply(plan: ImportPlan, actor: User | None, skip_invalid: bool, ip: str | None) -> ImportResult:
    result = preview_result(plan, skip_invalid)
    todo = [p for p in plan.rows if p.kind in ("new", "update")]
    if result.refused or not todo:
        return result
    db.session.flush()
    writer = _Writer(plan, actor, ip)
    writer.organisations()
    writer.new_trainees([p for p in todo if p.kind == "new"])
    writer.updates([p for p in todo if p.kind == "update"])
    writer.enrolments([p for p in todo if p.enrol_status])
    writer.status_changes([p for p in todo if p.status_change])
    result.written = True
    audit.record("trainee.import", obj=plan.cohort, actor=actor, ip=ip,
                 summary=f"{plan.filename} → {plan.cohort.code}: {result.summary}")
    db.session.flush()
    return result


def preview_result(plan: ImportPlan, skip_invalid: bool = False) -> ImportResult:
    """The counts ``apply_import`` would report, without writing (for --dry-run and the preview page)."""
    invalid = plan.count("invalid")
    if invalid and (not skip_invalid or invalid == len(plan.rows)):
        return ImportResult(plan, imported=0, updated=0, invalid=invalid, written=False, skip_invalid=skip_invalid)
    return ImportResult(plan, imported=plan.count("new"), updated=plan.count("update"), invalid=invalid,
                        written=False, skip_invalid=skip_invalid)


class _Writer:
    """Writes a plan through the services: their batch functions for the many rows of a large import
    (``create_organisations``, ``create_trainees``, ``enrol_many``: a handful of statements whatever the row
    count, the same rows and audit events as the one-at-a-time services) and the per-row services for the
    few updates and status changes. The actor and the address are passed in, never read from the request."""

    def __init__(self, plan: ImportPlan, actor: User | None, ip: str | None):
        self.plan = plan
        self.actor = actor
        self.ip = ip
        self.now: datetime = utcnow()
        self.reason = _("Imported from %(file)s", file=plan.filename)[:500]
        self.org_ids = {key: org.id for key, org in plan.orgs.items()}

    def organisations(self) -> None:
        """Create the organisations the file names that do not exist yet."""
        specs = [(spec["name"], key[0], spec["sector_code"], spec["org_type"])
                 for key, spec in self.plan.new_orgs.items()]
        self.org_ids.update(services.create_organisations(specs, actor=self.actor, ip=self.ip, now=self.now))

    def new_trainees(self, plans: list[RowPlan]) -> None:
        """Insert the new people."""
        services.create_trainees([(self.org_ids[plan.org_key], plan.row.values) for plan in plans],
                                 actor=self.actor, ip=self.ip, now=self.now)

    def updates(self, plans: list[RowPlan]) -> None:
        """Changed fields of existing people, through update_trainee (which audits before/after)."""
        for plan in plans:
            if not plan.changes:
                continue
            values = {name: new for name, (_old, new) in plan.changes.items() if name in PERSON_FIELDS}
            if "organisation" in plan.changes:
                values["organisation_id"] = self.org_ids[plan.org_key]
            services.update_trainee(plan.trainee, actor=self.actor, **values)

    def enrolments(self, plans: list[RowPlan]) -> None:
        """Enrol the people in the cohort."""
        by_status: dict[str, list[str]] = {}
        for plan in plans:
            by_status.setdefault(plan.enrol_status, []).append(plan.row.values["email"])
        services.enrol_many(self.plan.cohort, by_status, self.reason, actor=self.actor, ip=self.ip, now=self.now)

    def status_changes(self, plans: list[RowPlan]) -> None:
        """Legal status changes of existing enrolments, through change_status (history and audit)."""
        for plan in plans:
            enrolment, target = plan.status_change
            services.change_status(enrolment, target, reason=self.reason, actor=self.actor)
