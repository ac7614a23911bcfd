"""The mail queue: a message row in the transaction of its change, delivered exactly once by a task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_mailman.backends import locmem
from sqlalchemy import func, select

from core import mailqueue
from core.mailqueue import FAILED, QUEUED, SENDING, SENT, UNCERTAIN, OutgoingMail, claim, deliver_now, queue_mail
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
    assert len({QUEUED, SENDING, SENT, FAILED, UNCERTAIN}) == 5


def _expire_leases(db):
    from core.db import utcnow

    past = utcnow() - timedelta(seconds=5)
    table = OutgoingMail.__table__
    db.session.execute(table.update().where(table.c.claimed_at.is_not(None)).values(claimed_at=past))
    db.session.execute(table.update().where(table.c.send_started_at.is_not(None)).values(send_started_at=past))
    db.session.commit()


def test_a_worker_killed_while_sending_never_causes_a_second_send(app, db, outbox, monkeypatch):
    """At most once: killed after the send began (maybe accepted by the server), the row is not resent."""
    monkeypatch.setattr(mailqueue, "enqueue_delivery", lambda ids: None)
    first = queue_mail("e@example.org", "E1", "Body")
    second = queue_mail("f@example.org", "F1", "Body")
    db.session.commit()
    token, rows = claim([first.id, second.id])

    class Killed(BaseException):
        pass

    def die_in_the_smtp_conversation(self, messages):
        outbox.extend(messages)  # the server accepted the message …
        raise Killed  # … and the worker died before it could mark it sent

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", die_in_the_smtp_conversation)
    with pytest.raises(Killed):
        mailqueue.send_claimed(token, rows)
    monkeypatch.undo()
    monkeypatch.setattr(mailqueue, "enqueue_delivery", lambda ids: None)
    assert len(outbox) == 1
    monkeypatch.setitem(app.config, "MAIL_LEASE_SECONDS", 0)
    _expire_leases(db)
    assert deliver_now() == 1 and deliver_now() == 0  # the second (never begun) is sent; the first is not
    by_id = {r.id: r for r in _rows(db)}
    assert by_id[first.id].status == UNCERTAIN and by_id[second.id].status == SENT
    assert [m.subject for m in outbox] == ["E1", "F1"]  # E1 once, F1 once


def test_an_uncertain_message_is_listed_for_admins_and_sent_again_only_on_request(app, client, db, outbox,
                                                                                   login_as, monkeypatch):
    monkeypatch.setattr(mailqueue, "enqueue_delivery", lambda ids: None)
    message = queue_mail("g@example.org", "G1", "Body")
    db.session.commit()
    db.session.execute(OutgoingMail.__table__.update().values(
        status=SENDING, claim_token="x" * 32, claimed_at=message.created_at, send_started_at=message.created_at))
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_LEASE_SECONDS", 0)
    _expire_leases(db)
    assert deliver_now() == 0 and _rows(db)[0].status == UNCERTAIN
    monkeypatch.undo()
    login_as("admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "g@example.org" in page and "may or may not have arrived" in page
    assert client.post(f"/admin/mail/{message.id}/retry").status_code == 302
    [row] = _rows(db)
    assert row.status == SENT and [m.subject for m in outbox] == ["G1"]


def test_resend_uncertain_chooses_at_least_once(app, db, outbox, monkeypatch):
    monkeypatch.setattr(mailqueue, "enqueue_delivery", lambda ids: None)
    monkeypatch.setitem(app.config, "MAIL_RESEND_UNCERTAIN", True)
    monkeypatch.setitem(app.config, "MAIL_LEASE_SECONDS", 0)
    message = queue_mail("h@example.org", "H1", "Body")
    db.session.commit()
    db.session.execute(OutgoingMail.__table__.update().values(
        status=SENDING, claim_token="y" * 32, claimed_at=message.created_at, send_started_at=message.created_at))
    _expire_leases(db)
    assert deliver_now() == 1 and _rows(db)[0].status == SENT


def test_a_worker_that_lost_its_lease_does_not_send_the_rows_taken_over(app, db, outbox, monkeypatch):
    monkeypatch.setattr(mailqueue, "enqueue_delivery", lambda ids: None)
    message = queue_mail("i@example.org", "I1", "Body")
    db.session.commit()
    slow_token, slow_rows = claim([message.id])
    monkeypatch.setitem(app.config, "MAIL_LEASE_SECONDS", 0)
    _expire_leases(db)
    assert deliver_now() == 1  # another worker took the row over and sent it
    monkeypatch.setitem(app.config, "MAIL_LEASE_SECONDS", 300)
    assert mailqueue.send_claimed(slow_token, slow_rows) == 0  # the slow worker wakes up: skips it
    assert [m.subject for m in outbox] == ["I1"] and _rows(db)[0].status == SENT
