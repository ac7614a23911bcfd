"""Friendly error pages; nothing a user does should end in a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.extensions import db
from core.i18n import _

log = logging.getLogger("kakehashi.errors")


def safe_database_name(uri: str) -> str:
    """The database URL with any password masked, for messages and logs."""
    try:
        return make_url(uri).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL must still give a message
        return "<unparseable database URL>"


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


def render_error(code: int, detail: str | None = None):
    """Render the shared error template for an HTTP status code."""
    title, message = _messages().get(code, (str(code), ""))
    return render_template("errors/error.html", code=code, title=title, message=message, detail=detail), code


def register_errors(app: Flask) -> None:
    """Attach handlers for HTTP errors, CSRF failures, database outages and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def _csrf(error):
        db.session.rollback()
        return render_error(
            400, _("Your form expired or was sent from elsewhere (security check failed). "
                   "Reload the page and submit it again.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        db.session.rollback()
        if error.code is None or error.code < 400:
            return error
        detail = error.description if error.code in (400, 429) and isinstance(error.description, str) else None
        response = render_error(error.code, detail)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            return response[0], 405, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(OperationalError)
    def _db_down(error):
        db.session.rollback()
        log.error("database error on %s: %s", request.path, error.orig)
        return render_error(503)

    @app.errorhandler(InternalServerError)
    def _server_error(error):
        db.session.rollback()
        return render_error(500)


class ServiceError(Exception):
    """A rule was broken by the input; the message is shown to the user (and nothing is written)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
