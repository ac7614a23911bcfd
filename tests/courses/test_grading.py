"""Pure grading rules: every question type, partial credit, tolerance, normalisation, feedback, gain."""

from datetime import UTC, datetime, timedelta

import pytest

from courses import grading
from courses.question_types import TYPES, SpecError, check_spec, dump_response, load_response, normalise_text

SINGLE = {"options": ["a", "b", "c"], "correct": [1]}
MULTI = {"options": ["a", "b", "c", "d"], "correct": [0, 2]}


def score(qtype, spec, values):
    t = TYPES[qtype]
    return grading.score_item(qtype, t.check_spec(spec), t.response_from_values(values))


def test_single_choice():
    assert score("single_choice", SINGLE, ["1"]) == 1.0
    assert score("single_choice", SINGLE, ["0"]) == 0.0
    assert score("single_choice", SINGLE, []) == 0.0
    assert score("single_choice", SINGLE, ["x"]) == 0.0


@pytest.mark.parametrize(("chosen", "expected"), [
    (["0", "2"], 1.0),          # both right
    (["0"], 0.5),               # one of two right
    (["0", "1"], 0.0),          # 1 right − 1 wrong = 0
    (["0", "2", "1"], 0.5),     # (2 − 1)/2
    (["0", "1", "2", "3"], 0.0),  # everything ticked: (2 − 2)/2
    (["1", "3"], 0.0),          # floored at 0, never negative
    ([], 0.0),
])
def test_multiple_choice_partial_credit(chosen, expected):
    assert score("multiple_choice", MULTI, chosen) == pytest.approx(expected)


def test_multiple_choice_three_correct_partial():
    spec = {"options": list("abcde"), "correct": [0, 1, 2]}
    assert score("multiple_choice", spec, ["0", "1"]) == pytest.approx(2 / 3)
    assert score("multiple_choice", spec, ["0", "1", "3"]) == pytest.approx(1 / 3)


def test_true_false():
    assert score("true_false", {"answer": True}, ["true"]) == 1.0
    assert score("true_false", {"answer": True}, ["false"]) == 0.0
    assert score("true_false", {"answer": False}, ["false"]) == 1.0
    assert score("true_false", {"answer": False}, []) == 0.0


@pytest.mark.parametrize(("value", "expected"), [
    ("93", 1.0), ("93.0", 1.0), ("93,4", 1.0), ("92.5", 1.0), ("93.5", 1.0), ("93.51", 0.0), ("92.4", 0.0),
    (" ９３ ", 1.0), ("abc", 0.0), ("", 0.0), ("nan", 0.0), ("inf", 0.0),
])
def test_numeric_tolerance(value, expected):
    assert score("numeric", {"answer": 93, "tolerance": 0.5}, [value]) == expected


def test_numeric_exact_without_tolerance():
    assert score("numeric", {"answer": 0.1 + 0.2}, ["0.3"]) == 1.0
    assert score("numeric", {"answer": 37}, ["37.01"]) == 0.0


@pytest.mark.parametrize(("value", "expected"), [
    ("Statement of Applicability", 1.0), ("  statement   of\tapplicability ", 1.0), ("ＳｏＡ", 1.0), ("SOA", 1.0),
    ("statement of applicability.", 0.0), ("soa x", 0.0), ("", 0.0),
])
def test_short_text_normalised(value, expected):
    spec = {"answers": ["statement of applicability", "SoA"]}
    assert score("short_text", spec, [value]) == expected


def test_normalise_text():
    assert normalise_text("  Ａｂ　 C ") == "ab c"


@pytest.mark.parametrize(("qtype", "spec"), [
    ("single_choice", {"options": ["a"], "correct": [0]}),
    ("single_choice", {"options": ["a", "b"], "correct": [0, 1]}),
    ("single_choice", {"options": ["a", "b"], "correct": [2]}),
    ("single_choice", {"options": ["a", "a"], "correct": [0]}),
    ("multiple_choice", {"options": ["a", "b"], "correct": []}),
    ("true_false", {"answer": "yes"}),
    ("numeric", {"answer": "x"}),
    ("numeric", {"answer": 1, "tolerance": -1}),
    ("short_text", {"answers": ["  "]}),
    ("essay", {}),
])
def test_invalid_specs_rejected(qtype, spec):
    with pytest.raises(SpecError):
        check_spec(qtype, spec)


def test_response_json_is_canonical():
    assert dump_response([2, 0]) == "[2,0]"
    assert load_response(dump_response({"b": 1, "a": 2})) == {"a": 2, "b": 1}
    assert load_response("not json") is None
    assert dump_response(None) is None


def test_attempt_percent_and_pass():
    assert grading.attempt_percent([1, 0.5, 0, 1]) == 62.5
    assert grading.attempt_percent([]) == 0.0
    assert grading.attempt_percent([1, 1, 0]) == 66.67
    assert grading.passed(60.0, 60)
    assert not grading.passed(59.99, 60)
    assert not grading.passed(None, 0)


def test_deadline_and_grace():
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    deadline = grading.deadline_for(start, 30)
    assert deadline == start + timedelta(minutes=30)
    assert grading.deadline_for(start, 0) is None
    assert not grading.is_expired(deadline, deadline + timedelta(seconds=grading.GRACE_SECONDS))
    assert grading.is_expired(deadline, deadline + timedelta(seconds=grading.GRACE_SECONDS + 1))
    assert not grading.is_expired(None, start + timedelta(days=9))
    assert grading.seconds_left(deadline, start) == 1800
    assert grading.seconds_left(deadline, deadline + timedelta(hours=1)) == 0


@pytest.mark.parametrize(("policy", "submitted", "closed", "score", "items"), [
    ("immediate", False, False, False, True),
    ("immediate", True, False, True, True),
    ("after_submit", False, False, False, False),
    ("after_submit", True, False, True, True),
    ("after_close", True, False, True, False),
    ("after_close", True, True, True, True),
    ("never", True, True, True, False),
])
def test_feedback_policy(policy, submitted, closed, score, items):
    v = grading.feedback_visibility(policy, submitted, closed)
    assert (v.score, v.items) == (score, items)


def test_hake_gain():
    assert grading.hake_gain(40.0, 70.0) == pytest.approx(0.5)
    assert grading.hake_gain(50.0, 40.0) == pytest.approx(-0.2)
    assert grading.hake_gain(100.0, 100.0) is None
    assert grading.hake_gain(None, 50.0) is None
    assert grading.gain_band(0.29) == "low"
    assert grading.gain_band(0.5) == "medium"
    assert grading.gain_band(0.71) == "high"


def test_group_size_27():
    assert grading.group_size_27(1) == 0
    assert grading.group_size_27(2) == 1
    assert grading.group_size_27(10) == 3
    assert grading.group_size_27(100) == 27
