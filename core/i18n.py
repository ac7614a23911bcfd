"""Translation helpers and locale selection (user setting, then the session cookie, then the browser)."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import get_translations, lazy_gettext
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

__all__ = ["_", "_l", "gettext", "ngettext", "select_locale", "remember_locale", "install_template_gettext"]


def translations():
    """The catalogue of the current locale, looked up once per app context (Flask-Babel's own lookup runs
    its locale and domain resolution again on every string: 20-50 strings on a page, about a tenth of a
    trainee page's CPU time).

    Kept next to Flask-Babel's per-context state and keyed on the identity of its locale object, so
    ``force_locale`` (which swaps that object) and ``refresh`` (which removes it) are followed: a cached
    catalogue is used only while the context's locale is the very object it was looked up for. Nothing
    outlives the app context.
    """
    ctx = _cv_app.get(None)
    babel_ctx = getattr(ctx.g, "_flask_babel", None) if ctx is not None else None
    if babel_ctx is not None:
        cached = getattr(babel_ctx, "kk_translations", None)
        if cached is not None and cached[0] is getattr(babel_ctx, "babel_locale", None):
            return cached[1]
    found = get_translations()
    if ctx is not None:
        babel_ctx = getattr(ctx.g, "_flask_babel", None)
        locale = getattr(babel_ctx, "babel_locale", None)
        if locale is not None:  # resolved: cache it against that locale object
            babel_ctx.kk_translations = (locale, found)
    return found


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext`` (same result) through the per-context catalogue."""
    s = translations().ugettext(string)
    return s if not variables else s % variables


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Flask-Babel's ``ngettext`` (same result) through the per-context catalogue."""
    variables.setdefault("num", num)
    s = translations().ungettext(singular, plural, num)
    return s if not variables else s % variables


_ = gettext
_l = lazy_gettext


@pass_context
def _template_gettext(context, string: str, /, **variables) -> str:
    """Jinja's newstyle ``gettext`` (same result: marked safe under autoescape, then ``%``-formatted with the
    variables, escaped) in one call: Jinja's own runs ``_`` through an alias, and each of the two through
    ``Context.call`` — three dispatches per string, a fifth of a text-heavy trainee page's rendering. The ``%``
    is skipped only where it cannot change the text (no variables and no ``%`` in it)."""
    rv = translations().ugettext(string)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - the catalogue's own text, as Jinja's gettext marks it
    return rv % variables if variables or "%" in rv else rv


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, /, **variables) -> str:
    """Jinja's newstyle ``ngettext`` (same result), called directly like :func:`_template_gettext`."""
    variables.setdefault("num", num)
    rv = translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - the catalogue's own text, as Jinja's gettext marks it
    return rv % variables


def install_template_gettext(app) -> None:
    """Templates' ``_``/``gettext``/``ngettext`` through the per-context catalogue (after ``babel.init_app``,
    which installs the same callables on Flask-Babel's slower lookup)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)

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
