"""Exercise time, as pure logic (no Flask, no database), so the rules are unit-tested in milliseconds.

Two clocks run in a tabletop exercise (BRIEF §4.2):

* **scenario time** — the story's clock. Planners write it as an offset from the first inject,
  ``T+02:00`` (hours:minutes after T0), ``T-3 days``, or as a day and time, ``Day 2 09:00``
  (Day 1 is the day of T0). Internally every label becomes *minutes after T0*, which needs the
  clock time of T0 (``t0_clock``, e.g. 06:40) to place ``Day N hh:mm`` labels.
* **wall-clock time** — the real minutes since the run started, not counting pauses. Each inject
  has a planned wall-clock offset in minutes; it is released automatically once the run's elapsed
  time reaches it. Pausing stops that clock, so nothing falls due while play is paused.

Automatic release is evaluated lazily (on each console or player poll): ``due()`` lists what the
elapsed time has reached; nothing runs in the background.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MINUTES_PER_DAY = 24 * 60
MAX_OFFSET_MINUTES = 60 * MINUTES_PER_DAY  # a scenario spanning more than 60 days is a typo
DEFAULT_T0_CLOCK = 9 * 60


class OffsetError(ValueError):
    """A scenario-time or clock label could not be understood.

    ``code`` names the problem (the views translate it); ``str(error)`` is an English explanation.
    """

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "＋": "+", "：": ":"})
_NOTE = re.compile(r"\s*\([^)]*\)\s*$")  # "T+00:00 (Mon 06:40)" -> the note is for humans
_T_CLOCK = re.compile(r"^t\s*([+-])\s*(\d{1,4}):(\d{1,2})$")
_T_DAYS = re.compile(r"^t\s*([+-])\s*(\d{1,3})\s*(?:d|day|days)(?:\s+(\d{1,2}):(\d{1,2}))?$")
_T_UNIT = re.compile(r"^t\s*([+-])\s*(\d{1,5})\s*(h|hr|hrs|hour|hours|m|min|mins|minute|minutes)$")
_DAY = re.compile(r"^(?:day|d)\s*(\d{1,3})(?:\s*[,@]?\s*(\d{1,2}):(\d{1,2}))?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")

OFFSET_HELP = "T+hh:mm (e.g. T+02:00), T-3 days, or Day N hh:mm (e.g. Day 2 09:00)"


def parse_clock(text: str | None) -> int:
    """Minutes after midnight for an ``hh:mm`` clock time (``06:40`` → 400)."""
    match = _CLOCK.match((text or "").strip().translate(_DASHES))
    if not match:
        raise OffsetError("clock", "use a clock time such as 09:00")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise OffsetError("clock", "use a clock time between 00:00 and 23:59")
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    minutes %= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _check_minutes(value: str) -> int:
    minutes = int(value)
    if minutes > 59:
        raise OffsetError("minutes", "minutes must be below 60")
    return minutes


def parse_offset(text: str | None, t0_clock: int = DEFAULT_T0_CLOCK) -> int:
    """Minutes after T0 for a scenario-time label; raises ``OffsetError`` on anything else.

    Accepted: ``T+02:00``, ``T+0:45``, ``T-1:30``, ``T+90m``, ``T+3h``, ``T-3 days``,
    ``T+1d 02:00``, ``T0``, ``Day 2 09:00``, ``Day 3`` (midnight of day 3), ``D2 09:00``.
    A trailing note in brackets (``T+00:00 (Mon 06:40)``) is ignored.
    """
    raw = (text or "").strip()
    if not raw:
        raise OffsetError("required", f"a scenario time is required: {OFFSET_HELP}")
    key = " ".join(_NOTE.sub("", raw.translate(_DASHES)).casefold().split())
    if key in ("t", "t0", "t+0", "t-0"):
        return 0
    value: int | None = None
    if match := _T_CLOCK.match(key):
        value = int(match.group(2)) * 60 + _check_minutes(match.group(3))
        value = -value if match.group(1) == "-" else value
    elif match := _T_DAYS.match(key):
        value = int(match.group(2)) * MINUTES_PER_DAY
        if match.group(3) is not None:
            hours = int(match.group(3))
            if hours > 23:
                raise OffsetError("hours", "hours after the days must be below 24")
            value += hours * 60 + _check_minutes(match.group(4))
        value = -value if match.group(1) == "-" else value
    elif match := _T_UNIT.match(key):
        amount = int(match.group(2))
        value = amount * 60 if match.group(3).startswith("h") else amount
        value = -value if match.group(1) == "-" else value
    elif match := _DAY.match(key):
        day = int(match.group(1))
        if day < 1:
            raise OffsetError("day", "days are counted from Day 1 (the day of T0)")
        clock = 0
        if match.group(2) is not None:
            hours = int(match.group(2))
            if hours > 23:
                raise OffsetError("hours", "the hour must be between 00 and 23")
            clock = hours * 60 + _check_minutes(match.group(3))
        value = (day - 1) * MINUTES_PER_DAY + clock - t0_clock
    if value is None:
        raise OffsetError("format", f"“{raw[:40]}” is not a scenario time: use {OFFSET_HELP}", text=raw[:40])
    if abs(value) > MAX_OFFSET_MINUTES:
        raise OffsetError("range", "a scenario time must be within 60 days of T0")
    return value


def format_offset(minutes: int, t0_clock: int = DEFAULT_T0_CLOCK) -> str:
    """A readable label for minutes after T0: ``T+02:00`` on the first day, ``Day 2 09:00`` after."""
    if minutes < 0:
        if minutes % MINUTES_PER_DAY == 0:
            days = -minutes // MINUTES_PER_DAY
            return f"T-{days} day" + ("s" if days != 1 else "")
        return f"T-{-minutes // 60:02d}:{-minutes % 60:02d}"
    absolute = t0_clock + minutes
    if absolute < MINUTES_PER_DAY:
        return f"T+{minutes // 60:02d}:{minutes % 60:02d}"
    return f"Day {absolute // MINUTES_PER_DAY + 1} {format_clock(absolute)}"


def scenario_day_clock(minutes: int, t0_clock: int = DEFAULT_T0_CLOCK) -> str:
    """Day and clock time of a scenario moment: ``Day 1 08:40``."""
    absolute = t0_clock + minutes
    day = absolute // MINUTES_PER_DAY + 1
    return f"Day {day} {format_clock(absolute)}"


# --- the wall clock of a run ------------------------------------------------------------------

@dataclass(frozen=True)
class Clock:
    """A run's wall clock: started, possibly paused, total paused seconds, possibly ended.

    ``elapsed`` counts only running time. ``resumed_at`` is the last moment play (re)started,
    the reference for stall warnings.
    """

    started_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: int = 0
    ended_at: datetime | None = None
    resumed_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.paused_at is None and self.ended_at is None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None and self.ended_at is None

    def elapsed(self, now: datetime) -> float:
        """Seconds of running time at ``now`` (frozen while paused and after the end)."""
        if self.started_at is None:
            return 0.0
        until = self.ended_at or self.paused_at or now
        return max(0.0, (until - self.started_at).total_seconds() - self.paused_seconds)

    def start(self, now: datetime) -> Clock:
        if self.started_at is not None:
            raise ValueError("the clock has already started")
        return Clock(started_at=now, resumed_at=now)

    def pause(self, now: datetime) -> Clock:
        if not self.running:
            raise ValueError("only a running clock can be paused")
        return replace(self, paused_at=now)

    def resume(self, now: datetime) -> Clock:
        if not self.paused:
            raise ValueError("only a paused clock can be resumed")
        pause = max(0, round((now - self.paused_at).total_seconds()))
        return replace(self, paused_at=None, paused_seconds=self.paused_seconds + pause, resumed_at=now)

    def end(self, now: datetime) -> Clock:
        if self.started_at is None or self.ended_at is not None:
            raise ValueError("only a started clock can be ended")
        clock = self.resume(now) if self.paused else self
        return replace(clock, ended_at=now)

    def planned_at(self, offset_minutes: int, now: datetime) -> datetime | None:
        """Wall-clock moment at which running time reaches ``offset_minutes`` (a pause pushes it later)."""
        if self.started_at is None:
            return None
        remaining = offset_minutes * 60 - self.elapsed(now)
        if remaining <= 0:
            return self.started_at + timedelta(seconds=offset_minutes * 60 + self.paused_seconds)
        if self.ended_at is not None:
            return None
        # While paused the moment is not known yet: it is at the earliest ``remaining`` after now.
        return now + timedelta(seconds=remaining)


# --- the schedule -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ScheduleItem:
    """What the scheduler needs to know about one inject."""

    id: int
    offset_minutes: int | None
    status: str = "scheduled"
    contingency: bool = False
    position: int = 0

    @property
    def automatic(self) -> bool:
        """Released by the clock? Contingency injects and injects without an offset are manual only."""
        return self.status == "scheduled" and not self.contingency and self.offset_minutes is not None


def due(items: Iterable[ScheduleItem], elapsed_seconds: float) -> list[int]:
    """Ids of scheduled injects whose planned offset the running time has reached, in release order."""
    ready = [i for i in items if i.automatic and i.offset_minutes * 60 <= elapsed_seconds]
    return [i.id for i in sorted(ready, key=lambda i: (i.offset_minutes, i.position, i.id))]


def next_due_minutes(items: Iterable[ScheduleItem]) -> int | None:
    """The planned offset of the next automatic release, or None when nothing is left to release."""
    offsets = [i.offset_minutes for i in items if i.automatic]
    return min(offsets) if offsets else None


def scenario_now(points: Sequence[tuple[int, int]], elapsed_seconds: float) -> int | None:
    """Scenario minutes at this moment of play, from (planned wall offset, scenario minutes) points.

    Scenario time is the time of the last inject whose planned offset has passed, advancing one
    minute per real minute after it but never beyond the next inject's scenario time (modules may
    jump days: the clock then jumps with them).
    """
    ordered = sorted(points)
    elapsed_minutes = elapsed_seconds / 60
    current: int | None = None
    for index, (offset, scenario) in enumerate(ordered):
        if offset > elapsed_minutes:
            break
        current = scenario + int(elapsed_minutes - offset)
        if index + 1 < len(ordered):
            current = min(current, max(scenario, ordered[index + 1][1]))
    return current


# --- stalls -----------------------------------------------------------------------------------

def silent_minutes(last_activity: datetime | None, running_since: datetime | None, now: datetime) -> int:
    """Whole minutes since a team last said anything, counted from the latest start/resume at most."""
    references = [t for t in (last_activity, running_since) if t is not None]
    if not references:
        return 0
    return max(0, int((now - max(references)).total_seconds() // 60))


def is_stalled(last_activity: datetime | None, running_since: datetime | None, now: datetime,
               threshold_minutes: int) -> bool:
    """A team is stalled when play is running and it has been silent for ``threshold_minutes`` or more."""
    if running_since is None or threshold_minutes <= 0:
        return False
    return silent_minutes(last_activity, running_since, now) >= threshold_minutes


def format_duration(seconds: float) -> str:
    """``1:05:09`` style running time."""
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
