"""A reset request does the same work whether or not the address has an account (issue 13 item 4).

Timing itself is too noisy for a test; instead the test records what each request does before its
response is complete (SQL statements and mail sent): it must be identical for a known and an unknown
address. The real work (token, audit entry, mail) happens after the response has gone out.
"""

from __future__ import annotations

import re

from sqlalchemy import event, select

from accounts.models import PasswordToken
from core.extensions import db as _db
from tests import factories


def _work_before_response(client, email: str, outbox) -> tuple[list[str], int]:
    statements: list[str] = []

    def _record(conn, cursor, statement, *args):
        statements.append(re.sub(r"\s+", " ", statement))

    event.listen(_db.engine, "before_cursor_execute", _record)
    try:
        before = len(outbox)
        response = client.post("/password/forgot", data={"email": email}, buffered=False)
        mails = len(outbox) - before
        shape = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN"))]
    finally:
        event.remove(_db.engine, "before_cursor_execute", _record)
    assert response.status_code == 302
    response.close()  # the server closes the response once it is sent
    return shape, mails


def test_known_and_unknown_addresses_do_the_same_work_before_the_response(client, db, outbox):
    user = factories.user()
    db.session.commit()
    known, known_mail = _work_before_response(client, user.email, outbox)
    unknown, unknown_mail = _work_before_response(client, "nobody@example.org", outbox)
    assert known == unknown
    assert known_mail == unknown_mail == 0
    # …and the link does go out to the real account afterwards
    assert [m.to for m in outbox] == [[user.email]]
    assert db.session.scalar(select(PasswordToken).where(PasswordToken.user_id == user.id)) is not None
