"""Notify a user: an in-app notification and, by their e-mail setting, a queued mail in their language."""

from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy import select, update

from core.db import utcnow
from core.extensions import db
from core.i18n import _
from core.mailqueue import SECURITY_KINDS, queue_mail, recipient_locale
from notifications.models import FREQUENCIES, Notification, NotificationSetting


def email_frequency(user) -> str:
    setting = db.session.get(NotificationSetting, user.id)
    return setting.email_frequency if setting else "each"


def set_email_frequency(user, frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise ValueError(frequency)
    setting = db.session.get(NotificationSetting, user.id) or NotificationSetting(user_id=user.id)
    setting.email_frequency = frequency
    db.session.add(setting)
    db.session.flush()


def notify(kind: str, title, body="", *, user=None, email: str | None = None, locale: str | None = None,
           link: str = "") -> Notification | None:
    """Tell one person: a notification if they have an account, and mail unless their setting says no.

    ``title`` and ``body`` may be lazy strings: they are rendered in the recipient's language.
    Without an account (``email`` only), the mail goes in ``locale`` or the site default.
    """
    with recipient_locale(user, locale):
        title_text, body_text = str(title), str(body)
        mail_body = body_text + (f"\n\n{_absolute(link)}" if link else "")
    note = None
    if user is not None:
        note = Notification(user_id=user.id, kind=kind, title=title_text[:300], body=body_text, link=link)
        db.session.add(note)
        frequency = email_frequency(user)
        if frequency == "each" or kind in SECURITY_KINDS:
            queue_mail(user.email, title_text, mail_body, kind=kind, user=user)
            note.emailed_at = utcnow()
        db.session.flush()
    elif email:
        queue_mail(email, title_text, mail_body, kind=kind)
    return note


def _absolute(link: str) -> str:
    if link.startswith("http"):
        return link
    base = url_for("accounts.home", _external=True).rstrip("/")
    return base + link


def unread_count(user_id: int) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(user_id: int, notification_id: int | None = None) -> None:
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    db.session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False))


def send_daily_digests() -> int:
    """One mail per 'daily' user with the notifications not yet mailed; returns the number of digests."""
    from accounts.models import User

    rows = db.session.execute(
        select(Notification, User).join(User, User.id == Notification.user_id)
        .join(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(NotificationSetting.email_frequency == "daily", Notification.emailed_at.is_(None))
        .order_by(User.id, Notification.id)).all()
    by_user: dict[int, tuple] = {}
    for note, user in rows:
        by_user.setdefault(user.id, (user, []))[1].append(note)
    for user, notes in by_user.values():
        with recipient_locale(user):
            subject = _("Kakehashi: %(n)d new notifications", n=len(notes))
            body = "\n\n".join(f"- {n.title}\n  {n.body}".rstrip() for n in notes)
        queue_mail(user.email, subject, body, kind="digest", user=user)
        for n in notes:
            n.emailed_at = utcnow()
    db.session.flush()
    return len(by_user)


def site_default_locale() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]
