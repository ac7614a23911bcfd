"""Translation helpers and locale selection (user setting, then the browser)."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user

_ = gettext
_l = lazy_gettext
__all__ = ["_", "_l", "ngettext", "select_locale"]

LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}


def select_locale() -> str | None:
    """The signed-in user's language, else the best match from Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    user = current_user if current_user else None
    locale = getattr(user, "locale", None) if user is not None and user.is_authenticated else None
    if locale in languages:
        return locale
    if request:
        return request.accept_languages.best_match(languages)
    return None
