"""A small cache of computed report figures that can never serve figures older than the last write.

Every commit that wrote rows of a reported feature (trainees, courses, exercises tables) replaces a
*data version* token kept in a file (``REPORTS_DATA_VERSION_FILE``, by default
``instance/reports-data-version``), so every worker process on the machine sees the change on its
very next request. Figures are cached per process under (filter, data version); a request after a
write therefore recomputes. If the token cannot be written or read, nothing is cached.

Writes that bypass the application (raw SQL in a database console) do not bump the token; run
``flask reports bump-version`` after such changes, or switch the cache off with
``KAKEHASHI_REPORTS_CACHE=false``. Several machines sharing one database need the token file on
shared storage, or the cache switched off.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("kakehashi.reports")

#: Modules whose tables feed the reports.
WATCHED_MODULES = ("trainees.", "courses.", "exercises.", "impact.")
_MAX_ENTRIES = 64
_FLAG = "reports_data_changed"

_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()


def _watched_class(cls) -> bool:
    return cls.__module__.startswith(WATCHED_MODULES)


def _watched_table(table) -> bool:
    from core.extensions import db

    name = getattr(table, "name", None)  # ORM statements carry an annotated copy of the Table
    return any(getattr(m.local_table, "name", None) == name and _watched_class(m.class_)
               for m in db.Model.registry.mappers)


def _after_flush(session, flush_context) -> None:
    if not session.info.get(_FLAG) and any(
            _watched_class(type(obj)) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_FLAG] = True


def _do_orm_execute(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is None or _watched_table(table):
            state.session.info[_FLAG] = True


def _after_commit(session) -> None:
    if session.info.pop(_FLAG, False) and has_app_context() and enabled(current_app):
        bump(current_app)


def _after_soft_rollback(session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_FLAG, None)


def install_listeners() -> None:
    """Watch every ORM session for writes to reported tables (idempotent)."""
    for name, fn in (("after_flush", _after_flush), ("do_orm_execute", _do_orm_execute),
                     ("after_commit", _after_commit), ("after_soft_rollback", _after_soft_rollback)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


def version_file(app: Flask) -> Path:
    configured = app.config.get("REPORTS_DATA_VERSION_FILE")
    return Path(configured) if configured else Path(app.instance_path) / "reports-data-version"


def bump(app: Flask) -> None:
    """Record that reported data changed (atomically replaces the token; on failure removes it)."""
    path = version_file(app)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        tmp.write_text(secrets.token_hex(16))
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("cannot write the report data version %s (%s); caching stops", path, exc)
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    with _lock:
        _entries.clear()


def current_version(app: Flask) -> str | None:
    """The data-version token, or None (no token yet or unreadable: do not cache)."""
    try:
        return version_file(app).read_text().strip() or None
    except OSError:
        return None


def enabled(app: Flask) -> bool:
    value = app.config.get("REPORTS_CACHE", True)
    if isinstance(value, str):
        value = value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


def cached(key: tuple, compute):
    """``compute()`` or its cached result for ``key`` under the current data version."""
    app = current_app._get_current_object()
    if not enabled(app):
        return compute()
    version = current_version(app)
    if version is None:
        bump(app)
        version = current_version(app)
        if version is None:
            return compute()
    full_key = (version, *key)
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _entries[full_key]
    value = compute()
    with _lock:
        _entries[full_key] = value
        while len(_entries) > _MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
