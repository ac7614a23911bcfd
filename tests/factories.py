"""Plain builder functions with sequences (in the style of Redash's ModelFactory and CTFd's gen_*)."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from accounts.models import User
from core.extensions import db

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test credential
_seq = itertools.count(1)
_HASH = None


def seq() -> int:
    return next(_seq)


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = generate_password_hash(PASSWORD)
    return _HASH


def user(role: str = "organiser", email: str | None = None, **fields) -> User:
    n = seq()
    obj = User(
        email=email or f"user{n}@example.org",
        display_name=fields.pop("display_name", f"User {n}"),
        role=role,
        password_hash=fields.pop("password_hash", _password_hash()),
        **fields,
    )
    db.session.add(obj)
    db.session.flush()
    return obj
