"""Template helpers: per-role navigation registry, date and yen filters, pagination arguments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import FunctionType

from babel import dates as babel_dates
from flask import Flask, current_app, g, request, url_for
from flask.globals import _cv_request
from flask.templating import Environment as FlaskEnvironment
from flask_babel import format_date, format_datetime, get_locale, get_timezone
from flask_login import current_user
from jinja2.runtime import Context as JinjaContext
from jinja2.utils import _PassArg, internalcode
from markupsafe import escape

from core.db import as_utc
from core.i18n import LANGUAGE_NAMES, current_locale


@dataclass(frozen=True)
class NavItem:
    """One entry in the top navigation, shown to the listed roles."""

    label: object  # lazy string
    endpoint: str
    roles: tuple[str, ...]
    order: int = 50


def register_nav(app: Flask, label, endpoint: str, roles: tuple[str, ...], order: int = 50) -> None:
    """Add a navigation entry (called by each feature's register function)."""
    app.extensions.setdefault("kakehashi_nav", []).append(NavItem(label, endpoint, roles, order))


def _nav_items() -> list[NavItem]:
    if g.get("kk_db_free"):  # an error page: no user lookup (the database may be why it is shown)
        return []
    if not current_user or not current_user.is_authenticated:
        return []
    role = current_user.role
    items = current_app.extensions.get("kakehashi_nav", [])
    return sorted((i for i in items if role in i.roles), key=lambda i: i.order)


@lru_cache(maxsize=4096)
def _format_day(day: date, fmt: str, locale: str) -> str:
    """Babel's ``format_date`` of a calendar date: a pure function of its three arguments (a date is not moved
    to the user's time zone; the app sets no custom date formats), so its result is remembered. Flask-Babel's
    ``format_date`` costs about 40 µs a call, two per row of a list of cohorts."""
    return babel_dates.format_date(day, fmt, locale=locale)


#: Babel pattern fields that read only the hour, the minute or the day period of a time; and the seconds' fields.
_CLOCK_FIELDS = frozenset("hHkKmabB")
_SECOND_FIELDS = frozenset("sSA")
_NAMED_FORMATS = frozenset(("short", "medium", "long", "full"))
_FIELD = re.compile(r"%\((\w+)\)")


@lru_cache(maxsize=64)
def _datetime_parts(fmt: str, locale: str) -> tuple[str, bool] | None:
    """For a named format (short, medium…) whose time pattern shows no time zone: the locale's pattern joining
    time ``{0}`` and date ``{1}``, as Babel's ``format_datetime`` uses it, and whether the time shows only hours,
    minutes and the day period (no seconds); else None."""
    if fmt not in _NAMED_FORMATS:
        return None
    fields = {name[0] for name in _FIELD.findall(babel_dates.get_time_format(fmt, locale=locale).format)}
    if not fields <= _CLOCK_FIELDS | _SECOND_FIELDS:
        return None  # a time zone (long, full): Flask-Babel's, whole
    return babel_dates.get_datetime_format(fmt, locale=locale).replace("'", ""), fields <= _CLOCK_FIELDS


@lru_cache(maxsize=4096)
def _format_clock(clock: time, fmt: str, locale: str) -> str:
    """Babel's ``format_time`` of a time of day, for a pattern that reads only its hour, minute and day period
    (see :func:`_datetime_parts`): called with the seconds set to zero, so it is remembered per minute of the
    day (at most 1,440 a format and language)."""
    return babel_dates.format_time(clock, fmt, tzinfo=None, locale=locale)


def _format_moment(value: datetime, fmt: str):
    """Flask-Babel's ``format_datetime(value, fmt)`` (the same text) for a named format without a time zone:
    Babel joins the time and the date formatted apart; the date is remembered per day, the time per minute when
    it shows no seconds (instead of about 25 µs a call — two per row of a quiz's attempts). None when not such a
    format."""
    if fmt not in _NAMED_FORMATS:  # a pattern of its own ('yyyy-MM-dd HH:mm'): Flask-Babel's, nothing added
        return None
    locale = current_locale()
    if locale is None:
        return None
    parts = _datetime_parts(fmt, str(locale))
    if parts is None:
        return None
    joiner, to_the_minute = parts
    zone = get_timezone()
    local = value.astimezone(zone)
    if hasattr(zone, "normalize"):  # pytz, as Babel does
        local = zone.normalize(local)
    if to_the_minute:
        clock = _format_clock(local.time().replace(second=0, microsecond=0), fmt, str(locale))
    else:
        clock = babel_dates.format_time(local, fmt, tzinfo=None, locale=str(locale))
    return joiner.replace("{0}", clock).replace("{1}", _format_day(local.date(), fmt, str(locale)))


def fmt_date(value: date | datetime | None, fmt: str = "medium") -> str:
    """A date (or an aware date-time) as the page's language writes it (the ``fmt_date`` filter)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = as_utc(value)
        text = _format_moment(value, fmt)
        return text if text is not None else format_datetime(value, fmt)
    locale = current_locale()
    return _format_day(value, fmt, str(locale)) if locale is not None else format_date(value, fmt)


def date_formatter(fmt: str = "medium"):
    """``fmt_date`` for the many dates of a list, with the page's locale looked up once: a function of a calendar
    date (``date``, or None → "")."""
    locale = current_locale()
    if locale is None:
        return lambda day: fmt_date(day, fmt)
    key = str(locale)
    return lambda day: "" if day is None else _format_day(day, fmt, key)


_NEEDS_ESCAPING = re.compile(r"[&<>'\"]").search


def escape_text(value: str) -> str:
    """``markupsafe.escape`` of a plain string, as a plain string, for markup built in Python a value at a time
    (rows of a long table): text without ``& < > ' "`` — most names and titles — is returned as it is, which
    costs a quarter of building a ``Markup`` for it."""
    return value if not _NEEDS_ESCAPING(value) else str(escape(value))


class UrlPattern:
    """``url_for(endpoint, **values, <key>=n)`` for the many ``n`` of a list, built once per page: the URL is
    built once with a marker number in place of ``n`` and split around it, so each row's link is a string
    concatenation instead of a route build (``url_for`` costs about 10 µs; two links per row of a 50-row table is
    a tenth of the page). Only for an ``int`` argument, whose URL form is its decimal digits."""

    MARK = 918273645546372819

    def __init__(self, endpoint: str, key: str, **values) -> None:
        # through the templates' url_for (``remembered_url_for``): the same URL, and built once per process
        url = current_app.extensions.get("kakehashi.url_for", url_for)(endpoint, **values, **{key: self.MARK})
        self.head, found, self.tail = url.partition(str(self.MARK))
        if not found or str(self.MARK) in self.tail:
            raise ValueError(f"{endpoint}: {key} is not one integer path argument")

    def __call__(self, n: int) -> str:
        return f"{self.head}{int(n)}{self.tail}"


def format_yen(value, lang: str | None = None) -> str:
    """Whole yen with thousands grouped and the currency as each language writes it: ``¥7,599`` in English,
    ``7,599円`` in Japanese (``lang``: the page's locale when not given); ``—`` for no value."""
    if value is None:
        return "—"
    amount = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    lang = lang or str(get_locale() or "en")
    return f"{amount:,.0f}円" if lang.startswith("ja") else f"¥{amount:,.0f}"


def url_with(**changes) -> str:
    """The current URL with some query arguments replaced (for pagination and filters)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


#: Argument types whose URL form is a pure function of the value (``bool`` is not ``int`` here: its own type).
_PLAIN_URL_VALUES = frozenset((int, str))


def remembered_url_for(app: Flask, size: int = 4096):
    """The templates' ``url_for``: Flask's ``app.url_for``, with the URL of an endpoint and plain ``int``/``str``
    arguments remembered per request root (a page builds 15-30 links, about 6 µs each and two to three times that
    inside a whole request; a remembered one is a dictionary look-up).

    A URL is a pure function of the endpoint, the arguments, the URL map and what the request's URL adapter was
    bound to (its script root, server name, subdomain and scheme — all part of the key): the map cannot change
    once the app has served a request (Flask refuses new routes then), so nothing remembered goes stale, on
    one instance or many. Everything else goes to Flask's, unchanged: outside a request (external URLs), a
    ``.relative`` endpoint (it depends on the request's blueprint), ``_external``/``_anchor``/``_method``/
    ``_scheme``, another argument type, or once the app has ``url_defaults`` functions. A failed build is not
    remembered (the ``BuildError`` propagates). At most ``size`` URLs are kept, least recently used first out."""
    build = app.url_for

    @lru_cache(maxsize=size)
    def remembered(endpoint, adapter_key, items):
        return build(endpoint, **dict(items))

    def url_for(endpoint: str, /, **values) -> str:
        ctx = _cv_request.get(None)
        if ctx is None or endpoint[:1] == "." or app.url_default_functions:
            return build(endpoint, **values)
        for key, value in values.items():
            if key[:1] == "_" or type(value) not in _PLAIN_URL_VALUES:
                return build(endpoint, **values)
        adapter = ctx.url_adapter
        if adapter is None:
            return build(endpoint, **values)
        where = (adapter.script_name, adapter.server_name, adapter.subdomain, adapter.url_scheme)
        return remembered(endpoint, where, tuple(values.items()))

    url_for.cache_info = remembered.cache_info
    return url_for


def has_endpoint(name: str) -> bool:
    """Whether a route exists, so a page can link to an optional feature's page."""
    return name in current_app.view_functions


class Context(JinjaContext):
    """Jinja's template context, with ``call`` — every ``{{ f(…) }}`` of a template (``url_for``, ``csrf_token``,
    ``_(…, n=…)``, 20-45 on a page) — taking a short path for plain Python functions, the same result as Jinja's.

    Jinja's ``call`` first asks whether the callable's ``__call__`` has ``jinja_pass_arg`` and then the callable
    itself: for a plain function both are attribute look-ups that fail (an ``AttributeError`` raised and caught
    inside ``hasattr``), about 2 µs a call, more than most of the functions called. A function's ``__call__`` is a
    method wrapper that never carries the marker, and a function's own attributes are in its ``__dict__``; so for
    a function the marker is read from there and the call continues exactly as in Jinja. Anything else (bound
    methods, classes, callable objects, macros) goes through Jinja's ``call`` unchanged. (Not followed: a marker
    on a ``__call__`` attribute set on a function object itself — nothing here does that.)"""

    @internalcode  # hidden from template tracebacks, as Jinja's own
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature (``self`` may be a keyword)
        if type(__obj) is not FunctionType:
            return super().call(__obj, *args, **kwargs)
        pass_arg = __obj.__dict__.get("jinja_pass_arg")
        if pass_arg is _PassArg.context:
            # as Jinja: the active context sees variables set in loops and blocks without mutating the context
            if kwargs.get("_loop_vars"):
                __self = __self.derived(kwargs["_loop_vars"])
            if kwargs.get("_block_vars"):
                __self = __self.derived(kwargs["_block_vars"])
            args = (__self, *args)
        elif pass_arg is _PassArg.eval_context:
            args = (__self.eval_ctx, *args)
        elif pass_arg is _PassArg.environment:
            args = (__self.environment, *args)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration "
                                                "exception")


class Environment(FlaskEnvironment):
    """Flask's Jinja environment, whose templates use the environment's globals dict itself instead of a
    ``ChainMap`` over it (set as ``app.jinja_environment`` before the environment is first built).

    Jinja gives every template ``ChainMap(its own globals, environment globals)`` so that both stay separate
    and later changes to the environment's show. Two hot paths then read that map key by key in Python: every
    render copies it into the context (``dict(chain_map)``), and every ``{% from … import … %}`` compares the
    context's global names with the imported template's map (``set - chain_map.keys()``, about 25 µs an
    import on every render of a page that imports macros). A template with no globals of its own (all of ours:
    nothing passes ``globals=``) loses nothing by reading the environment's dict directly — it is the same
    object, so later changes still show — and those operations run at C speed. Template-specific globals
    would now write into the environment's dict, so they are refused; a template built with ``from_string``
    and its own globals keeps Jinja's ``ChainMap``."""

    context_class = Context  # a faster ``call`` (see ``Context``)

    def make_globals(self, d):
        return super().make_globals(d) if d else self.globals

    def get_template(self, name, parent=None, globals=None):  # noqa: A002 - Jinja's signature
        _no_template_globals(globals)
        return super().get_template(name, parent)

    def select_template(self, names, parent=None, globals=None):  # noqa: A002 - Jinja's signature
        _no_template_globals(globals)
        return super().select_template(names, parent)

    def get_or_select_template(self, template_name_or_list, parent=None, globals=None):  # noqa: A002
        _no_template_globals(globals)
        return super().get_or_select_template(template_name_or_list, parent)


def _no_template_globals(globals_: dict | None) -> None:
    if globals_:
        raise TypeError("templates share the environment's globals: pass values in the render context instead")


def register_templating(app: Flask) -> None:
    """Expose helpers and filters to every template."""
    app.jinja_env.filters["fmt_date"] = fmt_date
    app.jinja_env.filters["yen"] = format_yen
    app.jinja_env.globals["url_for"] = app.extensions["kakehashi.url_for"] = remembered_url_for(app)
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["url_pattern"] = UrlPattern
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["has_endpoint"] = has_endpoint

    @app.context_processor
    def _inject():
        return {"nav_items": _nav_items(), "site_name": current_app.config["SITE_NAME"]}
