"""Completion rules alone and combined (pure logic, no fixtures)."""

import pytest

from completion.rules import Measures, Policy, evaluate, likert_summary

FULL = Measures(attendance_pct=90, post_test_pct=75, courses_completed=True, exercise_participated=True,
                action_plan_submitted=True)


def test_no_rule_means_everyone_is_eligible():
    verdict = evaluate(Policy(), Measures())
    assert verdict.eligible and verdict.results == {}


@pytest.mark.parametrize(
    ("policy", "passing", "failing"),
    [
        (Policy(min_attendance_pct=80), Measures(attendance_pct=80), Measures(attendance_pct=79.9)),
        (Policy(min_post_test_pct=60), Measures(post_test_pct=60), Measures(post_test_pct=59)),
        (Policy(require_courses=True), Measures(courses_completed=True), Measures(courses_completed=False)),
        (Policy(require_exercise=True), Measures(exercise_participated=True), Measures(exercise_participated=False)),
        (Policy(require_action_plan=True), Measures(action_plan_submitted=True), Measures()),
    ],
)
def test_each_rule_alone(policy, passing, failing):
    assert evaluate(policy, passing).eligible
    verdict = evaluate(policy, failing)
    assert not verdict.eligible and len(verdict.failed) == 1


@pytest.mark.parametrize("policy", [Policy(min_attendance_pct=50), Policy(min_post_test_pct=10),
                                    Policy(require_courses=True), Policy(require_exercise=True)])
def test_missing_data_fails_a_required_rule(policy):
    assert not evaluate(policy, Measures()).eligible


def test_rules_combined_report_every_failure():
    policy = Policy(min_attendance_pct=80, min_post_test_pct=60, require_courses=True, require_exercise=True,
                    require_action_plan=True)
    assert evaluate(policy, FULL).eligible
    weak = Measures(attendance_pct=70, post_test_pct=50, courses_completed=True, exercise_participated=False,
                    action_plan_submitted=True)
    assert evaluate(policy, weak).failed == ["attendance", "post_test", "exercise"]


def test_likert_summary_reference():
    assert likert_summary([]) == (0, None, None)
    assert likert_summary([5, 4, 3, 2]) == (4, 3.5, 0.5)
