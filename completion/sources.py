"""Measures that other features provide for completion rules (post-test, courses, exercises).

``completion`` sits above ``courses`` and ``exercises`` in the dependency order, so it may read them.
"""

from __future__ import annotations


def post_test_pct(cohort_id: int) -> dict[int, float | None] | None:
    """Post-test % per enrolment from the cohort's named post-test (None when no post-test is named)."""
    return None


def courses_completed(cohort_id: int) -> dict[int, bool] | None:
    """Whether each enrolment completed every course assigned to the cohort."""
    return None


def exercise_participation(cohort_id: int) -> dict[int, bool] | None:
    """Whether each enrolment's trainee was on a team of an exercise run of the cohort."""
    return None
