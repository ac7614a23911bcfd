"""Item analysis, pre/post gain and the exports hook against hand-computed values; progress grid pages
with a constant number of queries."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.extensions import db as _db
from courses import attempts, exports, queries
from courses.models import Attempt, Question
from tests import factories
from tests.courses.builders import enrolled, lessons, quiz, sample_course

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _qid(key, course):
    return _db.session.scalar(select(Question.id).where(Question.key == key, Question.course_id == course.id))


def _take(p, key, answers: dict, minute: int):
    q = quiz(p.course, key)
    att = attempts.start_attempt(p.enrolment, p.assignment, q, now=T0 + timedelta(minutes=minute))
    attempts.save_answers(att, {_qid(k, p.course): v for k, v in answers.items()}, now=T0 + timedelta(minutes=minute))
    return attempts.submit_attempt(att, now=T0 + timedelta(minutes=minute + 1))


def test_item_analysis_hand_computed(db):
    course = sample_course()
    cohort = factories.cohort()
    a, b, c, d = (enrolled(course=course, cohort=cohort, pre_post=False) for _ in range(4))
    assert _take(a, "t-m1", {"t-001": ["1"], "t-002": ["0", "1", "3"], "t-003": ["false"], "t-004": ["93"]}, 0
                 ).score == 100.0
    assert _take(b, "t-m1", {"t-001": ["1"], "t-002": ["0", "1"], "t-003": ["true"], "t-004": ["93"]}, 1
                 ).score == 66.67
    assert _take(c, "t-m1", {"t-001": ["0"], "t-002": ["0", "2"], "t-003": ["false"]}, 2).score == 25.0
    assert _take(d, "t-m1", {"t-001": ["2"], "t-003": ["false"], "t-004": ["90"]}, 3).score == 25.0
    # an open attempt is not counted
    attempts.start_attempt(a.enrolment, a.assignment, quiz(course, "t-m1"), now=T0 + timedelta(hours=1))
    n, mean, items = queries.item_analysis(quiz(course, "t-m1"))
    assert n == 4
    assert mean == pytest.approx((100 + 66.67 + 25 + 25) / 4)
    by_key = {i.question.key: i for i in items}
    assert [i.question.key for i in items] == ["t-001", "t-002", "t-003", "t-004"]
    # facility = mean fraction; upper group = A (100), lower group = D (25, ranked after C by id)
    assert by_key["t-001"].facility == pytest.approx(0.5)
    assert by_key["t-002"].facility == pytest.approx((1 + 2 / 3 + 0 + 0) / 4)
    assert by_key["t-003"].facility == pytest.approx(0.75)
    assert by_key["t-004"].facility == pytest.approx(0.5)
    assert by_key["t-001"].discrimination == pytest.approx(1.0)
    assert by_key["t-003"].discrimination == pytest.approx(0.0)
    assert by_key["t-004"].discrimination == pytest.approx(1.0)
    assert by_key["t-001"].options == [("Risk register", 1), ("Statement of Applicability", 2),
                                       ("Security policy", 1), ("Audit plan", 0)]
    assert by_key["t-002"].options == [("Confidentiality", 3), ("Integrity", 2), ("Auditability", 1),
                                       ("Availability", 1)]
    assert by_key["t-002"].blank == 1
    assert by_key["t-004"].options == [("93", 2), ("90", 1)] and by_key["t-004"].blank == 1  # 93, not 93.0
    # the right answer is marked for every type, also true/false and numeric keys
    assert by_key["t-001"].correct == [False, True, False, False]
    assert by_key["t-002"].correct == [True, True, False, True]
    assert by_key["t-003"].rows == [("False", 3, True), ("True", 1, False)]
    assert by_key["t-004"].rows == [("93", 2, True), ("90", 1, False)]


def test_item_analysis_view(client, db, login_as):
    course = sample_course()
    p = enrolled(course=course, pre_post=False)
    _db.session.get(Question, _qid("t-001", course)).text = "Which **document** lists the Annex A controls?"
    _take(p, "t-m1", {"t-001": ["1"], "t-003": ["false"], "t-004": ["93"]}, 0)
    login_as("organiser")
    page = client.get(f"/courses/quizzes/{quiz(course, 't-m1').id}/analysis").get_data(as_text=True)
    assert "Item analysis" in page and "t-001" in page and "Statement of Applicability" in page
    assert "Which document lists the Annex A controls?" in page and "**" not in page  # the stem as read, not Markdown
    assert '<strong>False</strong> <span aria-label="correct">✓</span>: 1' in page  # true/false key marked
    assert '<strong>93</strong> <span aria-label="correct">✓</span>: 1' in page and "93.0" not in page
    empty = client.get(f"/courses/quizzes/{quiz(course, 't-m2').id}/analysis").get_data(as_text=True)
    assert "No submitted attempts yet" in empty


def _scored(p, key, score, day):
    att = Attempt(quiz_id=quiz(p.course, key).id, enrolment_id=p.enrolment.id, assignment_id=p.assignment.id,
                  number=day, started_at=T0 + timedelta(days=day), submitted_at=T0 + timedelta(days=day, hours=1),
                  score=score, layout=[])
    _db.session.add(att)
    _db.session.flush()


@pytest.fixture
def gain_data(db):
    course = sample_course()
    x, y = factories.cohort(code="X"), factories.cohort(code="Y")
    vn_ict, vn_fin = factories.organisation(country="VN", sector_code="ICT"), factories.organisation(sector_code="FIN")
    th_ict = factories.organisation(country="TH", sector_code="ICT")
    t1 = enrolled(course, x, organisation_obj=vn_ict, nationality="VN")
    t2 = enrolled(course, x, organisation_obj=vn_fin, nationality="VN")
    t3 = enrolled(course, x, organisation_obj=th_ict, nationality="TH")
    t4 = enrolled(course, y, organisation_obj=th_ict, nationality="TH")
    t5 = enrolled(course, y, organisation_obj=vn_ict, nationality="VN")
    _scored(t1, "t-pre", 40, 1)
    _scored(t1, "t-pre", 90, 9)    # a later retake never replaces the first result
    _scored(t1, "t-post", 70, 10)
    _scored(t1, "t-post", 100, 11)
    _scored(t2, "t-pre", 60, 1)
    _scored(t2, "t-post", 80, 10)
    _scored(t3, "t-pre", 20, 1)    # unpaired
    _scored(t4, "t-pre", 50, 1)
    _scored(t4, "t-post", 50, 10)
    _scored(t5, "t-post", 90, 10)  # unpaired
    return {"x": x, "y": y, "t": [t1, t2, t3, t4, t5]}


def test_gain_hand_computed(gain_data):
    x, y = gain_data["x"], gain_data["y"]
    rows = {r.label: r for r in queries.gain_by("cohort")}
    assert (rows["X"].paired, rows["X"].pre, rows["X"].post) == (2, 50.0, 75.0)
    assert rows["X"].gain == pytest.approx(0.5) and rows["X"].band == "medium"
    assert (rows["Y"].paired, rows["Y"].pre, rows["Y"].post, rows["Y"].gain) == (1, 50.0, 50.0, 0.0)
    total = queries.gain_total()
    assert total.paired == 3 and total.pre == pytest.approx(50.0) and total.post == pytest.approx(200 / 3)
    assert total.gain == pytest.approx((200 / 3 - 50) / 50)
    country = {r.key: r for r in queries.gain_by("country")}
    assert (country["VN"].paired, country["VN"].gain) == (2, pytest.approx(0.5))
    assert (country["TH"].paired, country["TH"].gain) == (1, pytest.approx(0.0))
    sector = {r.key: r for r in queries.gain_by("sector")}
    assert sector["ICT"].pre == pytest.approx(45) and sector["ICT"].post == pytest.approx(60)
    assert sector["ICT"].gain == pytest.approx(15 / 55)
    assert sector["FIN"].gain == pytest.approx(0.5)
    only_y = queries.gain_by("cohort", [y.id])
    assert [r.label for r in only_y] == ["Y"]
    assert queries.gain_total([x.id]).paired == 2


def test_exports_pre_post_by_enrolment(gain_data):
    t1, t2, t3, t4, t5 = gain_data["t"]
    mapping = exports.pre_post_by_enrolment()
    assert mapping == {t1.enrolment.id: (40.0, 70.0), t2.enrolment.id: (60.0, 80.0), t3.enrolment.id: (20.0, None),
                       t4.enrolment.id: (50.0, 50.0), t5.enrolment.id: (None, 90.0)}
    assert exports.pre_post_by_enrolment([gain_data["y"].id]) == {t4.enrolment.id: (50.0, 50.0),
                                                                   t5.enrolment.id: (None, 90.0)}
    learning = {r["cohort"]: r for r in exports.learning_by_cohort()}
    assert learning["X"]["paired"] == 2 and learning["X"]["gain"] == pytest.approx(0.5)


def test_gain_view(client, gain_data, login_as):
    login_as("organiser")
    page = client.get("/courses/gain").get_data(as_text=True)
    assert "0.33" in page and "0.50" in page and "VN — Viet Nam" in page or "VN — Vietnam" in page
    page = client.get(f"/courses/gain?cohort={gain_data['y'].id}").get_data(as_text=True)
    assert "0.00" in page


def _grow(course, cohorts: int, trainees: int):
    made = []
    for _ in range(cohorts):
        cohort = factories.cohort()
        for _ in range(trainees):
            p = enrolled(course=course, cohort=cohort)
            for lesson in lessons(course)[:2]:
                attempts.complete_lesson(p.enrolment.id, lesson.id)
            made.append(p)
    return made


def test_progress_pages_constant_queries(client, db, login_as, count_queries):
    course = sample_course()
    first = _grow(course, 1, 1)[0]
    _take(first, "t-pre", {"t-001": ["1"]}, 0)
    login_as("organiser")
    with count_queries() as small_grid:
        assert client.get("/courses/progress").status_code == 200
    with count_queries() as small_detail:
        assert client.get(f"/courses/assignments/{first.assignment.id}/progress").status_code == 200
    more = _grow(course, 3, 4)
    _take(more[0], "t-pre", {"t-001": ["1"]}, 0)
    for p in _grow(course, 0, 0) + [enrolled(course=course, cohort=first.cohort) for _ in range(5)]:
        _take(p, "t-pre", {"t-002": ["0"]}, 5)
    db.session.commit()
    with count_queries() as large_grid:
        page = client.get("/courses/progress")
    assert large_grid.count == small_grid.count
    text = page.get_data(as_text=True)
    assert text.count("TEST-F") >= 4
    with count_queries() as large_detail:
        detail = client.get(f"/courses/assignments/{first.assignment.id}/progress")
    assert large_detail.count == small_detail.count
    assert detail.get_data(as_text=True).count("<tr>") == 1 + 6


def test_progress_grid_values(db):
    course = sample_course()
    p = _grow(course, 1, 2)[0]
    rows = queries.assignment_overview()
    assert len(rows) == 1
    row = rows[0]
    assert row["trainees"] == 2 and row["lessons_total"] == 3
    assert row["completion"] == pytest.approx(4 / 6)
    _take(p, "t-pre", {"t-001": ["1"], "t-002": ["0", "1", "3"]}, 0)
    assert queries.assignment_overview()[0]["pre"] == (1, 50.0)
    detail = queries.assignment_progress(p.assignment)
    mine = next(r for r in detail if r["enrolment"].id == p.enrolment.id)
    assert (mine["lessons_done"], mine["pre"], mine["post"]) == (2, 50.0, None)
