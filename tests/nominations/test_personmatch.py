"""The duplicate-person matcher on a table of real-looking pairs."""

from datetime import date

import pytest

from core.personmatch import Person, PersonIndex, find_matches, name_tokens, normalise_email

LAN = Person(1, "Nguyễn", "Thị Lan", "lan.nguyen@vncert.gov.vn", date(1990, 3, 14), "VN")
SOMCHAI = Person(2, "Srisuk", "Somchai", "somchai@thaicert.or.th", date(1985, 7, 2), "TH")
EXISTING = [LAN, SOMCHAI, Person(3, "Tanaka", "Yuki", "yuki@example.jp", date(1992, 1, 5), "JP")]


@pytest.mark.parametrize(("family", "given", "dob", "nationality"), [
    ("NGUYEN", "THI LAN", date(1990, 3, 14), "VN"),            # upper case, no diacritics
    ("", "Lan Nguyen Thi", date(1990, 3, 14), "VN"),           # given-first order, single field
    ("Thi Lan", "Nguyen", date(1990, 3, 14), "vn"),             # family/given swapped
    ("Nguyen", "Thi Lan", date(1990, 3, 14), "VN"),
])
def test_same_birth_and_nationality_with_similar_name_matches_lan(family, given, dob, nationality):
    matches = find_matches(Person(None, family, given, "other@example.org", dob, nationality), EXISTING)
    assert [m.person.key for m in matches] == [1]
    assert matches[0].reason == "name_birth"


def test_somchai_in_passport_order_matches():
    matches = find_matches(Person(None, "SRISUK", "Somchai", "", date(1985, 7, 2), "TH"), EXISTING)
    assert [m.person.key for m in matches] == [2]


@pytest.mark.parametrize("incoming", [
    Person(None, "Nguyen", "Thi Lan", "", date(1991, 3, 14), "VN"),  # same name, other birth date
    Person(None, "Nguyen", "Thi Lan", "", date(1990, 3, 14), "LA"),  # same name, other nationality
    Person(None, "Nguyen", "Thi Lan", "", None, "VN"),               # no birth date: only e-mail counts
    Person(None, "Nguyen", "Van Minh", "", date(1990, 3, 14), "VN"),  # same birth, other person
    Person(None, "Somchai", "Srisuk", "", date(1985, 7, 3), "TH"),
])
def test_different_people_do_not_match(incoming):
    assert find_matches(incoming, EXISTING) == []


def test_email_matches_case_and_width_insensitively():
    incoming = Person(None, "Someone", "Else", "ＬＡＮ.Nguyen@VNCERT.gov.vn ", None, "")
    matches = find_matches(incoming, EXISTING)
    assert [(m.person.key, m.reason) for m in matches] == [(1, "email")]


def test_email_and_name_match_the_same_person_once():
    incoming = Person(None, "NGUYEN", "THI LAN", "lan.nguyen@vncert.gov.vn", date(1990, 3, 14), "VN")
    matches = PersonIndex(EXISTING).matches(incoming)
    assert [(m.person.key, m.reason) for m in matches] == [(1, "email")]


def test_normalisers():
    assert normalise_email("ＡＢＣ@Ｅxample.ORG") == "abc@example.org"
    assert name_tokens("Nguyễn", "Thị Lan") == name_tokens("LAN", "nguyen thi") == ("lan", "nguyen", "thi")
    assert name_tokens("O'Brien-Smith", "") == ("brien", "o", "smith")


def test_loose_check_for_hand_entry_matches_name_and_nationality_without_birth_date():
    existing = [Person(1, "Nguyen", "Thi Lan", "a@example.org", None, "VN"), SOMCHAI]
    incoming = Person(None, "NGUYEN", "Thi Lan", "b@example.org", None, "VN")
    assert find_matches(incoming, existing) == []
    matches = PersonIndex(existing).matches(incoming, loose=True)
    assert [(m.person.key, m.reason) for m in matches] == [(1, "name_nationality")]
    # both birth dates known and different: still not the same person, even loosely
    assert PersonIndex(EXISTING).matches(Person(None, "Nguyen", "Thi Lan", "", date(1991, 1, 1), "VN"),
                                         loose=True) == []
