"""Template helpers: per-role navigation registry, date and yen filters, pagination arguments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, current_app, g, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from core.db import as_utc
from core.i18n import LANGUAGE_NAMES


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


def _fmt_date(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(as_utc(value), fmt)
    return format_date(value, fmt)


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


def has_endpoint(name: str) -> bool:
    """Whether a route exists, so a page can link to an optional feature's page."""
    return name in current_app.view_functions


def register_templating(app: Flask) -> None:
    """Expose helpers and filters to every template."""
    app.jinja_env.filters["fmt_date"] = _fmt_date
    app.jinja_env.filters["yen"] = format_yen
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["has_endpoint"] = has_endpoint

    @app.context_processor
    def _inject():
        return {"nav_items": _nav_items(), "site_name": current_app.config["SITE_NAME"]}
