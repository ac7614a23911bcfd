"""Measures that other features provide for completion rules (post-test, courses, exercises).

``completion`` sits above ``courses`` and ``exercises`` in the dependency order, so it may read them.
"""

from __future__ import annotations

from courses import exports as course_exports
from exercises import exports as exercise_exports


def post_test_pct(cohort_id: int) -> dict[int, float | None]:
    """Post-test % per enrolment (first submitted attempt of the cohort's named post-test)."""
    return {eid: post for eid, (_pre, post) in course_exports.pre_post_by_enrolment([cohort_id]).items()}


def courses_completed(cohort_id: int) -> dict[int, bool] | None:
    """Whether each enrolment completed every lesson of the courses assigned to the cohort."""
    return course_exports.courses_completed_by_enrolment(cohort_id)


def exercise_participation(cohort_id: int) -> dict[int, bool]:
    """Whether each enrolment's trainee was on a team of an exercise run held for the cohort."""
    return exercise_exports.participation_by_enrolment(cohort_id)
