"""GIFT import/export: supported syntax, per-question problems, and a lossless round trip."""

from courses import gift

SAMPLE = r"""
// A comment line that is ignored
$CATEGORY: $course$/ISMS

// [tag:iso27001:6.1.3]
// [tag:topic:soa]
::SoA purpose::Which document lists the Annex A controls and justifies inclusions and exclusions? {
=Statement of Applicability#Right: clause 6.1.3 d.
~Risk register
~Information security policy
####The SoA is required by 6.1.3 d).
}

::Multi::Which are CIA properties? {
~%50%Confidentiality
~%50%Integrity
~%-100%Auditability
}

::TF::ISO/IEC 27002 contains requirements for certification.{F}

::Controls::How many controls does Annex A of ISO/IEC 27001\:2022 have?{#93:0}

::Range::Pick a number between 1 and 5 {#1..5}

::Abbrev::What is the short name of the Statement of Applicability? {=SoA =S.o.A.}

::Missing word::The incident response team is called a {=CSIRT ~SOC ~NOC} in most national frameworks.

::Match::Match the pairs {=A -> 1 =B -> 2}

::Essay::Describe your ISMS scope. {}

Just a description with no answers.

::Broken::Unclosed {=a ~b

::Escapes::Use \{braces\} and a \= sign and a \#hash {=yes\: really ~no}
"""


def test_import_supported_types():
    result = gift.parse(SAMPLE)
    by_title = {q.title: q for q in result.questions}
    soa = by_title["SoA purpose"]
    assert soa.qtype == "single_choice"
    assert soa.spec == {"options": ["Statement of Applicability", "Risk register", "Information security policy"],
                        "correct": [0]}
    assert soa.explanation == "The SoA is required by 6.1.3 d)."
    assert soa.tags == ["iso27001:6.1.3", "topic:soa"]
    assert soa.key == "SoA-purpose"
    assert by_title["Multi"].qtype == "multiple_choice"
    assert by_title["Multi"].spec["correct"] == [0, 1]
    assert by_title["TF"].spec == {"answer": False}
    assert by_title["Controls"].spec == {"answer": 93.0, "tolerance": 0.0}
    assert "27001:2022" in by_title["Controls"].text
    assert by_title["Range"].spec == {"answer": 3.0, "tolerance": 2.0}
    assert by_title["Abbrev"].qtype == "short_text"
    assert by_title["Abbrev"].spec == {"answers": ["SoA", "S.o.A."]}
    missing = by_title["Missing word"]
    assert missing.text == "The incident response team is called a _____ in most national frameworks."
    assert missing.spec["options"][missing.spec["correct"][0]] == "CSIRT"
    esc = by_title["Escapes"]
    assert esc.text == "Use {braces} and a = sign and a #hash"
    assert esc.spec["options"] == ["yes: really", "no"]


def test_unsupported_and_broken_reported_per_question():
    result = gift.parse(SAMPLE)
    problems = {p.title: p.message for p in result.problems}
    assert "matching" in problems["Match"].lower()
    assert "essay" in problems["Essay"].lower()
    assert "description" in problems["Just a description with no answers."].lower()
    assert "not closed" in problems["Broken"]
    assert len(result.questions) == 8
    assert all(p.number > 0 and p.line > 0 for p in result.problems)


def test_round_trip_is_lossless():
    first = gift.parse(SAMPLE).questions
    for q in first:
        q.difficulty = 3 if q.qtype == "numeric" else 1
    text = gift.export(
        {"key": q.key, "qtype": q.qtype, "text": q.text, "spec": q.spec, "explanation": q.explanation,
         "tags": q.tags, "difficulty": q.difficulty} for q in first)
    second = gift.parse(text)
    assert second.problems == []
    strip = [(q.key, q.qtype, q.text, q.spec, q.explanation, q.tags, q.difficulty) for q in first]
    assert [(q.key, q.qtype, q.text, q.spec, q.explanation, q.tags, q.difficulty) for q in second.questions] == strip


def test_round_trip_multiline_and_single_correct_multi():
    q = {"key": "k1", "qtype": "multiple_choice", "text": "Line one\n\nLine {two} ~ = # :",
         "spec": {"options": ["a=1", "b~2"], "correct": [1]}, "explanation": "Because: #1", "tags": ["first:6.1"],
         "difficulty": 2}
    parsed = gift.parse(gift.export([q])).questions[0]
    assert (parsed.key, parsed.qtype, parsed.text, parsed.spec, parsed.explanation, parsed.tags) == (
        "k1", "multiple_choice", q["text"], q["spec"], q["explanation"], ["first:6.1"])


def test_three_way_weights_export():
    text = gift.export([{"key": "k", "qtype": "multiple_choice", "text": "Q",
                         "spec": {"options": list("abcd"), "correct": [0, 1, 2]}, "explanation": "", "tags": []}])
    assert "~%33.33333%a" in text and "~%-33.33333%d" in text
    assert gift.parse(text).questions[0].spec["correct"] == [0, 1, 2]


def test_garbage_never_raises():
    result = gift.parse("{{{ }}} ::: \\ {#abc} ~~ ==\n\n::x::{#x:y}\n\n::y::q{~a ~b}")
    assert result.questions == []
    assert len(result.problems) == 3
