"""Security headers and the default-deny rule: every endpoint must declare who may use it."""

from __future__ import annotations

import logging

from flask import Flask, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("kakehashi.security")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

#: Sent with every response unless the view set its own value.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)



def hsts_header(app) -> tuple[str, str]:
    return ("Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains")


def gate_headers(app, secure: bool) -> list[tuple[str, str]]:
    """The headers of a response answered before the app (the exercise poll gate): the same
    ``SECURITY_HEADERS`` as every page, ``Cache-Control: no-store`` and, over HTTPS, HSTS."""
    headers = [*SECURITY_HEADERS, ("Cache-Control", "no-store")]
    if secure:
        headers.append(hsts_header(app))
    return headers


#: Attribute that access decorators (``accounts.permissions``) set on a view function.
ACCESS_ATTR = "kakehashi_access"


def access_of(view) -> str | None:
    """The declared access rule of a view function, or None if it declared nothing."""
    return getattr(view, ACCESS_ATTR, None)


def register_security(app: Flask) -> None:
    """Install the default-deny check, the response security headers and, if configured, ProxyFix."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    @app.before_request
    def _default_deny():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = current_app.view_functions.get(request.endpoint)
        if access_of(view) is None:
            log.error("endpoint %s declares no access rule; refused", request.endpoint)
            abort(403)
        return None

    @app.after_request
    def _headers(response):
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}  # one pass, not one scan per header
        headers.extend([(name, value) for name, value in SECURITY_HEADERS if name.lower() not in present])
        if request.is_secure and "strict-transport-security" not in present:
            headers.set(*hsts_header(current_app))
        if request.endpoint != "static" and "content-disposition" in present:
            # A download (certificate, zip, workbook, AAR, export) may hold personal data: no cache may
            # keep it, whatever the sending code (``send_file`` says ``no-cache``) chose.
            headers["Cache-Control"] = "no-store, private"
        elif "cache-control" not in present and request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        return response
