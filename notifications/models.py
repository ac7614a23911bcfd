"""In-app notifications, per-user e-mail settings, reminder policies and the record of scheduled sends."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import utcnow
from core.extensions import db

FREQUENCIES = ("each", "daily", "none")


class Notification(db.Model):
    """One message in a user's list (title and text already in the recipient's language)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    read_at: Mapped[datetime | None] = mapped_column()
    emailed_at: Mapped[datetime | None] = mapped_column()  # mailed at once or in a digest


class NotificationSetting(db.Model):
    """How often a user wants e-mail: each notification, a daily digest, or none (security mail still goes)."""

    __tablename__ = "notification_settings"
    __table_args__ = (CheckConstraint("email_frequency in ('each', 'daily', 'none')", name="frequency_valid"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_frequency: Mapped[str] = mapped_column(String(10), default="each")


class ReminderPolicy(db.Model):
    """Per cohort: when reminders go out and how many a non-respondent gets."""

    __tablename__ = "reminder_policies"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    days_before_due: Mapped[int] = mapped_column(default=3)
    nonrespondent_after_days: Mapped[int] = mapped_column(default=7)
    nonrespondent_every_days: Mapped[int] = mapped_column(default=7)
    nonrespondent_max: Mapped[int] = mapped_column(default=2)


class ScheduledSend(db.Model):
    """Every scheduled message sent, so a restart (or a second worker) never sends it twice.

    At most one message of a kind per trainee per day (unique constraint).
    """

    __tablename__ = "scheduled_sends"
    __table_args__ = (UniqueConstraint("kind", "trainee_id", "sent_on"),
                      Index("ix_scheduled_sends_kind_object", "kind", "object_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    object_key: Mapped[str] = mapped_column(String(80))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id", ondelete="CASCADE"), index=True)
    sent_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Announcement(db.Model):
    """A message from an organiser to a cohort (all counted enrolments or those who have not answered).

    Delivered once — now, or at ``send_at`` by the periodic task — as a notification and, by each
    recipient's setting, a queued mail; ``sent_at`` is set by a conditional update in the delivering
    transaction, so two consumers never deliver the same announcement twice.
    """

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(20), default="all")  # all, not_answered
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    send_at: Mapped[datetime | None] = mapped_column(index=True)
    sent_at: Mapped[datetime | None] = mapped_column()
    recipients: Mapped[int] = mapped_column(default=0)
