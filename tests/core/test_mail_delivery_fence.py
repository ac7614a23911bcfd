"""Mail delivery against a real SMTP server: the end-of-data fence and the graceful worker stop (issue 12)."""

from __future__ import annotations

import signal
import socket
import threading
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from core import jobs, mailqueue
from core.db import utcnow
from core.mailqueue import QUEUED, SENDING, SENT, OutgoingMail, claim, deliver_now, queue_mail


class Sink:
    """An SMTP server that counts the messages it accepted, by Message-ID."""

    def __init__(self):
        self.ids: Counter = Counter()
        self.lock = threading.Lock()
        self.on_accept = None

    async def handle_DATA(self, server, session, envelope):
        mid = next((line.split(":", 1)[1].strip() for line in envelope.content.decode().splitlines()
                    if line.lower().startswith("message-id:")), None)
        with self.lock:
            self.ids[mid] += 1
        if self.on_accept:
            self.on_accept()
        return "250 OK"

    @property
    def total(self) -> int:
        return sum(self.ids.values())


@pytest.fixture
def sink(app, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    mailman = app.extensions["mailman"]
    monkeypatch.setattr(mailman, "backend", "smtp")
    monkeypatch.setattr(mailman, "server", "127.0.0.1")
    monkeypatch.setattr(mailman, "port", port)
    monkeypatch.setattr(mailman, "timeout", 5)
    monkeypatch.setattr(mailqueue, "enqueue_delivery", lambda ids: None)  # delivered by the calls below
    yield handler
    controller.stop()
    jobs._stopping.clear()


def _rows(db):
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def _mid(row) -> str:
    return f"<kakehashi-mail-{row.id}@kakehashi.local>"


def test_the_row_is_handed_over_after_the_message_data_and_before_the_server_accepts_it(app, db, sink, monkeypatch):
    import smtplib

    seen, commands = [], []
    original, putcmd = mailqueue._begin, smtplib.SMTP.putcmd

    def begin(row_id, token):  # how many the server had accepted, and the last SMTP command, at the hand-over
        seen.append((sink.total, commands[-1]))
        return original(row_id, token)

    def record(self, cmd, args=""):
        commands.append(cmd.lower())
        return putcmd(self, cmd, args)

    monkeypatch.setattr(mailqueue, "_begin", begin)
    monkeypatch.setattr(smtplib.SMTP, "putcmd", record)
    for n in range(3):
        queue_mail(f"t{n}@example.org", f"S{n}", "Body")
    db.session.commit()
    assert deliver_now() == 3
    rows = _rows(db)
    assert seen == [(0, "data"), (1, "data"), (2, "data")]  # the message data sent, its end not yet
    assert all(r.status == SENT and r.send_started_at is not None for r in rows)
    assert sink.ids == Counter({_mid(r): 1 for r in rows})


def test_a_worker_killed_before_the_end_of_data_leaves_nothing_uncertain_and_it_is_sent_once(app, db, sink,
                                                                                            monkeypatch):
    class Killed(BaseException):
        pass

    first = queue_mail("a@example.org", "A", "Body")
    second = queue_mail("b@example.org", "B", "Body")
    db.session.commit()
    token, rows = claim([first.id, second.id])

    def die(row_id, token):  # the whole message is with the server, the final dot is not
        raise Killed

    original = mailqueue._begin
    monkeypatch.setattr(mailqueue, "_begin", die)
    with pytest.raises(Killed):
        mailqueue.send_claimed(token, rows)
    monkeypatch.setattr(mailqueue, "_begin", original)
    assert sink.total == 0  # the server dropped the unfinished DATA
    monkeypatch.setitem(app.config, "MAIL_LEASE_SECONDS", 0)
    db.session.execute(OutgoingMail.__table__.update().values(claimed_at=utcnow() - timedelta(seconds=5)))
    db.session.commit()
    assert deliver_now() == 2
    assert [r.status for r in _rows(db)] == [SENT, SENT]  # not "uncertain": provably never accepted
    assert sink.ids == Counter({_mid(first): 1, _mid(second): 1})


def test_a_worker_that_lost_its_lease_mid_data_does_not_finish_the_message(app, db, sink, monkeypatch):
    first = queue_mail("c@example.org", "C", "Body")
    second = queue_mail("d@example.org", "D", "Body")
    db.session.commit()
    token, rows = claim([first.id, second.id])
    original = mailqueue._begin

    def taken_over_meanwhile(row_id, token):
        if row_id == first.id:  # while this worker was paused in the DATA, another one took the row
            db.session.execute(OutgoingMail.__table__.update().where(OutgoingMail.id == row_id)
                               .values(claim_token="other" * 6 + "xx"))
        return original(row_id, token)

    monkeypatch.setattr(mailqueue, "_begin", taken_over_meanwhile)
    assert mailqueue.send_claimed(token, rows) == 0
    by_id = {r.id: r for r in _rows(db)}
    assert sink.ids == Counter({_mid(second): 1})  # the first was not completed by the worker that lost it
    assert by_id[first.id].status == SENDING and by_id[first.id].send_started_at is None
    assert by_id[second.id].status == SENT


def test_a_graceful_stop_finishes_the_message_in_flight_and_gives_back_the_rest(app, db, sink):
    messages = [queue_mail(f"s{n}@example.org", f"S{n}", "Body") for n in range(4)]
    db.session.commit()
    sink.on_accept = jobs._stopping.set  # SIGTERM arrives while the first message is being sent
    mailqueue.deliver_mail.call_local([m.id for m in messages])
    rows = _rows(db)
    assert [r.status for r in rows] == [SENT, QUEUED, QUEUED, QUEUED]
    assert all(r.claim_token is None and r.attempts == 0 for r in rows[1:])  # released, no attempt used
    assert deliver_now() == 0  # a stopping worker starts nothing new
    jobs._stopping.clear()
    sink.on_accept = None
    assert deliver_now() == 3  # another worker (here: the next run) sends the rest
    assert sink.ids == Counter({_mid(r): 1 for r in rows})


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_command_stops_gracefully_on_sigterm_and_sigint(app, signum):
    previous = signal.getsignal(signum)
    try:
        consumer = jobs.WorkerConsumer(jobs.huey, workers=1, worker_type="thread", periodic=False)
        consumer._handle_signal(signum, None)
        assert consumer._graceful is True and consumer._restart is False
        assert jobs.stopping()
    finally:
        signal.signal(signum, previous)
        jobs._stopping.clear()
