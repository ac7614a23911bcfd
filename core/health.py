"""``/healthz`` (liveness) and ``/readyz`` (readiness) for load balancers and process managers.

- ``/healthz`` answers 200 while the process can serve a request: it asks no other service, so a
  database outage does not make the process manager restart healthy workers.
- ``/readyz`` answers 200 when the database answers ``SELECT 1`` and is at the code's migration head,
  the rate-limit storage answers (when it is a shared one, e.g. Redis) and the job storage answers;
  else 503 with the same JSON naming the failing check. A load balancer sends traffic only to ready
  instances.

Both are public, exempt from rate limits, set no session cookie and reveal no data: each check says
``ok``, ``skipped`` or the class name of the error, nothing else (no host names, no messages).
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Flask, current_app, jsonify
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import text

from core.extensions import db, limiter
from core.security import ACCESS_ATTR

log = logging.getLogger("kakehashi.health")
bp = Blueprint("health", __name__)


def _public(view):
    setattr(view, ACCESS_ATTR, "public")
    return view


def _no_store(payload: dict, status: int):
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 503:
        response.headers["Retry-After"] = str(int(current_app.config.get("RETRY_AFTER_SECONDS", 10)))
    return response


@bp.route("/healthz")
@_public
@limiter.exempt
def healthz():
    """Liveness: the process answers. Asks nothing else."""
    return _no_store({"status": "ok"}, 200)


def _check_database() -> str:
    from core.dbcheck import head_revision

    db.session.execute(text("SELECT 1"))
    if not current_app.config.get("READYZ_CHECK_MIGRATIONS", True):
        return "ok"
    from alembic.runtime.migration import MigrationContext

    current = MigrationContext.configure(db.session.connection()).get_current_revision()
    head = current_app.extensions.setdefault("kakehashi_head_revision", head_revision())
    return "ok" if current == head else "behind"


def _check_ratelimit() -> str:
    uri = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if uri.startswith("memory"):
        return "skipped"
    return "ok" if limiter.storage.check() else "unreachable"


def _check_jobs() -> str:
    from core.jobs import huey

    if huey.immediate:
        return "skipped"
    huey.pending_count()
    return "ok"


CHECKS = (("database", _check_database), ("ratelimit", _check_ratelimit), ("jobs", _check_jobs))


@bp.route("/readyz")
@_public
@limiter.exempt
def readyz():
    """Readiness: every service this instance needs answers, and the schema is at head."""
    checks: dict[str, str] = {}
    timings: dict[str, float] = {}
    for name, check in CHECKS:
        started = time.perf_counter()
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - a failing check is the answer, not an error
            checks[name] = exc.__class__.__name__
            log.warning("readiness check %s failed: %s", name, exc.__class__.__name__)
        finally:
            if name == "database":
                try:
                    db.session.rollback()
                except Exception:  # noqa: BLE001 - a dead connection is discarded by the pool
                    log.debug("rollback after the database check failed")
        timings[name] = round((time.perf_counter() - started) * 1000, 1)
    ready = all(value in ("ok", "skipped") for value in checks.values())
    return _no_store({"status": "ok" if ready else "unavailable", "checks": checks, "ms": timings},
                     200 if ready else 503)


PATHS = ("/healthz", "/readyz")


class _SessionlessProbes(SecureCookieSessionInterface):
    """The probes get a null session: no cookie is read or written, no user is loaded."""

    def open_session(self, app, request):
        if request.path in PATHS:
            return self.make_null_session(app)
        return super().open_session(app, request)


def register_health(app: Flask) -> None:
    app.register_blueprint(bp)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = _SessionlessProbes()
