"""Pure timeline logic: scenario-time parsing, the run clock with pauses, the schedule, stalls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exercises import timeline
from exercises.timeline import Clock, OffsetError, ScheduleItem

T0 = 6 * 60 + 40  # 06:40


@pytest.mark.parametrize(("text", "minutes"), [
    ("T+00:00", 0), ("T+0:45", 45), ("T+02:00", 120), ("t + 2:05", 125), ("T+30:00", 1800),
    ("T-1:30", -90), ("T−3 days", -3 * 1440), ("T-3d", -3 * 1440), ("T+1d 02:00", 1440 + 120),
    ("T+90m", 90), ("T+3h", 180), ("T0", 0), ("T+00:00 (Mon 06:40)", 0),
    ("Day 1 06:40", 0), ("Day 1 09:00", 140), ("Day 2 09:00", 1440 + 140), ("day 3 14:00", 2 * 1440 + 440),
    ("Day 2", 1440 - T0), ("D2 09:00", 1440 + 140), ("Day 2, 09:00", 1440 + 140),
])
def test_parse_offset_accepts_planner_notations(text, minutes):
    assert timeline.parse_offset(text, T0) == minutes


def test_day_labels_jump_across_days_and_depend_on_t0():
    assert timeline.parse_offset("Day 5 10:00", T0) == 4 * 1440 + 200
    assert timeline.parse_offset("Day 2 09:00", 9 * 60) == 1440
    # a later day always sorts after any time of an earlier day
    assert timeline.parse_offset("Day 2 00:00", T0) > timeline.parse_offset("Day 1 23:59", T0)


@pytest.mark.parametrize(("text", "code"), [
    ("", "required"), ("   ", "required"), ("soon", "format"), ("T+2:75", "minutes"), ("Day 0 09:00", "day"),
    ("Day 2 25:00", "hours"), ("T+1d 24:00", "hours"), ("T+2000:00", "range"), ("Day 99", "range"),
    ("T+", "format"), ("Tuesday", "format"), ("2:00", "format"),
])
def test_parse_offset_rejects_bad_input_with_a_reason(text, code):
    with pytest.raises(OffsetError) as info:
        timeline.parse_offset(text, T0)
    assert info.value.code == code


def test_clock_parsing_and_formatting():
    assert timeline.parse_clock("06:40") == 400
    for bad in ("6h40", "24:00", "12:60", ""):
        with pytest.raises(OffsetError):
            timeline.parse_clock(bad)
    assert timeline.format_offset(0, T0) == "T+00:00"
    assert timeline.format_offset(125, T0) == "T+02:05"
    assert timeline.format_offset(1440 + 140, T0) == "Day 2 09:00"
    assert timeline.format_offset(-3 * 1440, T0) == "T-3 days"
    assert timeline.format_offset(-90, T0) == "T-01:30"
    assert timeline.scenario_day_clock(120, T0) == "Day 1 08:40"
    assert timeline.format_duration(3725) == "1:02:05"
    # formatting then parsing gives the same minutes
    for minutes in (0, 59, 600, 1000, 1440 + 5, 3 * 1440 + 777, -90, -1440):
        assert timeline.parse_offset(timeline.format_offset(minutes, T0), T0) == minutes


NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def test_clock_counts_running_time_only():
    clock = Clock().start(at(0))
    assert clock.running and clock.elapsed(at(10)) == 600
    clock = clock.pause(at(10))
    assert clock.paused and not clock.running
    assert clock.elapsed(at(25)) == 600  # frozen while paused
    clock = clock.resume(at(25))
    assert clock.paused_seconds == 900 and clock.resumed_at == at(25)
    assert clock.elapsed(at(30)) == 900
    clock = clock.pause(at(30)).end(at(40))  # ending while paused closes the pause
    assert clock.paused_seconds == 1500
    assert clock.elapsed(at(99)) == 900


def test_clock_refuses_impossible_moves():
    with pytest.raises(ValueError):
        Clock().pause(at(0))
    with pytest.raises(ValueError):
        Clock().start(at(0)).resume(at(1))
    with pytest.raises(ValueError):
        Clock().start(at(0)).start(at(1))
    with pytest.raises(ValueError):
        Clock().end(at(0))


def test_planned_release_moves_later_with_pauses():
    clock = Clock().start(at(0))
    assert clock.planned_at(30, at(5)) == at(30)
    paused = clock.pause(at(10))
    # while paused, an inject due at +30 is at least 20 running minutes away from "now"
    assert paused.planned_at(30, at(20)) == at(40)
    resumed = paused.resume(at(20))
    assert resumed.planned_at(30, at(21)) == at(40)
    assert Clock().planned_at(30, at(0)) is None


def _items():
    return [ScheduleItem(1, 0, position=1), ScheduleItem(2, 10, position=2), ScheduleItem(3, 10, position=3),
            ScheduleItem(4, None, position=4), ScheduleItem(5, 5, contingency=True, position=5),
            ScheduleItem(6, 20, status="skipped", position=6), ScheduleItem(7, 30, status="released", position=7),
            ScheduleItem(8, 40, position=8)]


def test_due_lists_what_running_time_reached_and_never_manual_skipped_or_released():
    items = _items()
    assert timeline.due(items, 0) == [1]
    assert timeline.due(items, 599) == [1]
    assert timeline.due(items, 600) == [1, 2, 3]
    assert timeline.due(items, 10_000) == [1, 2, 3, 8]
    assert timeline.next_due_minutes(items) == 0
    assert timeline.next_due_minutes([i for i in items if i.id not in (1, 2, 3)]) == 40
    assert timeline.next_due_minutes([ScheduleItem(4, None), ScheduleItem(5, 1, contingency=True)]) is None


def test_schedule_with_pause_and_resume_releases_nothing_during_the_pause():
    items = _items()
    clock = Clock().start(at(0)).pause(at(5))
    assert timeline.due(items, clock.elapsed(at(60))) == [1]  # an hour of pause: still only T+0
    clock = clock.resume(at(60))
    assert timeline.due(items, clock.elapsed(at(64))) == [1]  # 9 running minutes
    assert timeline.due(items, clock.elapsed(at(65))) == [1, 2, 3]  # 10 running minutes


def test_scenario_now_follows_injects_and_jumps_days():
    points = [(0, 0), (10, 60), (30, 1440 + 140)]
    assert timeline.scenario_now(points, 0) == 0
    assert timeline.scenario_now(points, 5 * 60) == 5
    assert timeline.scenario_now(points, 9 * 60) == 9
    assert timeline.scenario_now(points, 12 * 60) == 62
    assert timeline.scenario_now(points, 45 * 60) == 1440 + 155
    assert timeline.scenario_now([(5, 0)], 60) is None  # nothing has happened yet
    # does not run past the next inject's scenario time while waiting for it
    assert timeline.scenario_now([(0, 0), (100, 30)], 90 * 60) == 30


def test_stall_detection_counts_from_last_response_or_resume():
    started = at(0)
    assert timeline.silent_minutes(None, started, at(7)) == 7
    assert timeline.is_stalled(None, started, at(10), 10)
    assert not timeline.is_stalled(None, started, at(9.9), 10)
    assert not timeline.is_stalled(at(5), started, at(14), 10)
    assert timeline.is_stalled(at(5), started, at(15), 10)
    # a resume restarts everyone's allowance
    assert not timeline.is_stalled(at(1), at(30), at(35), 10)
    assert not timeline.is_stalled(None, None, at(99), 10)  # not running
    assert not timeline.is_stalled(None, started, at(99), 0)
