"""Benchmark: one instance or two, same total workers (issue 11, Measure): throughput and CPU per request
of the trainee lesson page and the exercise poll (feed.json, 304 steady state) on PostgreSQL.

Configuration "1×W": one ``gunicorn -c deploy/gunicorn.conf.py`` instance with W workers; "2×W/2": two
instances with W/2 workers each and separate instance folders (the clients are spread over both, as a
load balancer would). Same database, same secret, same rate-limit storage (``--redis-url``). Both
configurations run side by side and are measured in alternating short rounds, so that a change in
the machine's load (other processes) hits both alike. CPU per request = CPU time of the measured
configuration's gunicorn processes (master + workers), and, when --pgdata names the cluster, of the
PostgreSQL server processes, divided by the requests answered in the round.

    python bench/scale_out.py --database-url postgresql+psycopg://postgres@127.0.0.1:5433/kk_restart \\
        [--pgdata /tmp/pg/data] [--redis-url redis://127.0.0.1:6379/4] [--workers 4] [--threads 2] \\
        [--clients 16] [--seconds 5] [--rounds 4]

The database must hold the demo data (``flask db upgrade && flask seed-demo``; bench/pg_restart.py
--prepare makes it, including the open lessons); a running exercise with ``--clients`` one-player teams
is added to it for the poll. Only 127.0.0.1 is contacted; every loop is bounded by time.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import multiprocessing
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._instances import (  # noqa: E402
    Cluster,
    Instance,
    app_env,
    call,
    first_open_lesson,
    sign_in,
    tree_cpu_seconds,
)

TRAINEES = [f"trainee{i}@demo.kakehashi.example" for i in (1, 2, 3)]
PLAYER_PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts in a bench database


def seed_exercise(env: dict, teams: int) -> tuple[int, list[str]]:
    """A running exercise with ``teams`` teams of one player each (as bench/exercise_poll.py)."""
    os.environ.update(env)
    from werkzeug.security import generate_password_hash

    from accounts.models import User
    from app import create_app
    from core.extensions import db
    from exercises.services import runs
    from tests import factories
    from tests.exercises import builders

    factories._seq = itertools.count(int(time.time()))  # codes and e-mails unlike any earlier run's

    app = create_app({"CHECK_DB_ON_START": False})
    with app.app_context():
        tag = f"scale{int(time.time())}"
        facilitator = User(email=f"{tag}-facilitator@example.org", display_name="Bench", role="organiser",
                           password_hash=generate_password_hash(PLAYER_PASSWORD))
        db.session.add(facilitator)
        db.session.flush()
        countries = ("VN", "TH", "ID", "MY", "PH", "SG", "KH", "LA", "MM", "BN", "TL", "JP", "KR", "IN", "BD",
                     "LK", "NP", "PK", "MN", "FJ", "PG", "AU", "NZ", "US", "GB", "FR", "DE", "KE", "NG", "BR")
        cohort, people = builders.cohort_with_players(countries[:teams], per_team=1)
        hashed = generate_password_hash(PLAYER_PASSWORD)
        for _trainee, user in people:
            user.password_hash = hashed
        run = runs.create_run(builders.scenario(f"Scale-out bench {tag}").id, cohort, actor=facilitator)
        runs.set_placeholders(run, {k: v or "x" for k, v in run.placeholder_values.items()})
        runs.form_teams(run, "nationality")
        runs.transition(run, "prepare")
        runs.transition(run, "start")
        db.session.commit()
        emails = [user.email for _t, user in people]
        run_id = run.id
        db.engine.dispose()
    return run_id, emails


def _client(port: int, path: str, headers: dict, until: float, out: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    count, statuses = 0, {}
    while time.perf_counter() < until:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
        count += 1
    out.append((count, statuses))


def _process(jobs, until, queue) -> None:
    out: list = []
    threads = [threading.Thread(target=_client, args=(*job, until, out)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(out)


def load(jobs: list, seconds: float, processes: int = 2) -> tuple[int, dict]:
    """Every job (port, path, headers) is one keep-alive client for ``seconds``; returns (requests, statuses)."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    until = time.perf_counter() + 0.5 + seconds  # the processes start within the half second
    procs = [multiprocessing.Process(target=_process, args=(jobs[i::processes], until, queue))
             for i in range(processes)]
    for p in procs:
        p.start()
    results = [r for _ in procs for r in queue.get()]
    for p in procs:
        p.join()
    statuses: dict = {}
    for _n, s in results:
        for code, n in s.items():
            statuses[code] = statuses.get(code, 0) + n
    return sum(n for n, _s in results), statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pgdata", help="the cluster's data directory: its server processes' CPU is counted too")
    parser.add_argument("--redis-url")
    parser.add_argument("--workers", type=int, default=4, help="total workers (split over two instances)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--kinds", default="lesson page,poll", help="comma-separated: lesson page, poll")
    args = parser.parse_args()
    env = app_env(args.database_url, args.redis_url)
    run_id, players = seed_exercise(env, args.clients)
    postmaster = Cluster(args.pgdata, 0, None).postmaster_pid() if args.pgdata else None
    tmp = Path(tempfile.mkdtemp(prefix="kk-scale-out-"))
    one = [Instance(env, tmp / "one", args.workers, args.threads, tmp / "one.log")]
    two = [Instance(env, tmp / f"two-{i}", args.workers // 2, args.threads, tmp / f"two-{i}.log") for i in (0, 1)]
    configs = {f"1×{args.workers}": one, f"2×{args.workers // 2}": two}
    try:
        trainee_cookies = [sign_in(one[0].port, TRAINEES[n % len(TRAINEES)]) for n in range(args.clients)]
        lessons = [first_open_lesson(one[0].port, c) for c in trainee_cookies[:len(TRAINEES)]]
        player_cookies = [sign_in(one[0].port, e, PLAYER_PASSWORD) for e in players]
        room = f"/exercises/play/{run_id}"
        tokens = [re.search(r'data-poll-token="([^"]+)"', call(one[0].port, "GET", room, cookie=c).text)[1]
                  for c in player_cookies]
        etags = [call(one[0].port, "GET", f"{room}/feed.json", cookie=c).getheader("ETag") for c in player_cookies]

        def jobs(kind: str, instances: list) -> list:
            ports = [i.port for i in instances]

            def port(n: int) -> int:  # load() gives process p the jobs p, p+2, …: each process uses every port
                return ports[(n // 2) % len(ports)]

            if kind == "lesson page":
                return [(port(n), lessons[n % len(lessons)], {"Cookie": c}) for n, c in enumerate(trainee_cookies)]
            return [(port(n), f"{room}/feed.json",
                     {"Cookie": c, "X-Poll-Token": t, "If-None-Match": e})
                    for n, (c, t, e) in enumerate(zip(player_cookies, tokens, etags, strict=True))]

        kinds = [k.strip() for k in args.kinds.split(",")]
        totals = {(kind, name): [0, 0.0, 0.0, {}] for kind in kinds for name in configs}
        for kind in kinds:  # warm up every worker
            for instances in configs.values():
                load(jobs(kind, instances), 1.0)
        for _ in range(args.rounds):
            for kind in kinds:
                for name, instances in configs.items():
                    app_before = sum(i.cpu_seconds() for i in instances)
                    db_before = tree_cpu_seconds(postmaster) if postmaster else 0.0
                    n, statuses = load(jobs(kind, instances), args.seconds)
                    total = totals[(kind, name)]
                    total[0] += n
                    total[1] += sum(i.cpu_seconds() for i in instances) - app_before
                    total[2] += (tree_cpu_seconds(postmaster) - db_before) if postmaster else 0.0
                    for code, count in statuses.items():
                        total[3][code] = total[3].get(code, 0) + count
    finally:
        for instance in one + two:
            instance.stop()

    seconds = args.seconds * args.rounds
    print(f"PostgreSQL ({args.database_url.rsplit('@', 1)[-1]}); gunicorn -c deploy/gunicorn.conf.py, gthread × "
          f"{args.threads} threads; {args.clients} keep-alive clients in 2 client processes on the same machine; "
          f"{args.rounds} alternating rounds of {args.seconds:g} s; {os.cpu_count()} CPUs; load average "
          f"{os.getloadavg()[0]:.1f}; rate limits {'in ' + args.redis_url if args.redis_url else 'in memory'}")
    for kind in kinds:
        base = None
        for name in configs:
            n, app_cpu, db_cpu, statuses = totals[(kind, name)]
            rps = n / seconds
            per_request = (app_cpu + db_cpu) / n * 1000 if n else float("nan")
            base = base or (rps, per_request)
            print(f"{kind:12s} {name:5s} {rps:8.1f} req/s  CPU/request {per_request:6.2f} ms (app "
                  f"{app_cpu / n * 1000:5.2f} + PostgreSQL {db_cpu / n * 1000:5.2f})  vs 1 instance: "
                  f"req/s {rps / base[0]:.2f}×, CPU/request {per_request / base[1]:.2f}×  statuses {statuses}")


if __name__ == "__main__":
    main()
