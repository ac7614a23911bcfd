"""Experiment: a REAL PostgreSQL restart under load, with signed-in users on two gunicorn instances
(issue 11, acceptance 2: "signed-in users see only 503 pages, and everything works again within 5 s
of the database being ready").

Needs a private PostgreSQL cluster that may be restarted (never the shared server), e.g.::

    mkdir /tmp/pg && chown postgres /tmp/pg
    su postgres -c '/usr/lib/postgresql/15/bin/initdb -D /tmp/pg/data -U postgres --auth=trust'
    printf "port = 5433\\nlisten_addresses = '127.0.0.1'\\nunix_socket_directories = '/tmp/pg'\\n" \\
        >> /tmp/pg/data/postgresql.conf
    su postgres -c '/usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pg/data -l /tmp/pg/log start -w'

    python bench/pg_restart.py --pgdata /tmp/pg/data --pg-log /tmp/pg/log \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5433/kk_restart \\
        [--redis-url redis://127.0.0.1:6379/4] [--mode restart|stop-start] [--stop-mode fast|immediate] [--down 3] \\
        [--instances 2] [--workers 2] [--threads 2] [--clients 8] [--before 4] [--after 8] [--prepare]

``--prepare`` (re)creates the database with ``flask db upgrade`` and ``flask seed-demo`` (and removes the
pre-test gate of the demo courses, so that the demo trainees can read lessons). The instances
run ``gunicorn -c deploy/gunicorn.conf.py`` with separate instance folders, one database, one secret and
(with --redis-url) rate limits in that Redis database. Clients, each signed in with its own session,
send their requests to the instances in turn (as a load balancer would): organisers load the cohort
list and every 4th request create a programme (a write: the programme and its audit row); trainees
load a lesson page. Then the cluster is restarted (``pg_ctl restart -m fast``) or stopped for
``--down`` seconds and started again. "Database ready" is the first moment a probe (a new connection
every 20 ms) gets in. Printed: status counts per phase, bare 500s (the server's own error page),
sign-outs (a signed-in page answering 302 to the sign-in form), time from ready to the first
successful signed-in page and to every client succeeding, errors after that, and lost writes
(acknowledged with a redirect but not stored) and half-written ones (programme without audit row).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import itertools
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._instances import Cluster, Instance, app_env, call, first_open_lesson, flask, sign_in  # noqa: E402

ORGANISER = "organiser@demo.kakehashi.example"
TRAINEES = [f"trainee{i}@demo.kakehashi.example" for i in (1, 2, 3)]


def prepare(url, env) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(url)
    with psycopg.connect(host=server.host, port=server.port, user=server.username, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{server.database}"')
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    # The demo trainees' lessons open after the pre-test; the bench reads lessons, so it drops that gate.
    with psycopg.connect(host=server.host, port=server.port, user=server.username, dbname=server.database,
                         autocommit=True) as conn:
        conn.execute("UPDATE course_assignments SET pre_test_id = NULL")


def main() -> None:  # noqa: C901 - one experiment, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pgdata", required=True, help="data directory of the PRIVATE cluster to restart")
    parser.add_argument("--pg-log", required=True, help="server log file for pg_ctl start/restart")
    parser.add_argument("--pg-owner", default="postgres", help="run pg_ctl as this user when run as root")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", help="rate-limit storage (default: memory://)")
    parser.add_argument("--mode", choices=("restart", "stop-start"), default="restart")
    parser.add_argument("--stop-mode", choices=("fast", "immediate"), default="fast",
                        help="pg_ctl -m: fast (clean shutdown) or immediate (like a crash: recovery on start)")
    parser.add_argument("--down", type=float, default=3.0, help="stop-start: seconds the server stays down")
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--before", type=float, default=4.0)
    parser.add_argument("--after", type=float, default=8.0)
    parser.add_argument("--prepare", action="store_true", help="recreate the database with the demo data")
    args = parser.parse_args()

    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(args.database_url)
    assert url.host in ("127.0.0.1", "localhost"), "bounded experiment: a local database only"
    assert url.port != 5432, "never restart the shared server on 5432: use a private cluster"
    cluster = Cluster(args.pgdata, url.port, args.pg_owner)
    env = app_env(args.database_url, args.redis_url)
    if args.prepare:
        prepare(args.database_url, env)
    if args.redis_url:
        import redis

        store = redis.Redis.from_url(args.redis_url)
        for key in store.scan_iter("LIMITS*"):
            store.delete(key)
    libpq = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    run_tag = f"R{int(time.time()) % 100000}"
    tmp = Path(tempfile.mkdtemp(prefix="kk-pg-restart-"))
    instances = [Instance(env, tmp / f"instance-{i}", args.workers, args.threads, tmp / f"gunicorn-{i}.log")
                 for i in range(args.instances)]
    ports = [i.port for i in instances]
    try:
        # Each client: (role, cookie, path). Organisers and trainees alternate.
        clients = []
        for n in range(args.clients):
            if n % 2 == 0:
                clients.append(("organiser", sign_in(ports[n % len(ports)], ORGANISER), "/cohorts"))
            else:
                email = TRAINEES[(n // 2) % len(TRAINEES)]
                cookie = sign_in(ports[n % len(ports)], email)
                clients.append(("trainee", cookie, first_open_lesson(ports[0], cookie)))
        for _role, cookie, path in clients:  # every session works on every instance before the restart
            for port in ports:
                assert call(port, "GET", path, cookie=cookie).status == 200, (port, path)

        results = []  # (client, kind, started, ended, status, bare, signed_out)
        acknowledged: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()
        codes = itertools.count(1)

        def client_loop(n: int, role: str, cookie: str, path: str) -> None:
            conns = {port: http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports}
            for i in itertools.count():
                if stop.is_set():
                    return
                port = ports[(n + i) % len(ports)]
                write = role == "organiser" and i % 4 == 3
                started = time.monotonic()
                try:
                    if write:
                        code = f"{run_tag}-{next(codes)}"
                        r = call(port, "POST", "/programmes/new",
                                 {"code": code, "name": "Restart bench", "funder": "METI"}, cookie, conns[port])
                        if r.status == 302 and "/programmes/" in (r.getheader("Location") or ""):
                            with lock:
                                acknowledged.append(code)
                    else:
                        r = call(port, "GET", path, cookie=cookie, conn=conns[port])
                    status, text, location = r.status, r.text, r.getheader("Location") or ""
                except (OSError, http.client.HTTPException):
                    conns[port].close()
                    conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    status, text, location = 0, "", ""
                ended = time.monotonic()
                bare = status == 500 and 'class="error-page"' not in text
                signed_out = status == 302 and "/login" in location
                with lock:
                    results.append((n, "write" if write else "page", started, ended, status, bare, signed_out))
                time.sleep(0.01)

        threads = [threading.Thread(target=client_loop, args=(n, *c), daemon=True) for n, c in enumerate(clients)]
        for t in threads:
            t.start()
        time.sleep(args.before)

        ready = {}

        def probe() -> None:
            """Sets ready["t"] at the first new connection accepted after one was refused."""
            seen_down = False
            while "t" not in ready and not stop.is_set():
                try:
                    with psycopg.connect(**libpq, connect_timeout=2) as conn:
                        conn.execute("SELECT 1")
                    if seen_down:
                        ready["t"] = time.monotonic()
                except psycopg.Error:
                    seen_down = True
                time.sleep(0.02)

        went_down = time.monotonic()
        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        if args.mode == "restart":  # open connections are terminated, new ones refused until it is up
            ctl_back = cluster.ctl("restart", "-m", args.stop_mode, "-w", "-l", args.pg_log)
        else:
            cluster.ctl("stop", "-m", args.stop_mode, "-w")
            time.sleep(args.down)
            ctl_back = cluster.ctl("start", "-w", "-l", args.pg_log)
        prober.join(timeout=30)
        t_ready = ready.get("t", ctl_back)
        time.sleep(args.after)
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        for instance in instances:
            instance.stop()

    # --- report ---------------------------------------------------------------------------------------
    def phase(started: float) -> str:
        return "before" if started < went_down else ("outage" if started < t_ready else "after")

    ok = {200, 302}
    table = collections.defaultdict(collections.Counter)
    for _n, _kind, started, _ended, status, bare, signed_out in results:
        ph = phase(started)
        table[ph][status] += 1
        table[ph]["bare 500"] += bare
        table[ph]["signed out"] += signed_out
    mode = (f"pg_ctl stop -m {args.stop_mode}, {args.down:g} s down, pg_ctl start" if args.mode == "stop-start"
            else f"pg_ctl restart -m {args.stop_mode}")
    print(f"{mode}; {args.instances} gunicorn instances × {args.workers} workers × {args.threads} threads "
          f"(deploy/gunicorn.conf.py), {args.clients} signed-in clients, PostgreSQL {url.port}, rate limits "
          f"{'in ' + args.redis_url if args.redis_url else 'in memory'}")
    print(f"database down for {t_ready - went_down:.2f} s (stop issued → first new connection accepted; "
          f"pg_ctl start returned {ctl_back - t_ready:+.2f} s from that)")
    for ph in ("before", "outage", "after"):
        counts = table[ph]
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])) if v)
        total = sum(v for k, v in counts.items() if isinstance(k, int))
        print(f"  {ph:7s} requests {total:5d}   {statuses}")

    def good(status: int, signed_out: bool) -> bool:
        return status in ok and not signed_out

    first_ok = min((ended for _n, _k, started, ended, status, _b, so in results
                    if ended >= t_ready and good(status, so)), default=None)
    recovered_at = {}
    for n in range(args.clients):
        mine = sorted((r for r in results if r[0] == n), key=lambda r: r[2])
        last_bad = max((r[3] for r in mine if not good(r[4], r[6])), default=None)
        after_bad = [r for r in mine if last_bad is None or r[2] >= last_bad]
        recovered_at[n] = min((r[3] for r in after_bad if good(r[4], r[6])), default=None)
    every = None if None in recovered_at.values() else max(recovered_at.values())
    late_errors = sum(1 for r in results if every is not None and r[2] > every and not good(r[4], r[6]))
    outage_statuses = set(table["outage"]) - {"bare 500", "signed out"}
    print(f"first successful signed-in page after ready: "
          f"{'never' if first_ok is None else f'{first_ok - t_ready:.2f} s'}; every client succeeding again: "
          f"{'never' if every is None else f'{max(0.0, every - t_ready):.2f} s'} after ready; errors after "
          f"that: {late_errors}")
    bad_outage = sum(v for k, v in table["outage"].items() if isinstance(k, int) and k not in (200, 302, 503))
    print(f"outage answers other than 200/302/503: {bad_outage} (statuses seen: {sorted(outage_statuses, key=str)});"
          f" bare 500s overall: {sum(t['bare 500'] for t in table.values())}; sign-outs overall: "
          f"{sum(t['signed out'] for t in table.values())}")

    with psycopg.connect(**libpq) as conn:
        stored = {row[0] for row in conn.execute("SELECT code FROM programmes WHERE code LIKE %s", (f"{run_tag}-%",))}
        audited = conn.execute("SELECT count(*) FROM audit_events WHERE action = 'programme.create' "
                               "AND summary LIKE %s", (f"{run_tag}-%",)).fetchone()[0]
    lost = [c for c in acknowledged if c not in stored]
    print(f"writes acknowledged: {len(acknowledged)}, stored: {len(stored)} (stored but answered with an error: "
          f"{len(stored - set(acknowledged))}), lost: {len(lost)}, half-written: {abs(len(stored) - audited)}")
    print(f"logs: {tmp}")


if __name__ == "__main__":
    main()
