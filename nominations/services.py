"""Writes of the nomination round. Services flush, never commit; views and the CLI commit once.

A candidate is a proposal; a decision turns it into a ``Trainee`` (new, or the existing person when
the organiser merged a possible duplicate) and an ``Enrolment`` in the call's cohort, moved along the
trainees' status machine so the history shows nominated → accepted | waitlisted | rejected.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from accounts import services as account_services
from accounts.models import User
from core import audit, filestore
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from core.personmatch import normalise_email
from core.refdata import country_name
from nominations import eligibility, spreadsheet
from nominations.models import (
    CRITERIA,
    DECISIONS,
    CallQuestion,
    CallQuota,
    Candidate,
    CandidateAnswer,
    CandidateDecision,
    FocalPoint,
    NominationCall,
    ReviewScore,
)
from nominations.uploads import DEFAULT_MAX_BYTES, UploadRefused, sniff_document
from trainees import services as trainee_services
from trainees.display import current_lang
from trainees.duplicates import possible_duplicates
from trainees.imports.reader import Problem
from trainees.models import Cohort, Enrolment

CALL_FIELDS = ("title", "info_en", "info_ja", "joining_instructions", "opens_on", "closes_on", "total_quota",
               "min_age", "max_age", "min_experience_years", "job_areas", "min_english", "org_types", "sectors")
CANDIDATE_FIELDS = ("family_name", "given_names", "native_name", "email", "gender", "nationality",
                    "organisation_name", "organisation_country", "sector", "org_type", "job_title",
                    "date_of_birth", "experience_years", "job_area", "english_level", "locale")


# --- calls ------------------------------------------------------------------------------------

def _check_call(values: dict) -> None:
    if not (values.get("title") or "").strip():
        raise ServiceError(_("A title is required."), "title")
    if values["closes_on"] < values["opens_on"]:
        raise ServiceError(_("The closing date must not be before the opening date."), "closes_on")
    low, high = values.get("min_age"), values.get("max_age")
    if low is not None and high is not None and low > high:
        raise ServiceError(_("The minimum age must not be above the maximum age."), "max_age")


def create_call(cohort: Cohort, quotas: dict[str, int], questions: list[dict] | None = None,
                actor: User | None = None, **values) -> NominationCall:
    """Open a call on a cohort with its country quotas and own questions."""
    _check_call(values)
    call = NominationCall(cohort_id=cohort.id, **{k: v for k, v in values.items() if k in CALL_FIELDS})
    db.session.add(call)
    set_quotas(call, quotas)
    for position, q in enumerate(questions or []):
        call.questions.append(CallQuestion(position=position, kind=q["kind"], prompt=q["prompt"],
                                           choices=q.get("choices", []), required=q.get("required", False)))
    db.session.flush()
    audit.record("nomination_call.create", obj=call, actor=actor, summary=f"{cohort.code}: {call.title}")
    return call


def update_call(call: NominationCall, quotas: dict[str, int], actor: User | None = None, **values) -> None:
    _check_call(values)
    for key in CALL_FIELDS:
        if key in values:
            setattr(call, key, values[key])
    set_quotas(call, quotas)
    db.session.flush()
    refresh_eligibility(call)
    audit.record("nomination_call.update", obj=call, actor=actor, summary=call.title)


def set_quotas(call: NominationCall, quotas: dict[str, int]) -> None:
    if any(n < 0 for n in quotas.values()):
        raise ServiceError(_("A quota cannot be negative."), "quotas")
    existing = {q.country: q for q in call.quotas}
    for country, q in existing.items():
        if country not in quotas:
            call.quotas.remove(q)
    for country, n in quotas.items():
        if country in existing:
            existing[country].quota = n
        else:
            call.quotas.append(CallQuota(country=country, quota=n))


# --- focal points -----------------------------------------------------------------------------

def create_focal_point(email: str, country: str, display_name: str = "", organisation_id: int | None = None,
                       locale: str = "en", actor: User | None = None, password: str | None = None) -> FocalPoint:
    """A new ``focal_point`` user bound to a country (the caller sends the invitation link)."""
    user = account_services.create_user(email, "focal_point", display_name, password=password, locale=locale,
                                        actor=actor)
    fp = FocalPoint(user_id=user.id, country=country, organisation_id=organisation_id,
                    apply_token=secrets.token_urlsafe(24))
    db.session.add(fp)
    db.session.flush()
    audit.record("focal_point.create", obj=fp, actor=actor, summary=f"{email} ({country})")
    return fp


# --- files ------------------------------------------------------------------------------------

#: The ``core.filestore`` kind of endorsement letters and CVs (downloads insist on it).
DOCUMENT_KIND = "nomination_document"


def store_document(filename: str, data: bytes, field: str = "endorsement", owner_id: int | None = None) -> str:
    """Keep an accepted PDF/DOCX in the file store and return its key; anything else raises
    ``ServiceError`` (on ``field``) saying why. The caller's one commit makes it permanent."""
    limit = current_app.config.get("NOMINATION_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    try:
        content_type = sniff_document(filename, data, limit)
    except UploadRefused as exc:
        message = {
            "size": _("The file is larger than %(mb).0f MB.", mb=limit / 1024 / 1024),
            "empty": _("The file is empty."),
        }.get(exc.code, _("Only PDF or Word (.docx) documents are accepted."))
        raise ServiceError(message, field) from exc
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    safe_name = "".join(ch for ch in base if ch.isascii() and (ch.isalnum() or ch in "._- "))[:200] or "file"
    return filestore.put(data, name=safe_name, content_type=content_type, kind=DOCUMENT_KIND, owner_id=owner_id)


# --- candidates -------------------------------------------------------------------------------

def nationality_refusal(focal_point: FocalPoint, nationality: str | None, self_applied: bool = False) -> str | None:
    """The one country rule of every path (form, spreadsheet, self-application link): a focal point puts
    forward people of their own country only, so the candidate counts under the same country in the
    quota, the ``Nominations`` sheet and the cohort. ``None`` when allowed, else the message."""
    if nationality == focal_point.country:
        return None
    if self_applied:
        return _("Only people of %(country)s can apply through this link.",
                 country=country_name(focal_point.country, current_lang()))
    return _("only people of your country can be nominated")


def _check_candidate(call: NominationCall, focal_point: FocalPoint, values: dict, today: date,
                     self_applied: bool = False) -> None:
    if not call.is_open(today):
        raise ServiceError(_("This call is not open for nominations."), "call")
    refusal = nationality_refusal(focal_point, values.get("nationality"), self_applied)
    if refusal:
        raise ServiceError(refusal, "nationality")
    if not (values.get("given_names") or "").strip():
        raise ServiceError(_("Given names are required (put a single name here)."), "given_names")
    email = normalise_email(values.get("email"))
    if not email:
        raise ServiceError(_("An e-mail address is required."), "email")
    taken = db.session.scalar(select(Candidate.id).where(Candidate.call_id == call.id,
                                                         func.lower(Candidate.email) == email))
    if taken is not None:
        raise ServiceError(_("%(email)s has already been put forward for this call.", email=email), "email")
    values["email"] = email


def _rule_day(call: NominationCall) -> date:
    return call.cohort.start_date


def refresh_eligibility(call: NominationCall) -> None:
    """Recompute every candidate's ``eligible`` flag after the call's rules changed."""
    for candidate in db.session.scalars(select(Candidate).where(Candidate.call_id == call.id)):
        candidate.eligible = not eligibility.failed_rules(call, candidate, _rule_day(call))


def _flag_duplicate(candidate: Candidate) -> None:
    found = possible_duplicates(candidate.family_name, candidate.given_names, candidate.email,
                                candidate.date_of_birth, candidate.nationality)
    candidate.duplicate_of_id = found[0].trainee.id if found else None


def nominate(call: NominationCall, focal_point: FocalPoint, today: date, answers: dict[int, str] | None = None,
             actor: User | None = None, files: dict[int, str] | None = None, endorsement_key: str | None = None,
             documents_later: bool = False, **values) -> Candidate:
    """A focal point puts a candidate forward for their own country.

    ``files``: stored documents answering the call's ``file`` questions ({question id: file-store key});
    ``endorsement_key``: the stored endorsement letter (see :func:`store_document`); ``documents_later``: the
    required documents are attached afterwards (a spreadsheet cannot carry them; the candidate shows as
    incomplete until then, see :func:`attach_documents`).
    """
    _check_candidate(call, focal_point, values, today)
    rank = values.pop("rank", None)
    candidate = Candidate(call_id=call.id, focal_point_id=focal_point.id, country=focal_point.country,
                          status="submitted", rank=rank, endorsement_key=endorsement_key,
                          **{k: v for k, v in values.items() if k in CANDIDATE_FIELDS})
    db.session.add(candidate)
    _save_answers(call, candidate, answers or {}, files or {}, documents_later)
    _flag_duplicate(candidate)
    candidate.eligible = not eligibility.failed_rules(call, candidate, _rule_day(call))
    db.session.flush()
    audit.record("candidate.nominate", obj=candidate, actor=actor, summary=f"{candidate.email} → {call.title}")
    return candidate


def self_apply(call: NominationCall, focal_point: FocalPoint, today: date, answers: dict[int, str] | None = None,
               files: dict[int, str] | None = None, **values) -> Candidate:
    """A candidate applies through the focal point's link; the application waits for endorsement."""
    _check_candidate(call, focal_point, values, today, self_applied=True)
    candidate = Candidate(call_id=call.id, focal_point_id=focal_point.id, country=focal_point.country,
                          status="awaiting_endorsement", self_applied=True,
                          **{k: v for k, v in values.items() if k in CANDIDATE_FIELDS})
    db.session.add(candidate)
    _save_answers(call, candidate, answers or {}, files or {})
    _flag_duplicate(candidate)
    candidate.eligible = not eligibility.failed_rules(call, candidate, _rule_day(call))
    db.session.flush()
    audit.record("candidate.self_apply", obj=candidate, summary=f"{candidate.email} → {call.title}")
    return candidate


def _save_answers(call: NominationCall, candidate: Candidate, answers: dict[int, str], files: dict[int, str],
                  documents_later: bool = False) -> None:
    for question in call.questions:
        value = (answers.get(question.id) or "").strip()
        if question.kind == "file":
            key = files.get(question.id)
            if question.required and not key and not documents_later:
                raise ServiceError(_("Please attach: %(q)s", q=question.prompt), f"q_{question.id}")
            if key:
                stored = filestore.info(key, kind=DOCUMENT_KIND)
                candidate.answers.append(CandidateAnswer(question_id=question.id, file_key=key,
                                                         value=stored.name if stored else ""))
            continue
        if question.required and not value:
            raise ServiceError(_("Please answer: %(q)s", q=question.prompt), f"q_{question.id}")
        if question.kind == "choice" and value and value not in question.choices:
            raise ServiceError(_("Choose one of the offered answers: %(q)s", q=question.prompt), f"q_{question.id}")
        if question.kind == "yes_no" and value and value not in ("yes", "no"):
            raise ServiceError(_("Answer yes or no: %(q)s", q=question.prompt), f"q_{question.id}")
        if value:
            candidate.answers.append(CandidateAnswer(question_id=question.id, value=value[:5000]))


def attach_documents(candidate: Candidate, files: dict[int, str], actor: User | None = None) -> int:
    """The focal point attaches (or replaces) documents answering the call's ``file`` questions of a candidate
    put forward without them (from a spreadsheet); returns how many. The replaced files go with this transaction."""
    if candidate.status not in ("awaiting_endorsement", "submitted"):
        raise ServiceError(_("A decided candidate cannot be changed."), "status")
    questions = {q.id: q for q in candidate.call.questions if q.kind == "file"}
    for question_id, key in files.items():
        if question_id not in questions:
            continue
        stored = filestore.info(key, kind=DOCUMENT_KIND)
        answer = next((a for a in candidate.answers if a.question_id == question_id), None)
        if answer is None:
            candidate.answers.append(CandidateAnswer(question_id=question_id, file_key=key,
                                                     value=stored.name if stored else ""))
        else:
            if answer.file_key and answer.file_key != key:
                filestore.delete(answer.file_key)
            answer.file_key, answer.value = key, stored.name if stored else ""
    db.session.flush()
    if files:
        audit.record("candidate.documents", obj=candidate, actor=actor, summary=candidate.email)
    return len(files)


def endorse(candidate: Candidate, document_key: str | None, rank: int | None, actor: User | None = None) -> None:
    """The focal point ranks a candidate and attaches the employer's endorsement (submits self-applications)."""
    if candidate.status not in ("awaiting_endorsement", "submitted"):
        raise ServiceError(_("A decided candidate cannot be changed."), "status")
    if rank is not None and rank < 1:
        raise ServiceError(_("The rank starts at 1."), "rank")
    candidate.rank = rank
    if document_key is not None:
        if candidate.endorsement_key and candidate.endorsement_key != document_key:
            filestore.delete(candidate.endorsement_key)  # replaced: the old letter goes with this transaction
        candidate.endorsement_key = document_key
    if candidate.status == "awaiting_endorsement":
        candidate.status = "submitted"
    db.session.flush()
    audit.record("candidate.endorse", obj=candidate, actor=actor, summary=candidate.email)


def resolve_duplicate(candidate: Candidate, decision: str, actor: User | None = None) -> None:
    """The organiser says the possible duplicate is the same person (merge) or a different person."""
    if candidate.duplicate_of_id is None or decision not in ("merge", "different"):
        raise ServiceError(_("There is no possible duplicate to decide on."), "duplicate")
    if candidate.enrolment_id is not None:
        raise ServiceError(_("A decided candidate cannot be changed."), "status")
    candidate.duplicate_decision = decision
    db.session.flush()
    audit.record("candidate.duplicate", obj=candidate, actor=actor, summary=f"{candidate.email}: {decision}",
                 after={"duplicate_of": candidate.duplicate_of_id, "decision": decision})


def record_scores(candidate: Candidate, reviewer: User, scores: dict[str, int]) -> None:
    """One reviewer's scores per criterion (1–5), replacing their earlier ones."""
    for criterion, score in scores.items():
        if criterion not in CRITERIA or not 1 <= score <= 5:
            raise ServiceError(_("Scores go from 1 to 5."), criterion)
        row = next((s for s in candidate.scores if s.reviewer_id == reviewer.id and s.criterion == criterion), None)
        if row is None:
            candidate.scores.append(ReviewScore(reviewer_id=reviewer.id, criterion=criterion, score=score))
        else:
            row.score = score
    db.session.flush()


# --- decisions --------------------------------------------------------------------------------

def seats(call: NominationCall) -> eligibility.Seats:
    """Quota arithmetic of a call (one query)."""
    accepted = dict(db.session.execute(
        select(Candidate.country, func.count()).where(Candidate.call_id == call.id, Candidate.status == "accepted")
        .group_by(Candidate.country)).all())
    return eligibility.Seats({q.country: q.quota for q in call.quotas}, call.total_quota, accepted)


@dataclass(frozen=True)
class Letter:
    to: str
    locale: str
    kind: str  # "acceptance" | "regret" | "waitlist"
    candidate_id: int
    user_id: int | None = None  # the recipient's account (a focal point), for their language setting


def _trainee_for(candidate: Candidate, actor: User | None):
    if candidate.duplicate_of_id is not None and candidate.duplicate_decision == "":
        raise ServiceError(_("Decide first whether %(name)s is the same person as the existing trainee.",
                             name=candidate.full_name), "duplicate")
    if candidate.duplicate_of_id is not None and candidate.duplicate_decision == "merge":
        return candidate.duplicate_of
    existing = trainee_services.find_trainee_by_email(candidate.email)
    if existing is not None:
        return existing
    org, _created = trainee_services.get_or_create_organisation(
        candidate.organisation_name, candidate.organisation_country, candidate.sector, candidate.org_type, actor)
    return trainee_services.create_trainee(
        org, actor=actor, family_name=candidate.family_name, given_names=candidate.given_names,
        native_name=candidate.native_name, email=candidate.email, gender=candidate.gender,
        nationality=candidate.nationality, job_title=candidate.job_title, date_of_birth=candidate.date_of_birth)


def decide(candidate: Candidate, decision: str, actor: User | None = None, reason: str = "") -> list[Letter]:
    """Accept, waitlist or reject; the candidate becomes an enrolment with that status and its history."""
    if decision not in DECISIONS:
        raise ServiceError(_("Unknown decision."), "decision")
    if candidate.status == "awaiting_endorsement":
        raise ServiceError(_("This application still waits for the focal point's endorsement."), "status")
    repeated = candidate.status == "waitlisted" and decision == "waitlisted"
    if candidate.status not in ("submitted", "waitlisted") or repeated:
        raise ServiceError(_("This candidate has already been decided."), "status")
    call = candidate.call
    if decision == "accepted" and not seats(call).can_accept(candidate.country):
        raise ServiceError(_("The quota for this country (or the total quota) is full."), "quota")
    if candidate.enrolment_id is None:
        trainee = _trainee_for(candidate, actor)
        enrolment = trainee_services.enrol(trainee, call.cohort, "nominated", _("Nominated through the call"), actor)
        candidate.trainee_id, candidate.enrolment_id = trainee.id, enrolment.id
    else:
        enrolment = db.session.get(Enrolment, candidate.enrolment_id)
    trainee_services.change_status(enrolment, decision, reason, actor)
    candidate.status = decision
    db.session.add(CandidateDecision(candidate_id=candidate.id, decision=decision,
                                     actor_id=getattr(actor, "id", None), reason=reason))
    db.session.flush()
    kind = {"accepted": "acceptance", "rejected": "regret", "waitlisted": "waitlist"}[decision]
    letters = [Letter(candidate.email, candidate.locale or "en", kind, candidate.id)]
    if candidate.focal_point is not None:
        user = candidate.focal_point.user
        letters.append(Letter(user.email, user.locale or "en", kind, candidate.id, user.id))
    return letters


def sync_withdrawals(call: NominationCall) -> int:
    """Candidates whose enrolment was withdrawn (or became no-show) are marked withdrawn; returns how many."""
    rows = db.session.execute(
        select(Candidate, Enrolment.status).join(Enrolment, Enrolment.id == Candidate.enrolment_id)
        .where(Candidate.call_id == call.id, Candidate.status == "accepted",
               Enrolment.status.in_(("withdrawn", "no_show")))).all()
    for candidate, _status in rows:
        candidate.status = "withdrawn"
        db.session.add(CandidateDecision(candidate_id=candidate.id, decision="withdrawn",
                                         reason="enrolment withdrawn"))
    db.session.flush()
    return len(rows)


def nominate_from_rows(call: NominationCall, focal_point: FocalPoint, parsed, today: date,
                       actor: User | None = None) -> list[Candidate]:
    """Nominate every row of a file read by the trainee importer (the import template's columns).

    All or nothing: any invalid row, a row another country's person, or a missing answer to a required
    question raises ``ServiceError`` with one line per problem (``row N: column or question: message``) and
    nothing is written. Rows are ranked in order. The answers to the call's questions come from the columns
    headed by the question's text (``nominations.spreadsheet``); documents (``file`` questions) are attached
    per candidate afterwards.
    """
    present = set(parsed.columns)
    problems = spreadsheet.missing_columns(call, present)
    answers: dict[int, dict[int, str]] = {}
    for row in parsed.rows:
        problems += [p.shown(row.number) for p in row.errors]
        refusal = nationality_refusal(focal_point, row.values.get("nationality")) if row.is_valid else None
        if refusal:
            problems.append(Problem("nationality", refusal).shown(row.number))
        read = spreadsheet.read_answers(call, row, present)
        problems += read.problems
        answers[row.number] = read.answers
    if problems:
        raise ServiceError("\n".join(problems), "file")
    created = []
    prompts = {f"q_{q.id}": q.prompt for q in call.questions}
    for rank, row in enumerate(parsed.rows, start=1):
        v = row.values
        try:
            created.append(nominate(
                call, focal_point, today, answers[row.number], documents_later=True,
                actor=actor, rank=rank, family_name=v.get("family_name") or "",
                given_names=v["given_names"], email=v["email"], gender=v.get("gender") or "NS",
                nationality=v["nationality"], organisation_name=v["organisation"],
                organisation_country=v.get("organisation_country") or v["nationality"], sector=v["sector"],
                org_type=v["org_type"], job_title=v.get("job_title") or "", date_of_birth=v.get("date_of_birth")))
        except ServiceError as exc:
            where = prompts.get(exc.field or "", exc.field or "")
            raise ServiceError(Problem(where, exc.message).shown(row.number), "file") from exc
    return created
