"""Flask extensions, created unbound here and bound in ``create_app`` with ``init_app``."""

from flask import current_app, has_app_context
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from core.db import Base


def _per_app(name: str) -> property:
    """An attribute of the limiter kept per application (in ``app.extensions``), not per Limiter object."""

    def _state() -> dict | None:
        return current_app.extensions.get("kakehashi_limiter") if has_app_context() else None

    def getter(self):
        state = _state()
        if state is not None and name in state:
            return state[name]
        return self.__dict__.get(name)

    def setter(self, value):
        state = _state()
        if state is not None:
            state[name] = value
        else:
            self.__dict__[name] = value

    return property(getter, setter)


class AppLimiter(Limiter):
    """Flask-Limiter with its storage and settings held per application.

    The routes' ``@limiter.limit`` decorators need one module-level object, but Flask-Limiter keeps the
    storage, the error policy and the "enabled" switch on that object, so in one process the *last*
    app's storage (and the *first* app's ``RATELIMIT_SWALLOW_ERRORS``) would apply to every app. Each
    app gets its own here: two app objects share counters only if their ``RATELIMIT_STORAGE_URI`` does
    (the two-instance tests depend on this being true, as it is for two processes).
    """

    _storage = _per_app("_storage")
    _limiter = _per_app("_limiter")
    _swallow_errors = _per_app("_swallow_errors")
    _storage_dead = _per_app("_storage_dead")
    enabled = _per_app("enabled")

    def init_app(self, app) -> None:
        app.extensions["kakehashi_limiter"] = {"_swallow_errors": None, "_storage_dead": False,
                                               "enabled": True}
        with app.app_context():
            super().init_app(app)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = AppLimiter(key_func=get_remote_address, default_limits=[])
mail = Mail()


def plain_rows(statement, params: dict | None = None):
    """Rows of a plain-column ``select()`` (no entities), run on the session's connection — the request's one
    transaction — without the ORM's execution layer: the ORM's per-statement setup and row processing (half or
    more of a small read's CPU time; about 300,000 CPU instructions a statement, counted with callgrind) are
    skipped. Pending changes are flushed first, as the ORM's autoflush would (unless autoflush is off, e.g.
    inside ``no_autoflush``), so the rows are those the ORM would read; on a session with nothing pending
    that is a check, not a flush."""
    session = db.session()
    if session.autoflush:
        session.flush()  # returns at once when nothing is pending
    return session.connection().execute(statement, params or {})
