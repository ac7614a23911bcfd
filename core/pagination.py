"""Pagination of plain-column reads: Flask-SQLAlchemy's ``Pagination`` (same page arguments, same ``pages``,
``has_next``… for the pager macro) over a ``select()`` of columns, with the total counted in the same statement.

``db.paginate`` runs two statements — the page's rows as ORM entities and ``count(*)`` over the whole select —
which on a list page of 20 rows cost as much as the rest of the page. Here the page's rows come as plain values
with ``count(*) OVER ()`` — the number of rows the select matches before LIMIT — in one statement; only a page
past the end (no row to carry the total) runs the separate count. Rows are read with ``plain_rows`` (the
session's connection, pending changes flushed first, without the ORM's execution layer)."""

from __future__ import annotations

from functools import lru_cache

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, bindparam, func, select

from core.extensions import db, plain_rows


class RowsPagination(Pagination):
    """Made by ``paginate_rows``; ``items`` are ``row_type(*columns)`` for each row of the page."""

    def _query_items(self) -> list:
        statement: Select = self._query_args["select"]
        row_type = self._query_args["row_type"]
        rows = plain_rows(_paged(statement), {**self._query_args["params"], "page_limit": self.per_page,
                                              "page_offset": self._query_offset})
        items, self._total = [], None
        for *columns, total in rows:
            items.append(row_type(*columns))
            self._total = total
        return items

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        counted = select(func.count()).select_from(self._query_args["select"].order_by(None).subquery())
        return db.session.execute(counted, self._query_args["params"]).scalar_one()


@lru_cache(maxsize=256)
def _paged(statement: Select) -> Select:
    """``statement`` with the total row count as a last column and LIMIT/OFFSET as parameters, built once per
    statement: give it a statement built once (e.g. per combination of filters), not one built per request."""
    return (statement.add_columns(func.count().over().label("total_rows"))
            .limit(bindparam("page_limit")).offset(bindparam("page_offset")))


def paginate_rows(statement: Select, row_type, *, per_page: int, params: dict | None = None,
                  error_out: bool = False) -> RowsPagination:
    """The current page (``page`` query argument, as ``db.paginate``) of a plain-column ``statement`` (ordered, no
    LIMIT of its own), each row as ``row_type(*columns)`` (e.g. a ``NamedTuple`` with the statement's columns)."""
    return RowsPagination(per_page=per_page, error_out=error_out, max_per_page=None, select=statement,
                          row_type=row_type, params=params or {})
