"""Translation helpers and locale selection (user setting, then the session cookie, then the browser)."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user

_ = gettext
_l = lazy_gettext
__all__ = ["_", "_l", "ngettext", "select_locale", "remember_locale"]

LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}

#: Session key holding the signed-in user's language, so that an error page can speak it without the database.
SESSION_LANG = "lang"


def remember_locale(locale: str | None) -> None:
    """Keep the user's language in the (signed) session cookie; called at sign-in and on a change."""
    if has_request_context() and locale in current_app.config["LANGUAGES"] and session.get(SESSION_LANG) != locale:
        session[SESSION_LANG] = locale


def select_locale() -> str | None:
    """The signed-in user's language, else the session's remembered one, else Accept-Language.

    On an error page (``g.kk_db_free``) the database is not asked: the user may be the reason the page
    is shown because the database is gone.
    """
    languages = current_app.config["LANGUAGES"]
    if not g.get("kk_db_free"):
        user = current_user if current_user else None
        locale = getattr(user, "locale", None) if user is not None and user.is_authenticated else None
        if locale in languages:
            remember_locale(locale)
            return locale
    if has_request_context():
        remembered = session.get(SESSION_LANG)
        if remembered in languages:
            return remembered
        return request.accept_languages.best_match(languages)
    return None
