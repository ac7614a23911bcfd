"""Writes of the impact feature (flush, never commit: the view or CLI command commits once)."""

from __future__ import annotations

import calendar
import hashlib
import json
import secrets
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from core import audit
from core.db import utcnow
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from impact.models import (
    ORG_SIZES,
    Assessment,
    AssessmentAnswer,
    CostLine,
    Instrument,
    InstrumentGroup,
    InstrumentItem,
    Outcome,
)
from impact.vocab import COST_CATEGORIES, OUTCOME_KINDS
from trainees.models import Cohort, Enrolment, Organisation, Trainee
from trainees.status import COUNTED_STATUSES

DATA_DIR = Path(__file__).resolve().parent / "instruments"
INSTRUMENT_FILES = ("ismb.json", "sim3.json")


# --- instruments ---------------------------------------------------------------------------------

def _versions(doc: dict) -> list[tuple[str, str | None]]:
    if "versions" in doc:
        return [(v, v) for v in doc["versions"]]
    return [(doc["version"], None)]


def load_instruments(directory: Path = DATA_DIR, files: tuple[str, ...] = INSTRUMENT_FILES) -> list[Instrument]:
    """Add every instrument version from the data files that is not in the database yet (idempotent).

    An existing (key, version) is never changed: to change wording, add a new version to the file.
    The last version added for a key becomes the current one (offered for new requests).
    """
    created = []
    for name in files:
        doc = json.loads((directory / name).read_text(encoding="utf-8"))
        versions = _versions(doc)
        for version, tag in versions:
            existing = db.session.scalar(select(Instrument).where(Instrument.key == doc["key"],
                                                                  Instrument.version == version))
            if existing is not None:
                continue
            inst = Instrument(key=doc["key"], version=version, title_en=doc["title"]["en"], title_ja=doc["title"]["ja"],
                              description_en=doc.get("description", {}).get("en", ""),
                              description_ja=doc.get("description", {}).get("ja", ""),
                              scale_min=doc["scale"]["min"], scale_max=doc["scale"]["max"],
                              scale_labels=doc["scale"]["labels"])
            for gpos, g in enumerate(doc["groups"]):
                group = InstrumentGroup(code=g["code"], position=gpos, name_en=g["name"]["en"], name_ja=g["name"]["ja"])
                pos = 0
                for item in g["items"]:
                    if tag is not None and "only_in" in item and tag not in item["only_in"]:
                        continue
                    group.items.append(InstrumentItem(code=item["code"], position=pos, text_en=item["text"]["en"],
                                                      text_ja=item["text"]["ja"],
                                                      controls=" ".join(item.get("controls", []))))
                    pos += 1
                inst.groups.append(group)
            db.session.add(inst)
            created.append(inst)
        db.session.flush()
        new_versions = [i.version for i in created if i.key == doc["key"]]
        if new_versions:  # the newest version added becomes current; loading an older file changes nothing
            for inst in db.session.scalars(select(Instrument).where(Instrument.key == doc["key"])):
                inst.is_current = inst.version == new_versions[-1]
    db.session.flush()
    return created


# --- assessments ---------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (clamped to the month's last day)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cohort_organisations(cohort: Cohort) -> list[Organisation]:
    """Organisations of the cohort's counted trainees (one query)."""
    stmt = (select(Organisation).join(Trainee, Trainee.organisation_id == Organisation.id)
            .join(Enrolment, Enrolment.trainee_id == Trainee.id)
            .where(Enrolment.cohort_id == cohort.id, Enrolment.status.in_(COUNTED_STATUSES))
            .distinct().order_by(Organisation.name))
    return list(db.session.scalars(stmt))


def request_assessments(cohort: Cohort, instrument: Instrument, kind: str, due: date) -> int:
    """Request an assessment of each of the cohort's organisations (skips ones already requested)."""
    if kind not in ("baseline", "followup"):
        raise ServiceError(_("Choose baseline or follow-up."), "kind")
    if due < date.today():
        raise ServiceError(_("The due date must not be in the past."), "due_date")
    existing = set(db.session.scalars(
        select(Assessment.organisation_id).join(Instrument, Instrument.id == Assessment.instrument_id)
        .where(Assessment.cohort_id == cohort.id, Assessment.kind == kind, Instrument.key == instrument.key)))
    created = 0
    for org in cohort_organisations(cohort):
        if org.id in existing:
            continue
        db.session.add(Assessment(organisation_id=org.id, instrument_id=instrument.id, cohort_id=cohort.id,
                                  kind=kind, due_date=due, profile_sector=org.sector_code,
                                  profile_country=org.country))
        created += 1
    db.session.flush()
    audit.record("impact.assessments_requested", obj=cohort,
                 summary=f"{created} {kind} {instrument.key} {instrument.version} due {due.isoformat()}")
    return created


def submit_assessment(assessment: Assessment, levels: dict[int, str | int | None], *, size: str, user=None,
                      name: str = "") -> dict[int, str]:
    """Store the answers (every item, a level on the instrument's scale) and mark it submitted.

    Returns {item id: message} for missing or invalid answers (nothing is written then).
    """
    if assessment.status == "submitted":
        raise ServiceError(_("This assessment was already submitted."))
    inst = assessment.instrument
    errors: dict[int, str] = {}
    clean: dict[int, int] = {}
    for group in inst.groups:
        for item in group.items:
            raw = levels.get(item.id)
            try:
                level = int(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                errors[item.id] = _("Choose a level.")
                continue
            if not inst.scale_min <= level <= inst.scale_max:
                errors[item.id] = _("Choose a level.")
                continue
            clean[item.id] = level
    if size not in ORG_SIZES:
        errors[0] = _("Choose the size of the organisation.")
    if errors:
        return errors
    for item_id, level in clean.items():
        assessment.answers.append(AssessmentAnswer(item_id=item_id, level=level))
    assessment.profile_size = size
    assessment.status = "submitted"
    assessment.submitted_at = utcnow()
    assessment.submitted_by_id = getattr(user, "id", None)
    assessment.submitted_by_name = name[:200]
    assessment.invite_token_hash = None
    db.session.flush()
    return {}


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_invite(assessment: Assessment) -> str:
    """A link token a colleague can use to answer for the organisation (replaces any earlier one)."""
    if assessment.status == "submitted":
        raise ServiceError(_("This assessment was already submitted."))
    raw = secrets.token_urlsafe(32)
    assessment.invite_token_hash = _hash(raw)
    db.session.flush()
    return raw


def invite_colleague(assessment: Assessment, email: str, *, inviter: str, locale: str) -> str:
    """Queue an e-mail with a one-off link a colleague uses to answer for the organisation (replaces any
    earlier link). The colleague has no account: the mail is in the inviting trainee's language."""
    from flask import url_for

    from core.mailqueue import queue_mail, recipient_locale

    raw = create_invite(assessment)
    link = url_for("impact.answer_by_link", token=raw, _external=True)
    with recipient_locale(locale=locale):
        lang = "ja" if locale.startswith("ja") else "en"
        org = assessment.organisation.name
        subject = _("Please answer the self-assessment of %(org)s", org=org)
        body = _("%(name)s asks you to answer the %(instrument)s self-assessment of %(org)s on its behalf by "
                 "%(date)s. Open this link (no account needed; it works until the assessment is submitted):",
                 name=inviter, instrument=assessment.instrument.label(lang), org=org,
                 date=assessment.due_date.isoformat())
    queue_mail(email, subject, f"{body}\n\n{link}\n", kind="impact_invite")
    audit.record("impact.colleague_invited", obj=assessment, summary="link e-mailed to a colleague")
    return raw


def assessment_for_token(raw: str) -> Assessment | None:
    if not raw:
        return None
    found = db.session.scalar(select(Assessment).where(Assessment.invite_token_hash == _hash(raw)))
    return found if found is not None and found.status == "requested" else None


def due_soon(today: date, days_before: int = 7) -> list[Assessment]:
    """Open (requested) assessments due within ``days_before`` days, or overdue, soonest first."""
    stmt = (select(Assessment).where(Assessment.status == "requested",
                                     Assessment.due_date <= date.fromordinal(today.toordinal() + days_before))
            .order_by(Assessment.due_date, Assessment.id))
    return list(db.session.scalars(stmt))


# --- outcomes ------------------------------------------------------------------------------------

def add_outcome(kind: str, occurred_on: date, *, trainee: Trainee | None = None,
                organisation: Organisation | None = None, audience: int | None = None, note: str = "",
                source: str = "organiser", user=None) -> Outcome:
    if kind not in OUTCOME_KINDS:
        raise ServiceError(_("Choose a kind of outcome."), "kind")
    if trainee is None and organisation is None:
        raise ServiceError(_("Choose a trainee or an organisation."), "trainee_id")
    if occurred_on > date.today():
        raise ServiceError(_("The date must not be in the future."), "occurred_on")
    if kind == "trainer" and not audience:
        raise ServiceError(_("Give the number of people trained."), "audience")
    if audience is not None and audience < 0:
        raise ServiceError(_("The number must not be negative."), "audience")
    outcome = Outcome(kind=kind, occurred_on=occurred_on, trainee_id=getattr(trainee, "id", None),
                      organisation_id=getattr(organisation, "id", None) if organisation else
                      (trainee.organisation_id if trainee else None),
                      audience=audience if kind == "trainer" else None, note=note, source=source,
                      created_by_id=getattr(user, "id", None))
    db.session.add(outcome)
    db.session.flush()
    audit.record("impact.outcome_added", obj=outcome, summary=f"{kind} {occurred_on.isoformat()}")
    return outcome


def delete_outcome(outcome: Outcome) -> None:
    audit.record("impact.outcome_deleted", obj=outcome, summary=f"{outcome.kind} {outcome.occurred_on.isoformat()}")
    db.session.delete(outcome)
    db.session.flush()


# --- costs ---------------------------------------------------------------------------------------

def _decimal(value, field: str, message: str) -> Decimal:
    try:
        result = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise ServiceError(message, field) from None
    if not result.is_finite():
        raise ServiceError(message, field)
    return result


def add_cost_line(*, category: str, amount, currency: str, rate, description: str = "", cohort: Cohort | None = None,
                  programme=None, fiscal_year: int | None = None) -> CostLine:
    if category not in COST_CATEGORIES:
        raise ServiceError(_("Choose a category."), "category")
    amount_d = _decimal(amount, "amount", _("Enter an amount, e.g. 125000 or 980.50."))
    if amount_d < 0:
        raise ServiceError(_("The amount must not be negative."), "amount")
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ServiceError(_("Enter a three-letter currency code such as JPY or USD."), "currency")
    rate_d = Decimal(1) if currency == "JPY" else _decimal(rate, "rate", _("Enter the rate used (yen per unit)."))
    if rate_d <= 0:
        raise ServiceError(_("Enter the rate used (yen per unit)."), "rate")
    if programme is not None and fiscal_year is None:
        raise ServiceError(_("Give the fiscal year of the shared cost."), "fiscal_year")
    line = CostLine(cohort_id=getattr(cohort, "id", None), programme_id=getattr(programme, "id", None),
                    fiscal_year=fiscal_year if programme is not None else None, category=category,
                    description=description[:300], amount=amount_d.quantize(Decimal("0.01")), currency=currency,
                    rate_to_jpy=rate_d)
    db.session.add(line)
    db.session.flush()
    audit.record("impact.cost_added", obj=line, summary=f"{category} {amount_d} {currency} × {rate_d}")
    return line


def delete_cost_line(line: CostLine) -> None:
    audit.record("impact.cost_deleted", obj=line, summary=f"{line.category} {line.amount} {line.currency}")
    db.session.delete(line)
    db.session.flush()
