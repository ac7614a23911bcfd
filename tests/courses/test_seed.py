"""The courses seeder loads content, assigns courses to demo cohorts and generates deterministic
attempts in which the post-test is generally higher than the pre-test; running it again adds nothing."""

from sqlalchemy import func, select

from courses import content_loader, queries
from courses.models import Answer, Attempt, CourseAssignment, LessonProgress
from courses.seed import seed_courses
from tests import factories
from tests.courses.builders import FIXTURES


def _counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in
                 (CourseAssignment, Attempt, Answer, LessonProgress))


def test_seed_without_cohorts_only_loads(db, monkeypatch):
    monkeypatch.setattr(content_loader, "CONTENT_DIR", FIXTURES)
    lines = seed_courses()
    assert any(line.startswith("  TEST-F:") and "assigned to no cohort yet" in line for line in lines)
    assert _counts(db) == (0, 0, 0, 0)


def test_seed_with_cohorts_generates_demo_results(db, monkeypatch):
    monkeypatch.setattr(content_loader, "CONTENT_DIR", FIXTURES)
    cohort = factories.cohort(title="ISMS for regulators")
    for _ in range(30):
        factories.enrolment(cohort_obj=cohort, status="completed")
    portal_user = factories.user(role="trainee")
    linked = factories.enrolment(factories.trainee(user_id=portal_user.id), cohort)
    factories.enrolment(cohort_obj=cohort, status="withdrawn")
    lines = seed_courses()
    summary = next(line for line in lines if line.startswith("  TEST-F:"))
    assert f"assigned to {cohort.code};" in summary and " 0 demo attempts" not in summary
    assignment = db.session.scalar(select(CourseAssignment))
    assert assignment.pre_test_id and assignment.post_test_id
    assert db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.enrolment_id == linked.id)) == 0
    total = queries.gain_total()
    assert total.paired >= 20
    assert total.post > total.pre and total.gain > 0.2
    n, _mean, items = queries.item_analysis(assignment.pre_test)
    assert n == 30 and len(items) == 4
    assert all(0 <= i.facility <= 1 for i in items)
    grid = queries.assignment_overview()[0]
    assert grid["trainees"] == 31 and grid["completion"] > 0.5
    before = _counts(db)
    again = seed_courses()
    assert _counts(db) == before
    assert again == lines  # the lines describe the state, which did not change


def test_seed_is_deterministic(db, monkeypatch):
    monkeypatch.setattr(content_loader, "CONTENT_DIR", FIXTURES)
    cohort = factories.cohort()
    for _ in range(10):
        factories.enrolment(cohort_obj=cohort)
    runs = []
    for _ in range(2):
        savepoint = db.session.begin_nested()
        seed_courses()
        runs.append(list(db.session.execute(select(Attempt.number, Attempt.score).order_by(Attempt.id)).all()))
        savepoint.rollback()
    assert runs[0] and runs[0] == runs[1]
