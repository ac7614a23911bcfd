"""Issue 14 item 8: organisers preview lessons and quizzes on the trainee portal's own templates, and nothing
is recorded — no attempt, no answer, no lesson view or progress — even when they answer and submit."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.extensions import db as _db
from courses.models import Answer, Attempt, LessonProgress, Question
from courses.views import portal
from tests.courses.builders import enrolled, lessons, quiz, sample_course

BANNER = "Preview — nothing is recorded"


def _counts():
    return tuple(_db.session.scalar(select(func.count()).select_from(model))
                 for model in (Attempt, Answer, LessonProgress, AuditEvent))


def _qid(key, course):
    return _db.session.scalar(select(Question.id).where(Question.key == key, Question.course_id == course.id))


def _state(page_html: str) -> str:
    return html_lib.unescape(re.search(r'name="preview_state" value="([^"]*)"', page_html).group(1))


@pytest.fixture
def course(db):
    p = enrolled()  # a real trainee in a cohort, so "nothing recorded" is measured against live data
    _db.session.commit()
    return p.course


def test_lesson_preview_uses_the_trainee_page_and_records_nothing(client, login_as, course):
    login_as("organiser")
    first, second, third = lessons(course)
    before = _counts()
    response = client.get(f"/courses/preview/lessons/{second.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert BANNER in html and 'class="lesson-body"' in html and second.title in html
    assert "Lesson 2 of 3" in html
    assert f'href="/courses/preview/lessons/{first.id}" rel="prev"' in html
    assert f'href="/courses/preview/lessons/{third.id}" rel="next"' in html
    assert "/learn/" not in html  # no link into the trainee portal (organisers may not open it)
    assert 'method="post"' not in html.split('class="lesson-nav"', 1)[1]  # "Mark complete" only moves on
    assert _counts() == before


def test_quiz_preview_whole_attempt_scores_in_memory_and_records_nothing(client, login_as, course):
    login_as("organiser")
    m1 = quiz(course, "t-m1")
    before = _counts()
    intro = client.get(f"/courses/preview/quizzes/{m1.id}").get_data(as_text=True)
    assert BANNER in intro and "Start the quiz" in intro and "No attempts yet." in intro
    assert f'action="/courses/preview/quizzes/{m1.id}/attempt"' in intro
    page = client.get(f"/courses/preview/quizzes/{m1.id}/attempt").get_data(as_text=True)
    assert BANNER in page and "Question 4" in page and "Flag for review" in page
    assert "data-autosave" not in page  # the page's script saves nothing
    state = _state(page)
    right = {f"q-{_qid('t-001', course)}": "1", f"q-{_qid('t-002', course)}": ["0", "1", "3"],
             f"q-{_qid('t-003', course)}": "false", f"q-{_qid('t-004', course)}": "93"}
    # save: the page comes back with the answers still there (immediate feedback as the quiz's policy says)
    saved = client.post(f"/courses/preview/quizzes/{m1.id}/attempt",
                        data={"preview_state": state, "action": "save", **right,
                              "flag": str(_qid("t-003", course))}).get_data(as_text=True)
    assert "Right" in saved and re.search(r'value="93(\.0)?"', saved)
    # summary: every question answered, one flagged
    summary = client.post(f"/courses/preview/quizzes/{m1.id}/attempt",
                          data={"preview_state": state, "action": "summary", **right,
                                "flag": str(_qid("t-003", course))}).get_data(as_text=True)
    assert BANNER in summary and "4 answered, 0 not answered, 1 flagged for review." in summary
    assert f'name="q-{_qid("t-004", course)}" value="93"' in summary  # the answers travel with the form
    # submit: scored as a real submission would be, and nothing stored
    result = client.post(f"/courses/preview/quizzes/{m1.id}/attempt",
                         data={"preview_state": _state(summary), "action": "submit", "all": "1", **right})
    text = result.get_data(as_text=True)
    assert result.status_code == 200 and BANNER in text
    assert '<p class="score" id="score">100.0 %</p>' in text and "Passed" in text
    wrong = client.post(f"/courses/preview/quizzes/{m1.id}/attempt",
                        data={"preview_state": state, "action": "submit",
                              f"q-{_qid('t-001', course)}": "0"}).get_data(as_text=True)
    assert '<p class="score" id="score">0.0 %</p>' in wrong and "Not passed" in wrong
    assert _counts() == before


def test_preview_pages_carry_the_other_pages_answers(client, login_as, course, monkeypatch):
    monkeypatch.setattr(portal, "QUESTIONS_PER_PAGE", 2)
    login_as("organiser")
    m1 = quiz(course, "t-m1")
    before = _counts()
    page1 = client.get(f"/courses/preview/quizzes/{m1.id}/attempt").get_data(as_text=True)
    assert "Page 1 of 2" in page1
    state = _state(page1)
    ids = [int(x) for x in re.findall(r'data-question="(\d+)"', page1)]
    assert len(ids) == 2
    answers = {}
    for qid in ids:  # the right answer of whichever questions this page shows
        key = _db.session.get(Question, qid).key
        answers[f"q-{qid}"] = {"t-001": "1", "t-002": ["0", "1", "3"], "t-003": "false", "t-004": "93"}[key]
    later = [qid for qid in (_qid(k, course) for k in ("t-001", "t-002", "t-003", "t-004")) if qid not in ids]
    page2 = client.post(f"/courses/preview/quizzes/{m1.id}/attempt",
                        data={"preview_state": state, "page": "1", "goto": str(later[0]), **answers}
                        ).get_data(as_text=True)
    assert "Page 2 of 2" in page2
    for qid in ids:  # page 1's answers ride along as hidden fields
        assert f'type="hidden" name="q-{qid}"' in page2
    result = client.post(f"/courses/preview/quizzes/{m1.id}/attempt",
                         data={"preview_state": _state(page2), "page": "2", "action": "submit", **answers}
                         ).get_data(as_text=True)
    assert '<p class="score" id="score">50.0 %</p>' in result
    assert _counts() == before


def test_a_tampered_state_starts_the_preview_again(client, login_as, course):
    login_as("organiser")
    m1 = quiz(course, "t-m1")
    other = sample_course_question()
    started = '"started": "2026-01-01T00:00:00+00:00"'
    for state in ("", "not json", f'{{"layout": [[{other}, null]], {started}}}',
                  f'{{"layout": [[{_qid("t-001", course)}, [0, 0, 1, 2]]], {started}}}'):
        response = client.post(f"/courses/preview/quizzes/{m1.id}/attempt", data={"preview_state": state,
                                                                                   "action": "submit"})
        assert response.status_code == 302, state
        assert response.headers["Location"].endswith(f"/courses/preview/quizzes/{m1.id}/attempt")


def sample_course_question() -> int:
    """A question of another course (a second copy of the sample course under another code)."""
    from courses.models import Course

    other = Course(code="ELSEWHERE", title="Elsewhere")
    _db.session.add(other)
    _db.session.flush()
    q = Question(course_id=other.id, key="x-1", qtype="true_false", text="x", spec={"answer": True})
    _db.session.add(q)
    _db.session.commit()
    return q.id


def test_preview_of_a_draft_course_and_an_empty_quiz(client, login_as, db):
    course = sample_course()
    course.is_published = False
    from courses.models import Quiz

    empty = Quiz(course_id=course.id, key="empty", title="Empty quiz", kind="practice")
    _db.session.add(empty)
    _db.session.commit()
    login_as("organiser")
    assert client.get(f"/courses/preview/lessons/{lessons(course)[0].id}").status_code == 200
    response = client.get(f"/courses/preview/quizzes/{empty.id}/attempt")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/courses/preview/quizzes/{empty.id}")


@pytest.mark.parametrize("role", ["trainee", "observer", "focal_point"])
def test_trainees_and_others_cannot_reach_preview(client, login_as, course, role):
    login_as(role)
    lesson = lessons(course)[0]
    m1 = quiz(course, "t-m1")
    for url in (f"/courses/preview/lessons/{lesson.id}", f"/courses/preview/quizzes/{m1.id}",
                f"/courses/preview/quizzes/{m1.id}/attempt"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/courses/preview/quizzes/{m1.id}/attempt", data={"action": "submit"}).status_code == 403


def test_authoring_pages_link_to_preview(client, login_as, course):
    login_as("organiser")
    lesson = lessons(course)[0]
    m1 = quiz(course, "t-m1")
    detail = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert f"/courses/preview/lessons/{lesson.id}" in detail and f"/courses/preview/quizzes/{m1.id}" in detail
    assert f"/courses/preview/lessons/{lesson.id}" in client.get(f"/courses/lessons/{lesson.id}/edit").get_data(
        as_text=True)
    assert f"/courses/preview/lessons/{lesson.id}" in client.get(
        f"/courses/modules/{lesson.module_id}/edit").get_data(as_text=True)
    for page in (f"/courses/quizzes/{m1.id}", f"/courses/quizzes/{m1.id}/edit"):
        assert f"/courses/preview/quizzes/{m1.id}" in client.get(page).get_data(as_text=True), page


def test_trainee_pages_unchanged_without_preview(client, login_as, db):
    """The trainee's own lesson and quiz pages show no banner and keep their recording forms."""
    p = enrolled(pre_post=False)
    _db.session.commit()
    login_as(user=p.user)
    lesson = lessons(p.course)[0]
    html = client.get(f"/learn/{p.assignment.id}/lessons/{lesson.id}").get_data(as_text=True)
    assert BANNER not in html and f"/learn/{p.assignment.id}/lessons/{lesson.id}/complete" in html
    quiz_html = client.get(f"/learn/{p.assignment.id}/quizzes/{quiz(p.course, 't-m1').id}").get_data(as_text=True)
    assert BANNER not in quiz_html and "/start" in quiz_html
