"""Query-string numbers validated in one place (issue 13 item 6).

Every list page reads its filters and its page number with ``request.args.get(name, type=int)`` (Flask-
SQLAlchemy's ``paginate`` does the same). A number such as ``page=99999999999999999999999`` parses in
Python but overflows the database driver (``OverflowError`` → 500). The request's argument dictionary
here refuses such numbers exactly like a malformed value: ``get`` returns the default and the page shows
a note that the value was ignored.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context
from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict

#: Arguments that are always numbers, even where the reader parses them itself (``int(args.get("page"))``
#: in Flask-SQLAlchemy's pagination).
NUMERIC_ARGS = frozenset({"page", "per_page"})

#: Largest magnitude accepted for an integer argument (PostgreSQL ``integer``; ids and page numbers fit).
MAX_QUERY_INT = 2**31 - 1


def _too_big(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_QUERY_INT


def _note(key: str) -> None:
    if has_request_context():
        ignored = g.setdefault("ignored_query_args", [])
        if key not in ignored:
            ignored.append(key)


class SafeArgs(ImmutableMultiDict):
    """Query arguments whose typed ``get``/``getlist`` treat out-of-range integers as invalid."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        value = super().get(key, default=default, type=type)
        if type is None and key in NUMERIC_ARGS and isinstance(value, str):
            try:
                number = int(value)
            except ValueError:
                return value
            if _too_big(number):
                _note(key)
                return default
            return value
        if type is not None and value is not default and _too_big(value):
            _note(key)
            return default
        return value

    def getlist(self, key, type=None):  # noqa: A002 - werkzeug's signature
        values = super().getlist(key, type=type)
        if type is None:
            return values
        kept = [v for v in values if not _too_big(v)]
        if len(kept) != len(values):
            _note(key)
        return kept


class Request(FlaskRequest):
    parameter_storage_class = SafeArgs


def ignored_query_args() -> list[str]:
    """Names of query arguments ignored in this request because their number was out of range."""
    return list(g.get("ignored_query_args", [])) if has_request_context() else []


def register_querystring(app: Flask) -> None:
    app.request_class = Request
    app.jinja_env.globals["ignored_query_args"] = ignored_query_args
