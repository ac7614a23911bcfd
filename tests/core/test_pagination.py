"""``core.pagination.paginate_rows``: Flask-SQLAlchemy's page arithmetic over a plain-column select, the total
counted in the page's own statement (one query), a separate count only for a page past the end."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from sqlalchemy import bindparam, select

from tests import factories


class Row(NamedTuple):
    id: int
    code: str


def _statement():
    from trainees.models import Programme

    return (select(Programme.id, Programme.code).where(Programme.code.like(bindparam("prefix") + "%"))
            .order_by(Programme.code))


@pytest.fixture
def programmes(db):
    made = [factories.programme(code=f"PG{n:02d}") for n in range(7)]
    factories.programme(code="OTHER")
    db.session.commit()
    return sorted(p.code for p in made)


@pytest.mark.parametrize(("page", "codes", "total", "queries"), [
    (1, ["PG00", "PG01", "PG02"], 7, 1),
    (3, ["PG06"], 7, 1),
    (4, [], 7, 2),  # past the end: no row carries the total, so it is counted
])
def test_pages_carry_the_total_of_the_whole_select(app, programmes, count_queries, page, codes, total, queries):
    from core.pagination import paginate_rows

    with app.test_request_context(f"/?page={page}"), count_queries() as counter:
        result = paginate_rows(_statement(), Row, per_page=3, params={"prefix": "PG"})
    assert [r.code for r in result.items] == codes
    assert all(isinstance(r, Row) for r in result.items)
    assert (result.total, result.pages, result.page) == (total, 3, page)
    assert result.has_prev == (page > 1) and result.has_next == (page < 3)
    assert counter.count == queries, counter.statements


def test_an_empty_select_has_no_pages(app, db, count_queries):
    from core.pagination import paginate_rows

    with app.test_request_context("/"):
        result = paginate_rows(_statement(), Row, per_page=3, params={"prefix": "NONE"})
    assert (result.items, result.total, result.pages) == ([], 0, 0)


def test_a_page_past_the_end_can_be_refused(app, programmes):
    from werkzeug.exceptions import NotFound

    from core.pagination import paginate_rows

    with app.test_request_context("/?page=9"), pytest.raises(NotFound):
        paginate_rows(_statement(), Row, per_page=3, params={"prefix": "PG"}, error_out=True)
