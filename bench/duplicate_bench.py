"""Duplicate-person check benchmark: recall on planted duplicates and the false-alarm rate.

    .venv/bin/python bench/duplicate_bench.py [--trainees 2000] [--planted 200] [--seed 2026]

Builds a synthetic set of existing trainees (Vietnamese, Thai, Indonesian, Filipino, Malaysian and
Lao names with diacritics, birth dates 1965–2001, e-mails), then matches incoming people against it
with ``core.personmatch.PersonIndex`` (the code the app uses):

* planted duplicates — existing people re-typed the way focal points do it: upper case without
  diacritics, given/family swapped, all in one field, a re-cased or full-width e-mail, a new e-mail
  with the same birth date and nationality. Every one must be found (recall 100 %).
* different people — as many new persons as there are trainees, generated the same way (so some
  share a common name, or a birth date and nationality, with someone), plus every existing person's
  name with another birth date. A match on any of them is a false alarm (goal: at most 1 %).

It also prints the CPU time of the indexed matcher against a baseline in the same run: comparing
each incoming person with every trainee by rapidfuzz (the obvious quadratic approach). Not run by pytest.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from unidecode import unidecode  # noqa: E402

from core.personmatch import NAME_THRESHOLD, Person, PersonIndex, name_similarity, normalise_email  # noqa: E402

NAMES = {
    "VN": (["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"],
           ["Thị Lan", "Văn Minh", "Thị Hương", "Văn Hùng", "Thị Mai", "Quốc Bảo", "Thanh Tùng", "Thị Thu",
            "Đức Anh", "Hoàng Nam", "Thị Ngọc", "Minh Khoa", "Gia Huy", "Thị Hà", "Văn Long"]),
    "TH": (["Srisuk", "Chaiyaporn", "Wongsawat", "Saelim", "Boonmee", "Kittisak", "Rattanakorn", "Sukprasert",
            "Thongchai", "Phromma"],
           ["Somchai", "Suda", "Anong", "Kanya", "Prasert", "Nattapong", "Siriporn", "Wichai", "Pimchanok",
            "Thanawat", "Arunee", "Kittipong"]),
    "ID": (["", "Santoso", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Pratama", "Nugroho", "Setiawan"],
           ["Budi", "Siti Rahma", "Agus", "Dewi Lestari", "Rizky", "Putri Ayu", "Eko", "Indah", "Fajar", "Wahyu"]),
    "PH": (["Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Dela Cruz"],
           ["Maria Cristina", "José", "Juan Carlos", "Ana Liza", "Mark Anthony", "Rosario", "Paolo", "Jennifer"]),
    "MY": (["bin Abdullah", "binti Ismail", "Tan", "Lim", "Wong", "Raj"],
           ["Ahmad Faiz", "Nur Aisyah", "Wei Ming", "Mei Ling", "Siva", "Hafiz", "Farah"]),
    "LA": (["Phommachanh", "Sisavath", "Vongsa", "Keomany", "Souvannavong", "Inthavong"],
           ["Bounmy", "Khamla", "Souksavanh", "Phonexay", "Vilayphone", "Noy"]),
}


def make_person(rng: random.Random, key) -> Person:
    nat = rng.choice(list(NAMES))
    families, givens = NAMES[nat]
    family, given = rng.choice(families), rng.choice(givens)
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 36))
    ascii_name = unidecode(f"{given}.{family}")
    email = f"{ascii_name.replace(' ', '').lower()}.{rng.randrange(10**6)}@example.{nat.lower()}"
    return Person(key, family, given, email, born, nat)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def strip_accents(text: str) -> str:
    """How a person types their name on an ASCII keyboard (Đỗ → Do): Unidecode."""
    return unidecode(text)


def retype(rng: random.Random, p: Person, key) -> Person:
    """The same person as a focal point might type them."""
    way = rng.randrange(6)
    if way == 0:   # upper case, no diacritics, new e-mail
        return Person(key, strip_accents(p.family_name).upper(), strip_accents(p.given_names).upper(),
                      f"new{key}@mail.example", p.date_of_birth, p.nationality)
    if way == 1:   # given name first, family last, swapped fields
        return Person(key, p.given_names, p.family_name, f"new{key}@mail.example", p.date_of_birth, p.nationality)
    if way == 2:   # everything in one field, given-first order
        return Person(key, "", f"{p.given_names} {p.family_name}", "", p.date_of_birth, p.nationality.lower())
    if way == 3:   # same e-mail, re-cased, other name spelling and no birth date
        return Person(key, "X", "Y", p.email.upper(), None, "")
    if way == 4:   # same e-mail in full-width letters
        return Person(key, p.family_name, p.given_names, _fullwidth(p.email), None, p.nationality)
    # diacritics kept, lower case, a middle name dropped/added spacing
    return Person(key, p.family_name.lower(), "  ".join(p.given_names.lower().split()), "", p.date_of_birth,
                  p.nationality)


def naive(incoming: Person, existing: list[Person]) -> list[Person]:
    """Baseline: compare with every trainee (e-mail, or same birth/nationality and rapidfuzz similarity)."""
    email, tokens, found = normalise_email(incoming.email), incoming.tokens, []
    for p in existing:
        same_email = bool(email) and normalise_email(p.email) == email
        same_birth = (incoming.date_of_birth is not None and incoming.date_of_birth == p.date_of_birth
                      and incoming.nationality.upper() == p.nationality.upper())
        if same_email or (same_birth and name_similarity(tokens, p.tokens) >= NAME_THRESHOLD):
            found.append(p)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=2000)
    parser.add_argument("--planted", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    existing = [make_person(rng, i) for i in range(args.trainees)]
    planted = [(retype(rng, p, f"dup{i}"), p.key) for i, p in enumerate(rng.sample(existing, args.planted))]
    others = [make_person(rng, f"new{i}") for i in range(args.trainees)]
    others += [replace(p, key=f"otherbirth{p.key}", email="",
                       date_of_birth=p.date_of_birth + timedelta(days=rng.choice((-400, -31, -1, 1, 31, 400))))
               for p in existing]

    t0 = time.process_time()
    index = PersonIndex(existing)
    found = sum(1 for person, key in planted if key in {m.person.key for m in index.matches(person)})
    alarms = [p for p in others if index.matches(p)]
    indexed_cpu = time.process_time() - t0

    sample = planted[:50] + [(p, None) for p in others[:150]]
    t0 = time.process_time()
    for person, _key in sample:
        naive(person, existing)
    naive_cpu = (time.process_time() - t0) * (len(planted) + len(others)) / len(sample)

    recall = found / len(planted)
    rate = len(alarms) / len(others)
    print(f"existing trainees: {len(existing)}; planted duplicates: {len(planted)}; different people: {len(others)}")
    print(f"recall: {found}/{len(planted)} = {recall:.1%} (goal 100 %)")
    print(f"false alarms: {len(alarms)}/{len(others)} = {rate:.2%} (goal <= 1 %)")
    for p in alarms[:5]:
        print(f"  e.g. {p.family_name} {p.given_names} {p.date_of_birth} {p.nationality}")
    print(f"cpu: indexed {indexed_cpu:.3f} s for all {len(planted) + len(others)} look-ups; "
          f"naive pairwise (extrapolated from {len(sample)}) {naive_cpu:.3f} s; ratio naive/indexed "
          f"{naive_cpu / max(indexed_cpu, 1e-9):.0f}x")
    if recall < 1 or rate > 0.01:
        sys.exit(1)


if __name__ == "__main__":
    main()
