"""A small cache of computed report figures that can never serve figures older than the last write.

The *data version* is a counter in the database (``data_versions``, row ``reports``), so every worker
of every instance sees the same value. Any transaction that writes a table some report figure reads
bumps the counter **in that same transaction**, just before it commits: the new figures and the new
version become visible together, and a rolled-back write changes neither. The watched tables are not
a hand-kept list: they are the ``tables`` declared by the registered report sources
(``core.reporting``; a test checks that every source reads only tables it declares).

Figures are cached per process under (database, data version, key); reading the version is one small
query per request. A write made outside the application (raw SQL in a database console) does not bump
the version: run ``flask reports bump-version`` afterwards, or switch the cache off with
``KAKEHASHI_REPORTS_CACHE=false``. The counter is bumped whether or not this instance caches, so
instances with different settings still agree.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from itertools import chain

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, object_mapper

from core.reporting import REPORTS_VERSION, DataVersion, reported_tables

_MAX_ENTRIES = 64
_FLAG = "reports_data_changed"
_G_VERSION = "_reports_data_version"
_VERSION_SELECT = select(DataVersion.__table__.c.version).where(DataVersion.__table__.c.name == REPORTS_VERSION)

_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()


def _reported() -> frozenset[str]:
    return reported_tables(current_app) if has_app_context() else frozenset()


def _writes_reported(objects, reported: frozenset[str]) -> bool:
    for obj in objects:
        try:
            tables = object_mapper(obj).tables
        except Exception:  # noqa: BLE001, S112 - not a mapped object: cannot feed a report
            continue
        if any(t.name in reported for t in tables):
            return True
    return False


def _after_flush(session, flush_context) -> None:
    if session.info.get(_FLAG):
        return
    if _writes_reported(chain(session.new, session.dirty, session.deleted), _reported()):
        session.info[_FLAG] = True


def _do_orm_execute(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)  # ORM statements carry an annotated copy of the Table
        if name is None or name in _reported():
            state.session.info[_FLAG] = True


def _before_commit(session) -> None:
    session.flush()  # pending objects decide whether this transaction wrote reported tables
    if session.info.pop(_FLAG, False):
        session.execute(update(DataVersion).where(DataVersion.name == REPORTS_VERSION)
                        .values(version=DataVersion.version + 1))
        session.info["reports_data_bumped"] = True


def _after_commit(session) -> None:
    if session.info.pop("reports_data_bumped", False) and has_app_context():
        g.pop(_G_VERSION, None)


def _after_soft_rollback(session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_FLAG, None)
        session.info.pop("reports_data_bumped", None)


def install_listeners() -> None:
    """Watch every ORM session for writes to reported tables (idempotent)."""
    for name, fn in (("after_flush", _after_flush), ("do_orm_execute", _do_orm_execute),
                     ("before_commit", _before_commit), ("after_commit", _after_commit),
                     ("after_soft_rollback", _after_soft_rollback)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)


def bump(app: Flask | None = None) -> None:
    """Record that reported data changed (in the current transaction; the caller commits)."""
    from core.extensions import db

    db.session.execute(update(DataVersion).where(DataVersion.name == REPORTS_VERSION)
                       .values(version=DataVersion.version + 1))


def current_version(app: Flask | None = None) -> int | None:
    """The data version (read once per request), or None when the row is missing (then: no caching)."""
    from core.extensions import db

    if _G_VERSION not in g:
        # A Core select on the session's connection (same transaction): the ORM layer adds nothing to
        # reading one integer and cost a fifth of the report page's CPU time.
        g.setdefault(_G_VERSION, db.session.connection().execute(_VERSION_SELECT).scalar())
    return g.get(_G_VERSION)


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
        return compute()
    full_key = (app.config["SQLALCHEMY_DATABASE_URI"], version, *key)
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
