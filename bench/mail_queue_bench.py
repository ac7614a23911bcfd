"""Mail queue benchmarks (not run by pytest).

    .venv/bin/python bench/mail_queue_bench.py request      # request time, mail server answering in 1 s
    .venv/bin/python bench/mail_queue_bench.py throughput --backend sqlite --workers 1 [--messages 10000]
    .venv/bin/python bench/mail_queue_bench.py throughput --backend redis --workers 2 --kill \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/kk_jobs --redis redis://127.0.0.1:6379/5 \\
        [--signal KILL|TERM|INT]

``request``: the forgot-password request (which mails a link) with the old behaviour (delivery inside the
request: ``JOBS_IMMEDIATE``) and with the queue (the request writes a row; delivery happens elsewhere),
against an aiosmtpd server on 127.0.0.1 that takes 1 s to answer each message. Prints wall and CPU time
per request and the ratio.

``throughput``: queues N messages in one transaction, starts W ``flask --app app worker`` processes
delivering to a local aiosmtpd sink, optionally SIGKILLs one worker mid-run (its claimed messages are
taken over by the sweep after the lease, ``MAIL_LEASE_SECONDS`` = 5 here), and counts what the sink
received by Message-ID: messages/s, lost, duplicated. Delivery is at most once per message (see
core/mailqueue.py): the message a killed worker was in the middle of sending is marked ``uncertain``
(not resent); the bench reports how many and whether the sink had in fact received them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class Sink:
    """An aiosmtpd handler counting Message-IDs; ``delay`` seconds before answering each message."""

    def __init__(self, delay: float = 0.0):
        self.delay, self.ids, self.lock = delay, Counter(), threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        text = envelope.content.decode("utf-8", "replace")
        mid = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                    if line.lower().startswith("message-id:")), None)
        with self.lock:
            self.ids[mid] += 1
        return "250 OK"


def start_sink(delay: float = 0.0):
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink(delay)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, controller, port


def bench_request(rounds: int) -> None:
    from sqlalchemy import select

    from accounts.models import User
    from app import create_app
    from core.extensions import db
    from core.mailqueue import OutgoingMail

    sink, controller, port = start_sink(delay=1.0)
    tmp = Path(tempfile.mkdtemp(prefix="kk-mailbench-"))
    results = {}
    for label, immediate in (("before: mail sent in the request", True), ("after: mail queued", False)):
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / (label[:5] + '.sqlite3')}",
                          "JOBS_STORAGE_URL": "memory://", "JOBS_IMMEDIATE": immediate,
                          "JOBS_EMBEDDED_CONSUMER": False, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                          "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "CHECK_DB_ON_START": False})
        with app.app_context():
            if db.session.scalar(select(User).where(User.email == "bench@example.org")) is None:
                db.session.add(User(email="bench@example.org", display_name="Bench", role="trainee",
                                    password_hash="x"))  # noqa: S106 - not a usable hash
                db.session.commit()
        client = app.test_client()
        client.post("/password/forgot", data={"email": "bench@example.org"})  # warm up
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(rounds):
            assert client.post("/password/forgot", data={"email": "bench@example.org"}).status_code == 302
        wall, cpu = (time.perf_counter() - wall0) / rounds, (time.process_time() - cpu0) / rounds
        with app.app_context():
            rows = db.session.query(OutgoingMail).count()
        results[label] = (wall, cpu)
        print(f"{label:36s} wall {wall * 1000:8.1f} ms  cpu {cpu * 1000:6.1f} ms per request  ({rows} rows)")
    (bw, bc), (aw, ac) = results.values()
    print(f"ratio after/before: wall {aw / bw:.3f}, cpu {ac / bc:.3f}")
    controller.stop()


def _env(database: str, storage: str, port: int) -> dict:
    env = dict(os.environ)
    env.update({"KAKEHASHI_SQLALCHEMY_DATABASE_URI": database, "KAKEHASHI_JOBS_STORAGE_URL": storage,
                "KAKEHASHI_MAIL_SERVER": "127.0.0.1", "KAKEHASHI_MAIL_PORT": str(port),
                "KAKEHASHI_JOBS_EMBEDDED_CONSUMER": "false", "KAKEHASHI_MAIL_LEASE_SECONDS": "5"})
    return env


def bench_throughput(backend: str, workers: int, messages: int, kill: bool, database: str | None,
                     redis_url: str, threads: int = 1, signame: str = "KILL") -> None:
    sink, controller, port = start_sink()
    tmp = Path(tempfile.mkdtemp(prefix="kk-queuebench-"))
    database = database or f"sqlite:///{tmp / 'kakehashi.sqlite3'}"
    storage = f"sqlite:///{tmp / 'jobs.sqlite3'}" if backend == "sqlite" else redis_url
    env = _env(database, storage, port)
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
    if backend == "redis":
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    if not database.startswith("sqlite"):
        subprocess.run([*flask, "db", "downgrade", "base"], env=env, cwd=ROOT, check=False, capture_output=True)
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    os.environ.update(env)
    from app import create_app
    from core.extensions import db
    from core.mailqueue import OutgoingMail, queue_mail

    app = create_app()
    with app.app_context():
        db.session.query(OutgoingMail).delete()
        db.session.commit()
        t0 = time.perf_counter()
        for n in range(messages):
            queue_mail(f"trainee{n}@example.org", f"Reminder {n}", "Please answer the survey.")
        db.session.commit()  # enqueues the delivery tasks (batches of 50)
        print(f"queued {messages} messages in {time.perf_counter() - t0:.1f} s")
    procs = [subprocess.Popen([*flask, "worker", "-w", str(threads)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(workers)]
    start = time.perf_counter()
    killed = False
    try:
        while True:
            time.sleep(0.5)
            received = sum(sink.ids.values())
            if kill and not killed and received >= messages // 3:
                procs[0].send_signal(getattr(signal, f"SIG{signame}"))
                killed = True
                print(f"sent SIG{signame} to worker pid {procs[0].pid} after {received} messages")
            with app.app_context():
                pending = db.session.query(OutgoingMail).filter(
                    OutgoingMail.status.not_in(("sent", "uncertain", "failed"))).count()
            if pending == 0 or time.perf_counter() - start > 900:
                break
        elapsed = time.perf_counter() - start
        time.sleep(1)
        if kill:
            print(f"stopped worker's exit status: {procs[0].poll()} (None: still running)")
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        controller.stop()
    with app.app_context():
        expected = {f"<kakehashi-mail-{i}@kakehashi.local>" for (i,) in db.session.query(OutgoingMail.id)}
        uncertain = {f"<kakehashi-mail-{i}@kakehashi.local>" for (i,) in
                     db.session.query(OutgoingMail.id).filter(OutgoingMail.status == "uncertain")}
    got = set(sink.ids) - {None}
    dup = sum(c - 1 for c in sink.ids.values() if c > 1)
    print(f"backend={backend} database={database.split('@')[-1]} workers={workers}x{threads} threads "
          f"kill={'SIG' + signame if kill else 'no'}")
    print(f"delivered {sum(sink.ids.values())} in {elapsed:.1f} s = {messages / elapsed:.0f} msgs/s; "
          f"lost {len(expected - got)}, duplicated {dup}, pending {pending}")
    print(f"uncertain (send interrupted by the kill, held for an admin, not resent): {len(uncertain)}, "
          f"of which the sink had received {len(uncertain & got)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("request")
    r.add_argument("--rounds", type=int, default=5)
    t = sub.add_parser("throughput")
    t.add_argument("--backend", choices=("sqlite", "redis"), default="sqlite")
    t.add_argument("--workers", type=int, default=1)
    t.add_argument("--messages", type=int, default=10000)
    t.add_argument("--kill", action="store_true", help="stop one worker a third of the way through")
    t.add_argument("--signal", default="KILL", choices=("KILL", "TERM", "INT"),
                   help="how --kill stops it: SIGKILL (crash) or SIGTERM/SIGINT (graceful stop)")
    t.add_argument("--threads", type=int, default=1, help="worker threads per worker process")
    t.add_argument("--database")
    t.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()
    if args.what == "request":
        bench_request(args.rounds)
    else:
        bench_throughput(args.backend, args.workers, args.messages, args.kill, args.database, args.redis, args.threads,
                         args.signal)


if __name__ == "__main__":
    main()
