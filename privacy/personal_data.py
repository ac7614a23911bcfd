"""Data-subject rights (issue 13 item 9): everything held about a person, erasure, retention.

* :func:`collect` gathers every row Kakehashi holds about a trainee (and their sign-in account): the
  record, enrolments with their history, attendance, course attempts and answers, lesson progress,
  named survey answers (anonymous answers cannot be linked to anybody and are not included), action
  plans, certificates, exercise teams, consent, notifications, mail and the audit entries about them.
  Secrets (password and link hashes, claim tokens) are left out.
* :func:`erase` pseudonymises the person in place: name, e-mail, native name, job title and date of birth
  are replaced or cleared; their account is deactivated and its sessions, links, notifications and mail
  are deleted; certificates are revoked with the reason "erased"; named free-text answers and action
  plans are cleared; then every text column of every table is scanned and each remaining occurrence of
  the e-mail or the full name is replaced by the pseudonym. Gender, nationality, organisation and every
  enrolment, attendance and score row stay, so aggregate figures (counts by country, sector, gender,
  fiscal year, completion, person-days, learning gain) are exactly the same before and after.
  The audit entry records the trainee id and what was done, never the erased data.
* Retention: ``RETENTION_YEARS`` after the end of a person's last cohort (None = keep) a daily job
  erases them the same way; ``flask privacy retention --dry-run`` lists who would go.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from sqlalchemy import JSON, String, Text, cast, delete, func, or_, select, update

from accounts.consent import PrivacyConsent
from accounts.models import PasswordToken, User, UserSession
from completion.models import ActionPlan, Certificate, SurveyAnswer, SurveyParticipation, SurveyResponse
from core import audit
from core.audit import AuditEvent
from core.db import utcnow
from core.errors import ServiceError
from core.extensions import db
from core.filestore import StoredFile
from core.i18n import _
from core.mailqueue import OutgoingMail
from courses.models.attempt import Answer, Attempt, LessonProgress
from exercises.models.run import TeamMember
from nominations.models import Candidate, CandidateAnswer
from notifications.models import Notification, NotificationSetting, ScheduledSend
from trainees.models import Attendance, Cohort, Enrolment, EnrolmentEvent, Trainee

#: Columns never included in an export: secrets, not data about the person.
SECRET_COLUMNS = {"password_hash", "token_hash", "ack_token_hash", "claim_token", "data"}
ERASED_DOMAIN = "erased.invalid"
#: One-time links in mail bodies (password, acknowledgement) are not repeated in an export.
_LINK_TOKEN = re.compile(r"(/(?:password/set|ack)/)[A-Za-z0-9_\-]+")
ERASED_REASON = "erased"


def _row(obj) -> dict:
    table = obj.__table__
    out = {}
    for column in table.columns:
        if column.key in SECRET_COLUMNS:
            continue
        value = getattr(obj, column.key, None)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        out[column.key] = value
    return out


def _rows(model, *criteria, order=None) -> list[dict]:
    query = select(model).where(*criteria)
    query = query.order_by(*(order if order is not None else [model.id]))
    return [_row(obj) for obj in db.session.scalars(query)]


def _audit_about(trainee: Trainee | None, user: User | None):
    conditions = []
    if trainee is not None:
        conditions.append((AuditEvent.object_type == "Trainee") & (AuditEvent.object_id == str(trainee.id)))
    if user is not None:
        conditions.append((AuditEvent.object_type == "User") & (AuditEvent.object_id == str(user.id)))
        conditions.append(AuditEvent.actor_id == user.id)
    return or_(*conditions) if conditions else None


def collect(trainee: Trainee | None, user: User | None = None) -> dict:
    """Every row about the person, as JSON-ready sections (section name → list of rows)."""
    if user is None and trainee is not None and trainee.user_id:
        user = db.session.get(User, trainee.user_id)
    data: dict[str, object] = {"generated_at": utcnow().isoformat(), "format": "kakehashi-personal-data/1"}
    data["trainee"] = _row(trainee) if trainee is not None else None
    if trainee is not None:
        data["trainee"]["organisation"] = trainee.organisation.name
        data["trainee"]["organisation_country"] = trainee.organisation.country
    data["account"] = _row(user) if user is not None else None
    enrolment_ids: list[int] = []
    if trainee is not None:
        enrolments = db.session.execute(
            select(Enrolment, Cohort.code, Cohort.title, Cohort.start_date, Cohort.end_date)
            .join(Cohort, Cohort.id == Enrolment.cohort_id).where(Enrolment.trainee_id == trainee.id)
            .order_by(Cohort.start_date, Enrolment.id)).all()
        data["enrolments"] = [
            {**_row(e), "cohort_code": code, "cohort_title": title, "cohort_start": start.isoformat(),
             "cohort_end": end.isoformat()} for e, code, title, start, end in enrolments]
        enrolment_ids = [e.id for e, *_rest in enrolments]
    else:
        data["enrolments"] = []
    mine = lambda model: model.enrolment_id.in_(enrolment_ids)  # noqa: E731
    data["enrolment_history"] = _rows(EnrolmentEvent, mine(EnrolmentEvent))
    data["attendance"] = _rows(Attendance, mine(Attendance))
    data["course_attempts"] = _rows(Attempt, mine(Attempt))
    attempt_ids = select(Attempt.id).where(mine(Attempt))
    data["course_answers"] = _rows(Answer, Answer.attempt_id.in_(attempt_ids))
    data["lesson_progress"] = _rows(LessonProgress, mine(LessonProgress))
    data["survey_participation"] = _rows(SurveyParticipation, mine(SurveyParticipation))
    named = select(SurveyResponse.id).where(mine(SurveyResponse))  # anonymous responses have no enrolment
    data["named_survey_responses"] = _rows(SurveyResponse, mine(SurveyResponse))
    data["named_survey_answers"] = _rows(SurveyAnswer, SurveyAnswer.response_id.in_(named))
    data["action_plans"] = _rows(ActionPlan, mine(ActionPlan))
    data["certificates"] = _rows(Certificate, mine(Certificate))
    data["exercise_teams"] = _rows(TeamMember, TeamMember.trainee_id == (trainee.id if trainee else -1))
    if trainee is not None:
        nominated = _candidates_of(trainee, {trainee.email} | ({user.email} if user else set()))
        data["nominations"] = _rows(Candidate, nominated)
        data["nomination_answers"] = _rows(CandidateAnswer, CandidateAnswer.candidate_id.in_(
            select(Candidate.id).where(nominated)))
    else:
        data["nominations"], data["nomination_answers"] = [], []
    if user is not None:
        data["privacy_consents"] = _rows(PrivacyConsent, PrivacyConsent.user_id == user.id)
        data["notifications"] = _rows(Notification, Notification.user_id == user.id)
        data["mail"] = [{**row, "body": _LINK_TOKEN.sub(r"\1[link removed]", row["body"] or "")}
                        for row in _rows(OutgoingMail, OutgoingMail.user_id == user.id)]
    else:
        data["privacy_consents"], data["notifications"], data["mail"] = [], [], []
    about = _audit_about(trainee, user)
    data["audit_entries"] = _rows(AuditEvent, about) if about is not None else []
    return data


def _candidates_of(trainee: Trainee, emails: set[str]):
    """Nomination candidates that are this person: linked to the record or nominated with their e-mail."""
    return or_(Candidate.trainee_id == trainee.id, Candidate.duplicate_of_id == trainee.id,
               func.lower(Candidate.email).in_({e.lower() for e in emails}))


def to_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


# --- erasure --------------------------------------------------------------------------------------

def is_erased(trainee: Trainee) -> bool:
    return trainee.email.endswith("@" + ERASED_DOMAIN)


def _needles(trainee: Trainee, user: User | None) -> list[str]:
    """The strings that identify the person anywhere in the database: e-mails and full-name forms.

    A lone family or given name is cleared in the person's own rows only: replacing "Tan" everywhere
    would damage other people's data."""
    names = {trainee.email, trainee.full_name}
    if trainee.family_name:
        names |= {f"{trainee.given_names} {trainee.family_name}", f"{trainee.family_name} {trainee.given_names}",
                  f"{trainee.family_name.upper()} {trainee.given_names}"}
    elif len(trainee.given_names) >= 5:
        names.add(trainee.given_names)  # a single-name person's name is their full name
    if len(trainee.native_name.strip()) >= 2:
        names.add(trainee.native_name.strip())
    if user is not None:
        names |= {user.email}
        if user.display_name.strip() and " " in user.display_name.strip():
            names.add(user.display_name.strip())
    return sorted((n for n in names if n and len(n) >= 3), key=len, reverse=True)


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, JSON):
                yield table, column, True
            elif isinstance(column.type, String | Text) and not column.primary_key and not column.foreign_keys:
                yield table, column, False


def _pattern(needles: list[str]) -> re.Pattern:
    """The needles as whole words (``anna@x.org`` does not match inside ``joanna@x.org``), any case."""
    words = "|".join(re.escape(n) for n in needles)
    return re.compile(rf"(?<![\w.+-])(?:{words})(?![\w-])", re.IGNORECASE)


def _replace(value, pattern: re.Pattern, replacement: str):
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_replace(v, pattern, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, pattern, replacement) for k, v in value.items()}
    return value


def _like(needle: str) -> str:
    return "%" + needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _candidates(table, column, is_json: bool, needles: list[str]):
    target = func.lower(cast(column, Text) if is_json else column)
    forms = set(needles)
    if is_json:  # a JSON column may hold non-ASCII text as \\uXXXX escapes
        forms |= {json.dumps(n)[1:-1] for n in needles}
    return or_(*(target.like(_like(n), escape="\\") for n in forms))


def scrub_everywhere(needles: list[str], replacement: str) -> int:
    """Replace each needle (as a whole word, any case) in every text and JSON column of every table.

    Rows are found with ``LIKE`` in the database and rewritten one by one; returns the cells changed."""
    if not needles:
        return 0
    pattern, changed = _pattern(needles), 0
    for table, column, is_json in _text_columns():
        pk = list(table.primary_key.columns)
        if len(pk) != 1:
            continue
        for key, value in db.session.execute(select(pk[0], column).where(_candidates(table, column, is_json,
                                                                                     needles))).all():
            new = _replace(value, pattern, replacement)
            if new != value:
                db.session.execute(update(table).where(pk[0] == key).values({column.name: new}))
                changed += 1
    return changed


def count_occurrences(needles: list[str], *, whole_words: bool = True) -> dict[str, int]:
    """``table.column`` → rows that contain one of the needles, any case (the database scan).

    ``whole_words``: as erasure matches (``anna@x.org`` inside ``joanna@x.org`` is somebody else)."""
    pattern, found = _pattern(needles), {}
    for table, column, is_json in _text_columns():
        values = db.session.scalars(select(column).where(_candidates(table, column, is_json, needles))).all()
        hits = [v for v in values if not whole_words or pattern.search(json.dumps(v, ensure_ascii=False)
                                                                        if is_json else v)]
        if hits:
            found[f"{table.name}.{column.name}"] = len(hits)
    return found


def erase(trainee: Trainee, *, actor=None, reason: str = "request") -> dict:
    """Pseudonymise ``trainee`` (and their account) in place; aggregate figures stay the same."""
    if is_erased(trainee):
        raise ServiceError(_("This person's personal data has already been erased."))
    user = db.session.get(User, trainee.user_id) if trainee.user_id else None
    needles = _needles(trainee, user)
    own_needles = sorted({*needles, *(n.strip() for n in (trainee.family_name, trainee.given_names,
                                                           trainee.native_name) if len(n.strip()) >= 2)},
                         key=len, reverse=True)
    about = _audit_about(trainee, user)
    pseudonym = f"Erased person {trainee.id}"
    enrolment_ids = list(db.session.scalars(select(Enrolment.id).where(Enrolment.trainee_id == trainee.id)))
    mine = lambda model: model.enrolment_id.in_(enrolment_ids)  # noqa: E731
    now = utcnow()

    certificates = db.session.scalars(select(Certificate).where(mine(Certificate))).all()
    for cert in certificates:
        cert.holder_name = pseudonym
        if cert.revoked_at is None:
            cert.revoked_at, cert.revoke_reason = now, ERASED_REASON
    plans = db.session.scalars(select(ActionPlan).where(mine(ActionPlan))).all()
    for plan in plans:
        supervisor = plan.supervisor_email
        if supervisor:
            db.session.execute(delete(OutgoingMail).where(OutgoingMail.to_addr == supervisor))
        plan.title, plan.goals, plan.milestones = "—", "", []
        plan.supervisor_name, plan.supervisor_email, plan.supervisor_comment = "", "", ""
        plan.ack_token_hash = None
    named = select(SurveyResponse.id).where(mine(SurveyResponse))
    db.session.execute(update(SurveyAnswer).where(SurveyAnswer.response_id.in_(named),
                                                  SurveyAnswer.value_text.is_not(None)).values(value_text=""))
    db.session.execute(update(EnrolmentEvent).where(mine(EnrolmentEvent), EnrolmentEvent.reason != "")
                       .values(reason=""))
    db.session.execute(delete(ScheduledSend).where(ScheduledSend.trainee_id == trainee.id))

    emails = {trainee.email} | ({user.email} if user else set())
    # nominations: the person's candidate rows keep country, gender and status (the nomination figures)
    candidates = db.session.scalars(select(Candidate).where(_candidates_of(trainee, emails))).all()
    file_keys = {c.endorsement_key for c in candidates if c.endorsement_key}
    if candidates:
        file_keys |= set(db.session.scalars(select(CandidateAnswer.file_key).where(
            CandidateAnswer.candidate_id.in_([c.id for c in candidates]), CandidateAnswer.file_key.is_not(None))))
    for candidate in candidates:
        candidate.family_name, candidate.given_names, candidate.native_name = "", pseudonym, ""
        candidate.email = f"erased-{trainee.id}-{candidate.id}@{ERASED_DOMAIN}"
        candidate.job_title, candidate.date_of_birth, candidate.endorsement_key = "", None, None
    if candidates:
        db.session.execute(update(CandidateAnswer).where(CandidateAnswer.candidate_id.in_(
            [c.id for c in candidates])).values(value="", file_key=None))
    if file_keys:  # the endorsement letter and uploaded documents
        db.session.execute(delete(StoredFile).where(StoredFile.key.in_(file_keys)))
    db.session.execute(delete(OutgoingMail).where(OutgoingMail.to_addr.in_(emails)))
    if user is not None:
        db.session.execute(delete(OutgoingMail).where(OutgoingMail.user_id == user.id))
        for model in (UserSession, PasswordToken, Notification, NotificationSetting):
            db.session.execute(delete(model).where(model.user_id == user.id))
        db.session.execute(delete(StoredFile).where(StoredFile.owner_id == user.id))
        user.email = f"erased-user-{user.id}@{ERASED_DOMAIN}"
        user.display_name = pseudonym
        user.password_hash = None
        user.active = False
        user.last_login_at = None
        db.session.execute(update(AuditEvent).where(AuditEvent.actor_id == user.id)
                           .values(actor_email=user.email))

    # the audit entries about the person: lone name parts too (a change record holds them separately)
    own = _pattern(own_needles)
    for event in db.session.scalars(select(AuditEvent).where(about)):
        event.summary = _replace(event.summary, own, pseudonym)
        event.changes = _replace(event.changes, own, pseudonym)
    trainee.family_name, trainee.given_names, trainee.native_name = "", pseudonym, ""
    trainee.email = f"erased-{trainee.id}@{ERASED_DOMAIN}"
    trainee.job_title, trainee.date_of_birth = "", None
    db.session.flush()
    scrubbed = scrub_everywhere(needles, pseudonym)
    db.session.expire_all()  # rows rewritten above by statements, not through the loaded objects
    summary = {"certificates_revoked": len(certificates), "action_plans_cleared": len(plans),
               "nominations_cleared": len(candidates),
               "cells_scrubbed": scrubbed, "reason": reason}
    audit.record("trainee.erased", object_type="Trainee", object_id=trainee.id, actor=actor,
                 summary=f"personal data erased ({reason})", after=summary)
    db.session.flush()
    return summary


# --- retention ------------------------------------------------------------------------------------

def retention_candidates(today: date, years: int | None) -> list[tuple[Trainee, date | None]]:
    """Trainees (not yet erased) whose last cohort ended more than ``years`` years before ``today``.

    A person with no enrolment counts from the day the record was created."""
    if years is None:
        return []
    try:
        cutoff = today.replace(year=today.year - int(years))
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - int(years), day=28)
    last_end = (select(Enrolment.trainee_id, func.max(Cohort.end_date).label("last_end"))
                .join(Cohort, Cohort.id == Enrolment.cohort_id).group_by(Enrolment.trainee_id).subquery())
    rows = db.session.execute(
        select(Trainee, last_end.c.last_end).outerjoin(last_end, last_end.c.trainee_id == Trainee.id)
        .where(~Trainee.email.like(f"%@{ERASED_DOMAIN}"))
        .order_by(Trainee.id)).all()
    due = []
    for trainee, last in rows:
        reference = last if last is not None else (trainee.created_at.date() if trainee.created_at else today)
        if reference < cutoff:
            due.append((trainee, last))
    return due


def apply_retention(today: date, years: int | None, *, dry_run: bool, actor=None) -> list[tuple[Trainee, date | None]]:
    """Erase (or, dry run, only list) every trainee past the retention period."""
    due = retention_candidates(today, years)
    if not dry_run:
        for trainee, _last in due:
            erase(trainee, actor=actor, reason="retention")
    return due
