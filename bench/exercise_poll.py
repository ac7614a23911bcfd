"""Benchmark: the player room's poll endpoint (feed.json) under 30 concurrent teams, against a bare
Flask "hello" app served by gunicorn with the same settings in the same run. Prints both figures and
the ratio (goal: poll ≥ 0.5 × hello).

Each of the 30 simulated teams signs in as its own player, opens the room (for its poll token),
fetches feed.json once (200 + ETag) and then polls with If-None-Match and the token, exactly as the
room's script does: the steady state is 304 Not Modified.

    python bench/exercise_poll.py [--seconds 20] [--rounds 5] [--workers 4] [--threads 4] [--teams 30]
                                  [--database-url postgresql+psycopg://…]

Without --database-url a fresh SQLite file in a temporary directory is used.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts in a throwaway database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(env: dict, teams: int) -> tuple[int, list[str]]:
    """Create the schema and a running exercise with ``teams`` teams of one player each."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from werkzeug.security import generate_password_hash

    from accounts.models import User
    from app import create_app
    from core.extensions import db
    from exercises.services import runs
    from tests.exercises import builders

    app = create_app()
    with app.app_context():
        if not env["KAKEHASHI_SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):  # SQLite is upgraded on start
            db.create_all()
        facilitator = User(email="bench-facilitator@example.org", display_name="Bench", role="organiser",
                           password_hash=generate_password_hash(PASSWORD))
        db.session.add(facilitator)
        db.session.flush()
        nationalities = ("VN", "TH", "ID", "MY", "PH", "SG", "KH", "LA", "MM", "BN", "TL", "JP", "KR", "IN", "BD",
                         "LK", "NP", "PK", "MN", "FJ", "PG", "AU", "NZ", "US", "GB", "FR", "DE", "KE", "NG", "BR")
        cohort, people = builders.cohort_with_players(nationalities[:teams], per_team=1)
        hashed = generate_password_hash(PASSWORD)
        for _trainee, user in people:
            user.password_hash = hashed
        scenario = builders.scenario("Bench scenario")
        run = runs.create_run(scenario.id, cohort, actor=facilitator)
        runs.set_placeholders(run, {k: v or "x" for k, v in run.placeholder_values.items()})
        runs.form_teams(run, "nationality")
        runs.transition(run, "prepare")
        runs.transition(run, "start")
        db.session.commit()
        return run.id, [user.email for _t, user in people]


def start_gunicorn(module: str, port: int, env: dict, workers: int, threads: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "-w", str(workers), "-k", "gthread", "--threads", str(threads), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", module],
        cwd=str(ROOT), env={**os.environ, **env})
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gunicorn did not start on port {port}")


def sign_in(port: int, email: str) -> str:
    """Sign in through the login form (CSRF token included); returns the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    body = urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""})
    conn.request("POST", "/login", body=body, headers={"Cookie": cookie,
                                                       "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"sign-in failed for {email}: {response.status}")
    return response.getheader("Set-Cookie").split(";")[0]


def room_token(port: int, run_id: int, cookie: str) -> str:
    """The poll token the room page hands to its script."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", f"/exercises/play/{run_id}", headers={"Cookie": cookie})
    page = conn.getresponse().read().decode()
    return re.search(r'data-poll-token="([^"]+)"', page).group(1)


def _client(port: int, path: str, cookie: str, seconds: float, results: list, poll: bool, token: str = "") -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": cookie} if cookie else {}
    if poll:
        if token:
            headers["X-Poll-Token"] = token
        conn.request("GET", path, headers=headers)
        first = conn.getresponse()
        first.read()
        headers["If-None-Match"] = first.getheader("ETag")
    count, latencies, statuses = 0, [], {}
    end = time.perf_counter() + seconds
    while (start := time.perf_counter()) < end:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        count += 1
    results.append((count, latencies, statuses))


def _process(port, jobs, seconds, poll, queue):
    results: list = []
    threads = [threading.Thread(target=_client, args=(port, path, cookie, seconds, results, poll, token))
               for path, cookie, token in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(results)


def load(port: int, jobs: list[tuple[str, str, str]], seconds: float, poll: bool, processes: int = 2) -> tuple:
    """Run every job (path, cookie, token) as one client connection for ``seconds``; spread over processes.
    Returns (requests, latencies, statuses)."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    chunks = [jobs[i::processes] for i in range(processes)]
    procs = [multiprocessing.Process(target=_process, args=(port, chunk, seconds, poll, queue)) for chunk in chunks]
    for p in procs:
        p.start()
    results = [r for _ in procs for r in queue.get()]
    for p in procs:
        p.join()
    statuses: dict = {}
    for _c, _l, s in results:
        for code, n in s.items():
            statuses[code] = statuses.get(code, 0) + n
    return sum(c for c, _l, _s in results), [x for _c, lat, _s in results for x in lat], statuses


def summary(rounds: list[tuple], seconds: float) -> dict:
    """Requests per second and latency percentiles over all rounds of one kind."""
    latencies = sorted(x for _n, lat, _s in rounds for x in lat)
    statuses: dict = {}
    for _n, _l, s in rounds:
        for code, n in s.items():
            statuses[code] = statuses.get(code, 0) + n
    return {"rps": sum(n for n, _l, _s in rounds) / seconds, "statuses": statuses,
            "p50_ms": statistics.median(latencies) * 1000, "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="measuring time per kind, split into rounds")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--teams", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kk-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    env = {"KAKEHASHI_SQLALCHEMY_DATABASE_URI": url, "KAKEHASHI_SECRET_KEY": "bench-secret-key-not-for-production",
           "KAKEHASHI_PRIVACY_NOTICE_REQUIRED": "false",
           "KAKEHASHI_CHECK_DB_ON_START": "false"}
    run_id, emails = seed(env, args.teams)
    app_port, hello_port = free_port(), free_port()
    app_server = start_gunicorn("app:create_app()", app_port, env, args.workers, args.threads)
    hello_server = start_gunicorn("bench._hello_app:app", hello_port, env, args.workers, args.threads)
    try:
        cookies = [sign_in(app_port, email) for email in emails]
        tokens = [room_token(app_port, run_id, c) for c in cookies]
        poll_jobs = [(f"/exercises/play/{run_id}/feed.json", c, t) for c, t in zip(cookies, tokens, strict=True)]
        hello_jobs = [("/", "", "")] * len(cookies)
        floor_jobs = [("/static/css/kakehashi.css", c, "") for c in cookies]
        load(app_port, poll_jobs, 2, poll=True)  # warm up
        load(hello_port, hello_jobs, 2, poll=False)
        # Alternate short rounds so that a change in machine load hits both sides alike.
        polls, hellos, floors = [], [], []
        step = args.seconds / args.rounds
        for _ in range(args.rounds):
            polls.append(load(app_port, poll_jobs, step, poll=True))
            hellos.append(load(hello_port, hello_jobs, step, poll=False))
            floors.append(load(app_port, floor_jobs, step, poll=True))
        poll, hello, floor = (summary(r, args.seconds) for r in (polls, hellos, floors))
    finally:
        for server in (app_server, hello_server):
            server.terminate()
        for server in (app_server, hello_server):
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a busy machine: do not lose the figures (or leave a server behind)
                server.kill()
                server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"gunicorn -w {args.workers} -k gthread --threads {args.threads}; {args.teams} concurrent teams; "
          f"{args.seconds:g} s each in {args.rounds} alternating rounds; {database}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"player poll (feed.json, If-None-Match): {poll['rps']:8.1f} req/s  p50 {poll['p50_ms']:.1f} ms  "
          f"p95 {poll['p95_ms']:.1f} ms  statuses {poll['statuses']}")
    print(f"bare Flask hello:                       {hello['rps']:8.1f} req/s  p50 {hello['p50_ms']:.1f} ms  "
          f"p95 {hello['p95_ms']:.1f} ms  statuses {hello['statuses']}")
    print(f"context — same app, static file 304:    {floor['rps']:8.1f} req/s  p50 {floor['p50_ms']:.1f} ms  "
          f"p95 {floor['p95_ms']:.1f} ms  statuses {floor['statuses']}")
    ratio = poll["rps"] / hello["rps"]
    print(f"ratio poll/hello: {ratio:.2f}x (goal >= 0.5x) — {'met' if ratio >= 0.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
