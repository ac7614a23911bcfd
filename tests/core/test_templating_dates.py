"""The ``fmt_date`` filter of a datetime gives Flask-Babel's ``format_datetime`` text exactly, in every
language, format and time zone, though named formats shown to the minute are joined from remembered parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale, format_datetime, get_babel

from core.templating import fmt_date

BASE = datetime(2025, 3, 30, 0, 0, 0, tzinfo=UTC)  # a DST change in Europe
MOMENTS = [BASE + timedelta(minutes=m * 37, seconds=m * 13 % 60, microseconds=m * 7919) for m in range(80)] + [
    datetime(2025, 6, 1, 9, 0, 12),  # naive: stored UTC (SQLite)
    datetime(2025, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=-3))),
    datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2025, 1, 1, 0, 0, tzinfo=UTC),
    datetime(2025, 7, 1, 12, 0, tzinfo=UTC),
]
FORMATS = ["short", "medium", "long", "full", "HH:mm", "yyyy-MM-dd HH:mm"]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "Europe/Berlin", "America/St_Johns"])
def test_fmt_date_of_a_datetime_is_flask_babels(app, monkeypatch, zone):
    monkeypatch.setattr(get_babel(app), "default_timezone", zone)
    for lang in ("en", "ja"):
        with app.test_request_context("/"), force_locale(lang):
            for fmt in FORMATS:
                for moment in MOMENTS:
                    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
                    assert fmt_date(moment, fmt) == format_datetime(aware, fmt), (lang, fmt, moment)
                    assert fmt_date(moment, fmt) == fmt_date(moment, fmt)  # the remembered parts again


def test_fmt_date_outside_a_request_and_of_nothing(app):
    with app.app_context():
        assert fmt_date(None) == ""
        assert fmt_date(BASE, "short") == format_datetime(BASE, "short")


def test_named_formats_without_a_zone_take_the_remembered_parts():
    from core.templating import _datetime_parts

    assert _datetime_parts("short", "en") == ("{1}, {0}", True) and _datetime_parts("short", "ja") == ("{1} {0}", True)
    assert _datetime_parts("medium", "en") == ("{1}, {0}", False)  # seconds: the time formatted on each call
    assert _datetime_parts("long", "en") is None  # a time zone: Flask-Babel's
    assert _datetime_parts("HH:mm", "en") is None  # a pattern of its own: Flask-Babel's
