"""Outgoing mail helpers; without an SMTP server, messages are written to the log."""

from __future__ import annotations

import logging

from flask_mailman import EmailMessage
from flask_mailman.backends.base import BaseEmailBackend

log = logging.getLogger("kakehashi.mail")


class LogBackend(BaseEmailBackend):
    """Write each message to the application log instead of sending it."""

    def send_messages(self, email_messages):
        for message in email_messages:
            log.info("mail to %s: %s\n%s", ", ".join(message.to), message.subject, message.body)
        return len(email_messages)


#: Flask-Mailman loads a custom backend given as a dotted path only when its class is named
#: ``EmailBackend`` (``core.mail.LogBackend`` fails to import), so the config points here.
EmailBackend = LogBackend


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message through the configured backend (call after commit)."""
    EmailMessage(subject=subject, body=body, to=[to]).send()


def mail_is_configured(app) -> bool:
    """True when messages really leave the machine (so links need not be shown on screen)."""
    return bool(app.config.get("MAIL_SERVER"))
