"""Possible duplicates of a person among existing trainees, and where they were trained before.

Reads only: the pure matching is ``core.personmatch``; this module picks the few trainees worth
comparing in SQL (same e-mail, or same birth date and nationality) and adds their past cohorts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from core.extensions import db
from core.personmatch import Person, PersonIndex, normalise_email
from trainees.models import Cohort, Enrolment, Trainee
from trainees.status import COUNTED_STATUSES


@dataclass(frozen=True)
class PossibleDuplicate:
    trainee: Trainee
    reason: str  # "email" | "name_birth"
    score: float
    trained_in: tuple[str, ...]  # codes of cohorts the person was counted in (confirmed/completed/incomplete)


def _person(t: Trainee) -> Person:
    return Person(t.id, t.family_name, t.given_names, t.email, t.date_of_birth, t.nationality)


def possible_duplicates(family_name: str, given_names: str, email: str, date_of_birth: date | None,
                        nationality: str, exclude_id: int | None = None,
                        loose: bool = False) -> list[PossibleDuplicate]:
    """Existing trainees that are possibly this person, best first (two queries).

    ``loose`` (hand entry by an organiser): also same nationality and a similar name when a birth date is
    missing on either side.
    """
    conditions = []
    if normalise_email(email):
        conditions.append(func.lower(Trainee.email) == normalise_email(email))
    if date_of_birth and nationality:
        conditions.append((Trainee.date_of_birth == date_of_birth) & (Trainee.nationality == nationality.upper()))
    if loose and nationality:
        same_country = Trainee.nationality == nationality.upper()
        conditions.append(same_country if date_of_birth is None else same_country & Trainee.date_of_birth.is_(None))
    if not conditions:
        return []
    rows = db.session.scalars(select(Trainee).where(or_(*conditions))).all()
    if exclude_id is not None:
        rows = [t for t in rows if t.id != exclude_id]
    by_id = {t.id: t for t in rows}
    matches = PersonIndex(_person(t) for t in rows).matches(
        Person(None, family_name, given_names, email, date_of_birth, nationality), loose=loose)
    if not matches:
        return []
    trained = trained_in([m.person.key for m in matches])
    return [PossibleDuplicate(by_id[m.person.key], m.reason, m.score, trained.get(m.person.key, ()))
            for m in matches]


def trained_in(trainee_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """Trainee id → codes of the cohorts they were counted in, oldest first (one query)."""
    if not trainee_ids:
        return {}
    rows = db.session.execute(
        select(Enrolment.trainee_id, Cohort.code).join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.trainee_id.in_(trainee_ids), Enrolment.status.in_(COUNTED_STATUSES))
        .order_by(Cohort.start_date)).all()
    result: dict[int, list[str]] = {}
    for trainee_id, code in rows:
        result.setdefault(trainee_id, []).append(code)
    return {k: tuple(v) for k, v in result.items()}
