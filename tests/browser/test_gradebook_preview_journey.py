"""Issue 14 items 8 and 9 in Chromium: the demo organiser opens the gradebook of a demo cohort from the cohort
page, drills into an attempt, then previews a quiz of the course as a trainee — answering, reviewing the
summary and submitting — and nothing is recorded.

Reads the seeded demo data only (a cohort whose course assignment has submitted attempts, as ``seed-demo``
makes them), so it does not disturb the other journeys sharing the live server.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from accounts.seed import DEMO_PASSWORD
from core.extensions import db
from courses.models import Answer, Attempt, CourseAssignment, LessonProgress, Quiz
from trainees.models import Cohort

pytestmark = pytest.mark.browser

ORGANISER = "organiser@demo.kakehashi.example"


def _demo_assignment(app) -> dict:
    """The first demo cohort × course with submitted attempts, and a module test of its course."""
    with app.app_context():
        row = db.session.execute(
            select(CourseAssignment.id, CourseAssignment.cohort_id, CourseAssignment.course_id, Cohort.code)
            .join(Cohort, Cohort.id == CourseAssignment.cohort_id)
            .where(CourseAssignment.id.in_(select(Attempt.assignment_id).where(Attempt.submitted_at.is_not(None))))
            .order_by(CourseAssignment.id)).first()
        assert row is not None, "seed-demo made no attempts"
        quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == row.course_id, Quiz.kind == "module_test")
                                 .order_by(Quiz.position, Quiz.id))
        out = {"assignment_id": row.id, "cohort_id": row.cohort_id, "cohort_code": row.code,
               "quiz_title": quiz.title}
        db.session.remove()
    return out


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                       for model in (Attempt, Answer, LessonProgress))
        db.session.remove()
    return counts


def _sign_in(page, base: str):
    from playwright.sync_api import expect

    page.goto(base + "/login")
    page.get_by_label("E-mail", exact=True).fill(ORGANISER)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_organiser_gradebook_drill_down_and_quiz_preview(live_server, context):
    from playwright.sync_api import expect

    demo = _demo_assignment(live_server.app)
    before = _counts(live_server.app)
    page = context.new_page()
    base = live_server.url
    _sign_in(page, base)

    # the cohort page leads to the gradebook (directly, or through the choice of the cohort's courses)
    page.goto(f"{base}/cohorts/{demo['cohort_id']}")
    page.get_by_role("link", name="Gradebook (course results)").click()
    if "/courses/cohorts/" in page.url:
        page.locator(f"a[href$='/courses/assignments/{demo['assignment_id']}/gradebook']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gradebook")
    expect(page.get_by_role("heading", level=1)).to_contain_text(demo["cohort_code"])
    grid = page.locator("#gradebook")
    expect(grid).to_be_visible()
    assert grid.locator("tbody tr").count() > 0

    # drill down from a first score to the attempt
    first = grid.get_by_role("link", name=re.compile(r"^First attempt: ")).first
    score = re.search(r"\d+\.\d %", first.text_content()).group(0)
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Attempt review")
    expect(page.locator("#review-score")).to_contain_text(score)
    expect(page.locator("fieldset.question").first).to_be_visible()
    assert page.locator("fieldset.question input:not([disabled])").count() == 0  # read-only

    # back to the course, preview one of its quizzes as a trainee
    page.get_by_role("link", name=re.compile("^Gradebook: ")).click()
    page.locator(".crumbs a[href^='/courses/']").first.click()
    page.get_by_role("link", name=f"Preview {demo['quiz_title']} as trainee").click()
    banner = page.locator("#preview-banner")
    expect(banner).to_contain_text("Preview — nothing is recorded")
    expect(page.get_by_role("heading", name=demo["quiz_title"])).to_be_visible()
    page.get_by_role("button", name="Start the quiz").click()
    expect(banner).to_be_visible()
    question = page.locator("fieldset.question").first
    choices = question.locator("input[type=radio]:not([name=flag]), input[type=checkbox]:not([name=flag])")
    if choices.count():
        choices.first.check()
    else:
        question.get_by_role("textbox").fill("1")
    question.get_by_label("Flag for review").check()
    page.get_by_role("button", name="Finish attempt…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Summary of your attempt")
    expect(page.locator("#summary-counts")).to_contain_text("1 flagged for review")
    expect(banner).to_be_visible()
    page.get_by_role("button", name="Submit all and finish").click()
    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    expect(page.locator("#score")).to_have_text(re.compile(r"^\d+\.\d %$"))
    expect(banner).to_be_visible()

    assert _counts(live_server.app) == before  # no attempt, answer or lesson progress was written
