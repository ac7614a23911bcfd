"""Trainee portal over HTTP: visibility, pre-test gate, post-test unlock, autosave, exactly-once submit,
time limit, feedback policy, and object-level checks (other trainees' attempts are 404)."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from courses.models import Answer, Attempt, LessonProgress, Question
from tests import factories
from tests.courses.builders import enrolled, lessons, quiz, sample_course


def _qid(db, key, course):
    return db.session.scalar(select(Question.id).where(Question.key == key, Question.course_id == course.id))


def _start(client, p, key):
    q = quiz(p.course, key)
    response = client.post(f"/learn/{p.assignment.id}/quizzes/{q.id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def _take_pre(client, db, p):
    attempt_id = _start(client, p, "t-pre")
    response = client.post(f"/learn/attempts/{attempt_id}", data={
        "action": "submit", f"q-{_qid(db, 't-001', p.course)}": "1"})
    assert response.status_code == 302
    return attempt_id


def test_my_courses_lists_only_assigned_published_courses(client, db, login_as):
    p = enrolled()
    other_cohort = factories.cohort(title="Someone else's run")
    other = enrolled(course=p.course, cohort=other_cohort)
    login_as(user=p.user)
    page = client.get("/learn/").get_data(as_text=True)
    assert "Sample Foundations" in page and p.cohort.title in page
    assert "Lessons completed: 0 of 3" in page
    assert client.get(f"/learn/{p.assignment.id}").status_code == 200
    assert client.get(f"/learn/{other.assignment.id}").status_code == 404
    p.course.is_published = False
    db.session.commit()
    assert client.get(f"/learn/{p.assignment.id}").status_code == 404
    assert "No course has been assigned" in client.get("/learn/").get_data(as_text=True)


def test_nominated_trainee_sees_nothing(client, db, login_as):
    p = enrolled(status="nominated")
    login_as(user=p.user)
    assert client.get(f"/learn/{p.assignment.id}").status_code == 404
    assert "No course has been assigned" in client.get("/learn/").get_data(as_text=True)


def test_organiser_cannot_use_portal_and_trainee_cannot_author(client, db, login_as):
    p = enrolled()
    login_as(user=p.user)
    assert client.get("/courses/").status_code == 403
    assert client.get(f"/courses/{p.course.id}").status_code == 403


def test_pre_test_gate_and_post_test_unlock(client, db, login_as):
    p = enrolled()
    login_as(user=p.user)
    first = lessons(p.course)[0]
    response = client.get(f"/learn/{p.assignment.id}/lessons/{first.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/learn/{p.assignment.id}")
    outline = client.get(f"/learn/{p.assignment.id}").get_data(as_text=True)
    assert "Take the pre-test first" in outline
    post = quiz(p.course, "t-post")
    assert client.post(f"/learn/{p.assignment.id}/quizzes/{post.id}/start").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    m1 = quiz(p.course, "t-m1")
    client.post(f"/learn/{p.assignment.id}/quizzes/{m1.id}/start")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0

    _take_pre(client, db, p)
    page = client.get(f"/learn/{p.assignment.id}/lessons/{first.id}")
    assert page.status_code == 200 and "Information assets" in page.get_data(as_text=True)
    assert "Lesson 1 of 3" in page.get_data(as_text=True)
    assert "The post-test opens when you have completed every lesson" in client.get(
        f"/learn/{p.assignment.id}/quizzes/{post.id}").get_data(as_text=True)
    for lesson in lessons(p.course):
        assert client.post(f"/learn/{p.assignment.id}/lessons/{lesson.id}/complete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)
                             .where(LessonProgress.completed_at.is_not(None))) == 3
    assert "Start the quiz" in client.get(f"/learn/{p.assignment.id}/quizzes/{post.id}").get_data(as_text=True)
    _start(client, p, "t-post")
    assert "Lessons completed: 3 of 3" in client.get("/learn/").get_data(as_text=True)


def test_lesson_page_has_prev_next_and_print_css(client, db, login_as):
    p = enrolled(pre_post=False)
    login_as(user=p.user)
    items = lessons(p.course)
    page = client.get(f"/learn/{p.assignment.id}/lessons/{items[1].id}").get_data(as_text=True)
    assert f"/learn/{p.assignment.id}/lessons/{items[0].id}" in page and 'rel="prev"' in page
    assert f"/learn/{p.assignment.id}/lessons/{items[2].id}" in page and 'rel="next"' in page
    assert "css/courses.css" in page and "<script" not in page.split("<main")[1]
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 1


def test_other_trainees_attempt_is_404(client, db, login_as):
    course = sample_course()
    a = enrolled(course=course)
    b = enrolled(course=course, cohort=a.cohort)
    db.session.commit()
    login_as(user=a.user)
    attempt_id = _start(client, a, "t-pre")
    client.post("/logout")
    login_as(user=b.user)
    qid = _qid(db, "t-001", course)
    assert client.get(f"/learn/attempts/{attempt_id}").status_code == 404
    assert client.get(f"/learn/attempts/{attempt_id}/result").status_code == 404
    assert client.post(f"/learn/attempts/{attempt_id}/autosave", data={"question": qid, f"q-{qid}": "0"}
                       ).status_code == 404
    assert client.post(f"/learn/attempts/{attempt_id}", data={"action": "submit"}).status_code == 404
    db.session.expire_all()
    att = db.session.get(Attempt, attempt_id)
    assert att.submitted_at is None
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_autosave_endpoint_and_restore(client, db, login_as):
    p = enrolled()
    login_as(user=p.user)
    attempt_id = _start(client, p, "t-pre")
    qid, multi, text = (_qid(db, k, p.course) for k in ("t-001", "t-002", "t-005"))
    r = client.post(f"/learn/attempts/{attempt_id}/autosave", data={"question": qid, f"q-{qid}": "1"})
    assert r.status_code == 200 and r.json["ok"] is True and 0 < r.json["seconds_left"] <= 1800
    assert "correct" not in r.json  # after_close policy: no feedback while answering
    client.post(f"/learn/attempts/{attempt_id}/autosave", data={"question": multi, f"q-{multi}": ["0", "3"]})
    client.post(f"/learn/attempts/{attempt_id}/autosave", data={"question": text, f"q-{text}": "Incident Report"})
    assert client.post(f"/learn/attempts/{attempt_id}/autosave", data={"question": 12345}).status_code == 400
    page = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)  # reload restores the answers
    assert f'name="q-{qid}" value="1" checked' in page
    assert f'name="q-{multi}" value="0" checked' in page and f'name="q-{multi}" value="3" checked' in page
    assert 'value="Incident Report"' in page
    assert "js/courses-quiz.js" in page and 'id="timer"' in page


def _token(page: str) -> str:
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_autosave_requires_csrf_header(app, client, db, monkeypatch):
    p = enrolled()
    db.session.commit()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = _token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": p.user.email, "password": factories.PASSWORD,
                                       "csrf_token": token}).status_code == 302
    pre = quiz(p.course, "t-pre")
    token = _token(client.get(f"/learn/{p.assignment.id}/quizzes/{pre.id}").get_data(as_text=True))
    assert client.post(f"/learn/{p.assignment.id}/quizzes/{pre.id}/start").status_code == 400
    start = client.post(f"/learn/{p.assignment.id}/quizzes/{pre.id}/start", data={"csrf_token": token})
    attempt_id = int(start.headers["Location"].rstrip("/").split("/")[-1])
    qid = pre.items[0].question_id
    assert client.post(f"/learn/attempts/{attempt_id}/autosave", data={"question": qid, f"q-{qid}": "1"}
                       ).status_code == 400
    ok = client.post(f"/learn/attempts/{attempt_id}/autosave", data={"question": qid, f"q-{qid}": "1"},
                     headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.json["ok"]


def test_double_submit_gives_one_result(client, db, login_as):
    p = enrolled()
    login_as(user=p.user)
    attempt_id = _start(client, p, "t-pre")
    qid = _qid(db, "t-001", p.course)
    first = client.post(f"/learn/attempts/{attempt_id}", data={"action": "submit", f"q-{qid}": "1"})
    second = client.post(f"/learn/attempts/{attempt_id}", data={"action": "submit", f"q-{qid}": "0"})
    assert first.headers["Location"] == second.headers["Location"]
    assert first.headers["Location"].endswith(f"/learn/attempts/{attempt_id}/result")
    db.session.expire_all()
    att = db.session.get(Attempt, attempt_id)
    assert att.score == 25.0
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
    assert client.get(f"/learn/attempts/{attempt_id}/result").get_data(as_text=True).count("25.0 %") == 1
    late = client.post(f"/learn/attempts/{attempt_id}/autosave", data={"question": qid, f"q-{qid}": "0"})
    assert late.status_code == 409 and late.json["redirect"].endswith("/result")


def test_time_limit_enforced_on_next_request(client, db, login_as):
    p = enrolled()
    login_as(user=p.user)
    attempt_id = _start(client, p, "t-pre")
    qid = _qid(db, "t-001", p.course)
    client.post(f"/learn/attempts/{attempt_id}/autosave", data={"question": qid, f"q-{qid}": "1"})
    db.session.expire_all()
    att = db.session.get(Attempt, attempt_id)
    att.started_at = datetime.now(UTC) - timedelta(minutes=40)
    att.deadline = datetime.now(UTC) - timedelta(minutes=10)
    db.session.commit()
    late = client.post(f"/learn/attempts/{attempt_id}/autosave", data={"question": qid, f"q-{qid}": "0"})
    assert late.status_code == 409 and "Time is up" in late.json["message"]
    db.session.expire_all()
    att = db.session.get(Attempt, attempt_id)
    assert att.auto_submitted and att.score == 25.0
    assert client.get(f"/learn/attempts/{attempt_id}").headers["Location"].endswith("/result")


def test_expired_attempt_submitted_when_quiz_page_opened(client, db, login_as):
    p = enrolled()
    login_as(user=p.user)
    attempt_id = _start(client, p, "t-pre")
    db.session.expire_all()
    att = db.session.get(Attempt, attempt_id)
    att.deadline = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/learn/{p.assignment.id}/quizzes/{att.quiz_id}").get_data(as_text=True)
    assert "time up" in page
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).submitted_at is not None


def test_feedback_after_close_and_after_submit(client, db, login_as):
    p = enrolled(due_on=date.today() + timedelta(days=5))
    login_as(user=p.user)
    attempt_id = _take_pre(client, db, p)
    result = client.get(f"/learn/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "25.0 %" in result
    assert "Clause 6.1.3 d) requires the SoA." not in result
    assert "shown after the course due date" in result
    p.assignment.due_on = date.today() - timedelta(days=1)
    db.session.commit()
    result = client.get(f"/learn/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Clause 6.1.3 d) requires the SoA." in result and "Correct answer:" in result
    for lesson in lessons(p.course):
        client.post(f"/learn/{p.assignment.id}/lessons/{lesson.id}/complete")
    post_id = _start(client, p, "t-post")
    client.post(f"/learn/attempts/{post_id}", data={"action": "submit"})
    assert "93 controls in four themes." in client.get(f"/learn/attempts/{post_id}/result").get_data(as_text=True)


def test_feedback_never_and_immediate(client, db, login_as):
    p = enrolled(pre_post=False)
    login_as(user=p.user)
    m2 = _start(client, p, "t-m2")
    client.post(f"/learn/attempts/{m2}", data={"action": "submit"})
    page = client.get(f"/learn/attempts/{m2}/result").get_data(as_text=True)
    assert "0.0 %" in page and "Correct answer:" not in page and "TLP:CLEAR (formerly WHITE)." not in page
    m1 = _start(client, p, "t-m1")
    qid = _qid(db, "t-003", p.course)
    r = client.post(f"/learn/attempts/{m1}/autosave", data={"question": qid, f"q-{qid}": "false"})
    assert r.json["correct"] is True
    page = client.get(f"/learn/attempts/{m1}").get_data(as_text=True)
    assert "27001 holds the requirements; 27002 is guidance." in page


def test_outline_query_count_is_constant(client, db, login_as, count_queries):
    p = enrolled(pre_post=False)
    login_as(user=p.user)
    url = f"/learn/{p.assignment.id}"
    client.get(url)
    with count_queries() as small:
        client.get(url)
    from courses import services

    module = p.course.modules[0]
    for i in range(6):
        services.create_lesson(module, {"title": f"Extra {i}", "body_md": "text"})
    services.create_module(p.course, "Extra module")
    for lesson in lessons(p.course)[:5]:
        from courses import attempts

        attempts.complete_lesson(p.enrolment.id, lesson.id)
    db.session.commit()
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count


def test_course_not_open_yet(client, db, login_as):
    p = enrolled(pre_post=False)
    p.assignment.opens_on = date.today() + timedelta(days=3)
    db.session.commit()
    login_as(user=p.user)
    outline = client.get(f"/learn/{p.assignment.id}").get_data(as_text=True)
    assert "This course opens on" in outline and "(locked)" in outline
    first = lessons(p.course)[0]
    assert client.get(f"/learn/{p.assignment.id}/lessons/{first.id}").status_code == 302
    client.post(f"/learn/{p.assignment.id}/quizzes/{quiz(p.course, 't-m1').id}/start")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_pages_flags_summary_and_confirmed_submit(client, db, login_as, monkeypatch):
    from courses.views import portal

    monkeypatch.setattr(portal, "QUESTIONS_PER_PAGE", 2)
    p = enrolled()
    login_as(user=p.user)
    attempt_id = _start(client, p, "t-pre")
    att = db.session.get(Attempt, attempt_id)
    ids = list(att.question_ids)
    assert len(ids) >= 3
    first = client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)
    assert f'id="question-{ids[0]}"' in first and f'id="question-{ids[2]}"' not in first
    assert "Page 1 of" in first and 'name="goto"' in first
    # answer the first question, flag the second, go to the next page: both are saved
    moved = client.post(f"/learn/attempts/{attempt_id}", data={
        "page": "1", f"q-{ids[0]}": "1", "flag": str(ids[1]), "goto": str(ids[2])})
    assert moved.status_code == 302 and "page=2" in moved.headers["Location"]
    assert moved.headers["Location"].endswith(f"#question-{ids[2]}")
    second = client.get(f"/learn/attempts/{attempt_id}?page=2").get_data(as_text=True)
    assert f'id="question-{ids[2]}"' in second and f'id="question-{ids[0]}"' not in second
    # saving page 2 keeps page 1's answer and flag
    client.post(f"/learn/attempts/{attempt_id}", data={"page": "2", "action": "save"})
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).flagged == [ids[1]]
    summary = client.post(f"/learn/attempts/{attempt_id}", data={"page": "2", "action": "summary"})
    assert summary.headers["Location"].endswith(f"/learn/attempts/{attempt_id}/summary")
    page = client.get(f"/learn/attempts/{attempt_id}/summary").get_data(as_text=True)
    assert f"1 answered, {len(ids) - 1} not answered, 1 flagged for review." in page
    assert f"page=2#question-{ids[2]}" in page and "Submit all and finish" in page
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).submitted_at is None  # nothing submitted yet
    done = client.post(f"/learn/attempts/{attempt_id}", data={"action": "submit", "all": "1"})
    assert done.headers["Location"].endswith("/result")
    db.session.expire_all()
    saved = db.session.scalar(select(Answer.response).where(Answer.attempt_id == attempt_id,
                                                            Answer.question_id == ids[0]))
    assert db.session.get(Attempt, attempt_id).submitted_at is not None and saved == "1"


def test_flag_by_autosave_and_pre_test_never_says_not_passed(client, db, login_as):
    p = enrolled()
    login_as(user=p.user)
    attempt_id = _start(client, p, "t-pre")
    qid = db.session.get(Attempt, attempt_id).question_ids[0]
    assert client.post(f"/learn/attempts/{attempt_id}/autosave",
                       data={"question": qid, f"q-{qid}": "0", "flag": "1"}).get_json()["ok"]
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).flagged == [qid]
    client.post(f"/learn/attempts/{attempt_id}", data={"action": "submit", "all": "1"})
    result = client.get(f"/learn/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Not passed" not in result and "no pass or fail" in result
