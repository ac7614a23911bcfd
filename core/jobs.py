"""The task queue: one Huey instance, bound to the app in ``create_app``.

Why Huey: it is a small, well-kept library whose queue can live in an SQLite file (so the README's
single run command needs no extra service: the site starts an in-process consumer) and in Redis
with any number of ``flask --app app worker`` processes in production. It has retries with back-off,
periodic (cron-like) tasks and signals for failures. Celery would need a broker even for a demo.

Storage is chosen by ``JOBS_STORAGE_URL``: ``sqlite:///path`` (default: ``instance/jobs.sqlite3``),
``redis://host:port/db`` or ``memory://``. ``JOBS_IMMEDIATE`` runs tasks synchronously (tests).

Tasks are declared with :func:`job` / :func:`periodic_job`; each run gets its own app context, so its
own database session and transaction.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import signal
import threading
import traceback
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app, has_app_context, has_request_context
from flask.cli import with_appcontext
from huey import Huey
from huey import signals as S
from huey.consumer import Consumer
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import utcnow
from core.extensions import db

log = logging.getLogger("kakehashi.jobs")

#: The one queue. Storage is replaced in :func:`init_app` from the configuration.
huey = Huey("kakehashi", storage_class=MemoryStorage, utc=True)
_state: dict = {"app": None, "consumer": None}


def init_app(app: Flask) -> None:
    """Point the queue at the configured storage and remember the app for the tasks."""
    url = app.config.get("JOBS_STORAGE_URL") or f"sqlite:///{Path(app.instance_path) / 'jobs.sqlite3'}"
    app.config["JOBS_STORAGE_URL"] = url
    if url.startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": url[len("sqlite:///"):]}
    elif url.startswith(("redis://", "rediss://", "unix://")):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": url}
    else:
        huey.storage_class, huey.storage_kwargs = MemoryStorage, {}
    huey._immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    huey.immediate_use_memory = False  # the configured storage also in immediate mode (tests on Redis)
    huey.storage = huey.create_storage()
    _state["app"] = app
    app.extensions["huey"] = huey
    app.cli.add_command(worker_command)


def task_app() -> Flask:
    """The app a task runs in: the current one when called inside it, else the one bound last."""
    if has_app_context():
        return current_app._get_current_object()
    if _state["app"] is None:  # pragma: no cover - a worker always builds the app first
        raise RuntimeError("the task queue is not bound to an app; call create_app() first")
    return _state["app"]


class FailedJob(db.Model):
    """A task that failed for good (retries used up): shown to admins, who may retry it."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    task_path: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[str] = mapped_column(Text, default="[]")  # JSON [args, kwargs]
    error: Mapped[str] = mapped_column(Text, default="")
    retried_at: Mapped[datetime | None] = mapped_column()
    retried_by_id: Mapped[int | None] = mapped_column()

    @property
    def label(self) -> str:
        return self.task_path.rsplit(".", 1)[-1].replace("_", " ")


@huey.signal(S.SIGNAL_ERROR)
def _record_failure(signal, task, exc=None) -> None:
    """After the last retry, write a ``FailedJob`` row (in its own transaction)."""
    if task.retries:
        return  # Huey retries it (with back-off)
    try:
        arguments = json.dumps([list(task.args), task.kwargs], default=str)
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip() if exc else ""
        with task_app().app_context():
            db.session.add(FailedJob(task_path=huey._registry.task_to_string(type(task)), task_id=task.id,
                                     arguments=arguments, error=error[:4000]))
            db.session.commit()
    except Exception:  # recording must never break the consumer
        log.exception("could not record the failure of task %s", task.id)


def retry_failed(failed: FailedJob, actor=None) -> None:
    """Enqueue the failed task again with the same arguments (the caller commits)."""
    task_class = huey._registry.string_to_task(failed.task_path)
    args, kwargs = json.loads(failed.arguments or "[[], {}]")
    failed.retried_at = utcnow()
    failed.retried_by_id = getattr(actor, "id", None)
    huey.enqueue(task_class(args=tuple(args), kwargs=kwargs))


def _url_context(app: Flask):
    """Let a task build absolute links (mail, notifications) in a worker process, outside any request.

    With ``SERVER_NAME`` set Flask builds them from it; otherwise a request context on
    ``PUBLIC_BASE_URL`` (the site's public address) is pushed, inside the task's own app context.
    """
    if app.config.get("SERVER_NAME") or has_request_context():
        return contextlib.nullcontext()
    return app.test_request_context("/", base_url=app.config.get("PUBLIC_BASE_URL") or "http://localhost:5000")


def _in_app_context(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        app = task_app()
        with app.app_context(), _url_context(app):  # a fresh context: the task's own session and transaction
            from core.extensions import db

            try:
                return fn(*args, **kwargs)
            except BaseException:
                db.session.rollback()
                raise
    return wrapper


def job(retries: int = 5, retry_delay: int = 10, retry_backoff: float = 2.0, **options):
    """Declare a background task (idempotent by contract) retried with exponential back-off."""
    def decorate(fn):
        return huey.task(retries=retries, retry_delay=retry_delay, retry_backoff=retry_backoff,
                         name=fn.__name__, **options)(_in_app_context(fn))
    return decorate


def periodic_job(schedule, **options):
    """Declare a periodic task (``huey.crontab(...)``); it runs in every consumer with periodic=True."""
    def decorate(fn):
        return huey.periodic_task(schedule, name=fn.__name__, **options)(_in_app_context(fn))
    return decorate


class EmbeddedConsumer(Consumer):
    """A consumer on daemon threads inside the web process: leaves the server's signal handling alone."""

    def _set_signal_handlers(self):
        pass


def start_embedded_consumer(app: Flask) -> Consumer | None:
    """Start worker threads and the scheduler in this process (once); used by ``flask run``."""
    if _state["consumer"] is not None or huey.immediate:
        return _state["consumer"]
    consumer = EmbeddedConsumer(huey, workers=int(app.config.get("JOBS_EMBEDDED_WORKERS", 2)),
                                worker_type="thread", periodic=True, check_worker_health=False)
    consumer.start()
    _state["consumer"] = consumer
    for task_class in huey._registry._periodic_tasks:  # catch up at once after the site was stopped
        huey.enqueue(task_class())
    log.info("in-process job consumer started (%s, pid %s)", app.config["JOBS_STORAGE_URL"].split(":")[0],
             os.getpid())
    return consumer


def stop_embedded_consumer() -> None:
    consumer = _state["consumer"]
    if consumer is not None:
        consumer.stop(graceful=False)
        _state["consumer"] = None


def maybe_start_for_dev_server(app: Flask) -> None:
    """Start the in-process consumer when this process serves ``flask run`` (not its reloader parent).

    ``JOBS_EMBEDDED_CONSUMER``: ``"auto"`` (default: only for ``flask run``), ``True`` (any serving
    process, e.g. a single gunicorn worker), ``False`` (separate ``flask --app app worker`` processes).
    """
    mode = app.config.get("JOBS_EMBEDDED_CONSUMER", "auto")
    if mode is False or app.config.get("TESTING") or huey.immediate:
        return
    if mode == "auto":
        ctx = click.get_current_context(silent=True)
        if ctx is None or ctx.info_name != "run":
            return
        reload = ctx.params.get("reload")
        if reload is None:
            reload = app.debug
        if reload and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
            return  # the reloader's watcher process serves nothing
    start_embedded_consumer(app)


#: Set when this process was asked to stop (SIGTERM or SIGINT): long tasks end between two steps.
_stopping = threading.Event()


def stopping() -> bool:
    """True once this worker process was asked to stop: a task in a loop finishes its step and gives back the rest."""
    return _stopping.is_set()


class WorkerConsumer(Consumer):
    """``flask --app app worker``: SIGTERM (systemd, Docker, supervisor) and SIGINT both stop *gracefully*.

    Huey's own consumer treats SIGTERM as "stop now": its worker threads are daemon threads, so a task
    is cut off wherever it is (a message half-sent). Here both signals set :func:`stopping` and wait for
    the worker threads, which finish the step they are in (the mail queue: the message in flight) and
    release what they had claimed. A second signal stops at once (Huey's behaviour).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._signal_actions[signal.SIGTERM] = (False, True)  # (restart, graceful)
        self._signal_actions[signal.SIGINT] = (False, True)

    def _handle_signal(self, signum, frame):
        super()._handle_signal(signum, frame)
        if not self._restart:
            _stopping.set()


@click.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="worker threads in this process")
@click.option("--no-periodic", is_flag=True, help="do not run the periodic (scheduled) tasks in this process")
@with_appcontext
def worker_command(workers: int, no_periodic: bool) -> None:
    """Run a task-queue consumer (production: one or more of these next to gunicorn, with Redis storage)."""
    if huey.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is on: tasks run synchronously, there is nothing to consume")
    click.echo(f"consuming {current_app.config['JOBS_STORAGE_URL'].split('@')[-1]} with {workers} threads")
    WorkerConsumer(huey, workers=workers, worker_type="thread", periodic=not no_periodic).run()


# --- long-running work a user waits for: a progress row the page polls ---------------------------

class JobRun(db.Model):
    """One run of a bulk job a user started (certificates for a cohort …): progress and result file.

    The task updates ``done``/``total`` in the same commits as its work, so the progress shown is
    the progress made. ``result_key`` names a file in :mod:`core.filestore` (kind ``download``,
    with an expiry) when the job produces one.
    """

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    subject_id: Mapped[int | None] = mapped_column(index=True)  # e.g. the cohort
    owner_id: Mapped[int | None] = mapped_column(index=True)
    parameters: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued, running, done, failed
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(Text, default="")
    result_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "status": self.status, "done": self.done, "total": self.total,
                "percent": self.percent, "outcome": self.outcome, "has_result": bool(self.result_key)}


def enqueue_after_commit(task, *args) -> None:
    """Enqueue ``task(*args)`` once the current transaction commits (nothing if it rolls back)."""
    db.session.info.setdefault("kk_after_commit_tasks", []).append((task, args))


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session) -> None:
    for task, args in session.info.pop("kk_after_commit_tasks", []):
        try:
            task(*args)
        except Exception:  # the queue being down: the run stays "queued" and the user may start it again
            log.exception("could not enqueue %s", getattr(task, "name", task))


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_commit(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop("kk_after_commit_tasks", None)
