"""A report download is a GET that writes one thing on purpose: an audit event (who downloaded which data,
with or without names). Nothing else changes, however often it is downloaded."""

from __future__ import annotations

from sqlalchemy import func, select

from core.audit import AuditEvent
from tests.snapshot import changed_tables, db_snapshot

QUIET = ("user_sessions", "audit_events")


def test_each_download_adds_one_audit_event_and_nothing_else(client, db, login_as):
    login_as("organiser")
    assert client.get("/reports/export.xlsx").status_code == 200
    first, events = db_snapshot(db, exclude=QUIET), db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert client.get("/reports/export.xlsx").status_code == 200
    assert changed_tables(first, db_snapshot(db, exclude=QUIET)) == []
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events + 1
