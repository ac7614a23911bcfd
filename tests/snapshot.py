"""``db_snapshot(db)``: every row of every table, to assert that a repeated GET changes nothing more."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db as _db


def db_snapshot(db, exclude: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """All rows of all tables (sorted, as strings so that every type compares), read after a fresh expiry."""
    db.session.expire_all()
    out = {}
    for table in _db.metadata.sorted_tables:
        if table.name in exclude:
            continue
        out[table.name] = sorted(tuple(str(v) for v in row) for row in db.session.execute(select(table)))
    return out


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in after if before.get(name) != after[name]]
