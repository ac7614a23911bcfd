"""Completion, survey, action-plan and certificate operations (flush only; callers commit once)."""

from __future__ import annotations

import calendar
import hashlib
import secrets
import uuid
from datetime import date, timedelta

from flask_babel import force_locale
from sqlalchemy import delete, func, insert, select

from accounts.models import User
from accounts.services import normalize_email
from completion import defaults
from completion.models import (
    ActionPlan,
    Certificate,
    CompletionPolicy,
    SurveyAnswer,
    SurveyInstance,
    SurveyItem,
    SurveyParticipation,
    SurveyResponse,
    SurveyTemplate,
    SurveyTemplateItem,
)
from core import audit
from core.db import as_utc, utcnow
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from trainees.models import Cohort, Enrolment
from trainees.services import change_status
from trainees.status import COUNTED_STATUSES

# --- completion -------------------------------------------------------------------------------

POLICY_FIELDS = ("min_attendance_pct", "min_post_test_pct", "require_courses", "require_exercise",
                 "require_action_plan")


def get_policy(cohort: Cohort) -> CompletionPolicy:
    """The cohort's completion policy, created empty (no rule) on first use."""
    policy = db.session.scalar(select(CompletionPolicy).where(CompletionPolicy.cohort_id == cohort.id))
    if policy is None:
        policy = CompletionPolicy(cohort_id=cohort.id)
        db.session.add(policy)
        db.session.flush()
    return policy


def update_policy(cohort: Cohort, actor: User | None = None, **values) -> CompletionPolicy:
    """Change a cohort's completion rules (percentages 0–100 or None)."""
    for key in ("min_attendance_pct", "min_post_test_pct"):
        value = values.get(key)
        if value is not None and not 0 <= value <= 100:
            raise ServiceError(_("Give a percentage between 0 and 100, or leave it empty."), key)
    policy = get_policy(cohort)
    before = {f: getattr(policy, f) for f in POLICY_FIELDS}
    for key in POLICY_FIELDS:
        if key in values:
            setattr(policy, key, values[key])
    db.session.flush()
    old, new = audit.diff(before, {f: getattr(policy, f) for f in POLICY_FIELDS})
    if new:
        audit.record("completion.policy", obj=cohort, actor=actor, summary=cohort.code, before=old, after=new)
    return policy


def completion_summary(cohort: Cohort, decisions: dict[int, str]) -> dict:
    """What ``finalise_completion`` would change: {"completed": [...], "incomplete": [...], "unchanged": n}
    (lists of enrolments that would move to that status)."""
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.id.in_(list(decisions)))).all()
    summary: dict = {"completed": [], "incomplete": [], "unchanged": 0}
    for enrolment in enrolments:
        target = decisions.get(enrolment.id)
        if target in ("completed", "incomplete") and enrolment.status != target:
            summary[target].append(enrolment)
        else:
            summary["unchanged"] += 1
    return summary


def finalise_completion(cohort: Cohort, decisions: dict[int, str], reason: str, actor: User | None = None
                        ) -> tuple[int, list[str]]:
    """Set each listed enrolment to completed or incomplete (with a history event); returns (changed, problems)."""
    enrolments = {e.id: e for e in db.session.scalars(
        select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.id.in_(list(decisions))))}
    changed, problems = 0, []
    for enrolment_id, target in decisions.items():
        enrolment = enrolments.get(enrolment_id)
        if enrolment is None:
            problems.append(_("Enrolment %(id)s is not in this cohort.", id=enrolment_id))
            continue
        if target not in ("completed", "incomplete") or enrolment.status == target:
            continue
        try:
            change_status(enrolment, target, reason, actor)
            changed += 1
        except ServiceError as exc:
            problems.append(exc.message)
    return changed, problems


# --- surveys ----------------------------------------------------------------------------------

def default_templates_missing() -> bool:
    """True until the built-in templates exist (reads only)."""
    keys = (defaults.REACTION_KEY, defaults.FOLLOWUP_KEY)
    found = db.session.scalar(select(func.count()).select_from(SurveyTemplate).where(SurveyTemplate.key.in_(keys)))
    return found < len(keys)


def ensure_default_templates() -> tuple[SurveyTemplate, SurveyTemplate]:
    """The built-in reaction and follow-up templates (created once; stored in English whatever the
    language of the request that happens to create them)."""
    out = []
    for key, kind, title, items in (
        (defaults.REACTION_KEY, "reaction", "End-of-course reaction survey", defaults.REACTION_ITEMS),
        (defaults.FOLLOWUP_KEY, "followup_3m", "Action-plan follow-up survey", defaults.FOLLOWUP_ITEMS),
    ):
        template = db.session.scalar(select(SurveyTemplate).where(SurveyTemplate.key == key))
        if template is None:
            template = SurveyTemplate(key=key, kind=kind, title=title)
            with force_locale("en"):
                for position, (item_kind, text, options) in enumerate(items, start=1):
                    template.items.append(SurveyTemplateItem(
                        position=position, kind=item_kind, text=str(text),
                        options=[str(o) for o in options] if options else None, required=item_kind != "text"))
            db.session.add(template)
            db.session.flush()
        out.append(template)
    return out[0], out[1]


def create_survey(cohort: Cohort, template: SurveyTemplate, *, title: str, opens_on: date, closes_on: date,
                  anonymous: bool, kind: str = "reaction", actor: User | None = None) -> SurveyInstance:
    """Give a survey to a cohort: the template's items are copied, so later template edits do not change it."""
    if closes_on < opens_on:
        raise ServiceError(_("The survey closes before it opens."), "closes_on")
    instance = SurveyInstance(cohort_id=cohort.id, title=title.strip() or template.title, kind=kind,
                              opens_on=opens_on, closes_on=closes_on, anonymous=anonymous)
    for item in template.items:
        instance.items.append(SurveyItem(position=item.position, kind=item.kind, text=item.text,
                                         options=item.options, required=item.required))
    db.session.add(instance)
    db.session.flush()
    audit.record("survey.create", obj=instance, actor=actor,
                 summary=f"{cohort.code}: {instance.title} ({'anonymous' if anonymous else 'named'})")
    return instance


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule_followups(cohort: Cohort, actor: User | None = None, window_days: int = 30) -> list[SurveyInstance]:
    """Create the 3-, 6- and 12-month follow-up surveys after the cohort's end (skipping existing ones)."""
    followup = ensure_default_templates()[1]
    existing = set(db.session.scalars(select(SurveyInstance.kind).where(SurveyInstance.cohort_id == cohort.id)))
    created = []
    for kind, months in (("followup_3m", 3), ("followup_6m", 6), ("followup_12m", 12)):
        if kind in existing:
            continue
        opens = add_months(cohort.end_date, months)
        created.append(create_survey(cohort, followup, title=_("%(n)d-month follow-up", n=months), opens_on=opens,
                                     closes_on=opens + timedelta(days=window_days), anonymous=False, kind=kind,
                                     actor=actor))
    return created


def eligible_for_survey(instance: SurveyInstance, enrolment: Enrolment) -> bool:
    """Counted enrolments of the survey's cohort may answer."""
    return enrolment.cohort_id == instance.cohort_id and enrolment.status in COUNTED_STATUSES


def has_answered(instance: SurveyInstance, enrolment: Enrolment) -> bool:
    return db.session.scalar(select(SurveyParticipation.id).where(
        SurveyParticipation.instance_id == instance.id, SurveyParticipation.enrolment_id == enrolment.id)) is not None


def submit_response(instance: SurveyInstance, enrolment: Enrolment, answers: dict[int, str],
                    today: date | None = None) -> dict[int, str]:
    """Validate and store one response; returns {item_id: message} for invalid answers (nothing stored then)."""
    today = today or date.today()
    if not eligible_for_survey(instance, enrolment):
        raise ServiceError(_("You are not a participant of this survey."))
    if not instance.opens_on <= today <= instance.closes_on:
        raise ServiceError(_("This survey is open from %(start)s to %(end)s.", start=instance.opens_on.isoformat(),
                             end=instance.closes_on.isoformat()))
    if has_answered(instance, enrolment):
        raise ServiceError(_("You have already answered this survey. Thank you!"))
    errors: dict[int, str] = {}
    values: list[tuple[SurveyItem, int | None, str | None]] = []
    for item in instance.items:
        raw = (answers.get(item.id) or "").strip()
        if not raw:
            if item.required:
                errors[item.id] = _("Please answer this question.")
            continue
        if item.kind == "likert":
            if raw not in {"1", "2", "3", "4", "5"}:
                errors[item.id] = _("Choose a value from 1 to 5.")
                continue
            values.append((item, int(raw), None))
        elif item.kind == "single_choice":
            options = item.options or []
            if not raw.isdigit() or not 0 <= int(raw) < len(options):
                errors[item.id] = _("Choose one of the options.")
                continue
            values.append((item, int(raw), None))
        else:
            values.append((item, None, raw[:4000]))
    if errors:
        return errors
    new_answers = [(item.id, number, text) for item, number, text in values]
    db.session.add(SurveyParticipation(instance_id=instance.id, enrolment_id=enrolment.id))
    if instance.anonymous:
        _store_anonymous_shuffled(instance, new_answers)
    else:
        response = SurveyResponse(instance_id=instance.id, submitted_on=today, enrolment_id=enrolment.id)
        for item_id, number, text in new_answers:
            response.answers.append(SurveyAnswer(item_id=item_id, value_int=number, value_text=text))
        db.session.add(response)
    db.session.flush()
    return {}


def _store_anonymous_shuffled(instance: SurveyInstance,
                              new_answers: list[tuple[int, int | None, str | None]]) -> None:
    """Add one anonymous response so that no order of the stored rows joins it to its participation row.

    The participation rows say who answered and in which order (id, rowid/ctid, transaction id). So every
    submission rewrites all anonymous responses of the survey in a random order with fresh random ids: the
    physical order (SQLite rowid, PostgreSQL ctid), the key order and the writing transaction (xmin) of the
    responses and their answers then say nothing about who answered when. No submission date is kept
    either: every anonymous response carries the survey's opening date (a day with one respondent, or the
    first answer of a survey, would otherwise name its author against the participation order or the
    sign-in log). Cohorts are small (tens of people), so rewriting a survey's responses is cheap.
    """
    existing = db.session.execute(
        select(SurveyResponse.id, SurveyAnswer.item_id, SurveyAnswer.value_int, SurveyAnswer.value_text)
        .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.instance_id == instance.id, SurveyResponse.enrolment_id.is_(None))).all()
    grouped: dict[str, list] = {}
    for response_id, item_id, number, text in existing:
        entry = grouped.setdefault(response_id, [])
        if item_id is not None:
            entry.append((item_id, number, text))
    batch = [*grouped.values(), list(new_answers)]
    secrets.SystemRandom().shuffle(batch)
    if grouped:
        ids = list(grouped)
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(ids)))
        db.session.execute(delete(SurveyResponse).where(SurveyResponse.id.in_(ids)))
    response_rows, answer_rows = [], []
    for answers in batch:
        response_id = uuid.uuid4().hex
        response_rows.append({"id": response_id, "instance_id": instance.id, "enrolment_id": None,
                              "submitted_on": instance.opens_on})
        answer_rows += [{"id": uuid.uuid4().hex, "response_id": response_id, "item_id": item_id,
                         "value_int": number, "value_text": text} for item_id, number, text in answers]
    # executemany keeps the list order, which is now random
    db.session.execute(insert(SurveyResponse), response_rows)
    if answer_rows:
        secrets.SystemRandom().shuffle(answer_rows)
        db.session.execute(insert(SurveyAnswer), answer_rows)


# --- action plans -----------------------------------------------------------------------------

ACK_DAYS = 30


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def save_action_plan(enrolment: Enrolment, *, title: str, goals: str, milestones: list[dict],
                     supervisor_name: str, supervisor_email: str) -> ActionPlan:
    """Create or update a trainee's draft plan; an acknowledged plan can no longer be changed."""
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.enrolment_id == enrolment.id))
    if plan is not None and plan.acknowledged_at is not None:
        raise ServiceError(_("Your supervisor has acknowledged this plan; it can no longer be changed."))
    if not title.strip():
        raise ServiceError(_("Give your plan a title."), "title")
    email = normalize_email(supervisor_email) if supervisor_email.strip() else ""
    clean = []
    for milestone in milestones:
        text = (milestone.get("text") or "").strip()
        if not text:
            continue
        due = milestone.get("due") or ""
        if due:
            try:
                date.fromisoformat(due)
            except ValueError:
                raise ServiceError(_("Milestone dates must be YYYY-MM-DD."), "milestones") from None
        clean.append({"text": text[:500], "due": due})
    if plan is None:
        plan = ActionPlan(enrolment_id=enrolment.id, title=title)
        db.session.add(plan)
    plan.title, plan.goals, plan.milestones = title.strip()[:200], goals.strip(), clean
    plan.supervisor_name, plan.supervisor_email = supervisor_name.strip()[:200], email
    db.session.flush()
    return plan


def submit_action_plan(plan: ActionPlan) -> str:
    """Mark the plan submitted and create the supervisor's one-time acknowledgement link; returns its token."""
    if not plan.supervisor_email:
        raise ServiceError(_("Give your supervisor's e-mail address so they can acknowledge the plan."),
                           "supervisor_email")
    if plan.acknowledged_at is not None:
        raise ServiceError(_("Your supervisor has already acknowledged this plan."))
    raw = secrets.token_urlsafe(32)
    plan.submitted_at = utcnow()
    plan.ack_token_hash = _hash(raw)
    plan.ack_token_expires_at = utcnow() + timedelta(days=ACK_DAYS)
    db.session.flush()
    return raw


def renew_ack_link(plan: ActionPlan, actor: User | None = None) -> str:
    """A new supervisor link for a submitted, unacknowledged plan (the earlier link stops working), for the
    organiser to pass on when no mail server is configured. Returns the token."""
    if plan.submitted_at is None:
        raise ServiceError(_("This plan has not been submitted yet."))
    if plan.acknowledged_at is not None:
        raise ServiceError(_("Your supervisor has already acknowledged this plan."))
    raw = secrets.token_urlsafe(32)
    plan.ack_token_hash = _hash(raw)
    plan.ack_token_expires_at = utcnow() + timedelta(days=ACK_DAYS)
    db.session.flush()
    audit.record("action_plan.ack_link", obj=plan, actor=actor, summary=f"plan {plan.id}")
    return raw


def plan_for_ack_token(raw: str) -> tuple[ActionPlan | None, str | None]:
    """The plan behind a supervisor link, or (None, reason) when the link is unknown, used or expired."""
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.ack_token_hash == _hash(raw or "")))
    if plan is None:
        return None, _("This link is not valid or has already been used.")
    if as_utc(plan.ack_token_expires_at) < utcnow():
        return None, _("This link has expired. Ask the participant to send the plan again.")
    return plan, None


def acknowledge_action_plan(raw: str, comment: str) -> ActionPlan:
    """The supervisor acknowledges the plan; the link is used up."""
    plan, problem = plan_for_ack_token(raw)
    if plan is None:
        raise ServiceError(problem or "")
    plan.acknowledged_at = utcnow()
    plan.supervisor_comment = comment.strip()[:4000]
    plan.ack_token_hash = None
    plan.ack_token_expires_at = None
    db.session.flush()
    audit.record("action_plan.acknowledged", obj=plan, actor=None, summary=plan.supervisor_email)
    return plan


# --- certificates -----------------------------------------------------------------------------

CERTIFICATE_STATUSES = {"completion": ("completed",), "attendance": ("completed", "incomplete")}


def eligible_enrolment_ids(cohort: Cohort, kind: str) -> list[int]:
    """Enrolments of the cohort that may get a certificate of ``kind`` (held or not), in order."""
    if kind not in CERTIFICATE_STATUSES:
        raise ServiceError(_("Unknown certificate kind."), "kind")
    return list(db.session.scalars(select(Enrolment.id).where(
        Enrolment.cohort_id == cohort.id, Enrolment.status.in_(CERTIFICATE_STATUSES[kind])).order_by(Enrolment.id)))


def issue_certificates(cohort: Cohort, kind: str, actor: User | None = None,
                       enrolment_ids: list[int] | None = None) -> list[Certificate]:
    """Issue certificates of ``kind`` to every eligible enrolment of the cohort that has no valid one yet.

    ``enrolment_ids`` limits the run to those enrolments (the bulk job works in chunks). Idempotent:
    an enrolment that holds a valid certificate of ``kind`` gets none, so a repeated run issues nothing.
    """
    if kind not in CERTIFICATE_STATUSES:
        raise ServiceError(_("Unknown certificate kind."), "kind")
    query = select(Enrolment).where(Enrolment.cohort_id == cohort.id,
                                    Enrolment.status.in_(CERTIFICATE_STATUSES[kind]))
    if enrolment_ids is not None:
        query = query.where(Enrolment.id.in_(enrolment_ids))
    enrolments = list(db.session.scalars(
        query.join(Enrolment.trainee).order_by(Enrolment.id).options(db.joinedload(Enrolment.trainee))))
    held = set(db.session.scalars(select(Certificate.enrolment_id).where(
        Certificate.kind == kind, Certificate.revoked_at.is_(None),
        Certificate.enrolment_id.in_([e.id for e in enrolments]))))
    counts = dict(db.session.execute(select(Certificate.enrolment_id, func.count(Certificate.id)).where(
        Certificate.kind == kind, Certificate.enrolment_id.in_([e.id for e in enrolments]))
        .group_by(Certificate.enrolment_id)).all())
    issuer = cohort.programme.organiser_name_for(cohort.fiscal_year)
    issued = []
    for enrolment in enrolments:
        if enrolment.id in held:
            continue
        version = counts.get(enrolment.id, 0) + 1
        cert = Certificate(
            enrolment_id=enrolment.id, kind=kind,
            serial=f"KH{cohort.fiscal_year}-{cohort.id:04d}-{enrolment.id:06d}-{kind[0].upper()}{version}",
            verify_code=secrets.token_urlsafe(18), holder_name=enrolment.trainee.full_name,
            course_title=cohort.title, cohort_code=cohort.code, start_date=cohort.start_date,
            end_date=cohort.end_date, issuer_name=issuer, funder_name=cohort.programme.funder,
            issued_by_id=getattr(actor, "id", None))
        db.session.add(cert)
        issued.append(cert)
    db.session.flush()
    if issued:
        audit.record("certificate.issue", obj=cohort, actor=actor, summary=f"{len(issued)} {kind} certificates")
    return issued


def revoke_certificate(cert: Certificate, reason: str, actor: User | None = None) -> None:
    """Revoke a certificate with a reason; verification then shows it as revoked."""
    if not reason.strip():
        raise ServiceError(_("Give a reason for the revocation."), "reason")
    if cert.revoked_at is not None:
        raise ServiceError(_("This certificate is already revoked."))
    cert.revoked_at, cert.revoke_reason = utcnow(), reason.strip()
    db.session.flush()
    audit.record("certificate.revoke", obj=cert, actor=actor, summary=f"{cert.serial}: {reason.strip()}")
