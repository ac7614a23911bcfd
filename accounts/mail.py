"""Mailing one-time password links (invitation or reset); shared by accounts and trainees views.

Call these *before* the commit: the message is a row in the mail queue written in the same
transaction as the token, so a rolled-back token sends nothing and a committed one is always sent.
"""

from __future__ import annotations

from flask import current_app, flash, url_for
from flask_login import current_user

from accounts.models import User
from core.i18n import _
from core.mail import mail_is_configured
from core.mailqueue import queue_mail, recipient_locale


def password_link(raw: str) -> str:
    """The absolute URL of a one-time password link."""
    return url_for("accounts.set_password", token=raw, _external=True)


def send_password_link(user: User, raw: str, purpose: str) -> str:
    """Queue the mail with the link for an invitation (``purpose='invite'``) or a reset; return the link.

    The message is written in the recipient's language, not in that of the organiser who sends it.
    """
    link = password_link(raw)
    with recipient_locale(user):
        subject, body = _message(purpose, link)
    queue_mail(user.email, subject, body, kind="invite" if purpose == "invite" else "reset", user=user)
    return link


def _message(purpose: str, link: str) -> tuple[str, str]:
    if purpose == "invite":
        subject = _("You are invited to Kakehashi")
        body = _("Open this link to choose your password (valid for %(h)d hours):\n%(link)s",
                 h=current_app.config["PASSWORD_TOKEN_HOURS"], link=link)
    else:
        subject = _("Reset your Kakehashi password")
        body = _("Open this link to choose a new password (valid for %(h)d hours). "
                 "If you did not ask for it, ignore this message.\n%(link)s",
                 h=current_app.config["PASSWORD_TOKEN_HOURS"], link=link)
    return subject, body


def mail_link(user: User, raw: str, purpose: str) -> None:
    """Queue the link by mail (before commit); without SMTP, also show it to the organiser to copy."""
    link = send_password_link(user, raw, purpose)
    if not mail_is_configured(current_app) and current_user.is_authenticated and current_user.is_organiser:
        flash(_("E-mail is not configured, so copy this link and send it to %(email)s yourself: %(link)s",
                email=user.email, link=link), "link")
