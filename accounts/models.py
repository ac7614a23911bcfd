"""User accounts, server-side session records and one-time password tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, utcnow
from core.extensions import db

#: ``focal_point``: a partner country's national focal point (nominations; bound to one country).
#: ``observer``: a ministry that sees aggregate figures of granted programmes only (issue 13 item 8).
ROLES = ("admin", "organiser", "trainee", "focal_point", "observer")
ORGANISER_ROLES = ("admin", "organiser")


class User(UserMixin, TimestampMixin, db.Model):
    """A person who can sign in. E-mail is stored lower-case, so uniqueness is case-insensitive."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role in ('admin', 'organiser', 'trainee', 'focal_point', 'observer')",
                                      name="role_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="trainee")
    locale: Mapped[str] = mapped_column(String(10), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    last_login_at: Mapped[datetime | None]

    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active

    @property
    def is_organiser(self) -> bool:
        return self.role in ORGANISER_ROLES

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(db.Model):
    """A signed-in browser session; deleting the row signs that browser out for good."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship(back_populates="sessions")


class PasswordToken(db.Model):
    """A one-time, expiring link to set (invitation) or reset a password. Only a hash is stored."""

    __tablename__ = "password_tokens"
    __table_args__ = (CheckConstraint("purpose in ('invite', 'reset')", name="purpose_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
