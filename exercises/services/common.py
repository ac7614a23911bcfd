"""Helpers shared by the exercise services."""

from __future__ import annotations

from collections.abc import Iterable

from core.i18n import _
from exercises.timeline import OffsetError


def run_label(run) -> str:
    """A run's title as people read it (placeholders such as {HOLIDAY} filled), for audit summaries."""
    from exercises.placeholders import fill

    return fill(run.title, run.placeholder_values)


def snapshot(obj, fields: Iterable[str]) -> dict:
    return {f: getattr(obj, f) for f in fields}


def offset_message(error: OffsetError) -> str:
    """A translated message for a scenario-time error."""
    messages = {
        "required": _("Enter a scenario time such as T+02:00 or Day 2 09:00."),
        "minutes": _("Minutes must be below 60."),
        "hours": _("The hour must be between 00 and 23."),
        "day": _("Days are counted from Day 1 (the day of T+00:00)."),
        "range": _("A scenario time must be within 60 days of T+00:00."),
        "clock": _("Use a clock time between 00:00 and 23:59, such as 09:00."),
    }
    if error.code in messages:
        return messages[error.code]
    return _("“%(text)s” is not a scenario time: use T+hh:mm (T+02:00), T-3 days or Day N hh:mm (Day 2 09:00).",
             text=error.params.get("text", ""))
