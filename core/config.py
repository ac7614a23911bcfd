"""Configuration: defaults here, then ``instance/config.py``, then ``KAKEHASHI_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask


class Config:
    """Defaults for every deployment; override in instance/config.py or with KAKEHASHI_* variables."""

    SITE_NAME = "Kakehashi"
    SQLALCHEMY_DATABASE_URI: str | None = None  # default computed from the instance folder
    # Extra SQLAlchemy engine options. ``pool_pre_ping`` defaults to on for database servers (a pooled
    # connection may have been dropped) and off for SQLite, where it would be a wasted statement on
    # every request; an explicit value here wins.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Bring an embedded SQLite database to head on start (PostgreSQL: run `flask db upgrade`).
    AUTO_UPGRADE_SQLITE = True
    # Check the schema revision when the site starts (not for CLI commands such as `db upgrade`).
    CHECK_DB_ON_START = True
    SECRET_KEY: str | None = None
    # A file holding the secret (KAKEHASHI_SECRET_KEY_FILE=/run/secrets/kakehashi); used if SECRET_KEY is unset.
    SECRET_KEY_FILE: str | None = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    IDLE_TIMEOUT_MINUTES = 60
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_TOKEN_HOURS = 72
    LOGIN_ACCOUNT_LIMIT = "5 per minute"
    LOGIN_ADDRESS_LIMIT = "30 per minute"
    # Rate-limit counters: memory:// counts per process (one process only, e.g. the SQLite demo);
    # redis://HOST:6379/DB shares them between every worker and machine. The limited pages (sign-in,
    # password reset, certificate verification, acknowledgement links) fail CLOSED when the storage is
    # down: they answer 503 rather than let unlimited guesses through. True would serve them unlimited.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = False
    # Seconds a client is asked to wait (Retry-After) when the database or Redis cannot be reached.
    RETRY_AFTER_SECONDS = 10
    # /readyz also requires the database at the code's migration head (not ready while behind).
    READYZ_CHECK_MIGRATIONS = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    MAX_IMPORT_ROWS = 20000
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "ja")
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "kakehashi@localhost"
    # When no MAIL_SERVER is set, messages go to the log and links are shown to the organiser.
    MAIL_BACKEND: str | None = None
    PREFERRED_URL_SCHEME = "http"
    # The site's public address, for links in mail and notifications written by background tasks
    # (outside a request) when SERVER_NAME is not set.
    PUBLIC_BASE_URL = "http://localhost:5000"
    # Number of reverse proxies in front of the site that set X-Forwarded-For/-Proto (0 = none).
    # Needed behind a proxy so that per-address login limits, HSTS and the audit log see the client.
    TRUSTED_PROXIES = 0
    HSTS_SECONDS = 31536000
    PER_PAGE = 50
    # "For publication" report downloads: figures about fewer than this many people are suppressed.
    PUBLICATION_MIN_PEOPLE = 5
    # Survey results and comments are shown (pages, dashboard, workbook) only from this many responses.
    SURVEY_MIN_RESPONSES = 5
    # Privacy notice (accounts/consent.py): {"en": "...", "ja": "..."} replaces the built-in text; a new
    # version asks every user again. REQUIRED: a signed-in user sees the notice until they decide.
    PRIVACY_NOTICE: dict | str | None = None
    PRIVACY_NOTICE_VERSION = "1"
    PRIVACY_NOTICE_REQUIRED = True
    # Retention (privacy/jobs.py): personal data is erased this many years after a person's last cohort
    # ended (aggregates are kept); None keeps it. `flask privacy retention --dry-run` lists who would go.
    RETENTION_YEARS: int | None = None
    # Task queue (Huey, see core/jobs.py): sqlite:///… (default instance/jobs.sqlite3), redis://…/DB,
    # memory://. The in-process consumer: "auto" = started by `flask run`; True = by any app process;
    # False = run `flask --app app worker` processes instead (production with Redis).
    JOBS_STORAGE_URL: str | None = None
    JOBS_IMMEDIATE = False
    JOBS_EMBEDDED_CONSUMER: bool | str = "auto"
    JOBS_EMBEDDED_WORKERS = 2
    # More eligible enrolments than this: certificates are issued by a background job with a progress
    # page (bench/certificate_issue_bench.py measured the cost per certificate).
    CERTIFICATE_SYNC_LIMIT = 40
    # More valid certificates than this: the cohort's zip of PDFs is built by a background job.
    CERTIFICATE_ZIP_SYNC_LIMIT = 20
    #: From this many Participants rows the report workbook / a template fill runs as a background job with
    #: a progress bar (bench/report_job_threshold.py: about 1 s of a request on a loaded 2-core machine).
    REPORT_JOB_MIN_ROWS = 5000
    REPORT_FILL_JOB_MIN_ROWS = 2000
    # Mail queue (core/mailqueue.py): a claimed message whose worker died is retried after the lease.
    MAIL_LEASE_SECONDS = 300
    MAIL_MAX_ATTEMPTS = 6
    # A message whose send was interrupted (worker killed mid-SMTP) is held as 'uncertain' for an admin;
    # True resends it instead (at-least-once: a duplicate becomes possible). See core/mailqueue.py.
    MAIL_RESEND_UNCERTAIN = False


class TestConfig(Config):
    """Settings for the test suite: fast hashes would be unrealistic, so keep scrypt; no auto-upgrade."""

    TESTING = True
    AUTO_UPGRADE_SQLITE = False
    CHECK_DB_ON_START = False
    SECRET_KEY = "test-secret-key"  # noqa: S105 - test only
    MAIL_BACKEND = "locmem"
    JOBS_STORAGE_URL = "memory://"
    JOBS_IMMEDIATE = True  # tasks run synchronously when enqueued (after the commit that queued them)
    RATELIMIT_STORAGE_URI = "memory://"
    READYZ_CHECK_MIGRATIONS = False  # the test schema is made by create_all, not stamped by Alembic
    WTF_CSRF_ENABLED = False
    SERVER_NAME = "localhost"
    PRIVACY_NOTICE_REQUIRED = False  # the consent tests switch it on


def load_config(app: Flask, config: dict | type | None) -> None:
    """Fill ``app.config`` in order: class defaults, instance file, environment, explicit overrides."""
    base = config if isinstance(config, type) else Config
    app.config.from_object(base)
    if not app.config.get("TESTING"):
        # Tests must not pick up a developer's local settings.
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("KAKEHASHI")
    if isinstance(config, dict):
        app.config.update(config)
    _normalise_durations(app)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        db_path = Path(app.instance_path) / "kakehashi.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS")
    )
    _redis_timeouts(app)
    if not app.config.get("SECRET_KEY") and app.config.get("SECRET_KEY_FILE"):
        app.config["SECRET_KEY"] = Path(app.config["SECRET_KEY_FILE"]).read_text().strip()
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if app.config.get("MAIL_BACKEND") is None:
        app.config["MAIL_BACKEND"] = "smtp" if app.config.get("MAIL_SERVER") else "core.mail.EmailBackend"


#: Settings that are durations: a number (as ``KAKEHASHI_PERMANENT_SESSION_LIFETIME=90`` gives) means seconds.
DURATION_SETTINGS = ("PERMANENT_SESSION_LIFETIME",)


def _normalise_durations(app: Flask) -> None:
    """Turn numbers of seconds into ``timedelta`` so that every reader can rely on one type."""
    for key in DURATION_SETTINGS:
        value = app.config.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            app.config[key] = timedelta(seconds=value)
        elif isinstance(value, str) and value.strip().isdigit():
            app.config[key] = timedelta(seconds=int(value))


def _redis_timeouts(app: Flask) -> None:
    """Bounded waits on a Redis rate-limit storage: an unreachable host answers 503 in seconds, not never."""
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis", "rediss")):
        options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        options.setdefault("socket_connect_timeout", 2)
        options.setdefault("socket_timeout", 2)
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options


def engine_options(uri: str, configured: dict | None) -> dict:
    """The engine options for ``uri``: a copy of ``configured`` with a default for ``pool_pre_ping``.

    A pre-ping costs a round trip at every connection checkout (once per request). It protects against
    connections a database server closed; an embedded SQLite file has no server, so it is off there.
    """
    options = dict(configured or {})
    options.setdefault("pool_pre_ping", not uri.startswith("sqlite"))
    return options


def _instance_secret(instance: Path) -> str:
    """A development secret generated once into instance/secret_key (git-ignored)."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
