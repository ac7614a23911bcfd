"""Eligibility rules of a call and the quota arithmetic (pure logic: no Flask, no database).

``failed_rules(call, candidate, on)`` returns the codes of the rules the candidate does not meet;
an empty list means eligible. A rule that is not set on the call is not checked; a rule whose
answer is missing on the candidate (no birth date for an age rule) fails as ``<rule>_unknown`` so
the organiser sees why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

ENGLISH_ORDER = {"basic": 1, "intermediate": 2, "advanced": 3, "fluent": 4}

RULE_NAMES = {
    "age": ("Age outside the accepted range", "年齢が対象範囲外"),
    "age_unknown": ("Date of birth missing (age rule)", "生年月日がない（年齢条件）"),
    "experience": ("Too few years of experience", "経験年数が不足"),
    "experience_unknown": ("Years of experience missing", "経験年数が未記入"),
    "job_area": ("Job area not accepted", "職務分野が対象外"),
    "english": ("English level below the minimum", "英語力が基準未満"),
    "org_type": ("Organisation type not accepted", "組織種別が対象外"),
    "sector": ("Sector not accepted", "分野が対象外"),
}


def rule_name(code: str, lang: str = "en") -> str:
    en, ja = RULE_NAMES.get(code, (code, code))
    return ja if lang == "ja" else en


def age_on(born: date, on: date) -> int:
    """Completed years of age on a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def failed_rules(call, candidate, on: date) -> list[str]:
    """Codes of the call's rules the candidate fails (duck-typed: any objects with the attributes)."""
    failed: list[str] = []
    if call.min_age is not None or call.max_age is not None:
        if candidate.date_of_birth is None:
            failed.append("age_unknown")
        else:
            age = age_on(candidate.date_of_birth, on)
            if (call.min_age is not None and age < call.min_age) or (call.max_age is not None and age > call.max_age):
                failed.append("age")
    if call.min_experience_years is not None:
        if candidate.experience_years is None:
            failed.append("experience_unknown")
        elif candidate.experience_years < call.min_experience_years:
            failed.append("experience")
    if call.job_areas and candidate.job_area not in call.job_areas:
        failed.append("job_area")
    if call.min_english and ENGLISH_ORDER.get(candidate.english_level or "", 0) < ENGLISH_ORDER[call.min_english]:
        failed.append("english")
    if call.org_types and candidate.org_type not in call.org_types:
        failed.append("org_type")
    if call.sectors and candidate.sector not in call.sectors:
        failed.append("sector")
    return failed


@dataclass(frozen=True)
class Seats:
    """Quota arithmetic of one call: what has been accepted against the country and total quotas."""

    quotas: dict[str, int]
    total_quota: int | None
    accepted: dict[str, int]

    @property
    def accepted_total(self) -> int:
        return sum(self.accepted.values())

    def left_for(self, country: str) -> int | None:
        """Seats still free for a country (None: no limit), bounded by the total quota too."""
        limits = []
        if country in self.quotas:
            limits.append(self.quotas[country] - self.accepted.get(country, 0))
        if self.total_quota is not None:
            limits.append(self.total_quota - self.accepted_total)
        return max(0, min(limits)) if limits else None

    def can_accept(self, country: str) -> bool:
        left = self.left_for(country)
        return left is None or left > 0

    def fill_rate(self, country: str) -> float | None:
        quota = self.quotas.get(country)
        return None if not quota else self.accepted.get(country, 0) / quota


def next_waitlisted(waitlisted: Iterable, country: str) -> object | None:
    """The waitlisted candidate of ``country`` to propose next: best focal-point rank, then earliest."""
    same: Sequence = [c for c in waitlisted if c.country == country]
    if not same:
        return None
    return min(same, key=lambda c: (c.rank is None, c.rank or 0, c.id))
