"""Privacy notice and consent (issue 13 item 10).

The notice text is set per deployment (``PRIVACY_NOTICE`` = ``{"en": "...", "ja": "..."}``, with a built-in
default in both languages) and carries a version (``PRIVACY_NOTICE_VERSION``). Every signed-in user is
shown the current version once (``PRIVACY_NOTICE_REQUIRED``) and their decision is recorded in
``privacy_consents`` with the version, the language it was read in and the date: accepted, or later
withdrawn. A new version asks everybody again. Organisers see a trainee's status on the trainee page.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from core import audit
from core.db import utcnow
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _


class PrivacyConsent(db.Model):
    """A user's decision on one version of the privacy notice: accepted, declined, or accepted then withdrawn."""

    __tablename__ = "privacy_consents"
    __table_args__ = (
        UniqueConstraint("user_id", "version", name="uq_privacy_consents_user_version"),
        # a user's latest decision (``refused_expression``, once per row of a participant list) is the last entry
        # of this index, read without sorting that user's records
        Index("ix_privacy_consents_user_latest", "user_id", "recorded_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]


def notice_version() -> str:
    return str(current_app.config["PRIVACY_NOTICE_VERSION"])


def default_notice() -> str:
    """The built-in notice, in the current language; deployments replace it with ``PRIVACY_NOTICE``."""
    return _(
        "Kakehashi keeps the personal data needed to run your training programme: your name, e-mail, "
        "gender, nationality, organisation and job title, your enrolments, attendance, course attempts, "
        "action plans, certificates and named survey answers. Anonymous survey answers cannot be linked "
        "to you. The organisers of your programme and the site administrators can see your record; "
        "ministry observers see only aggregate figures about groups of at least five people. You may "
        "download everything held about you from your account page, and ask the organisers to erase "
        "it. Withdrawing consent is possible at any time on this page; the organisers are told and "
        "will contact you about your enrolment."
    )


def notice_text(locale: str) -> str:
    """The configured notice for ``locale`` (falling back to English), else the built-in one."""
    configured = current_app.config.get("PRIVACY_NOTICE") or {}
    if isinstance(configured, str):
        return configured
    return configured.get(locale) or configured.get("en") or default_notice()


def current_record(user_id: int, version: str | None = None) -> PrivacyConsent | None:
    """The user's decision on the current (or given) version, if any."""
    return db.session.scalar(select(PrivacyConsent).where(
        PrivacyConsent.user_id == user_id, PrivacyConsent.version == (version or notice_version())))


def latest_records(user_ids) -> dict[int, PrivacyConsent]:
    """The most recent decision of each user (any version), for status columns."""
    ids = [i for i in user_ids if i]
    if not ids:
        return {}
    rows = db.session.scalars(select(PrivacyConsent).where(PrivacyConsent.user_id.in_(ids))
                              .order_by(PrivacyConsent.recorded_at, PrivacyConsent.id))
    return {row.user_id: row for row in rows}


def refused_expression(user_id):
    """SQL for "this user's most recent decision (any version) is a withdrawal or a refusal" — ``status_of`` of
    ``latest_records`` is ``withdrawn`` or ``declined`` — as a correlated subquery on ``user_id`` (a column of the
    enclosing statement): true, false, or NULL for a user who never decided (or no user)."""
    return (select(PrivacyConsent.withdrawn_at.is_not(None))
            .where(PrivacyConsent.user_id == user_id)
            .order_by(PrivacyConsent.recorded_at.desc(), PrivacyConsent.id.desc())
            .limit(1).correlate_except(PrivacyConsent).scalar_subquery())


def accept(user, locale: str) -> PrivacyConsent:
    """Record that ``user`` accepted the current notice (again, if they had withdrawn)."""
    version = notice_version()
    record = current_record(user.id, version)
    if record is None:
        record = PrivacyConsent(user_id=user.id, version=version)
        db.session.add(record)
    elif record.accepted_at is not None and record.withdrawn_at is None:
        return record  # already accepted: nothing changes, nothing is logged twice
    record.accepted_at, record.withdrawn_at, record.locale = utcnow(), None, locale[:10]
    db.session.flush()
    audit.record("privacy.consent", obj=user, actor=user, summary=f"version {version}",
                 after={"version": version, "locale": record.locale})
    return record


def withdraw(user, locale: str = "en") -> PrivacyConsent:
    """Record that ``user`` withdraws (or, never having accepted, declines) consent to the current notice."""
    record = current_record(user.id)
    if record is not None and record.withdrawn_at is not None:
        raise ServiceError(_("You have already withdrawn your consent."))
    if record is None:
        record = PrivacyConsent(user_id=user.id, version=notice_version(), locale=locale[:10])
        db.session.add(record)
    record.withdrawn_at = utcnow()
    db.session.flush()
    audit.record("privacy.withdraw", obj=user, actor=user, summary=f"version {record.version}",
                 after={"version": record.version})
    return record


def status_of(record: PrivacyConsent | None) -> str:
    """``accepted``, ``withdrawn``, ``declined``, ``outdated`` (an older version was accepted) or ``none``."""
    if record is None:
        return "none"
    if record.withdrawn_at is not None:
        return "withdrawn" if record.accepted_at is not None else "declined"
    return "accepted" if record.version == notice_version() else "outdated"
