"""Quiz scoring, time limits, feedback policy and learning-gain maths (pure logic: no Flask, no database).

Rules (the README repeats them):

* Every question is worth one point; an item earns the fraction its question type gives
  (``question_types``: partial credit for multiple choice, tolerance for numbers, normalised text).
  An unanswered item earns 0. The attempt score is ``100 × sum(item fractions) / number of items``,
  rounded to two decimals; an attempt passes when ``score ≥ pass mark``.
* Time limit: ``deadline = started_at + time limit``. Answers that arrive later than
  ``deadline + GRACE_SECONDS`` (a small allowance for a slow link) are refused, and an attempt whose
  deadline has passed is submitted automatically, with the answers saved in time, on the next request.
* Feedback policy of a quiz — what a trainee sees of a submitted attempt:
  ``immediate`` score, right/wrong and explanations at once (and right/wrong for each saved answer while
  the attempt is still open: use it for practice); ``after_submit`` all of it once submitted;
  ``after_close`` the score once submitted, right/wrong and explanations only after the course's due
  date for the cohort has passed; ``never`` the score only.
* Hake's normalised gain on paired means: ``g = (post − pre) / (100 − pre)`` (undefined when pre = 100).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from courses.question_types import get_type

GRACE_SECONDS = 5
FEEDBACK_POLICIES = ("immediate", "after_submit", "after_close", "never")
QUIZ_KINDS = ("practice", "module_test", "pre_test", "post_test")


def score_item(qtype: str, spec: dict, response: Any) -> float:
    """The fraction 0..1 earned by one response (unanswered → 0)."""
    if response is None:
        return 0.0
    try:
        return float(get_type(qtype).score(spec, response))
    except (TypeError, ValueError, KeyError):
        return 0.0  # a malformed stored response never crashes scoring


def attempt_percent(item_fractions: Iterable[float]) -> float:
    """100 × mean item fraction, rounded to 2 decimals (0 for an empty attempt)."""
    fractions = list(item_fractions)
    if not fractions:
        return 0.0
    return round(100.0 * sum(fractions) / len(fractions), 2)


def passed(score: float | None, pass_mark: float) -> bool:
    return score is not None and score + 1e-9 >= pass_mark


def deadline_for(started_at: datetime, time_limit_minutes: int | None) -> datetime | None:
    """When an attempt must be in, or None without a time limit."""
    if not time_limit_minutes:
        return None
    return started_at + timedelta(minutes=time_limit_minutes)


def is_expired(deadline: datetime | None, now: datetime, grace_seconds: int = GRACE_SECONDS) -> bool:
    """Whether answers arriving ``now`` come too late."""
    return deadline is not None and now > deadline + timedelta(seconds=grace_seconds)


def seconds_left(deadline: datetime | None, now: datetime) -> int | None:
    if deadline is None:
        return None
    return max(0, int((deadline - now).total_seconds()))


@dataclass(frozen=True)
class Visibility:
    """What a trainee may see of an attempt."""

    score: bool
    items: bool  # right/wrong per question, the correct answer and the explanation


def feedback_visibility(policy: str, submitted: bool, closed: bool) -> Visibility:
    """Apply a quiz's feedback policy (see the module docstring)."""
    if not submitted:
        return Visibility(score=False, items=policy == "immediate")
    if policy in ("immediate", "after_submit"):
        return Visibility(score=True, items=True)
    if policy == "after_close":
        return Visibility(score=True, items=closed)
    return Visibility(score=True, items=False)


def hake_gain(pre_mean: float | None, post_mean: float | None) -> float | None:
    """Normalised gain g = (post − pre)/(100 − pre) on percentages; None when undefined."""
    if pre_mean is None or post_mean is None or pre_mean >= 100:
        return None
    return (post_mean - pre_mean) / (100.0 - pre_mean)


def gain_band(g: float | None) -> str | None:
    """Hake's bands: low < 0.3 ≤ medium ≤ 0.7 < high."""
    if g is None:
        return None
    if g < 0.3:
        return "low"
    return "medium" if g <= 0.7 else "high"


def group_size_27(n: int) -> int:
    """Size of the upper and of the lower group for the discrimination index: round(0.27 n), at least 1
    when there are two or more attempts, never more than half."""
    if n < 2:
        return 0
    return max(1, min(n // 2, int(0.27 * n + 0.5)))
