"""The mail queue: a message row in the transaction of its change, delivered exactly once by a task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_mailman.backends import locmem
from sqlalchemy import func, select

from core import mailqueue
from core.mailqueue import FAILED, QUEUED, SENDING, SENT, OutgoingMail, claim, deliver_now, queue_mail
from tests import factories


def _rows(db):
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def test_a_rolled_back_change_sends_nothing(app, db, outbox):
    user = factories.user(role="trainee")
    queue_mail(user.email, "Hello", "Body", user=user)
    db.session.rollback()
    assert deliver_now() == 0
    assert outbox == [] and db.session.scalar(select(func.count(OutgoingMail.id))) == 0


def test_a_committed_change_sends_once_with_a_stable_message_id(app, db, outbox):
    user = factories.user(role="trainee")
    queue_mail(user.email, "Hello", "Body", kind="invite", user=user)
    db.session.commit()  # tests run tasks immediately: the commit enqueues delivery, which sends
    assert [m.to for m in outbox] == [[user.email]]
    [row] = _rows(db)
    assert row.status == SENT and row.sent_at is not None and row.attempts == 1
    assert outbox[0].extra_headers["Message-ID"] == f"<kakehashi-mail-{row.id}@kakehashi.local>"
    assert deliver_now() == 0 and len(outbox) == 1  # the sweep finds nothing left to send


def test_crash_after_commit_is_sent_by_the_sweep_once(app, db, outbox, monkeypatch):
    monkeypatch.setattr(mailqueue, "enqueue_delivery", lambda ids: None)  # the process dies after the commit
    queue_mail("a@example.org", "A", "Body")
    db.session.commit()
    assert outbox == []
    assert deliver_now() == 1 and deliver_now() == 0
    assert len(outbox) == 1 and _rows(db)[0].status == SENT


def test_a_worker_killed_mid_send_leaves_a_lease_another_worker_takes_over_once(app, db, outbox, monkeypatch):
    monkeypatch.setattr(mailqueue, "enqueue_delivery", lambda ids: None)
    message = queue_mail("b@example.org", "B", "Body")
    db.session.commit()
    token, rows = claim([message.id])  # worker 1 claims … and is killed before sending
    assert [r.id for r in rows] == [message.id]
    assert claim([message.id])[1] == []  # a second worker cannot take a row under a live lease
    assert deliver_now() == 0 and outbox == []
    # the lease expires: the sweep hands the row to another worker, which sends it once
    monkeypatch.setitem(app.config, "MAIL_LEASE_SECONDS", 0)
    db.session.execute(OutgoingMail.__table__.update().values(
        claimed_at=OutgoingMail.claimed_at - timedelta(seconds=5)))
    db.session.commit()
    assert deliver_now() == 1 and deliver_now() == 0
    [row] = _rows(db)
    assert row.status == SENT and row.attempts == 2 and row.claim_token != token
    assert len(outbox) == 1
    # the killed worker wakes up and tries to finish its claim: its token no longer matches
    mailqueue._finish(message.id, token, status=QUEUED)
    assert _rows(db)[0].status == SENT


def test_a_mail_server_failure_is_retried_then_marked_failed(app, db, outbox, monkeypatch):
    monkeypatch.setattr(mailqueue, "enqueue_delivery", lambda ids: None)
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)

    def refuse(self, messages):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    queue_mail("c@example.org", "C", "Body")
    db.session.commit()
    deliver_now()
    [row] = _rows(db)
    assert row.status == QUEUED and row.attempts == 1 and "mail server down" in row.last_error
    assert deliver_now() == 0  # backing off: not before next_attempt_at
    monkeypatch.setitem(app.config, "MAIL_RETRY_SECONDS", 0)
    db.session.execute(OutgoingMail.__table__.update().values(next_attempt_at=None))
    db.session.commit()
    deliver_now()
    [row] = _rows(db)
    assert row.status == FAILED and row.attempts == 2
    assert deliver_now() == 0  # a failed row waits for an admin's retry


def test_the_delivery_task_raises_for_the_queue_to_retry(app, db, monkeypatch):
    monkeypatch.setattr(mailqueue, "enqueue_delivery", lambda ids: None)
    monkeypatch.setattr(locmem.EmailBackend, "send_messages",
                        lambda self, messages: (_ for _ in ()).throw(OSError("timeout")))
    message = queue_mail("d@example.org", "D", "Body")
    db.session.commit()
    with pytest.raises(mailqueue.MailNotSent):
        mailqueue.deliver_mail.call_local([message.id])
    assert _rows(db)[0].status == QUEUED


def test_status_values_are_distinct():
    assert len({QUEUED, SENDING, SENT, FAILED}) == 4
