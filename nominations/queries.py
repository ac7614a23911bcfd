"""Reads of the nomination round; loading is decided here (list pages run a fixed number of queries)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.mailqueue import OutgoingMail
from core.refdata import org_type_bucket
from nominations import eligibility
from nominations.models import (
    CallQuota,
    Candidate,
    CandidateAnswer,
    FocalPoint,
    NominationCall,
    NominationLetter,
    ReviewScore,
)
from nominations.spreadsheet import missing_documents
from trainees.duplicates import trained_in
from trainees.models import Cohort, Programme


def calls_with_counts() -> list[tuple[NominationCall, int]]:
    counts = (select(Candidate.call_id, func.count().label("n")).group_by(Candidate.call_id).subquery())
    rows = db.session.execute(
        select(NominationCall, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.call_id == NominationCall.id)
        .options(selectinload(NominationCall.cohort)).order_by(NominationCall.closes_on.desc())).all()
    return [(c, n) for c, n in rows]


def get_call(call_id: int) -> NominationCall:
    call = db.session.scalar(select(NominationCall).where(NominationCall.id == call_id)
                             .options(selectinload(NominationCall.quotas), selectinload(NominationCall.questions),
                                      selectinload(NominationCall.cohort)))
    if call is None:
        abort(404)
    return call


def current_focal_point() -> FocalPoint:
    """The signed-in focal point's record (404 for a focal-point user nobody has bound to a country)."""
    fp = db.session.scalar(select(FocalPoint).where(FocalPoint.user_id == current_user.id))
    if fp is None:
        abort(404)
    return fp


def focal_point_by_token(token: str) -> FocalPoint:
    fp = db.session.scalar(select(FocalPoint).where(FocalPoint.apply_token == token)) if token else None
    if fp is None:
        abort(404)
    return fp


def open_calls(country: str | None, today: date) -> list[NominationCall]:
    """Calls open today; for a country, only those that offer it a quota or have no country quotas."""
    calls = db.session.scalars(
        select(NominationCall).where(NominationCall.opens_on <= today, NominationCall.closes_on >= today)
        .options(selectinload(NominationCall.quotas), selectinload(NominationCall.cohort))
        .order_by(NominationCall.closes_on)).all()
    if country is None:
        return list(calls)
    return [c for c in calls if not c.quotas or any(q.country == country and q.quota > 0 for q in c.quotas)]


def focal_point_candidates(fp: FocalPoint) -> list[Candidate]:
    return list(db.session.scalars(
        select(Candidate).where(Candidate.focal_point_id == fp.id)
        .options(selectinload(Candidate.call).selectinload(NominationCall.questions), selectinload(Candidate.answers))
        .order_by(Candidate.call_id, Candidate.rank, Candidate.id)))


def own_candidate(fp: FocalPoint, candidate_id: int) -> Candidate:
    """A candidate of this focal point's country that they handle; 404 otherwise (reveals nothing)."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or candidate.focal_point_id != fp.id or candidate.country != fp.country:
        abort(404)
    return candidate


def get_candidate(call: NominationCall, candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or candidate.call_id != call.id:
        abort(404)
    return candidate


@dataclass
class CandidateRow:
    candidate: Candidate
    failed: list[str]
    mean_scores: dict[str, float]
    overall: float | None
    trained_in: tuple[str, ...]
    #: Required documents (``file`` questions) not attached yet: the candidate is incomplete.
    missing_documents: list = field(default_factory=list)


def selection_rows(call: NominationCall, today: date) -> list[CandidateRow]:
    """Every candidate of a call with eligibility, averaged scores, answers and past training (six queries)."""
    candidates = db.session.scalars(
        select(Candidate).where(Candidate.call_id == call.id)
        .options(selectinload(Candidate.focal_point).selectinload(FocalPoint.user),
                 selectinload(Candidate.duplicate_of),
                 selectinload(Candidate.answers).selectinload(CandidateAnswer.question))
        .order_by(Candidate.country, Candidate.rank.is_(None), Candidate.rank, Candidate.id)).all()
    means: dict[int, dict[str, float]] = defaultdict(dict)
    for cid, criterion, mean in db.session.execute(
            select(ReviewScore.candidate_id, ReviewScore.criterion, func.avg(ReviewScore.score))
            .join(Candidate, Candidate.id == ReviewScore.candidate_id).where(Candidate.call_id == call.id)
            .group_by(ReviewScore.candidate_id, ReviewScore.criterion)):
        means[cid][criterion] = round(float(mean), 2)
    past = trained_in([c.duplicate_of_id for c in candidates if c.duplicate_of_id])
    rows = []
    for c in candidates:
        m = means.get(c.id, {})
        rows.append(CandidateRow(c, eligibility.failed_rules(call, c, call.cohort.start_date or today), m,
                                 round(sum(m.values()) / len(m), 2) if m else None,
                                 past.get(c.duplicate_of_id, ()) if c.duplicate_decision != "different" else (),
                                 missing_documents(c, call)))
    return rows


@dataclass
class Balance:
    """The live balance panel: accepted people by country (against quota), gender, sector, bucket, history."""

    countries: list[dict] = field(default_factory=list)
    gender: Counter = field(default_factory=Counter)
    sector: Counter = field(default_factory=Counter)
    bucket: Counter = field(default_factory=Counter)
    first_time: int = 0
    previously_trained: int = 0
    total_quota: int | None = None
    accepted_total: int = 0


def balance(call: NominationCall, rows: list[CandidateRow]) -> Balance:
    """Computed from the rows the selection page already loaded (no extra query)."""
    b = Balance(total_quota=call.total_quota)
    per_country: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        c = row.candidate
        per_country[c.country][c.status] += 1
        per_country[c.country]["nominated"] += 1
        if c.status != "accepted":
            continue
        b.accepted_total += 1
        b.gender[c.gender] += 1
        b.sector[c.sector] += 1
        b.bucket[org_type_bucket(c.org_type)] += 1
        if row.trained_in:
            b.previously_trained += 1
        else:
            b.first_time += 1
    quotas = {q.country: q.quota for q in call.quotas}
    for country in sorted(set(quotas) | set(per_country)):
        counts = per_country.get(country, Counter())
        b.countries.append({"country": country, "quota": quotas.get(country), "nominated": counts["nominated"],
                            "accepted": counts["accepted"], "waitlisted": counts["waitlisted"],
                            "rejected": counts["rejected"],
                            "over": quotas.get(country) is not None and counts["accepted"] > quotas[country]})
    return b


def proposals(call: NominationCall, rows: list[CandidateRow]) -> dict[str, Candidate]:
    """Country → the waitlisted candidate to propose, for countries with a free seat and a waiting list."""
    seats = eligibility.Seats({q.country: q.quota for q in call.quotas}, call.total_quota,
                              Counter(r.candidate.country for r in rows if r.candidate.status == "accepted"))
    waiting = [r.candidate for r in rows if r.candidate.status == "waitlisted"]
    result = {}
    for country in sorted({c.country for c in waiting}):
        if seats.can_accept(country):
            nxt = eligibility.next_waitlisted(waiting, country)
            if nxt is not None:
                result[country] = nxt
    return result


def letters(call: NominationCall, candidate_id: int | None = None) -> list[tuple[Candidate, OutgoingMail]]:
    """The decision letters of a call (or of one of its candidates), newest first, with their queue rows (one query)."""
    stmt = (select(Candidate, OutgoingMail).join(NominationLetter, NominationLetter.candidate_id == Candidate.id)
            .join(OutgoingMail, OutgoingMail.id == NominationLetter.mail_id).where(Candidate.call_id == call.id)
            .order_by(OutgoingMail.id.desc()))
    if candidate_id is not None:
        stmt = stmt.where(Candidate.id == candidate_id)
    return [(c, m) for c, m in db.session.execute(stmt).all()]


def report_rows(report_filter=None) -> list[dict]:
    """Per country over the calls in scope: nominated, eligible, decisions, quota, fill rate, withdrawn, undecided.

    Nominated counts every candidate put forward (self-applications once endorsed), so it is the sum of
    accepted, waitlisted, rejected, withdrawn (accepted, then the enrolment was withdrawn) and undecided.

    Two grouped queries (candidate statuses; quotas), whatever the number of candidates.
    """
    calls = select(NominationCall.id).join(Cohort, Cohort.id == NominationCall.cohort_id)
    f = report_filter
    if f is not None:
        if getattr(f, "programme", None):
            calls = calls.join(Programme, Programme.id == Cohort.programme_id).where(
                func.lower(Programme.code) == f.programme.lower())
        if getattr(f, "fy_from", None):
            calls = calls.where(Cohort.fiscal_year >= f.fy_from)
        if getattr(f, "fy_to", None):
            calls = calls.where(Cohort.fiscal_year <= f.fy_to)
        if getattr(f, "cohort", None):
            calls = calls.where(func.lower(Cohort.code) == f.cohort.lower())
        if getattr(f, "modality", None):
            calls = calls.where(Cohort.modality == f.modality)
    call_ids = calls
    count = lambda status: func.sum(case((Candidate.status == status, 1), else_=0))  # noqa: E731
    stats = db.session.execute(
        select(Candidate.country, func.count(), count("accepted"), count("waitlisted"), count("rejected"),
               func.sum(case((Candidate.eligible.is_(True), 1), else_=0)), count("withdrawn"), count("submitted"))
        .where(Candidate.call_id.in_(call_ids), Candidate.status != "awaiting_endorsement")
        .group_by(Candidate.country)).all()
    quotas = dict(db.session.execute(
        select(CallQuota.country, func.sum(CallQuota.quota)).where(CallQuota.call_id.in_(call_ids))
        .group_by(CallQuota.country)).all())
    nationality = getattr(f, "nationality", None) if f is not None else None
    by_country = {row[0]: row for row in stats}
    result = []
    for country in sorted(set(by_country) | set(quotas)):
        if nationality and country != nationality:
            continue
        _c, nominated, accepted, waitlisted, rejected, eligible, withdrawn, undecided = by_country.get(
            country, (country, 0, 0, 0, 0, 0, 0, 0))
        quota = quotas.get(country)
        result.append({"country": country, "nominated": int(nominated or 0), "eligible": int(eligible or 0),
                       "accepted": int(accepted or 0),
                       "waitlisted": int(waitlisted or 0), "rejected": int(rejected or 0),
                       "quota": int(quota) if quota is not None else None,
                       "fill_rate": (int(accepted or 0) / int(quota)) if quota else None,
                       # nominated = accepted + waitlisted + rejected + withdrawn + undecided
                       "withdrawn": int(withdrawn or 0), "undecided": int(undecided or 0)})
    return result
