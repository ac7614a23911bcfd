"""Declarative base, constraint naming convention and small model mixins."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, event, literal
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware current UTC time (stored as UTC everywhere)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base whose metadata names every constraint (Alembic needs stable names)."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: DateTime(timezone=True)},
    )


class TimestampMixin:
    """``created_at``/``updated_at`` columns kept in UTC."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; treat them as the UTC they were stored as."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # pragma: no cover - trivial
    """Turn on foreign keys for SQLite connections (off by default in SQLite)."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def one_of(column: str, values: Iterable[str]) -> str:
    """SQL for a CHECK constraint that a column holds one of ``values``: ``column in ('a', 'b')``.

    The one helper every model uses (``CheckConstraint(one_of("status", STATUSES), name="status_valid")``);
    its text is what the migrations hold, so it must not change."""
    return f"{column} in ({', '.join(repr(v) for v in values)})"


def nullable_one_of(column: str, values: Iterable[str]) -> str:
    """As :func:`one_of`, for a column that may also be empty: ``column is null or column in (…)``."""
    return f"{column} is null or {one_of(column, values)}"


def in_values(column, values: Iterable):
    """``column IN (…)`` over a fixed list of values as one plain bound parameter each, for statements built once
    and run on every request. ``column.in_(values)`` renders the list as one "expanding" parameter instead, and
    SQLAlchemy re-renders such a statement on every execution (about 100 µs, more than the query itself on a
    small table). Same SQL text, same results."""
    return column.in_([literal(value, column.type) for value in values])
