"""Friendly error pages; nothing a user does should end in a bare 500.

The handlers here never touch the database: an error page may be the answer *because* the database
(or Redis) is gone, and a handler that asked it for the user's language would itself fail and leave
the user with the server's bare "Internal Server Error". So an error page is rendered in "database-
free" mode (``g.kk_db_free``): no user lookup, no navigation, no notification count; the language
comes from the session cookie (``session["lang"]``, written at sign-in and on a language change) or
the browser's Accept-Language (``core.i18n.select_locale``).

A database or Redis outage anywhere in a request (view, hook, user loader, rate limiter) becomes a
**503** with ``Retry-After`` — HTML for pages, JSON for ``*.json`` addresses and clients that ask for
JSON. The transaction of the failed request is rolled back: nothing half-written is kept.
"""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.extensions import db, limiter, login_manager
from core.i18n import _

log = logging.getLogger("kakehashi.errors")

#: What a minimal page says if even the error template cannot be rendered (never the server's bare page).
FALLBACK_PAGE = (
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Service unavailable</title></head>"
    "<body><h1>Service unavailable</h1><p>The site cannot answer right now. Please try again shortly.</p>"
    "<p lang=\"ja\">ただいまサービスを利用できません。しばらくしてからもう一度お試しください。</p></body></html>"
)


def safe_database_name(uri: str) -> str:
    """The database URL with any password masked, for messages and logs."""
    try:
        return make_url(uri).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL must still give a message
        return "<unparseable database URL>"


def _redis_errors() -> tuple[type[BaseException], ...]:
    from limits.errors import StorageError

    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a dependency
        return (StorageError,)
    return (StorageError, RedisConnectionError, RedisTimeoutError)


def outage_kind(error: BaseException | None) -> str | None:
    """``"database"`` or ``"redis"`` when ``error`` means that service cannot be reached, else None."""
    if error is None:
        return None
    if isinstance(error, OperationalError | InterfaceError | PoolTimeoutError | DisconnectionError):
        return "database"
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return "database"
    if isinstance(error, _redis_errors()):
        return "redis"
    return None


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please go back and try again.")),
        403: (_("Not allowed"), _("You do not have permission to see this page.")),
        404: (_("Page not found"), _("There is no page at this address. Check the link or use the menu.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (_("Upload too large"), _("The file is larger than this site accepts. Please send a smaller file.")),
        429: (_("Too many attempts"), _("Too many requests in a short time. Please wait a minute and try again.")),
        500: (_("Something went wrong"), _("An unexpected error occurred. Nothing was saved. Please try again.")),
        503: (_("Service unavailable"), _("The database cannot be reached. Please try again shortly.")),
    }


def _wants_json() -> bool:
    if request.path.endswith(".json") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _discard_transaction() -> None:
    """Roll back the request's transaction; on a dead connection that may fail too, which is fine."""
    try:
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 - the connection is already gone; the pool discards it
        log.warning("rollback after an error failed: %s", exc.__class__.__name__)


def render_error(code: int, detail: str | None = None, message: str | None = None):
    """Render the shared error page for an HTTP status code, without touching the database."""
    g.kk_db_free = True
    # Flask-Login's template context loads the user eagerly; on an error page the user is nobody, and any
    # already loaded user object was expired by the rollback (reading it would query again).
    g._login_user = login_manager.anonymous_user()
    title, default_message = _messages().get(code, (str(code), ""))
    message = message or default_message
    headers = {}
    if code == 503:
        headers["Retry-After"] = str(int(current_app.config.get("RETRY_AFTER_SECONDS", 10)))
    if _wants_json():
        body = {"error": code, "title": str(title), "message": str(message)}
        if detail:
            body["detail"] = str(detail)
        return jsonify(body), code, headers
    try:
        page = render_template("errors/error.html", code=code, title=title, message=message, detail=detail)
    except Exception:  # an error page must never become the server's bare 500
        log.exception("the error page for %s could not be rendered", code)
        page = FALLBACK_PAGE
    return page, code, headers


def render_outage(kind: str):
    """The 503 page for a service (``"database"`` or ``"redis"``) that cannot be reached."""
    if kind == "redis":
        # Only the rate-limited pages (sign-in, password reset, certificate verification, acknowledgement
        # links) and queued work use Redis; their limits fail closed rather than letting guesses through.
        message = _("A service this page needs cannot be reached, so sign-in and verification are paused "
                    "to keep them protected. Please try again shortly.")
    else:
        message = None
    return render_error(503, message=message)


def _outage(error: BaseException, kind: str):
    _discard_transaction()
    with contextlib.suppress(Exception):  # nothing to clear outside a limited request
        limiter.context.conditional_deductions.clear()  # do not try to count this request again on the way out
    log.error("%s unreachable on %s %s: %s", kind, request.method, request.path,
              getattr(error, "orig", None) or error.__class__.__name__)
    return render_outage(kind)


def register_errors(app: Flask) -> None:
    """Attach handlers for HTTP errors, CSRF failures, service outages and unexpected exceptions."""

    @app.teardown_appcontext
    def _release_session(_exc):
        # Runs before Flask-SQLAlchemy's own teardown (registered earlier, so run later). Its rollback
        # on a connection the server has just closed would raise out of the WSGI call after the
        # response was made — the server's bare 500 — so an outage at that moment is only logged.
        try:
            db.session.remove()
        except Exception as error:  # noqa: BLE001 - the connection is gone; the pool has discarded it
            log.warning("releasing the database session failed: %s", error.__class__.__name__)
            with contextlib.suppress(Exception):
                db.session.close()
            db.session.registry.clear()

    @app.errorhandler(CSRFError)
    def _csrf(error):
        _discard_transaction()
        return render_error(
            400, _("Your form expired or was sent from elsewhere (security check failed). "
                   "Reload the page and submit it again.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        _discard_transaction()
        if error.code is None or error.code < 400:
            return error
        detail = error.description if error.code in (400, 429) and isinstance(error.description, str) else None
        response = render_error(error.code, detail)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            return response[0], 405, {"Allow": ", ".join(error.valid_methods)}
        return response

    # Integrity and programming errors are bugs, not outages: they stay with the 500 handler below.
    for error_class in (OperationalError, InterfaceError, PoolTimeoutError, DisconnectionError):
        app.register_error_handler(error_class, lambda error: _outage(error, "database"))
    for error_class in _redis_errors():
        app.register_error_handler(error_class, lambda error: _outage(error, "redis"))

    @app.errorhandler(InternalServerError)
    def _server_error(error):
        # Also reached when a hook after the view (or a handler) raised: look at what was raised.
        kind = outage_kind(getattr(error, "original_exception", None))
        if kind is not None:
            return _outage(error.original_exception, kind)
        _discard_transaction()
        return render_error(500)


class ServiceError(Exception):
    """A rule was broken by the input; the message is shown to the user (and nothing is written)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
