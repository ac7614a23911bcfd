"""Experiment: the database goes away under load (issue 11's "PostgreSQL restart under load").

Restarting the shared PostgreSQL server is not allowed here, so the outage is made on *this
experiment's own database* only: ``ALTER DATABASE … ALLOW_CONNECTIONS false`` plus
``pg_terminate_backend`` of its sessions (what clients see while PostgreSQL restarts: open
connections die, new ones are refused), then ``ALLOW_CONNECTIONS true`` again ("the database is ready").

Signed-in users (threads, each with its own session cookie) load their account page and, every few
requests, create a programme (a write: the programme row plus its audit row). The site is served over
real HTTP by a threaded Werkzeug server in this process. Printed per phase (before / outage / after):
status counts, **bare 500s** (the server's own "Internal Server Error" page, i.e. an error handler that
failed), the time from "database ready" to the first successful page, and **lost writes**
(acknowledged with a redirect, but not in the database afterwards) and **half-written** ones.

    python bench/db_outage.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kk_resilience \
        [--users 4] [--before 3] [--outage 3] [--after 5] [--code DIR]

``--code DIR`` runs the experiment against another checkout of the code (e.g. ``git archive main``
unpacked in /tmp) to compare before/after a change. The database is emptied and recreated.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import itertools
import sys
import threading
import time
from urllib.parse import urlencode

PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts in a throwaway database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--before", type=float, default=3.0)
    parser.add_argument("--outage", type=float, default=3.0)
    parser.add_argument("--after", type=float, default=5.0)
    parser.add_argument("--code", help="the checkout whose code to run (default: this one)")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, args.code)

    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.engine import make_url
    from werkzeug.security import generate_password_hash
    from werkzeug.serving import make_server

    import app as app_module

    print(f"code: {app_module.__file__}")
    url = make_url(args.database_url)
    assert url.host in ("127.0.0.1", "localhost"), "bounded experiment: a local database only"
    site = app_module.create_app({
        "SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench", "CHECK_DB_ON_START": False,
        "AUTO_UPGRADE_SQLITE": False, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "JOBS_STORAGE_URL": "memory://", "JOBS_IMMEDIATE": True, "JOBS_EMBEDDED_CONSUMER": False,
        "MAIL_BACKEND": "locmem", "PROPAGATE_EXCEPTIONS": False, "SERVER_NAME": None,
    })
    from accounts.models import User
    from core.extensions import db
    from trainees.models import Programme

    with site.app_context():
        db.drop_all()
        db.create_all()
        hashed = generate_password_hash(PASSWORD)
        emails = [f"bench{i}@example.org" for i in range(args.users)]
        db.session.add_all(User(email=e, display_name=e, role="organiser", password_hash=hashed, locale="ja")
                           for e in emails)
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, site, threaded=True)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()

    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    phase = {"name": "before"}
    ready_at: dict[str, float] = {}
    results: list[tuple[str, str, float, int, bool]] = []  # phase, kind, time, status, bare 500
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    codes = itertools.count(1)

    def request(conn, method, path, body=None, cookie=None):
        headers = {"Accept-Language": "en"}
        if cookie:
            headers["Cookie"] = cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read().decode("utf-8", "replace")
        return response, data

    def user_loop(email):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        response, _ = request(conn, "POST", "/login", urlencode({"email": email, "password": PASSWORD}))
        assert response.status == 302, response.status
        cookie = response.getheader("Set-Cookie").split(";")[0]
        for n in itertools.count():
            if stop.is_set():
                return
            current = phase["name"]
            started = time.monotonic()
            try:
                if n % 4 == 3:
                    code = f"B{next(codes)}"
                    response, data = request(conn, "POST", "/programmes/new",
                                             urlencode({"code": code, "name": "Outage bench", "funder": "METI"}),
                                             cookie)
                    kind = "write"
                    if response.status == 302 and "/programmes/" in (response.getheader("Location") or ""):
                        with lock:
                            acknowledged.append(code)
                else:
                    response, data = request(conn, "GET", "/account", cookie=cookie)
                    kind = "page"
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, data, kind = 0, "", "page"
            bare = status == 500 and "Internal Server Error" in data and 'class="error-page"' not in data
            with lock:
                results.append((current, kind, started, status, bare))

    threads = [threading.Thread(target=user_loop, args=(e,), daemon=True) for e in emails]
    for t in threads:
        t.start()
    time.sleep(args.before)
    name = url.database
    with admin.connect() as conn:
        phase["name"] = "outage"
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        time.sleep(args.outage)
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        ready_at["t"] = time.monotonic()
        phase["name"] = "after"
    time.sleep(args.after)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    server.shutdown()

    table = collections.defaultdict(collections.Counter)
    for ph, _kind, _t, status, bare in results:
        table[ph][status] += 1
        if bare:
            table[ph]["bare 500"] += 1
    first_ok = min((t for ph, _kind, t, status, _b in results if ph == "after" and status == 200), default=None)
    for ph in ("before", "outage", "after"):
        counts = table[ph]
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
        print(f"{ph:7s} requests {sum(v for k, v in counts.items() if k != 'bare 500'):5d}   {statuses}")
    errors_after = sum(1 for ph, _k, t, status, _b in results if ph == "after" and status not in (200, 302)
                       and first_ok is not None and t > first_ok)
    recovery = "never" if first_ok is None else f"{first_ok - ready_at['t']:.2f} s"
    print(f"first 200 after the database was ready: {recovery}; errors after that first 200: {errors_after}")

    with site.app_context():
        stored = set(db.session.scalars(select(Programme.code).where(Programme.code.like("B%"))))
        from core.audit import AuditEvent

        audited = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.action == "programme.create"))
        lost = [c for c in acknowledged if c not in stored]
        print(f"writes acknowledged: {len(acknowledged)}, stored: {len(stored)}, lost: {len(lost)}, "
              f"half-written (programme without audit row or the reverse): {abs(len(stored) - audited)}")
        db.session.remove()  # end the reading transaction first: DROP TABLE waits for its locks
        db.drop_all()
        db.engine.dispose()
    admin.dispose()


if __name__ == "__main__":
    main()
