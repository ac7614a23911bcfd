"""Without an SMTP server, messages go to the log instead of failing."""

from __future__ import annotations

import logging

from core.mail import mail_is_configured, send_mail
from tests.conftest import make_test_app


def test_default_backend_without_smtp_writes_messages_to_the_log(database_url, caplog):
    app = make_test_app(database_url, MAIL_BACKEND=None)
    assert app.config["MAIL_BACKEND"] == "core.mail.EmailBackend"
    with app.app_context(), caplog.at_level(logging.INFO, logger="kakehashi.mail"):
        assert not mail_is_configured(app)
        send_mail("lan@csirt.vn.example", "You are invited to Kakehashi", "Open this link: http://x/y")
    assert "mail to lan@csirt.vn.example: You are invited to Kakehashi" in caplog.text
