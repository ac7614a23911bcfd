"""A WSGI gate in front of the app for the one hot request of a live exercise: a player's idle poll.

Thirty teams polling every few seconds would otherwise each pay the full request pipeline (session
cookie, sign-in lookup, rate limiter, hooks) just to hear "nothing new". The gate answers
``GET /exercises/play/<run>/feed.json`` with **304 Not Modified** when — and only when — the request
carries a valid signed poll token (run, team, user; issued by the room page, valid for a session
lifetime), an If-None-Match that equals the team's current ETag, and one small query confirms the
user is still on that team of that run and no inject is falling due. Everything else, including any
error here, goes to the app unchanged, where the normal sign-in and membership checks apply.
A 304 carries no content, so the gate can reveal nothing a player may not see.
"""

from __future__ import annotations

import logging
import re
import time

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, create_engine, select
from werkzeug.datastructures import ETags
from werkzeug.http import parse_etags

from core.db import as_utc, utcnow
from core.security import gate_headers
from exercises.timeline import Clock

log = logging.getLogger("kakehashi.exercises.pollgate")
FEED_PATH = re.compile(r"^/exercises/play/(\d+)/feed\.json$")
TOKEN_SALT = "exercise-poll"  # noqa: S105 - a signing salt name, not a secret


def etag_for(run_id: int, run_revision: int, team_id: int, team_revision: int) -> str:
    """The (weak) ETag value of a team's feed; shared by the gate and the feed view."""
    return f"r{run_id}.{run_revision}.t{team_id}.{team_revision}"


def state_statement():
    from exercises.models import ExerciseRun, Team, TeamMember
    from trainees.models import Trainee

    # "status != 'draft'" is lifecycle.PLAYER_STATUSES without an IN list to expand per execution.
    return (select(ExerciseRun.revision, ExerciseRun.status, ExerciseRun.next_due_minutes, ExerciseRun.started_at,
                   ExerciseRun.paused_at, ExerciseRun.paused_seconds, ExerciseRun.ended_at, Team.revision)
            .join(Team, Team.run_id == ExerciseRun.id)
            .join(TeamMember, TeamMember.team_id == Team.id)
            .join(Trainee, Trainee.id == TeamMember.trainee_id)
            .where(ExerciseRun.id == bindparam("run_id"), Team.id == bindparam("team_id"),
                   Trainee.user_id == bindparam("user_id"), ExerciseRun.status != "draft")
            .limit(1))


def not_modified(state, run_id: int, team_id: int, if_none_match: ETags, now=None) -> str | None:
    """The ETag to answer 304 with, or None when the app must answer (changed, or an inject is due)."""
    run_revision, status, next_due, started, paused, paused_seconds, ended, team_revision = state
    if status == "running" and next_due is not None:
        clock = Clock(as_utc(started), as_utc(paused), paused_seconds or 0, as_utc(ended))
        if clock.elapsed(now or utcnow()) >= next_due * 60:
            return None
    etag = etag_for(run_id, run_revision, team_id, team_revision)
    return etag if if_none_match.contains_weak(etag) else None


TOKEN_CACHE_SIZE = 4096  # verified tokens kept per process (one per player and room visit)


class _Result:
    __slots__ = ("row",)

    def __init__(self, row):
        self.row = row

    def first(self):
        return self.row


class _RawRead:
    """One pooled DBAPI connection that runs the gate's statement below SQLAlchemy's Connection and Result layers
    (on PostgreSQL those cost more CPU than the query itself: bench/exercise_poll.py). The statement is compiled
    once for the engine's dialect, and the dialect's own bind and result processors are applied, so values come
    back exactly as SQLAlchemy would return them. Any error invalidates the connection (never back to the pool)."""

    def __init__(self, gate):
        self.gate = gate
        self.dbapi_connection = gate._engine.raw_connection()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.dbapi_connection.invalidate()
        self.dbapi_connection.close()

    def execute(self, statement, params: dict) -> _Result:
        sql, names, bind_processors, result_processors = self.gate._compiled(statement)
        values = {**self.gate._compiled_params, **params}
        for name, process in bind_processors:
            values[name] = process(values[name])
        cursor = self.dbapi_connection.cursor()
        try:
            cursor.execute(sql, [values[n] for n in names] if names is not None else values)
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return _Result(None)
        return _Result(tuple(v if p is None or v is None else p(v) for p, v in zip(result_processors, row,
                                                                                     strict=True)))


class PollGate:
    """WSGI middleware: see the module docstring."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.serializer = URLSafeTimedSerializer(app.secret_key, salt=TOKEN_SALT)
        self.max_age = int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())
        self.statement = state_statement()
        self._engine = None
        self._compiled_for = None  # (statement, sql, bind names in order or None, bind processors, result processors)
        self._compiled_params: dict = {}
        self._tokens: dict[str, tuple[int, tuple]] = {}  # verified token → (timestamp, payload)
        # The one list of security headers (core.security), never a copy that can fall behind it.
        self.headers = gate_headers(app, secure=False)
        self.secure_headers = gate_headers(app, secure=True)
        self.proxies = int(app.config.get("TRUSTED_PROXIES") or 0)

    def _is_secure(self, environ) -> bool:
        """HTTPS, as the app would see it (the gate runs before ProxyFix, so read the trusted proxy's header)."""
        if environ.get("wsgi.url_scheme") == "https":
            return True
        if self.proxies:
            forwarded = [p.strip() for p in environ.get("HTTP_X_FORWARDED_PROTO", "").split(",") if p.strip()]
            return len(forwarded) >= self.proxies and forwarded[-self.proxies] == "https"
        return False

    def connection(self):
        """A connection for one read (the test suite swaps in its own SQLAlchemy connection).

        The gate keeps its own small engine on the app's database: autocommit (a single read needs no
        BEGIN/ROLLBACK) and no pre-ping (a dead connection only makes the gate pass the request on,
        and the failed connection is discarded) — two round trips fewer per poll on PostgreSQL. The read
        itself goes straight to the pooled DBAPI connection (``_RawRead``).
        """
        if self._engine is None:
            from core.extensions import db

            with self.app.app_context():
                url = db.engine.url
            options = {k: v for k, v in (self.app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}).items()
                       if k != "pool_pre_ping"}
            self._engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=False, **options)
        return _RawRead(self)

    def _compiled(self, statement):
        """SQL text, bind order (positional paramstyles) and processors of ``statement``, compiled once."""
        cached = self._compiled_for
        if cached is None or cached[0] is not statement:
            dialect = self._engine.dialect
            compiled = statement.compile(dialect=dialect)
            names = list(compiled.positiontup) if compiled.positional else None
            binds = [(name, bind.type.dialect_impl(dialect).bind_processor(dialect))
                     for name, bind in compiled.binds.items()]
            results = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                       for column in statement.selected_columns]
            self._compiled_params = dict(compiled.params)
            cached = self._compiled_for = (statement, compiled.string, names,
                                           [(n, p) for n, p in binds if p is not None], results)
        return cached[1:]

    def _token(self, token: str):
        """(run, team, user) of a valid, unexpired token. A signature, once verified, is remembered for this
        process (it depends only on the token and the secret key); the age is checked on every poll."""
        known = self._tokens.get(token)
        if known is None:
            payload, signed_at = self.serializer.loads(token, max_age=self.max_age, return_timestamp=True)
            known = (int(signed_at.timestamp()), tuple(payload))
            if len(self._tokens) >= TOKEN_CACHE_SIZE:
                self._tokens.clear()
            self._tokens[token] = known
        age = int(time.time()) - known[0]
        if age < 0 or age > self.max_age:
            self._tokens.pop(token, None)
            return None
        return known[1]

    def __call__(self, environ, start_response):
        etag = None
        if environ.get("REQUEST_METHOD") == "GET" and "HTTP_X_POLL_TOKEN" in environ \
                and "HTTP_IF_NONE_MATCH" in environ:
            try:
                etag = self._check(environ)
            except Exception as exc:  # noqa: BLE001 - any doubt: let the app answer with its full checks
                log.warning("poll gate passed a request on to the app: %s", exc.__class__.__name__)
                etag = None
        if etag is None:
            return self.wsgi_app(environ, start_response)
        headers = self.secure_headers if self._is_secure(environ) else self.headers
        start_response("304 NOT MODIFIED", [("ETag", f'W/"{etag}"'), *headers])
        return [b""]

    def _check(self, environ) -> str | None:
        match = FEED_PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return None
        run_id = int(match.group(1))
        try:
            payload = self._token(environ["HTTP_X_POLL_TOKEN"])
            if payload is None:
                return None
            token_run, team_id, user_id = payload
        except (BadSignature, ValueError, TypeError):
            return None
        if token_run != run_id:
            return None
        with self.connection() as conn:
            state = conn.execute(self.statement, {"run_id": run_id, "team_id": team_id, "user_id": user_id}).first()
        if state is None:
            return None
        return not_modified(state, run_id, team_id, parse_etags(environ["HTTP_IF_NONE_MATCH"]))
