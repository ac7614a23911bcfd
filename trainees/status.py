"""The enrolment status machine (pure logic: no Flask, no database)."""

from __future__ import annotations

STATUSES = ("nominated", "accepted", "waitlisted", "rejected", "confirmed", "completed", "incomplete",
            "withdrawn", "no_show")
OPEN_STATUSES = ("nominated", "accepted", "waitlisted", "confirmed")
#: Statuses that count as an enrolment in every report figure (ARCHITECTURE §4.3).
COUNTED_STATUSES = ("confirmed", "completed", "incomplete")
#: Statuses that do not take a seat in the cohort: turned down, gone, or only on the waiting list
#: (a waitlisted person takes a seat once accepted). Every "seats taken" figure and capacity check uses this.
SEAT_FREE_STATUSES = ("waitlisted", "rejected", "withdrawn", "no_show")

_FORWARD = {
    "nominated": {"accepted", "waitlisted", "rejected"},
    "waitlisted": {"accepted", "rejected"},
    "accepted": {"confirmed"},
    "confirmed": {"completed", "incomplete"},
    # Completion may be finalised or corrected months later (BRIEF §1.6).
    "incomplete": {"completed"},
    "completed": {"incomplete"},
    "rejected": set(),
    "withdrawn": set(),
    "no_show": set(),
}

TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(targets | ({"withdrawn", "no_show"} if status in OPEN_STATUSES else set()))
    for status, targets in _FORWARD.items()
}

STATUS_NAMES = {
    "nominated": ("Nominated", "推薦"), "accepted": ("Accepted", "受入決定"), "waitlisted": ("Waitlisted", "補欠"),
    "rejected": ("Rejected", "不採用"), "confirmed": ("Confirmed", "参加確定"), "completed": ("Completed", "修了"),
    "incomplete": ("Incomplete", "未修了"), "withdrawn": ("Withdrawn", "辞退"), "no_show": ("No-show", "不参加"),
}


def can_transition(current: str, target: str) -> bool:
    """Whether an enrolment may move from ``current`` to ``target``."""
    return target in TRANSITIONS.get(current, frozenset())


def allowed_targets(current: str) -> list[str]:
    """Statuses reachable from ``current``, in the canonical order."""
    return [s for s in STATUSES if s in TRANSITIONS.get(current, frozenset())]


def status_name(status: str, lang: str = "en") -> str:
    names = STATUS_NAMES.get(status, (status, status))
    return names[1] if lang == "ja" else names[0]
