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

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, create_engine, select
from werkzeug.datastructures import ETags
from werkzeug.http import parse_etags

from core.db import as_utc, utcnow
from core.security import SECURITY_HEADERS
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


class PollGate:
    """WSGI middleware: see the module docstring."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.serializer = URLSafeTimedSerializer(app.secret_key, salt=TOKEN_SALT)
        self.max_age = int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds())
        self.statement = state_statement()
        self._engine = None
        # The app's own security headers (one list, core.security), plus what the app adds to a page.
        self.headers = [*SECURITY_HEADERS, ("Cache-Control", "no-store")]

    def connection(self):
        """A connection for one read (the test suite swaps in its own).

        The gate keeps its own small engine on the app's database: autocommit (a single read needs no
        BEGIN/ROLLBACK) and no pre-ping (a dead connection only makes the gate pass the request on,
        and the failed connection is discarded) — two round trips fewer per poll on PostgreSQL.
        """
        if self._engine is None:
            from core.extensions import db

            with self.app.app_context():
                url = db.engine.url
            options = {k: v for k, v in (self.app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}).items()
                       if k != "pool_pre_ping"}
            self._engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=False, **options)
        return self._engine.connect()

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
        start_response("304 NOT MODIFIED", [("ETag", f'W/"{etag}"'), *self.headers])
        return [b""]

    def _check(self, environ) -> str | None:
        match = FEED_PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return None
        run_id = int(match.group(1))
        try:
            token_run, team_id, user_id = self.serializer.loads(environ["HTTP_X_POLL_TOKEN"], max_age=self.max_age)
        except (BadSignature, ValueError, TypeError):
            return None
        if token_run != run_id:
            return None
        with self.connection() as conn:
            state = conn.execute(self.statement, {"run_id": run_id, "team_id": team_id, "user_id": user_id}).first()
        if state is None:
            return None
        return not_modified(state, run_id, team_id, parse_etags(environ["HTTP_IF_NONE_MATCH"]))
