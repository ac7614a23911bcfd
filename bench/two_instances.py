"""Check: two real gunicorn instances (separate processes and instance folders, 2 workers each) on one
PostgreSQL database, one secret and one Redis — the cross-instance behaviour as a user sees it.

- a session started on instance A is used on instance B; sign-out on B ends it on A;
- 12 wrong passwords for one account within a minute, alternating between A and B: how many are
  checked (200 "not correct") and how many refused (429), with ``--limits redis`` (shared counters)
  and ``--limits memory`` (each worker counts alone — the issue measured 9 of 12 checked);
- with the Redis URL pointing at a closed port, sign-in answers 503 (fail closed) and /healthz 200.

    python bench/two_instances.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/kk_x \
        [--redis-url redis://127.0.0.1:6379/15]

The database is emptied and recreated; the Redis database's rate-limit keys are reset.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts in a throwaway database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, env: dict, instance: Path) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen([gunicorn, "-w", "2", "-k", "gthread", "--threads", "2", "-b", f"127.0.0.1:{port}",
                                "--log-level", "warning", "app:create_app()"],
                               cwd=str(ROOT), env={**os.environ, **env, "KAKEHASHI_INSTANCE_PATH": str(instance)})
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn did not start on port {port}")


def call(port, method, path, body=None, cookie=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(body)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def seed(database_url: str) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from werkzeug.security import generate_password_hash

    from accounts.models import User
    from app import create_app
    from core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "seed", "CHECK_DB_ON_START": False,
                      "JOBS_STORAGE_URL": "memory://"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        from flask_migrate import stamp

        stamp(directory=str(ROOT / "migrations"))
        hashed = generate_password_hash(PASSWORD)
        emails = [f"two{i}@example.org" for i in range(3)]
        db.session.add_all(User(email=e, display_name=e, role="organiser", password_hash=hashed) for e in emails)
        db.session.commit()
        db.engine.dispose()
    return emails


def run(args, limits: str, emails: list[str]) -> None:
    storage = {"redis": args.redis_url, "memory": "memory://", "down": "redis://127.0.0.1:9/15"}[limits]
    env = {"KAKEHASHI_SQLALCHEMY_DATABASE_URI": args.database_url, "KAKEHASHI_SECRET_KEY": "two-instances-bench",
           "KAKEHASHI_RATELIMIT_STORAGE_URI": storage, "KAKEHASHI_JOBS_STORAGE_URL": "memory://",
           "KAKEHASHI_JOBS_EMBEDDED_CONSUMER": "false", "KAKEHASHI_WTF_CSRF_ENABLED": "false"}
    if limits == "redis":
        import redis

        client = redis.Redis.from_url(args.redis_url)
        for key in client.scan_iter("LIMITS*"):
            client.delete(key)
    ports = [free_port(), free_port()]
    with tempfile.TemporaryDirectory() as tmp:
        processes = [start(p, env, Path(tmp) / f"instance-{i}") for i, p in enumerate(ports)]
        try:
            a, b = ports
            print(f"--- rate-limit storage: {limits} ({storage})")
            if limits == "down":
                r = call(a, "POST", "/login", {"email": emails[0], "password": PASSWORD})
                print(f"sign-in with the limit storage down: {r.status} (Retry-After {r.getheader('Retry-After')}); "
                      f"/healthz {call(a, 'GET', '/healthz').status}, /readyz {call(a, 'GET', '/readyz').status}")
                return
            r = call(a, "POST", "/login", {"email": emails[0], "password": PASSWORD})
            cookie = r.getheader("Set-Cookie").split(";")[0]
            on_b = call(b, "GET", "/account", cookie=cookie).status
            print(f"sign in on A: {r.status}; /account on B with that cookie: {on_b}")
            call(b, "POST", "/logout", {}, cookie)
            on_a = call(a, "GET", "/account", cookie=cookie).status
            print(f"after sign-out on B, /account on A: {on_a} (302 = to sign-in)")
            wrong = {"email": emails[1], "password": "wrong-password-1"}
            statuses = [call(ports[i % 2], "POST", "/login", wrong).status for i in range(12)]
            print(f"12 wrong passwords alternating A/B: checked {statuses.count(200)}, refused {statuses.count(429)} "
                  f"(limit 5 per minute) {statuses}")
        finally:
            for p in processes:
                p.terminate()
            for p in processes:
                p.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    emails = seed(args.database_url)
    try:
        for limits in ("redis", "memory", "down"):
            run(args, limits, emails)
    finally:
        from sqlalchemy import create_engine, text

        from core.extensions import db

        engine = create_engine(args.database_url)
        db.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()


if __name__ == "__main__":
    main()
