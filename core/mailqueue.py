"""The mail queue: every outgoing message is a row written in the transaction of the change behind it.

``queue_mail(...)`` adds an :class:`OutgoingMail` row to the current session (the caller commits, as
for any other write). So a rolled-back change sends nothing, and a committed one is sent even if the
process dies right after the commit: the periodic sweep picks up rows whose delivery task never ran.

Delivery (:func:`deliver_mail`) is **at most once per message**, in two fenced steps:

1. *claim*: one atomic ``UPDATE … WHERE status = 'queued'`` (or a lease that expired before any
   send began) gives a batch of rows this worker's claim token; committed. Two workers never hold
   the same row: a worker that loses its lease (slow, paused) finds its token replaced.
2. *hand over*, per message, at the last moment before the mail server can accept it: over SMTP,
   after MAIL, RCPT, DATA and the whole message text, right before the terminating ``.`` line
   (:func:`_final_dot_fence`; other backends: right before the send): ``UPDATE … SET
   send_started_at = now WHERE id = ? AND claim_token = <mine> AND send_started_at IS NULL``,
   committed. Only a worker whose hand-over updated the row ends the message; one that lost its
   lease cuts the connection instead, and the server discards the unfinished DATA. A row that was
   handed over is **never claimed again by a worker**; one that was not (a worker killed before the
   dot) was provably not accepted, and is claimed again after the lease and sent once.
3. *sent*, committed as soon as the server's reply to the dot arrives.

So the window in which a killed worker leaves an unknowable outcome is the server's reply to the dot
plus one commit (it cannot be closed: no SMTP relay can be asked later whether it accepted a message).
A worker killed in it leaves a row handed over but not sent; after the lease
(``MAIL_LEASE_SECONDS``) the sweep marks it ``uncertain``: it may or may not have reached the mail
server, and it is **not resent automatically** (that would be the one way to send a message twice).
Admins see uncertain messages at /admin/jobs and may send them again (the same ``Message-ID``, so a
receiving system can tell it is the same message). ``MAIL_RESEND_UNCERTAIN = True`` chooses the other
side of the trade-off (at-least-once). A graceful stop (SIGTERM/SIGINT to ``flask --app app worker``)
finishes the message in flight and releases the rest of the batch, so it leaves nothing uncertain.
An SMTP error that the server reports (refused, 4xx/5xx reply) puts the row back in the queue with
back-off: the server did not accept it; a connection lost after the dot, before the reply, is ``uncertain``.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import socket
from collections.abc import Iterable
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_mailman import EmailMessage
from huey import crontab
from sqlalchemy import ForeignKey, Index, String, Text, event, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import utcnow
from core.extensions import db
from core.jobs import job, periodic_job

log = logging.getLogger("kakehashi.mail")

QUEUED, SENDING, SENT, FAILED, UNCERTAIN = "queued", "sending", "sent", "failed", "uncertain"
#: Kinds of mail that are sent whatever the recipient's e-mail frequency setting says.
SECURITY_KINDS = frozenset({"invite", "reset", "security"})
BATCH = 50


class OutgoingMail(db.Model):
    """One message to send: written with the change that caused it, delivered by a task."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_status_claimed_at", "status", "claimed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), default="general", index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column()
    #: set (committed) just before the message is handed to the mail server: never sent again after this
    send_started_at: Mapped[datetime | None] = mapped_column()
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def message_id(self) -> str:
        return f"<kakehashi-mail-{self.id}@{current_app.config.get('MAIL_MESSAGE_ID_DOMAIN', 'kakehashi.local')}>"


def queue_mail(to: str, subject: str, body: str, *, kind: str = "general", user=None) -> OutgoingMail:
    """Add a message to the current transaction; it is delivered after the caller commits.

    Render ``subject`` and ``body`` in the recipient's language (see :func:`recipient_locale`).
    """
    message = OutgoingMail(to_addr=to, subject=str(subject)[:300], body=str(body), kind=kind,
                           user_id=getattr(user, "id", None))
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault("kk_mail_ids", []).append(message.id)
    return message


@contextmanager
def recipient_locale(user=None, locale: str | None = None):
    """Render text in the recipient's language: their account's setting, else ``locale``, else the default."""
    chosen = getattr(user, "locale", None) or locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(chosen):
        yield


# --- hand the committed rows to the queue ------------------------------------------------------

@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    ids = session.info.pop("kk_mail_ids", None)
    if ids:
        enqueue_delivery(ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop("kk_mail_ids", None)


def enqueue_delivery(ids: Iterable[int]) -> None:
    """Enqueue delivery tasks for committed rows (in batches); failures here are left to the sweep."""
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        try:
            deliver_mail(ids[start:start + BATCH])
        except Exception:  # the queue being down must not undo a committed change: the sweep sends later
            log.exception("could not enqueue mail delivery; the periodic sweep will send it")


# --- delivery ------------------------------------------------------------------------------------

def _lease_expired_before() -> datetime:
    return utcnow() - timedelta(seconds=current_app.config.get("MAIL_LEASE_SECONDS", 300))


def claim(ids: list[int] | None = None, limit: int = BATCH) -> tuple[str, list[OutgoingMail]]:
    """Atomically take queued rows (or rows whose lease expired) for this worker; commit the claim."""
    token = secrets.token_hex(16)
    now = utcnow()
    claimable = or_((OutgoingMail.status == QUEUED)
                    & or_(OutgoingMail.next_attempt_at.is_(None), OutgoingMail.next_attempt_at <= now),
                    (OutgoingMail.status == SENDING) & OutgoingMail.send_started_at.is_(None)
                    & (OutgoingMail.claimed_at < _lease_expired_before()))
    if ids is None:
        ids = list(db.session.scalars(select(OutgoingMail.id).where(claimable).order_by(OutgoingMail.id)
                                      .limit(limit)))
    if not ids:
        return token, []
    db.session.execute(
        update(OutgoingMail).where(OutgoingMail.id.in_(ids), claimable)
        .values(status=SENDING, claim_token=token, claimed_at=utcnow(), attempts=OutgoingMail.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    rows = list(db.session.scalars(select(OutgoingMail).where(OutgoingMail.claim_token == token)
                                   .order_by(OutgoingMail.id)))
    return token, rows


def _finish(row_id: int, token: str, **values) -> None:
    db.session.execute(update(OutgoingMail).where(OutgoingMail.id == row_id, OutgoingMail.claim_token == token)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def _begin(row_id: int, token: str) -> bool:
    """Record (not yet committed) that this worker is about to send ``row_id``; False if the claim was lost."""
    result = db.session.execute(
        update(OutgoingMail).where(OutgoingMail.id == row_id, OutgoingMail.claim_token == token,
                                   OutgoingMail.status == SENDING, OutgoingMail.send_started_at.is_(None))
        .values(send_started_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _mark(row_id: int, token: str, **values) -> None:
    db.session.execute(update(OutgoingMail).where(OutgoingMail.id == row_id, OutgoingMail.claim_token == token)
                       .values(**values).execution_options(synchronize_session=False))


class _HandoverRefused(Exception):
    """The row is no longer this worker's (lease lost): the message must not be completed."""


@contextmanager
def _final_dot_fence(connection, handover, dot_sent: list):
    """Over SMTP, call ``handover()`` right before the end-of-data ``.``; without it the server discards.

    An SMTP server delivers a message only once it has received the line with the single dot that ends
    the DATA (RFC 5321 §4.1.1.4); a connection lost before it aborts the transaction. So the durable
    "this message may have been accepted" mark is committed at the last possible moment: a worker
    killed before it leaves a row another worker may safely send, and the window in which a kill makes
    the outcome unknowable shrinks from the whole SMTP conversation to the server's reply to the dot
    and one commit. ``handover()`` returning False (the lease was lost) aborts before the dot.
    Other backends (console, tests' locmem) have no such step: ``handover()`` runs before the send.
    """
    smtp = getattr(connection, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):
        if not handover():
            raise _HandoverRefused
        yield
        return
    original = smtp.send
    with suppress(Exception):  # the dot goes out alone right after the text: Nagle would hold it ~40 ms
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(data):
        if isinstance(data, bytes) and data.endswith(b"\r\n.\r\n"):
            original(data[:-3])  # the whole message, without the terminating ".\r\n"
            if not handover():
                raise _HandoverRefused
            dot_sent.append(True)  # from here on, only the server's reply tells whether it was accepted
            data = b".\r\n"
        original(data)

    smtp.send = send
    try:
        yield
    finally:
        with suppress(AttributeError):
            del smtp.send  # back to the class's method


def _drop(connection, reopen: bool = True) -> None:
    """Cut the SMTP connection without QUIT (which, in the middle of DATA, would be message text); reopen."""
    smtp = getattr(connection, "connection", None)
    if isinstance(smtp, smtplib.SMTP):
        with suppress(Exception):
            smtp.close()
        connection.connection = None
    with suppress(Exception):
        connection.close()
        if reopen:
            connection.open()


def _release(token: str) -> list[int]:
    """Give back claimed rows whose send has not begun (a graceful stop); commit; return their ids."""
    ids = list(db.session.scalars(select(OutgoingMail.id).where(
        OutgoingMail.claim_token == token, OutgoingMail.status == SENDING, OutgoingMail.send_started_at.is_(None))))
    if ids:
        db.session.execute(update(OutgoingMail).where(OutgoingMail.id.in_(ids), OutgoingMail.claim_token == token,
                                                      OutgoingMail.send_started_at.is_(None))
                           .values(status=QUEUED, claim_token=None, claimed_at=None,
                                   attempts=OutgoingMail.attempts - 1)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return ids


def send_claimed(token: str, rows: list[OutgoingMail]) -> int:
    """Send claimed rows over one connection (hand over, send, mark sent); return how many failed.

    Between two messages a graceful stop of the worker (SIGTERM/SIGINT: :func:`core.jobs.stopping`)
    ends the batch: the unsent rows are released at once (queued again, for the other workers) and
    the message in flight, if any, has been finished and marked.
    """
    from core.jobs import huey, stopping

    failed = 0
    max_attempts = current_app.config.get("MAIL_MAX_ATTEMPTS", 6)
    connection = current_app.extensions["mailman"].get_connection()
    data = [(r.id, r.to_addr, r.subject, r.body, r.message_id, r.attempts) for r in rows]
    db.session.commit()  # end the read transaction: no row locks held while talking to the mail server
    try:
        connection.open()
        for row_id, to, subject, body, message_id, attempts in data:
            if stopping():
                released = _release(token)
                log.info("worker stopping: %s claimed message(s) released", len(released))
                if released and not huey.immediate:
                    enqueue_delivery(released)
                break
            dot_sent: list = []

            def handover(row_id=row_id) -> bool:
                began = _begin(row_id, token)
                db.session.commit()
                return began

            message = EmailMessage(subject=subject, body=body, to=[to], connection=connection,
                                   headers={"Message-ID": message_id})
            try:
                with _final_dot_fence(connection, handover, dot_sent):
                    message.send()
            except _HandoverRefused:  # our lease expired and another worker took the row: it is theirs now
                _drop(connection)  # the half-sent DATA: the server discards it
                continue
            except Exception as exc:
                if dot_sent and not isinstance(exc, smtplib.SMTPResponseException):
                    # the dot went out but no reply came back: it may have been accepted; never resend
                    _finish(row_id, token, status=UNCERTAIN, last_error=f"{type(exc).__name__}: {exc}"[:2000])
                    log.warning("mail %s to %s: no reply after the end of data (%s): uncertain", row_id, to, exc)
                else:
                    failed += 1
                    log.warning("mail %s to %s failed (attempt %s): %s", row_id, to, attempts, exc)
                    backoff = current_app.config.get("MAIL_RETRY_SECONDS", 30) * 2 ** (attempts - 1)
                    _finish(row_id, token, status=FAILED if attempts >= max_attempts else QUEUED,
                            claim_token=None, claimed_at=None, send_started_at=None,
                            next_attempt_at=utcnow() + timedelta(seconds=backoff),
                            last_error=f"{type(exc).__name__}: {exc}"[:2000])
                _drop(connection)  # a fresh connection for the next message (which reports its own failure)
            else:
                _mark(row_id, token, status=SENT, sent_at=utcnow(), last_error=None)
                db.session.commit()  # at once: the uncertain window ends here
    except BaseException:
        _drop(connection, reopen=False)  # no QUIT: it could land inside an unfinished DATA
        raise
    with suppress(Exception):  # closing a dead connection
        connection.close()
    return failed


def settle_interrupted() -> int:
    """Rows whose send began under a lease that expired: ``uncertain`` (or queued again, see module doc)."""
    interrupted = ((OutgoingMail.status == SENDING) & OutgoingMail.send_started_at.is_not(None)
                   & (OutgoingMail.send_started_at < _lease_expired_before()))
    if current_app.config.get("MAIL_RESEND_UNCERTAIN"):
        values = {"status": QUEUED, "claim_token": None, "claimed_at": None, "send_started_at": None}
    else:  # the claim token stays: the worker, if only slow, can still mark the row sent
        values = {"status": UNCERTAIN, "last_error": "interrupted while sending: may or may not have been sent"}
    result = db.session.execute(update(OutgoingMail).where(interrupted).values(**values)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount:
        log.warning("%s message(s) interrupted while sending: %s", result.rowcount,
                    "queued again" if current_app.config.get("MAIL_RESEND_UNCERTAIN") else "marked uncertain")
    return result.rowcount


class MailNotSent(Exception):
    """Raised so that the task queue retries (with back-off) the messages that failed."""


@job(retries=5, retry_delay=30, retry_backoff=2.0)
def deliver_mail(ids: list[int] | None = None) -> int:
    """Deliver the given committed rows (or any due ones); idempotent; return the number sent."""
    token, rows = claim(ids)
    if not rows:
        return 0
    failed = send_claimed(token, rows)
    if failed:
        raise MailNotSent(f"{failed} of {len(rows)} messages not sent yet")
    return len(rows)


@periodic_job(crontab(minute="*"))
def sweep_mail() -> int:
    """Every minute: deliver rows whose task was lost (crash after commit, queue down, expired lease)."""
    sent = 0
    settle_interrupted()
    from core.jobs import stopping

    for _ in range(100):
        if stopping():
            break
        token, rows = claim(None)
        if not rows:
            break
        send_claimed(token, rows)
        sent += len(rows)
    return sent


def deliver_now() -> int:
    """Deliver everything due in this process (CLI ``mail send-queued``, tests)."""
    return sweep_mail.call_local()




@click.group("mail")
def mail_cli() -> None:
    """The outgoing mail queue."""


@mail_cli.command("send-queued")
@with_appcontext
def send_queued_command() -> None:
    """Deliver every queued message now, in this process."""
    click.echo(f"sent: {deliver_now()}")


def register(app) -> None:
    app.cli.add_command(mail_cli)


def requeue_mail(message: OutgoingMail) -> None:
    """Give a failed message a fresh set of attempts; delivered after the caller commits."""
    message.status, message.attempts, message.next_attempt_at, message.claim_token = QUEUED, 0, None, None
    message.claimed_at, message.send_started_at = None, None
    db.session.flush()
    db.session.info.setdefault("kk_mail_ids", []).append(message.id)
