"""Builders for course tests: the sample course from fixtures/, and a trainee enrolled in a cohort that
has it assigned (with its pre- and post-test)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from core.extensions import db
from courses.content_loader import load_course
from courses.models import Course, CourseAssignment, Lesson, Module, Quiz
from tests import factories

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = FIXTURES / "sample-course"


def sample_course() -> Course:
    result = load_course(SAMPLE)
    return db.session.get(Course, result.course_id)


def quiz(course: Course, key: str) -> Quiz:
    return db.session.scalar(select(Quiz).where(Quiz.course_id == course.id, Quiz.key == key))


def lessons(course: Course) -> list[Lesson]:
    return list(db.session.scalars(select(Lesson).join(Module).where(Module.course_id == course.id)
                                   .order_by(Module.position, Lesson.position)))


@dataclass
class Portal:
    course: Course
    cohort: object
    trainee: object
    user: object
    enrolment: object
    assignment: CourseAssignment


def enrolled(course: Course | None = None, cohort=None, status: str = "confirmed", pre_post: bool = True,
             due_on=None, user=None, **trainee_fields) -> Portal:
    """A trainee with a portal account enrolled in a cohort that has ``course`` assigned."""
    course = course or sample_course()
    cohort = cohort or factories.cohort()
    user = user or factories.user(role="trainee")
    trainee = factories.trainee(user_id=user.id, **trainee_fields)
    enrolment = factories.enrolment(trainee, cohort, status=status)
    assignment = db.session.scalar(select(CourseAssignment).where(CourseAssignment.cohort_id == cohort.id,
                                                                  CourseAssignment.course_id == course.id))
    if assignment is None:
        assignment = CourseAssignment(cohort_id=cohort.id, course_id=course.id, due_on=due_on,
                                      pre_test_id=quiz(course, "t-pre").id if pre_post else None,
                                      post_test_id=quiz(course, "t-post").id if pre_post else None)
        db.session.add(assignment)
        db.session.flush()
    return Portal(course, cohort, trainee, user, enrolment, assignment)
