"""Checks the seed courses in courses/content/ against the content format contract (docs/content-format.md)."""

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

CONTENT = Path(__file__).resolve().parents[2] / "courses" / "content"
COURSE_DIRS = sorted(p.parent for p in CONTENT.glob("*/course.toml"))

TYPES = {"single_choice", "multiple_choice", "true_false", "numeric", "short_text"}
KINDS = {"practice", "module_test", "pre_test", "post_test"}
FEEDBACK = {"immediate", "after_submit", "after_close", "never"}
TRACKS = {"ISMS", "CSIRT", "other"}
ANNEX_A_SIZES = {5: 37, 6: 8, 7: 14, 8: 34}
FIRST_SERVICES = {5: 2, 6: 6, 7: 6, 8: 3, 9: 4}
MIN_WORDS = 300


def load(course_dir):
    with open(course_dir / "course.toml", "rb") as fh:
        return tomllib.load(fh)


def valid_tag(tag):
    prefix, _, value = tag.partition(":")
    if prefix == "topic":
        return re.fullmatch(r"[a-z0-9][a-z0-9-]*", value) is not None
    if prefix == "iso27001":
        m = re.fullmatch(r"A\.(\d)\.(\d+)", value)
        if m:
            theme, n = int(m.group(1)), int(m.group(2))
            return theme in ANNEX_A_SIZES and 1 <= n <= ANNEX_A_SIZES[theme]
        m = re.fullmatch(r"(\d+)(\.\d+){0,2}", value)
        return m is not None and 4 <= int(m.group(1)) <= 10
    if prefix == "first":
        m = re.fullmatch(r"(\d)(?:\.(\d+))?", value)
        if not m or int(m.group(1)) not in FIRST_SERVICES:
            return False
        return m.group(2) is None or 1 <= int(m.group(2)) <= FIRST_SERVICES[int(m.group(1))]
    return False


def words(markdown):
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.%/-]*", markdown)


def test_both_seed_courses_present():
    slugs = {p.name for p in COURSE_DIRS}
    assert {"isms-foundations", "csirt-foundations"} <= slugs
    total = sum(len(load(d)["questions"]) for d in COURSE_DIRS)
    assert total >= 120


@pytest.mark.parametrize("course_dir", COURSE_DIRS, ids=lambda p: p.name)
def test_course_header(course_dir):
    data = load(course_dir)
    for field in ("code", "title", "track", "edition", "language", "summary"):
        assert isinstance(data.get(field), str) and data[field].strip(), field
    assert data["track"] in TRACKS


@pytest.mark.parametrize("course_dir", COURSE_DIRS, ids=lambda p: p.name)
def test_modules_and_lessons(course_dir):
    data = load(course_dir)
    modules = data["modules"]
    assert len(modules) >= 5
    assert [m["number"] for m in modules] == list(range(1, len(modules) + 1))
    md = MarkdownIt("commonmark").enable("table")
    referenced = set()
    for mod in modules:
        assert mod["title"].strip() and mod["summary"].strip()
        assert len(mod["lessons"]) >= 3
        for i, lesson in enumerate(mod["lessons"], start=1):
            name = lesson["file"]
            assert name.startswith(f"{mod['number']:02d}-{i:02d}-"), name
            assert lesson["title"].strip() and lesson["minutes"] > 0
            assert all(valid_tag(t) for t in lesson["tags"]), (name, lesson["tags"])
            path = course_dir / "lessons" / name
            assert path.is_file(), name
            referenced.add(name)
            text = path.read_text(encoding="utf-8")
            assert len(words(text)) >= MIN_WORDS, (name, len(words(text)))
            assert re.search(r"(?m)^## ", text), name
            assert "## Key points" in text, name
            tokens = md.parse(text)
            flat = [t for tok in tokens for t in [tok, *(tok.children or [])]]
            assert not [t for t in flat if t.type in ("html_block", "html_inline", "image")], name
    on_disk = {p.name for p in (course_dir / "lessons").glob("*.md")}
    assert on_disk == referenced


def check_question(q, n_modules):
    key = q["key"]
    assert q["type"] in TYPES, key
    assert 0 <= q["module"] <= n_modules, key
    assert q["text"].strip() and q["explanation"].strip(), key
    assert q["difficulty"] in (1, 2, 3), key
    assert q["tags"] and all(valid_tag(t) for t in q["tags"]), (key, q["tags"])
    if q["type"] in ("single_choice", "multiple_choice"):
        opts, correct = q["options"], q["correct"]
        assert len(opts) >= 2 and len(set(opts)) == len(opts), key
        assert correct and len(set(correct)) == len(correct), key
        assert all(isinstance(i, int) and 0 <= i < len(opts) for i in correct), key
        if q["type"] == "single_choice":
            assert len(correct) == 1, key
    elif q["type"] == "true_false":
        assert isinstance(q["answer"], bool), key
    elif q["type"] == "numeric":
        assert isinstance(q["answer"], int | float) and not isinstance(q["answer"], bool), key
        assert q["tolerance"] >= 0, key
    else:
        assert q["answers"] and all(isinstance(a, str) and a.strip() for a in q["answers"]), key


@pytest.mark.parametrize("course_dir", COURSE_DIRS, ids=lambda p: p.name)
def test_question_bank(course_dir):
    data = load(course_dir)
    questions = data["questions"]
    keys = [q["key"] for q in questions]
    assert len(keys) == len(set(keys))
    assert len(questions) >= 60
    for q in questions:
        check_question(q, len(data["modules"]))
    assert {q["type"] for q in questions} == TYPES


@pytest.mark.parametrize("course_dir", COURSE_DIRS, ids=lambda p: p.name)
def test_quizzes(course_dir):
    data = load(course_dir)
    by_key = {q["key"]: q for q in data["questions"]}
    quizzes = data["quizzes"]
    assert len({z["key"] for z in quizzes}) == len(quizzes)
    module_tests = {}
    for z in quizzes:
        assert z["kind"] in KINDS and z["feedback"] in FEEDBACK, z["key"]
        assert 0 <= z["pass_mark"] <= 100 and z["max_attempts"] >= 0 and z["time_limit_minutes"] >= 0
        assert isinstance(z["shuffle"], bool)
        assert len(set(z["questions"])) == len(z["questions"]), z["key"]
        assert all(k in by_key for k in z["questions"]), z["key"]
        if z["kind"] == "module_test":
            assert 8 <= len(z["questions"]) <= 10, z["key"]
            assert {by_key[k]["module"] for k in z["questions"]} == {z["module"]}, z["key"]
            module_tests[z["module"]] = z
    assert sorted(module_tests) == [m["number"] for m in data["modules"]]
    (pre,) = [z for z in quizzes if z["kind"] == "pre_test"]
    (post,) = [z for z in quizzes if z["kind"] == "post_test"]
    assert len(pre["questions"]) >= 20 and len(post["questions"]) >= 20
    assert not set(pre["questions"]) & set(post["questions"])

    def blueprint(quiz):
        return Counter((by_key[k]["module"], by_key[k]["difficulty"], by_key[k]["type"]) for k in quiz["questions"])

    assert blueprint(pre) == blueprint(post)
