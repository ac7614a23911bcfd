"""Read helpers for user admin and the audit log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select

from accounts.models import User
from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db


def users_query(q: str = "", role: str = "") -> Select:
    """Users matching a search text (e-mail or name) and role, ordered by e-mail."""
    stmt = select(User).order_by(User.email)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.display_name).like(like)))
    if role:
        stmt = stmt.where(User.role == role)
    return stmt


def audit_query(actor: str = "", action: str = "", start: date | None = None, end: date | None = None) -> Select:
    """Audit events filtered by actor e-mail, action prefix and date range, newest first."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if actor:
        stmt = stmt.where(func.lower(AuditEvent.actor_email).like(f"%{actor.lower()}%"))
    if action:
        stmt = stmt.where(AuditEvent.action.like(f"{action}%"))
    if start:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(start, time.min, tzinfo=utcnow().tzinfo))
    if end:
        stmt = stmt.where(AuditEvent.at < datetime.combine(end + timedelta(days=1), time.min,
                                                           tzinfo=utcnow().tzinfo))
    return stmt


def audit_actions() -> list[str]:
    """The distinct action names present in the log, for the filter menu."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
