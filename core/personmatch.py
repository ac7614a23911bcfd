"""Is this incoming person possibly someone we already know? (pure logic: no Flask, no database)

Two records are flagged as possibly the same person when

* their e-mail addresses are equal after Unicode NFKC normalisation and case folding (so
  ``ＬＡＮ@Example.org`` and ``lan@example.org`` meet), or
* they share a date of birth and a nationality and their names are similar: names are
  transliterated to ASCII (Unidecode: "Nguyễn Thị Lan" → "Nguyen Thi Lan"), lower-cased and split
  into tokens, and compared order-insensitively with rapidfuzz's ``token_sort_ratio`` so that
  family/given order ("SRISUK Somchai" / "Somchai Srisuk") does not matter.

Records without a date of birth match only by e-mail, unless the caller asks for a *loose* check
(an organiser typing a person in by hand): then the same nationality and a similar name are enough
when either side has no birth date (reason ``name_nationality``). The fuzzy matching itself is rapidfuzz's;
this module only decides which records are compared and how names are prepared.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz
from unidecode import unidecode

#: Name similarity (0–100) from which two people with the same birth date and nationality are flagged.
NAME_THRESHOLD = 88

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_email(email: str | None) -> str:
    """E-mail as compared: NFKC (full-width → ASCII), case-folded, trimmed."""
    return unicodedata.normalize("NFKC", email or "").strip().casefold()


def name_tokens(*parts: str | None) -> tuple[str, ...]:
    """The sorted ASCII tokens of a name: diacritics, case, punctuation and order removed."""
    text = unidecode(unicodedata.normalize("NFKC", " ".join(p or "" for p in parts))).lower()
    return tuple(sorted(t for t in _NON_WORD.split(text) if t))


def name_similarity(a: tuple[str, ...] | str, b: tuple[str, ...] | str) -> float:
    """0–100 similarity of two names, insensitive to token order (rapidfuzz token_sort_ratio)."""
    a_text = " ".join(a) if isinstance(a, tuple) else " ".join(name_tokens(a))
    b_text = " ".join(b) if isinstance(b, tuple) else " ".join(name_tokens(b))
    if not a_text or not b_text:
        return 0.0
    return fuzz.token_sort_ratio(a_text, b_text)


@dataclass(frozen=True)
class Person:
    """What the matcher needs to know about a person (an existing trainee or an incoming candidate)."""

    key: int | str | None
    family_name: str
    given_names: str
    email: str = ""
    date_of_birth: date | None = None
    nationality: str = ""

    @property
    def tokens(self) -> tuple[str, ...]:
        return name_tokens(self.family_name, self.given_names)


@dataclass(frozen=True)
class Match:
    """An existing person who is possibly the incoming one, and why."""

    person: Person
    reason: str  # "email" or "name_birth"
    score: float


class PersonIndex:
    """Existing people indexed by e-mail and by (date of birth, nationality) for fast look-ups."""

    def __init__(self, people: Iterable[Person] = ()) -> None:
        self._by_email: dict[str, list[Person]] = defaultdict(list)
        self._by_birth: dict[tuple[date, str], list[tuple[Person, tuple[str, ...]]]] = defaultdict(list)
        self._by_nationality: dict[str, list[tuple[Person, tuple[str, ...]]]] = defaultdict(list)
        for person in people:
            self.add(person)

    def add(self, person: Person) -> None:
        email = normalise_email(person.email)
        if email:
            self._by_email[email].append(person)
        if person.date_of_birth and person.nationality:
            key = (person.date_of_birth, person.nationality.upper())
            self._by_birth[key].append((person, person.tokens))
        if person.nationality:
            self._by_nationality[person.nationality.upper()].append((person, person.tokens))

    def matches(self, incoming: Person, threshold: float = NAME_THRESHOLD, loose: bool = False) -> list[Match]:
        """Existing people possibly the same as ``incoming``, best first (each person once)."""
        found: dict[int, Match] = {}
        email = normalise_email(incoming.email)
        if email:
            for person in self._by_email.get(email, ()):
                found[id(person)] = Match(person, "email", 100.0)
        if incoming.date_of_birth and incoming.nationality:
            tokens = incoming.tokens
            for person, other in self._by_birth.get((incoming.date_of_birth, incoming.nationality.upper()), ()):
                if id(person) in found:
                    continue
                score = name_similarity(tokens, other)
                if score >= threshold:
                    found[id(person)] = Match(person, "name_birth", score)
        if loose and incoming.nationality:
            tokens = incoming.tokens
            for person, other in self._by_nationality.get(incoming.nationality.upper(), ()):
                if id(person) in found or (incoming.date_of_birth and person.date_of_birth):
                    continue  # both birth dates known: the strict rule above has decided
                score = name_similarity(tokens, other)
                if score >= threshold:
                    found[id(person)] = Match(person, "name_nationality", score)
        return sorted(found.values(), key=lambda m: -m.score)


def find_matches(incoming: Person, existing: Iterable[Person], threshold: float = NAME_THRESHOLD) -> list[Match]:
    """One-off convenience: index ``existing`` and match ``incoming`` against it."""
    return PersonIndex(existing).matches(incoming, threshold)
