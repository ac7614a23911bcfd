"""Eligibility rules alone and combined; quota arithmetic and waitlist promotion order."""

from datetime import date
from types import SimpleNamespace as NS

import pytest

from nominations.eligibility import Seats, age_on, failed_rules, next_waitlisted

ON = date(2026, 12, 5)
NO_RULES = dict(min_age=None, max_age=None, min_experience_years=None, job_areas=[], min_english="",
                org_types=[], sectors=[])


def call(**rules):
    return NS(**{**NO_RULES, **rules})


def person(**fields):
    base = dict(date_of_birth=date(1990, 6, 1), experience_years=5, job_area="incident_response",
                english_level="advanced", org_type="national_csirt", sector="ICT")
    return NS(**{**base, **fields})


def test_no_rules_means_eligible():
    assert failed_rules(call(), person(date_of_birth=None, experience_years=None), ON) == []


@pytest.mark.parametrize(("rules", "fields", "expected"), [
    ({"min_age": 25, "max_age": 40}, {}, []),
    ({"min_age": 25, "max_age": 40}, {"date_of_birth": date(1980, 1, 1)}, ["age"]),
    ({"min_age": 25}, {"date_of_birth": date(2002, 1, 1)}, ["age"]),
    ({"max_age": 36}, {"date_of_birth": date(1990, 12, 5)}, []),       # 36th birthday today: still 36
    ({"max_age": 35}, {"date_of_birth": date(1990, 12, 5)}, ["age"]),
    ({"min_age": 25}, {"date_of_birth": None}, ["age_unknown"]),
    ({"min_experience_years": 3}, {"experience_years": 2}, ["experience"]),
    ({"min_experience_years": 3}, {"experience_years": 3}, []),
    ({"min_experience_years": 3}, {"experience_years": None}, ["experience_unknown"]),
    ({"job_areas": ["soc", "forensics"]}, {}, ["job_area"]),
    ({"job_areas": ["incident_response"]}, {}, []),
    ({"min_english": "advanced"}, {"english_level": "intermediate"}, ["english"]),
    ({"min_english": "advanced"}, {"english_level": "fluent"}, []),
    ({"min_english": "basic"}, {"english_level": ""}, ["english"]),
    ({"org_types": ["government", "regulator"]}, {}, ["org_type"]),
    ({"sectors": ["ELE", "WAT"]}, {}, ["sector"]),
])
def test_each_rule_alone(rules, fields, expected):
    assert failed_rules(call(**rules), person(**fields), ON) == expected


def test_rules_combined_report_every_failure():
    rules = call(min_age=25, max_age=40, min_experience_years=3, job_areas=["soc"], min_english="fluent",
                 org_types=["government"], sectors=["ELE"])
    assert failed_rules(rules, person(date_of_birth=date(1970, 1, 1), experience_years=1), ON) == [
        "age", "experience", "job_area", "english", "org_type", "sector"]
    ok = person(job_area="soc", english_level="fluent", org_type="government", sector="ELE")
    assert failed_rules(rules, ok, ON) == []


def test_age_on():
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_quota_per_country_and_total():
    seats = Seats(quotas={"VN": 2, "TH": 2}, total_quota=3, accepted={"VN": 2, "TH": 0})
    assert seats.left_for("VN") == 0 and not seats.can_accept("VN")
    assert seats.left_for("TH") == 1          # the total (3) caps Thailand's 2
    assert seats.left_for("LA") == 1          # no country quota: only the total applies
    full = Seats(quotas={"VN": 2, "TH": 2}, total_quota=3, accepted={"VN": 2, "TH": 1})
    assert not full.can_accept("TH") and full.left_for("LA") == 0
    assert Seats({}, None, {"VN": 9}).left_for("VN") is None
    assert seats.fill_rate("VN") == 1.0 and seats.fill_rate("TH") == 0.0 and seats.fill_rate("LA") is None


def test_next_waitlisted_same_country_best_rank_first():
    waiting = [NS(id=1, country="TH", rank=1), NS(id=2, country="VN", rank=3), NS(id=3, country="VN", rank=None),
               NS(id=4, country="VN", rank=2)]
    assert next_waitlisted(waiting, "VN").id == 4
    assert next_waitlisted(waiting, "TH").id == 1
    assert next_waitlisted(waiting, "LA") is None
    assert next_waitlisted([NS(id=7, country="VN", rank=None), NS(id=5, country="VN", rank=None)], "VN").id == 5
