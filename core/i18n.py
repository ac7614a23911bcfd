"""Translation helpers and locale selection (user setting, then the session cookie, then the browser)."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context, pass_eval_context
from jinja2.ext import Extension
from jinja2.lexer import Token
from markupsafe import Markup

__all__ = ["_", "_l", "gettext", "ngettext", "lazy_gettext", "select_locale", "remember_locale",
           "install_template_gettext", "current_locale"]


def current_locale():
    """Flask-Babel's ``get_locale()`` (same object), reading the locale it has already resolved for this app
    context straight from its per-context state: ``get_locale`` goes through the ``g`` proxy twice on every
    call, and a list page asks for the locale once per cell (country, modality, fiscal year, date). Falls back
    to ``get_locale`` when the locale is not resolved yet, so ``force_locale`` and ``refresh`` are followed."""
    ctx = _cv_app.get(None)
    babel_ctx = getattr(ctx.g, "_flask_babel", None) if ctx is not None else None
    locale = getattr(babel_ctx, "babel_locale", None)
    return locale if locale is not None else get_locale()


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


def lazy_gettext(string: str, **variables) -> LazyString:
    """Flask-Babel's ``lazy_gettext`` (the same ``LazyString``, same result when shown), shown through the
    per-context catalogue: a label table of lazy strings (statuses, modalities) is shown once per row of a list."""
    return LazyString(gettext, string, **variables)


_ = gettext
_l = lazy_gettext


@pass_eval_context
def _template_gettext(eval_ctx, string: str, /, **variables) -> str:
    """Jinja's new-style ``gettext`` (the translation marked safe when autoescaping, then ``% variables``, so
    the variables are escaped), called directly: Jinja's own wraps the catalogue function in two more
    ``Context.call`` levels, and its ``_`` alias in a third (about 12 µs a string; 30-50 strings on a page)."""
    rv = translations().ugettext(string)
    if eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - our own catalogue, as Jinja does
    return rv % variables if variables or "%" in rv else rv  # without a %, formatting changes nothing


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables) -> str:
    """Jinja's new-style ``ngettext``, called directly (see ``_template_gettext``)."""
    variables.setdefault("num", num)
    rv = translations().ungettext(singular, plural, num)
    return (Markup(rv) if eval_ctx.autoescape else rv) % variables  # noqa: S704 - our own catalogue, as Jinja does


@pass_context
def _template_constant_gettext(context, string: str, /) -> str:
    """``_('a constant')`` in a template, as ``ConstantGettext`` compiles it: the same result as
    ``_template_gettext`` without variables. A filter that takes the context is called directly by the compiled
    template (a call of a global goes through ``Context.call``, about half the cost of a translated string), and
    it is never evaluated when the template is compiled (Jinja folds constant filter calls, but not those
    that take the context: this one depends on the request's language)."""
    return _template_gettext(context.eval_ctx, string)  # the one rule: catalogue, markup, % formatting


class ConstantGettext(Extension):
    """Compiles ``_('a constant')`` — most of a page's translated strings, 30-60 on a page — as
    ``'a constant'|kk_gettext`` (``_template_constant_gettext``): same text, one call instead of three.

    It rewrites the tokens ``_`` ``(`` string ``)`` when nothing before them makes ``_`` an attribute
    (``x._(…)``) and nothing after them applies to the call's result (``_(…).attr``, ``_(…)[i]``, ``_(…)(…)``,
    which a filter would not parse the same way). It assumes ``_`` is the global: a template that binds its own
    ``_`` (``{% set _ = … %}``, a macro argument or loop variable named ``_``) would not reach it from a constant
    call — no template does. A call with variables or more than one argument, ``gettext``,
    ``ngettext`` and ``{% trans %}`` are left as they are. Message extraction (``pybabel extract``) parses the
    templates without this extension, so it still finds every ``_('…')``."""

    FILTER = "kk_gettext"
    _AFTER_CALL = frozenset(("dot", "lbracket", "lparen"))

    def filter_stream(self, stream):
        window = []  # tokens not yet passed on: the one before a possible call, its four, the one after
        for token in stream:
            window.append(token)
            if len(window) == 6:
                window = self._rewrite(window)
                yield window.pop(0)
        window.append(Token(0, "eof", ""))  # the end, so that the last tokens are checked too (not passed on)
        while len(window) > 1:
            window = self._rewrite(window)
            yield window.pop(0)

    def _rewrite(self, w: list) -> list:
        """``w[1:5]`` rewritten when it is a constant ``_(…)`` (``w[0]`` before it, ``w[5]`` after it)."""
        if (len(w) == 6 and w[1].test("name:_") and w[2].type == "lparen" and w[3].type == "string"
                and w[4].type == "rparen" and w[0].type != "dot" and w[5].type not in self._AFTER_CALL):
            lineno = w[1].lineno
            return [w[0], w[3], Token(lineno, "pipe", "|"), Token(lineno, "name", self.FILTER), w[5]]
        return w

    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.filters[self.FILTER] = _template_constant_gettext


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
    # the same results as the new-style callables just installed, one call deep (``{% trans %}`` calls gettext)
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
    app.jinja_env.add_extension(ConstantGettext)

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
