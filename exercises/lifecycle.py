"""The exercise-run status machine and the staff-role rules (pure logic: no Flask, no database).

draft → ready → running ⇄ paused → ended → evaluated. A ready run may go back to draft for more
set-up; an evaluated run may be reopened (back to ended) to correct the evaluation.
"""

from __future__ import annotations

RUN_STATUSES = ("draft", "ready", "running", "paused", "ended", "evaluated")

#: action -> (statuses it may start from, status it leads to)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "prepare": (frozenset({"draft"}), "ready"),
    "unprepare": (frozenset({"ready"}), "draft"),
    "start": (frozenset({"ready"}), "running"),
    "pause": (frozenset({"running"}), "paused"),
    "resume": (frozenset({"paused"}), "running"),
    "end": (frozenset({"running", "paused"}), "ended"),
    "evaluate": (frozenset({"ended"}), "evaluated"),
    "reopen": (frozenset({"evaluated"}), "ended"),
}

#: Actions that drive play (console) and those that belong to set-up and evaluation.
CONTROL_ACTIONS = ("start", "pause", "resume", "end")
SETUP_ACTIONS = ("prepare", "unprepare")
EVALUATION_ACTIONS = ("evaluate", "reopen")

#: Set-up (placeholders, teams, staff) may change only before play starts.
SETUP_STATUSES = frozenset({"draft", "ready"})
#: Play is on: injects can be released and teams can respond.
LIVE_STATUSES = frozenset({"running", "paused"})
#: Players see a run (its situation and released injects) from "ready" on; drafts are still being built.
PLAYER_STATUSES = frozenset({"ready", "running", "paused", "ended", "evaluated"})
#: Observations and ratings are recorded during and after play.
EVALUATION_STATUSES = frozenset({"running", "paused", "ended", "evaluated"})

STAFF_ROLES = ("facilitator", "controller", "evaluator", "observer")
#: Who may drive the clock and the injects.
CONTROL_ROLES = frozenset({"facilitator", "controller"})
#: Who may record observations, ratings, hot-wash notes and improvement items.
EVALUATE_ROLES = frozenset({"facilitator", "evaluator"})


class TransitionError(ValueError):
    """An action is not allowed from the run's current status."""

    def __init__(self, action: str, status: str):
        super().__init__(f"cannot {action} a run that is {status}")
        self.action = action
        self.status = status


def can(action: str, status: str) -> bool:
    """Whether ``action`` is allowed from ``status``."""
    rule = ACTIONS.get(action)
    return rule is not None and status in rule[0]


def target(action: str, status: str) -> str:
    """The status ``action`` leads to from ``status``; raises ``TransitionError`` if not allowed."""
    if not can(action, status):
        raise TransitionError(action, status)
    return ACTIONS[action][1]


def allowed_actions(status: str, among: tuple[str, ...] | None = None) -> list[str]:
    """Actions allowed from ``status`` (optionally only those in ``among``), in a stable order."""
    names = among or tuple(ACTIONS)
    return [a for a in names if can(a, status)]


def may_control(roles: set[str] | frozenset[str]) -> bool:
    return bool(CONTROL_ROLES & set(roles))


def may_evaluate(roles: set[str] | frozenset[str]) -> bool:
    return bool(EVALUATE_ROLES & set(roles))
