"""Completion rules as pure logic: given one trainee's measures and a cohort's policy, which rules
pass, which fail, and is the trainee eligible? (No Flask, no database.)"""

from __future__ import annotations

from dataclasses import dataclass, field

RULES = ("attendance", "post_test", "courses", "exercise", "action_plan")


@dataclass(frozen=True)
class Policy:
    min_attendance_pct: int | None = None
    min_post_test_pct: int | None = None
    require_courses: bool = False
    require_exercise: bool = False
    require_action_plan: bool = False

    def active_rules(self) -> list[str]:
        active = []
        if self.min_attendance_pct is not None:
            active.append("attendance")
        if self.min_post_test_pct is not None:
            active.append("post_test")
        if self.require_courses:
            active.append("courses")
        if self.require_exercise:
            active.append("exercise")
        if self.require_action_plan:
            active.append("action_plan")
        return active


@dataclass(frozen=True)
class Measures:
    """What is known about one enrolment; None means 'no data' (which fails a required rule)."""

    attendance_pct: float | None = None
    post_test_pct: float | None = None
    courses_completed: bool | None = None
    exercise_participated: bool | None = None
    action_plan_submitted: bool = False


@dataclass(frozen=True)
class Verdict:
    results: dict[str, bool] = field(default_factory=dict)  # rule -> passed (active rules only)

    @property
    def eligible(self) -> bool:
        return all(self.results.values())

    @property
    def failed(self) -> list[str]:
        return [rule for rule, ok in self.results.items() if not ok]


def evaluate(policy: Policy, measures: Measures) -> Verdict:
    """Apply every active rule; with no active rule everyone is eligible."""
    results: dict[str, bool] = {}
    for rule in policy.active_rules():
        if rule == "attendance":
            results[rule] = measures.attendance_pct is not None and measures.attendance_pct >= policy.min_attendance_pct
        elif rule == "post_test":
            results[rule] = measures.post_test_pct is not None and measures.post_test_pct >= policy.min_post_test_pct
        elif rule == "courses":
            results[rule] = bool(measures.courses_completed)
        elif rule == "exercise":
            results[rule] = bool(measures.exercise_participated)
        elif rule == "action_plan":
            results[rule] = measures.action_plan_submitted
    return Verdict(results)


def likert_summary(values: list[int]) -> tuple[int, float | None, float | None]:
    """(n, mean, top-2-box share) of Likert answers 1–5 — the reference for the SQL version in tests."""
    n = len(values)
    if n == 0:
        return 0, None, None
    return n, sum(values) / n, sum(1 for v in values if v >= 4) / n
