"""The audit trail: one ``AuditEvent`` row for every organiser write and every sign-in event."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Integer, Select, String, Text, cast, insert, literal
from sqlalchemy.orm import Mapped, mapped_column

from core.db import utcnow
from core.extensions import db


class AuditEvent(db.Model):
    """Who did what, when, to which object, with a before/after summary."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(64))


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def record(
    action: str,
    *,
    obj: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    actor: Any = None,
    ip: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits).

    ``actor`` and ``ip`` are passed in by views, commands and imports; when left out inside a request they
    default to the signed-in user and the request's address."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    if ip is None and has_request_context():
        ip = request.remote_addr
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    changes = None
    if before is not None or after is not None:
        changes = {"before": _jsonable(before), "after": _jsonable(after)}
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        summary=summary[:2000],
        changes=changes,
        ip_address=ip,
    )
    db.session.add(event)
    return event


def record_many(action: str, object_type: str, object_id, summary, source: Select, *, actor: Any = None,
                ip: str | None = None, at: datetime | None = None) -> None:
    """One audit event per row of ``source`` in a single INSERT … SELECT, each as :func:`record` writes it.

    ``object_id`` and ``summary`` are SQL expressions over ``source`` (e.g. ``Trainee.id``, ``Trainee.email``);
    for batch services (the trainee import writes thousands of rows). ``actor`` and ``ip`` are explicit here.
    """
    columns = ("at", "actor_id", "actor_email", "action", "object_type", "object_id", "summary", "ip_address")
    query = source.with_only_columns(
        literal(at or utcnow(), AuditEvent.at.type).label("at"),
        literal(getattr(actor, "id", None), Integer).label("actor_id"),
        literal(getattr(actor, "email", None), String).label("actor_email"), literal(action).label("action"),
        literal(object_type).label("object_type"), cast(object_id, String).label("object_id"),
        summary.label("summary"), literal(ip, String).label("ip_address"), maintain_column_froms=True)
    db.session.execute(insert(AuditEvent).from_select(columns, query))


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values changed, as (before, after) dictionaries."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
