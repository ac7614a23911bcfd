"""Issue 14 item 9: the gradebook of a course assignment — cell values (first/best score, attempts, lessons),
drill-down to a read-only attempt review, the .xlsx export through the one writer, pagination, a query count
that does not grow with trainees or quizzes, and who may see it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.extensions import db as _db
from courses import attempts, gradebook
from courses.models import Attempt, CourseAssignment, Question, Quiz
from tests import factories
from tests.courses.builders import enrolled, lessons, quiz, sample_course

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RIGHT = {"t-001": ["1"], "t-002": ["0", "1", "3"], "t-003": ["false"], "t-004": ["93"]}


def _qid(key, course):
    return _db.session.scalar(select(Question.id).where(Question.key == key, Question.course_id == course.id))


def _take(p, key, answers: dict, minute: int, submit: bool = True):
    att = attempts.start_attempt(p.enrolment, p.assignment, quiz(p.course, key), now=T0 + timedelta(minutes=minute))
    attempts.save_answers(att, {_qid(k, p.course): v for k, v in answers.items()}, now=T0 + timedelta(minutes=minute))
    return attempts.submit_attempt(att, now=T0 + timedelta(minutes=minute + 1)) if submit else att


@pytest.fixture
def book(db):
    """A cohort of three: A took the module test twice (25 % then 100 %) and the pre-test, B has an attempt
    in progress, C has done nothing."""
    course = sample_course()
    cohort = factories.cohort()
    a = enrolled(course=course, cohort=cohort, family_name="Aaa")
    b = enrolled(course=course, cohort=cohort, family_name="Bbb")
    c = enrolled(course=course, cohort=cohort, family_name="Ccc")
    first = _take(a, "t-m1", {"t-001": ["1"]}, 0)
    best = _take(a, "t-m1", RIGHT, 10)
    _take(a, "t-pre", {"t-001": ["1"]}, 20)
    open_b = _take(b, "t-m1", {"t-001": ["0"]}, 30, submit=False)
    for lesson in lessons(course)[:2]:
        attempts.complete_lesson(a.enrolment.id, lesson.id)
    db.session.commit()
    return {"course": course, "cohort": cohort, "a": a, "b": b, "c": c, "first": first, "best": best,
            "open_b": open_b, "assignment": a.assignment}


def test_cells_hold_first_and_best_score_and_attempts(book):
    assignment = book["assignment"]
    quizzes = gradebook.quizzes(assignment)
    keys = [q.key for q in quizzes]
    assert keys[0] == "t-pre" and keys[-1] == "t-post" and set(keys) == {"t-pre", "t-m1", "t-m2", "t-post"}
    enrolments = list(_db.session.scalars(gradebook.enrolment_query(assignment)).unique())
    rows = {r.trainee.family_name: r for r in gradebook.rows(assignment, enrolments, quizzes)}
    assert list(rows) == ["Aaa", "Bbb", "Ccc"]
    m1 = quiz(book["course"], "t-m1").id
    a = rows["Aaa"].cells[m1]
    assert (a.first, a.best, a.attempts, a.submitted) == (25.0, 100.0, 2, 2)
    assert (a.first_attempt_id, a.best_attempt_id, a.open_attempt_id) == (book["first"].id, book["best"].id, None)
    b = rows["Bbb"].cells[m1]
    assert (b.first, b.best, b.attempts, b.submitted, b.open_attempt_id) == (None, None, 1, 0, book["open_b"].id)
    assert rows["Ccc"].cells[m1].attempts == 0
    assert rows["Aaa"].cells[quiz(book["course"], "t-pre").id].first == 25.0
    assert [r.lessons_done for r in rows.values()] == [2, 0, 0]


def test_unnamed_pre_and_post_tests_are_left_out(db):
    p = enrolled(pre_post=False)
    assert {q.key for q in gradebook.quizzes(p.assignment)} == {"t-m1", "t-m2"}


def test_page_shows_the_grid_and_links_each_score_to_its_attempt(client, login_as, book):
    login_as("organiser")
    response = client.get(f"/courses/assignments/{book['assignment'].id}/gradebook")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "AAA" in html and "BBB" in html and "CCC" in html
    base = f"/courses/assignments/{book['assignment'].id}/gradebook/attempts/"
    assert f'{base}{book["first"].id}"' in html and f'{base}{book["best"].id}"' in html
    assert f'{base}{book["open_b"].id}"' in html  # the attempt in progress is reachable too
    assert "25.0 %" in html and "100.0 %" in html and "(2)" in html
    assert "/gradebook.xlsx" in html


def test_attempt_review_is_read_only_with_answers_scores_and_key(client, login_as, book):
    login_as("organiser")
    url = f"/courses/assignments/{book['assignment'].id}/gradebook/attempts/{book['first'].id}"
    html = client.get(url).get_data(as_text=True)
    assert "Attempt review" in html and "AAA" in html and "25.0 %" in html
    assert "Statement of Applicability" in html and "Correct answer:" in html
    assert 'method="post"' not in html.split("<main", 1)[-1]  # nothing to change
    assert f"/gradebook/attempts/{book['best'].id}" in html  # the trainee's other attempt
    assert html.count(" disabled") >= 4
    open_html = client.get(f"/courses/assignments/{book['assignment'].id}/gradebook/attempts/"
                           f"{book['open_b'].id}").get_data(as_text=True)
    assert "in progress" in open_html and "not scored yet" in open_html


def test_attempt_review_is_scoped_to_the_assignment(client, login_as, book):
    """An attempt of another cohort, or at another course's quiz, is a 404 under this assignment."""
    login_as("organiser")
    other_cohort = enrolled(course=book["course"])
    foreign = _take(other_cohort, "t-m1", RIGHT, 40)
    _db.session.commit()
    assignment = book["assignment"]
    assert client.get(f"/courses/assignments/{assignment.id}/gradebook/attempts/{foreign.id}").status_code == 404
    assert client.get(f"/courses/assignments/{other_cohort.assignment.id}/gradebook/attempts/"
                      f"{foreign.id}").status_code == 200
    # another course assigned to the same cohort: its gradebook does not open this course's attempts
    second = sample_course_copy()
    other_course = CourseAssignment(cohort_id=book["cohort"].id, course_id=second.id)
    _db.session.add(other_course)
    _db.session.commit()
    assert client.get(f"/courses/assignments/{other_course.id}/gradebook/attempts/"
                      f"{book['first'].id}").status_code == 404
    assert client.get(f"/courses/assignments/{assignment.id}/gradebook/attempts/999999").status_code == 404
    assert client.get("/courses/assignments/999999/gradebook").status_code == 404


def sample_course_copy():
    from courses.models import Course

    course = Course(code=f"OTHER-{factories.seq()}", title="Other course", is_published=True)
    _db.session.add(course)
    _db.session.flush()
    return course


@pytest.mark.parametrize("role", ["trainee", "observer", "focal_point"])
def test_only_organisers_see_the_gradebook(client, login_as, book, role):
    user = book["a"].user if role == "trainee" else None  # even the trainee whose attempt it is
    login_as(role, user=user)
    aid = book["assignment"].id
    for url in (f"/courses/assignments/{aid}/gradebook", f"/courses/assignments/{aid}/gradebook.xlsx",
                f"/courses/assignments/{aid}/gradebook/attempts/{book['first'].id}",
                f"/courses/cohorts/{book['cohort'].id}/gradebook"):
        assert client.get(url).status_code == 403, url


def test_admin_sees_the_gradebook(client, login_as, book):
    login_as("admin")
    assert client.get(f"/courses/assignments/{book['assignment'].id}/gradebook").status_code == 200


def test_export_xlsx_through_the_writer_formula_safe_and_not_cached(client, login_as, book):
    book["c"].trainee.family_name = "=HYPERLINK(\"http://x\")"
    _db.session.commit()
    login_as("organiser")
    exports = select(func.count(AuditEvent.id)).where(AuditEvent.action == "courses.gradebook_export")
    before = _db.session.scalar(exports)
    response = client.get(f"/courses/assignments/{book['assignment'].id}/gradebook.xlsx")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store, private"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data))["Gradebook"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:5] == ("Family name", "Given names", "E-mail", "Status", "Lessons completed (of 3)")
    pre = quiz(book["course"], "t-pre")
    m1 = quiz(book["course"], "t-m1")
    col = header.index(f"{m1.title}: first score")
    assert header[col:col + 3] == (f"{m1.title}: first score", f"{m1.title}: best score", f"{m1.title}: attempts")
    assert header[5] == f"{pre.title}: first score"
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Aaa"][4] == 2
    assert by_name["Aaa"][col:col + 3] == (0.25, 1.0, 2)
    assert by_name["Bbb"][col:col + 3] == (None, None, 1)
    assert by_name["Aaa"][3] == "Confirmed"
    hostile = sheet.cell(row=[r[0] for r in rows].index('=HYPERLINK("http://x")') + 1, column=1)
    assert hostile.data_type == "s" and hostile.quotePrefix  # stays text, even when edited
    assert sheet.cell(row=[r[0] for r in rows].index("Aaa") + 1, column=col + 1).number_format == "0.0%"
    assert _db.session.scalar(exports) == before + 1


def test_export_in_japanese(client, login_as, book):
    user = factories.user(role="organiser", locale="ja")
    login_as(user=user)
    sheet = load_workbook(io.BytesIO(client.get(
        f"/courses/assignments/{book['assignment'].id}/gradebook.xlsx").data))["Gradebook"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "姓" and header[3] == "状態"
    assert "参加確定" in [c.value for c in sheet["D"]]


def _grow(course, cohort, trainees: int, extra_quizzes: int):
    for _ in range(trainees):
        p = enrolled(course=course, cohort=cohort)
        _take(p, "t-m1", RIGHT, 50)
        _take(p, "t-m1", {"t-001": ["1"]}, 60)
        attempts.complete_lesson(p.enrolment.id, lessons(course)[0].id)
    for n in range(extra_quizzes):
        extra = Quiz(course_id=course.id, key=f"extra-{n}", title=f"Extra quiz {n}", kind="practice")
        _db.session.add(extra)
    _db.session.commit()


def test_query_count_is_constant_in_trainees_and_quizzes(client, login_as, count_queries, db):
    course = sample_course()
    cohort = factories.cohort()
    first = enrolled(course=course, cohort=cohort)
    _take(first, "t-m1", RIGHT, 0)
    db.session.commit()
    login_as("organiser")
    url = f"/courses/assignments/{first.assignment.id}/gradebook"
    client.get(url)  # warm-up (session and user loading are the same either way)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _grow(course, cohort, 25, 4)
    with count_queries() as large:
        response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<th scope="row">') == 26 and "Extra quiz 3" in html
    assert large.count == small.count, (small.count, large.count)
    assert small.count <= 12


def test_many_trainees_are_paginated(client, login_as, db, monkeypatch):
    monkeypatch.setattr(gradebook, "PER_PAGE", 4)
    course = sample_course()
    cohort = factories.cohort()
    people = [enrolled(course=course, cohort=cohort, family_name=f"Name{n:02d}") for n in range(10)]
    db.session.commit()
    login_as("organiser")
    url = f"/courses/assignments/{people[0].assignment.id}/gradebook"
    first = client.get(url).get_data(as_text=True)
    assert first.count('<th scope="row">') == 4 and "NAME00" in first and "NAME04" not in first
    assert "Page 1 of 3" in first and "10 in all" in first
    last = client.get(url + "?page=3").get_data(as_text=True)
    assert last.count('<th scope="row">') == 2 and "NAME09" in last
    # the export has everybody, whatever the page size
    sheet = load_workbook(io.BytesIO(client.get(url + ".xlsx").data))["Gradebook"]
    assert sheet.max_row == 11


def test_reachable_from_the_cohort_page_and_the_assignment_pages(client, login_as, book):
    login_as("organiser")
    cohort_id, aid = book["cohort"].id, book["assignment"].id
    cohort_page = client.get(f"/cohorts/{cohort_id}").get_data(as_text=True)
    assert f"/courses/cohorts/{cohort_id}/gradebook" in cohort_page
    response = client.get(f"/courses/cohorts/{cohort_id}/gradebook")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/courses/assignments/{aid}/gradebook")
    for page in (f"/courses/assignments/{aid}/progress", f"/courses/assignments/{aid}/edit",
                 f"/courses/{book['course'].id}"):
        assert f"/courses/assignments/{aid}/gradebook" in client.get(page).get_data(as_text=True), page
    # a cohort with two courses: the choice
    second = sample_course_copy()
    other = CourseAssignment(cohort_id=cohort_id, course_id=second.id)
    _db.session.add(other)
    _db.session.commit()
    html = client.get(f"/courses/cohorts/{cohort_id}/gradebook").get_data(as_text=True)
    assert f"/courses/assignments/{aid}/gradebook" in html and f"/courses/assignments/{other.id}/gradebook" in html


def test_gradebook_page_writes_nothing(client, login_as, book):
    login_as("organiser")
    counts = _db.session.scalar(select(func.count(Attempt.id)))
    client.get(f"/courses/assignments/{book['assignment'].id}/gradebook")
    client.get(f"/courses/assignments/{book['assignment'].id}/gradebook/attempts/{book['open_b'].id}")
    assert _db.session.scalar(select(func.count(Attempt.id))) == counts


ROOT = Path(__file__).resolve().parents[2]
#: The files of the gradebook and of preview as trainee (issue 14 items 8 and 9), strings checked below.
FEATURE_FILES = [
    "courses/gradebook.py", "courses/preview.py", "courses/views/gradebook.py", "courses/views/preview.py",
    "courses/templates/courses/admin/gradebook.html", "courses/templates/courses/admin/attempt_review.html",
    "courses/templates/courses/admin/cohort_gradebooks.html",
    "courses/templates/courses/portal/_preview_banner.html", "courses/templates/courses/portal/lesson.html",
    "courses/templates/courses/portal/quiz.html", "courses/templates/courses/portal/attempt.html",
    "courses/templates/courses/portal/summary.html", "courses/templates/courses/portal/result.html",
    "courses/templates/courses/admin/detail.html", "trainees/templates/trainees/cohort_detail.html",
]


def test_every_string_of_these_pages_has_a_japanese_translation():
    """The catalogue template is not re-extracted in feature branches, so this reads the files themselves."""
    with (ROOT / "translations/ja/LC_MESSAGES/messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    missing = []
    for name in FEATURE_FILES:
        method = "jinja2" if name.endswith(".html") else "python"
        for _line, message, _comments, _context in extract_from_file(
                method, str(ROOT / name), keywords=keywords,
                options={"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}):
            msgid = message[0] if isinstance(message, tuple) else message
            entry = catalogue.get(msgid)
            if entry is None or not entry.string or entry.fuzzy:
                missing.append((name, msgid))
    assert not missing, missing


def test_gradebook_page_in_japanese(client, login_as, book):
    login_as(user=factories.user(role="organiser", locale="ja"))
    html = client.get(f"/courses/assignments/{book['assignment'].id}/gradebook").get_data(as_text=True)
    assert "成績表" in html and "初回 / 最高（受験回数）" in html and "Gradebook" not in html
