"""Issue 5 acceptance in Chromium: a trainee completes both seeded courses (ISMS-F and CSIRT-F, as loaded by
``seed-demo``) end to end — pre-test, every lesson, every module test, post-test — and the demo organiser
then finds the results in the progress grid, the post-test's item analysis and the gain table.

The trainee, their cohort and its two course assignments are created here with unique codes, so the other
journeys sharing the session's live server are not disturbed.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.seed import DEMO_PASSWORD
from core.db import utcnow
from core.extensions import db
from courses.models import Attempt, Course, CourseAssignment, Lesson, Module, Quiz
from tests import factories

pytestmark = pytest.mark.browser

ORGANISER = "organiser@demo.kakehashi.example"
SEEDED = ("ISMS-F", "CSIRT-F")


@dataclass
class SeededCourse:
    code: str
    title: str
    assignment_id: int
    lessons: list[str]
    module_tests: list[str]
    pre_title: str
    post_id: int
    post_title: str
    post_submitted_before: int
    scores: dict[str, str] = field(default_factory=dict)


@dataclass
class Setup:
    email: str
    trainee_name: str
    cohort_id: int
    cohort_label: str
    courses: list[SeededCourse]


def _prepare(app) -> Setup:
    """A new trainee with a portal account, confirmed in a new cohort that has both seeded courses assigned
    with their pre- and post-tests named (as courses/seed.py does for the demo cohorts)."""
    suffix = uuid.uuid4().hex[:8]
    today = utcnow().date()
    with app.app_context():
        user = factories.user(role="trainee", email=f"e2e-{suffix}@example.org", display_name=f"E2E {suffix}")
        organisation = factories.organisation(name=f"E2E Ministry {suffix}", country="TH", sector_code="ICT")
        trainee = factories.trainee(organisation, email=user.email, user_id=user.id, family_name="SEEDED",
                                    given_names=f"Journey {suffix}", nationality="TH")
        programme = factories.programme(code=f"E2E-{suffix}", name=f"E2E programme {suffix}")
        cohort = factories.cohort(programme, code=f"E2E-{suffix}", title=f"Seeded courses journey {suffix}",
                                  start_date=today - timedelta(days=2), end_date=today + timedelta(days=2))
        factories.enrolment(trainee, cohort, status="confirmed")
        courses = []
        for code in SEEDED:
            course = db.session.scalar(select(Course).where(Course.code == code, Course.is_published.is_(True))
                                       .order_by(Course.id.desc()))
            assert course is not None, f"seed-demo did not load {code}"
            quizzes = list(db.session.scalars(select(Quiz).where(Quiz.course_id == course.id)
                                              .order_by(Quiz.position, Quiz.id)))
            pre = next(q for q in quizzes if q.kind == "pre_test")
            post = next(q for q in quizzes if q.kind == "post_test")
            assignment = CourseAssignment(cohort_id=cohort.id, course_id=course.id, opens_on=None,
                                          due_on=cohort.end_date + timedelta(days=30), pre_test_id=pre.id,
                                          post_test_id=post.id)
            db.session.add(assignment)
            db.session.flush()
            lessons = list(db.session.scalars(select(Lesson.title).join(Module).where(Module.course_id == course.id)
                                              .order_by(Module.position, Lesson.position)))
            module_tests = [q.title for q in quizzes if q.kind == "module_test" and q.items]
            before = db.session.scalar(select(func.count(Attempt.id)).where(
                Attempt.quiz_id == post.id, Attempt.submitted_at.is_not(None)))
            courses.append(SeededCourse(code, course.title, assignment.id, lessons, module_tests, pre.title,
                                        post.id, post.title, before))
        setup = Setup(user.email, trainee.full_name, cohort.id, f"{cohort.code} — {cohort.title}", courses)
        db.session.commit()
        db.session.remove()
    assert all(c.lessons and c.module_tests for c in setup.courses)
    return setup


def _sign_in(page, base: str, email: str, password: str):
    page.goto(base + "/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    from playwright.sync_api import expect

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _is_autosave(response) -> bool:
    return response.url.endswith("/autosave") and response.request.method == "POST"


def _take_quiz(page, title: str) -> str:
    """From the course outline: open the quiz, start it, answer every question generically (first option /
    "1" for numbers / "x" for text) page by page, wait for each autosave, submit from the summary page; returns the
    shown score."""
    from playwright.sync_api import expect

    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    page.get_by_role("button", name="Start the quiz").click()
    while True:  # pages of 10 questions
        questions = page.locator("fieldset.question")
        expect(questions.first).to_be_visible()
        count = questions.count()
        assert count > 0
        for i in range(count):
            question = questions.nth(i)
            with page.expect_response(_is_autosave) as saved:
                choices = question.locator("input[type=radio]:not([name=flag]), input[type=checkbox]:not([name=flag])")
                if choices.count():
                    choices.first.check()
                else:
                    box = question.get_by_role("textbox")
                    box.fill("1" if box.get_attribute("inputmode") == "decimal" else "x")
                    box.press("Tab")  # change event: saved at once instead of after the typing pause
            assert saved.value.ok, f"autosave failed on question {i + 1} of {title}"
        expect(page.locator("#save-status")).to_have_text("All answers saved")
        next_page = page.get_by_role("button", name="Next page")
        if not next_page.count():
            break
        with page.expect_navigation():
            next_page.click()
    page.get_by_role("button", name="Finish attempt…").click()
    page.wait_for_url("**/summary")
    expect(page.locator("#summary-counts")).to_contain_text(" 0 not answered")
    page.get_by_role("button", name="Submit all and finish").click()
    page.wait_for_url("**/result")
    score = page.locator("#score")
    expect(score).to_have_text(re.compile(r"^\d+\.\d %$"))
    text = score.inner_text()
    page.get_by_role("link", name="Back to the course").click()
    return text


def _complete_course(page, course: SeededCourse):
    from playwright.sync_api import expect

    page.get_by_role("link", name="My courses").first.click()
    page.get_by_role("link", name=course.title, exact=True).click()
    expect(page.get_by_text("Take the pre-test first")).to_be_visible()
    course.scores["pre"] = _take_quiz(page, course.pre_title)

    page.get_by_role("link", name=course.lessons[0], exact=True).click()
    total = len(course.lessons)
    for number, title in enumerate(course.lessons, start=1):
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.get_by_text(f"Lesson {number} of {total}")).to_be_visible()
        page.get_by_role("button", name="Mark complete and continue" if number < total else "Mark complete",
                         exact=True).click()
    expect(page.get_by_text("You have completed every lesson.")).to_be_visible()
    expect(page.get_by_text(f"Lessons completed: {total} of {total}")).to_be_visible()

    for title in course.module_tests:
        course.scores[title] = _take_quiz(page, title)
    course.scores["post"] = _take_quiz(page, course.post_title)

    outline = page.locator("ul.outline")
    expect(page.get_by_text(f"Lessons completed: {total} of {total}")).to_be_visible()
    expect(outline.locator("li.done")).to_have_count(total)
    expect(outline.get_by_role("listitem").filter(has_text=course.pre_title).last).to_contain_text(
        f"best {course.scores['pre']}")
    expect(outline.get_by_role("listitem").filter(has_text=course.post_title).last).to_contain_text(
        f"best {course.scores['post']}")


def test_trainee_completes_both_seeded_courses_and_organiser_sees_results(live_server, context):
    from playwright.sync_api import expect

    setup = _prepare(live_server.app)
    base = live_server.url
    page = context.new_page()

    _sign_in(page, base, setup.email, factories.PASSWORD)
    for course in setup.courses:
        _complete_course(page, course)
    page.get_by_role("link", name="My courses").first.click()
    for course in setup.courses:
        item = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=course.title, exact=True))
        total = len(course.lessons)
        expect(item).to_contain_text(f"Lessons completed: {total} of {total}")
        expect(item).to_contain_text(f"Pre-test: {course.scores['pre']} · Post-test: {course.scores['post']}")
    page.get_by_role("button", name="Sign out").click()

    with live_server.app.app_context():  # every quiz submitted exactly once, nothing left open
        for course in setup.courses:
            rows = db.session.execute(select(Attempt.submitted_at).where(
                Attempt.assignment_id == course.assignment_id)).all()
            assert len(rows) == 2 + len(course.module_tests)
            assert all(submitted is not None for (submitted,) in rows)
        db.session.remove()

    _sign_in(page, base, ORGANISER, DEMO_PASSWORD)
    page.get_by_role("link", name="Courses", exact=True).first.click()
    page.get_by_role("link", name="Progress", exact=True).click()
    page.get_by_label("Cohort").select_option(label=setup.cohort_label)
    page.get_by_role("button", name="Show").click()
    grid = page.locator("table.grid tbody tr")
    expect(grid).to_have_count(len(setup.courses))
    for course in setup.courses:
        row = grid.filter(has_text=course.code)
        expect(row.locator("td")).to_have_text([setup.cohort_label.split(" — ")[0], re.compile(course.code),
                                                "1", str(len(course.lessons)), "100.0 %",
                                                f"1 · {course.scores['pre']}", f"1 · {course.scores['post']}"])
    first = setup.courses[0]
    grid.filter(has_text=first.code).get_by_role("link").click()
    trainee_row = page.get_by_role("row").filter(has_text=setup.trainee_name)
    expect(trainee_row.locator("td")).to_have_text([
        setup.trainee_name, "Confirmed", str(len(first.lessons)), re.compile(r"^\d+$"), first.scores["pre"],
        first.scores["post"]])

    for course in setup.courses:
        page.get_by_role("link", name="Courses", exact=True).first.click()
        page.get_by_role("link", name=course.title, exact=True).click()
        page.get_by_role("row").filter(has_text=course.post_title).get_by_role("link", name="Item analysis").click()
        expect(page.get_by_role("heading", name="Item analysis")).to_be_visible()
        expect(page.locator(".kpis li").first).to_have_text(
            re.compile(rf"^\s*{course.post_submitted_before + 1}\s*submitted attempts"))
        expect(page.locator("table tbody tr").first).to_be_visible()

    page.get_by_role("link", name="Courses", exact=True).first.click()
    page.get_by_role("link", name="Learning gain", exact=True).click()
    page.get_by_label("Cohort").select_option(label=setup.cohort_label)
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".kpis li").first).to_have_text(re.compile(rf"^\s*{len(setup.courses)}\s*paired trainees"))
    code = setup.cohort_label.split(" — ")[0]
    for course in setup.courses:
        row = page.get_by_role("row").filter(has_text=f"{code} · {course.code}")
        expect(row.locator("td")).to_have_text([f"{code} · {course.code}", "1", course.scores["pre"],
                                                course.scores["post"], re.compile(r"^-?\d+\.\d\d|—")])
    expect(page.get_by_role("row").filter(has_text="TH — ")).to_contain_text(str(len(setup.courses)))
