"""CPU cost per request of signed-in pages, measured in-process with the Flask test client (not run by pytest).

    /work/main/.venv/bin/python bench/request_cost.py [--requests 500] [--rounds 3] [--root DIR] [--gunicorn]
        [--profile PAGE [--profiler cprofile|pyinstrument]] [--pages org-home,cohorts,...]

Builds a small SQLite file database (the portal benchmark's builder with 1,000 trainees), signs in a
trainee and an organiser through the real sign-in form (production configuration: CSRF, rate limiter,
session protection all on), then for each page runs ``--requests`` GETs and prints the CPU time
(``time.process_time``) and wall time per request, best of ``--rounds`` interleaved rounds, next to a
bare Flask "hello" app driven the same way. CPU time is the figure to compare on a busy machine: it
does not count time spent waiting for a CPU. Two probe pages split the shared baseline: ``probe-ok``
(a signed-in view returning "ok": session, user loader, limiter, headers) and ``probe-layout`` (a
signed-in page that only extends the layout); the last column is each page's CPU time over ``probe-layout``'s
(issue 17's measure: at most 2.0×); ``org-layout`` is the same empty page for the organiser, whose navigation
differs. ``--pages`` measures only the pages named (with hello and probe-layout).

``--gunicorn`` serves the app and the hello app with gunicorn (2 sync workers, as in portal_bench.py)
instead and prints req/s and the servers' CPU time per request (from /proc, so it counts only the
servers' own work, not the client's).

``--dump DIR`` writes each page's HTML (CSRF tokens masked) to DIR instead of measuring: run it with
``--root`` on two checkouts and ``diff -r`` the folders to check that a change kept the pages' output.

``--instructions`` counts CPU instructions per request instead of timing (valgrind's callgrind, which counts
the same number however busy the machine is; needs ``valgrind`` and ``gcc``): the database is built as usual,
then the pages are requested in a child process under callgrind, counting only ``--requests`` requests per page
after a warm-up (a five-line C helper, compiled on the fly, switches counting on and off). The ratio to
``probe-layout`` is printed as in the timed table. Slower than timing (about a minute for all pages with
``--requests 10``) but repeatable to 0.1 %, where CPU time on a shared machine swung by a factor of two
between runs (issue 17's closing note).

``--root DIR`` measures another checkout of the code (e.g. ``git archive`` of an older commit) with
this same script. ``--profile PAGE`` prints a profile of that page instead of the table: cProfile timed
by CPU time, or with ``--profiler pyinstrument`` a wall-clock call tree (``pip install pyinstrument``
first; it is not a project dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _measure(client, path: str, n: int, headers: dict | None = None) -> tuple[float, float]:
    for _ in range(20):  # warm-up: templates compiled, caches filled
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        client.get(path, headers=headers)
    return (time.process_time() - cpu) / n * 1000, (time.perf_counter() - wall) / n * 1000


def _sign_in(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/login").get_data()
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    if response.status_code != 302:
        raise RuntimeError(f"sign-in of {email} failed: HTTP {response.status_code}")
    return client


def _server_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by a gunicorn master and its workers, from /proc."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # fields from the 3rd (state) on
        except (OSError, IndexError):
            continue
        if int(stat.parent.name) == master or int(fields[1]) == master:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _gunicorn_table(args, root: Path, workdir: Path, info: dict, portal_bench) -> None:
    """Req/s and server CPU ms per request under gunicorn, for hello and the signed-in pages."""
    from werkzeug.security import generate_password_hash

    from accounts.models import User
    from app import create_app
    from core.extensions import db

    with create_app().app_context():
        db.session.add(User(email="bench-organiser@example.org", display_name="Bench Organiser", role="organiser",
                            password_hash=generate_password_hash(portal_bench.PASSWORD)))
        db.session.commit()
    (workdir / "hello_app.py").write_text(portal_bench.HELLO)
    env = {**os.environ, "PYTHONPATH": str(root)}
    results = {}
    hello = portal_bench.Server("hello_app:app", {**env, "PYTHONPATH": str(workdir)}, workdir)
    server = portal_bench.Server("app:create_app()", env, root)
    try:
        trainee = portal_bench.sign_in(server.port, info["email"])
        organiser = portal_bench.sign_in(server.port, "bench-organiser@example.org")
        pages = {
            "hello": (hello, "/", None),
            "account": (server, "/account", trainee),
            "me": (server, "/me", trainee),
            "learn": (server, "/learn/", trainee),
            "outline": (server, f"/learn/{info['assignment']}", trainee),
            "lesson": (server, f"/learn/{info['assignment']}/lessons/{info['lesson']}", trainee),
            "quiz": (server, f"/learn/{info['assignment']}/quizzes/{info['quiz']}", trainee),
            "org-home": (server, "/", organiser),
            "org-account": (server, "/account", organiser),
            "reports": (server, "/reports/", organiser),
        }
        for _ in range(args.rounds):
            for name, (srv, path, cookie) in pages.items():
                before = _server_cpu(srv.proc.pid)
                run = portal_bench.load(srv.port, path, cookie, args.requests, args.concurrency)
                served = run["n"] + min(20, args.requests)  # load() warms up with 20 untimed requests
                run["cpu"] = (_server_cpu(srv.proc.pid) - before) / served * 1000
                results.setdefault(name, []).append(run)
    finally:
        server.stop()
        hello.stop()
    print(f"code: {root}; gunicorn 2 sync workers, {args.concurrency} client threads, {args.requests} requests per "
          f"page, best of {args.rounds} rounds; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'page':<12} {'req/s':>8} {'× hello':>8} {'server CPU ms/req':>18} {'× hello':>8} {'errors':>7}")
    best = {name: (max(r["rps"] for r in runs), min(r["cpu"] for r in runs), sum(r["errors"] for r in runs))
            for name, runs in results.items()}
    for name, (rps, cpu, errors) in best.items():
        print(f"{name:<12} {rps:8.1f} {rps / best['hello'][0]:8.2f} {cpu:18.2f} {cpu / best['hello'][1]:8.1f} "
              f"{errors:7d}")


#: The shared per-request steps: (label, file name, function name) as cProfile names them (cumulative time).
STEPS = [
    ("session cookie: open (itsdangerous unsign, JSON)", "sessions.py", "open_session"),
    ("session cookie: save", "sessions.py", "save_session"),
    ("user loader incl. its one query (user ⋈ session row)", "login_manager.py", "_load_user"),
    ("  of which the query (load_session_user)", "services.py", "load_session_user"),
    ("  of which session protection (IP/UA hash)", "login_manager.py", "_session_protection_failed"),
    ("rate limiter: before_request check", "_extension.py", "_check_request_limit"),
    ("rate limiter: response headers", "_extension.py", "_Limiter__inject_headers"),
    ("CSRF check (GET: exempt method)", "csrf.py", "csrf_protect"),
    ("idle timeout touch + consent gate", "views.py", "_touch_session"),
    ("consent gate", "views.py", "_ask_for_consent"),
    ("security headers + default-deny", "security.py", "_headers"),
    ("default-deny before_request", "security.py", "_default_deny"),
    ("Babel locale selection (select_locale)", "i18n.py", "select_locale"),
    ("template context (nav items, site name)", "templating.py", "_inject"),
    ("bell count (session-cached)", "views.py", "bell_count"),
    ("render_template (whole layout)", "templating.py", "render_template"),
    ("teardown: scoped session remove", "errors.py", "_release_session"),
    ("Flask test client itself (builds the environ, reads the response)", "testing.py", "_request_from_builder_args"),
]


def _steps(pages: dict, n: int) -> None:
    import cProfile
    import pstats

    for name in ("probe-ok", "probe-layout"):
        client, path = pages[name]
        cpu, _wall = _measure(client, path, n)
        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(lambda client=client, path=path: [client.get(path) for _ in range(n)])
        stats = pstats.Stats(profiler).stats
        total = max(ct for (_cc, _nc, _tt, ct, _callers) in stats.values())
        print(f"{name}: {cpu:.3f} ms CPU per request unprofiled; steps as a share of the profiled request, "
              f"applied to it:")
        for label, filename, func in STEPS:
            found = [v for (f, _line, fn), v in stats.items() if fn == func and f.endswith(filename)]
            if not found:
                print(f"  {label:<70} not called")
                continue
            cum = sum(v[3] for v in found)
            print(f"  {label:<70} {100 * cum / total:5.1f} %  ≈ {cpu * cum / total * 1000:6.0f} µs")


_CALLGRIND_HELPER = """#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void cg_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }
void cg_zero(void) { CALLGRIND_ZERO_STATS; }
void cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""


def _count_instructions(args, root: Path, database: Path, info: dict) -> None:
    """``--instructions``: run this script again under callgrind on the database just built, then print the
    instructions per request of each page (from callgrind's dumps, one per page)."""
    import shutil
    import subprocess

    for tool in ("valgrind", "gcc"):
        if shutil.which(tool) is None:
            sys.exit(f"--instructions needs {tool} (Debian: apt-get install valgrind gcc)")
    workdir = database.parent
    Path(f"{database}.json").write_text(json.dumps(info))
    (workdir / "cg.c").write_text(_CALLGRIND_HELPER)
    helper = workdir / "libcg.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(helper), str(workdir / "cg.c")], check=True)
    child = [sys.executable, str(Path(__file__).resolve()), "--root", str(root), "--instructions", "--database",
             str(database), "--requests", str(args.requests), *(["--pages", args.pages] if args.pages else [])]
    dumps = workdir / "callgrind"
    dumps.mkdir()
    run = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                          f"--callgrind-out-file={dumps}/cg.%p", *child], capture_output=True, text=True,
                         env={**os.environ, "KAKEHASHI_CALLGRIND_HELPER": str(helper)})
    if run.returncode:
        sys.exit(f"the measuring process failed:\n{run.stderr[-3000:]}")
    counts = {}
    for dump in dumps.iterdir():
        text = dump.read_text(errors="replace")
        name = re.search(r"^desc: Trigger: Client Request: (.+)$", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if name and total:
            counts[name.group(1).strip()] = int(total.group(1)) / args.requests
    layout = counts["probe-layout"]
    print(f"code: {root}; instructions per request (callgrind), {args.requests} requests per page after a "
          f"warm-up, Flask test client, SQLite file database")
    print(f"{'page':<12} {'M instr/req':>12} {'× layout':>9}")
    order = ["hello", "probe-ok", "probe-layout", "org-layout", "account", "me", "learn", "outline", "lesson",
             "quiz", "org-home", "org-account", "reports", "cohorts", "cohort"]
    for name in sorted(counts, key=lambda n: order.index(n) if n in order else len(order)):
        print(f"{name:<12} {counts[name] / 1e6:12.3f} {counts[name] / layout:9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--root", type=Path, default=HERE.parent, help="the code to measure (default: this tree)")
    parser.add_argument("--profile", default=None, help="page name to profile")
    parser.add_argument("--profiler", choices=("cprofile", "pyinstrument"), default="cprofile",
                        help="cProfile timed with CPU time (flat lists) or pyinstrument (wall-clock call tree; "
                             "optional, not a project dependency: pip install pyinstrument)")
    parser.add_argument("--steps", action="store_true",
                        help="split the signed-in baseline (probe-ok, probe-layout) into its steps: each step's share "
                             "of a cProfile run (CPU-timed) applied to the page's unprofiled CPU time")
    parser.add_argument("--queries", default=None, help="page name: print the SQL statements one request runs")
    parser.add_argument("--dump", type=Path, default=None,
                        help="write each page's HTML to DIR/<page>.html (CSRF tokens masked) instead of measuring, "
                             "to compare two checkouts' output on the bench data (diff -r)")
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all pages; the best round is shown")
    parser.add_argument("--gunicorn", action="store_true",
                        help="serve the app and hello with gunicorn (2 sync workers) and count the servers' CPU time")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads in --gunicorn mode")
    parser.add_argument("--serve", action="store_true",
                        help="after the set-up, measure one round of the pages (CPU ms each, as a JSON line) per line "
                             "read from stdin (used by compare_request_cost.py --interleave)")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions per request under callgrind instead of timing (see above)")
    parser.add_argument("--database", type=Path, default=None, help=argparse.SUPPRESS)  # the --instructions child
    parser.add_argument("--pages", default=None,
                        help="comma-separated page names to measure (default: all; hello and probe-layout always)")
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    sys.path.insert(1, str(HERE))
    os.chdir(root)

    import portal_bench  # the builder only; it imports the app from sys.path, i.e. from --root

    sys.path.insert(0, str(root))  # portal_bench put its own tree first

    portal_bench.TRAINEES, portal_bench.COHORTS, portal_bench.ATTEMPTS = args.trainees, 20, args.trainees * 10
    workdir = Path(tempfile.mkdtemp(prefix="request-cost-"))
    database = args.database or workdir / "bench.sqlite3"
    uri = f"sqlite:///{database}"
    os.environ["KAKEHASHI_SQLALCHEMY_DATABASE_URI"] = uri
    os.environ["KAKEHASHI_SECRET_KEY"] = "bench-secret"  # noqa: S105 - throwaway database
    os.environ["KAKEHASHI_PRIVACY_NOTICE_REQUIRED"] = "false"  # measure the pages, not the notice redirect
    os.environ["KAKEHASHI_COURSE_FILES_DIR"] = str(workdir / "files")
    # the --instructions child reuses the parent's database and its facts
    info = json.loads(Path(f"{database}.json").read_text()) if args.database else portal_bench.build_database(uri, None)
    if args.instructions and not args.database:
        _count_instructions(args, root, database, info)
        return

    if args.gunicorn:
        _gunicorn_table(args, root, workdir, info, portal_bench)
        return

    from flask import Blueprint, Flask, render_template
    from werkzeug.security import generate_password_hash

    from accounts.models import User
    from accounts.permissions import signed_in
    from app import create_app
    from core.extensions import db

    app = create_app()
    # Two probes that split the shared baseline: the signed-in request without a page, and the bare layout.
    (workdir / "probe").mkdir()
    (workdir / "probe" / "probe_layout.html").write_text('{% extends "layout/base.html" %}')
    probe = Blueprint("probe", __name__, template_folder=str(workdir / "probe"))
    probe.add_url_rule("/_probe/ok", "ok", signed_in(lambda: "ok"))
    probe.add_url_rule("/_probe/layout", "layout", signed_in(lambda: render_template("probe_layout.html")))
    app.register_blueprint(probe)
    with app.app_context():
        from sqlalchemy import select

        if db.session.scalar(select(User.id).where(User.email == "bench-organiser@example.org")) is None:
            db.session.add(User(email="bench-organiser@example.org", display_name="Bench Organiser", role="organiser",
                                password_hash=generate_password_hash(portal_bench.PASSWORD)))
            db.session.commit()

        from trainees.models import Cohort

        info["cohort"] = db.session.scalar(select(Cohort.id).order_by(Cohort.id).limit(1))  # 50 participants
    trainee = _sign_in(app, info["email"], portal_bench.PASSWORD)
    organiser = _sign_in(app, "bench-organiser@example.org", portal_bench.PASSWORD)
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "hello")

    pages = {
        "hello": (hello.test_client(), "/"),
        "probe-ok": (trainee, "/_probe/ok"),
        "probe-layout": (trainee, "/_probe/layout"),
        "org-layout": (organiser, "/_probe/layout"),
        "account": (trainee, "/account"),
        "me": (trainee, "/me"),
        "learn": (trainee, "/learn/"),
        "outline": (trainee, f"/learn/{info['assignment']}"),
        "lesson": (trainee, f"/learn/{info['assignment']}/lessons/{info['lesson']}"),
        "quiz": (trainee, f"/learn/{info['assignment']}/quizzes/{info['quiz']}"),
        "org-home": (organiser, "/"),
        "org-account": (organiser, "/account"),
        "reports": (organiser, "/reports/"),
        "cohorts": (organiser, "/cohorts"),
        "cohort": (organiser, f"/cohorts/{info['cohort']}"),
    }
    if args.steps:
        _steps(pages, args.requests)
        return
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for name, (client, path) in pages.items():
            html = client.get(path).get_data()
            html = re.sub(rb'(name="[a-z]*-?csrf_token"[^>]*value=")[^"]+"', rb'\1X"', html)
            (args.dump / f"{name}.html").write_bytes(html)
        return
    if args.queries:
        from sqlalchemy import event

        client, path = pages[args.queries]
        _measure(client, path, 1)
        statements = []
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        client.get(path)
        for n, statement in enumerate(statements, 1):
            print(f"--- {n}\n{statement}")
        return
    if args.profile:
        client, path = pages[args.profile]
        _measure(client, path, 1)
        if args.profiler == "cprofile":
            import cProfile
            import pstats

            profiler = cProfile.Profile(time.process_time)
            profiler.runcall(lambda: [client.get(path) for _ in range(args.requests)])
            stats = pstats.Stats(profiler).strip_dirs()
            stats.sort_stats("cumulative").print_stats(int(os.environ.get("TOP", "60")))
            stats.sort_stats("tottime").print_stats(30)
            if os.environ.get("CALLERS"):
                stats.print_callers(os.environ["CALLERS"])
            return
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        with profiler:
            for _ in range(args.requests):
                client.get(path)
        print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("SHOW_ALL"))))
        return
    if args.pages:
        wanted = {"hello", "probe-layout", *args.pages.split(",")}
        pages = {name: page for name, page in pages.items() if name in wanted}
    if args.instructions:  # the child, under callgrind: count each page's requests only
        import ctypes

        counter = ctypes.CDLL(os.environ["KAKEHASHI_CALLGRIND_HELPER"])
        for name, (client, path) in pages.items():
            _measure(client, path, 1)  # warm-up (20 requests)
            counter.cg_start()
            counter.cg_zero()
            for _ in range(args.requests):
                client.get(path)
            counter.cg_dump(name.encode())
            counter.cg_stop()
        return
    if args.serve:  # one round per line read, for compare_request_cost.py --interleave
        for page in pages.values():  # warm-up, once
            _measure(*page, 1)
        print("ready", flush=True)
        for _line in sys.stdin:
            cpu = {name: _measure(client, path, args.requests)[0] for name, (client, path) in pages.items()}
            print(json.dumps(cpu), flush=True)
        return
    results = {name: [] for name in pages}
    for _ in range(args.rounds):  # interleaved rounds: a burst of load elsewhere hits one round, not one page
        for name, (client, path) in pages.items():
            results[name].append(_measure(client, path, args.requests))
    print(f"code: {root}; {args.requests} requests per page, best of {args.rounds} rounds, Flask test client, "
          f"SQLite file database; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'page':<12} {'CPU ms/req':>11} {'wall ms/req':>12} {'CPU × hello':>12} {'CPU × layout':>13}")
    hello_cpu = min(cpu for cpu, _wall in results["hello"])
    layout_cpu = min(cpu for cpu, _wall in results["probe-layout"])
    for name, runs in results.items():
        cpu, wall = min(c for c, _w in runs), min(w for _c, w in runs)
        print(f"{name:<12} {cpu:11.2f} {wall:12.2f} {cpu / hello_cpu:12.1f} {cpu / layout_cpu:13.2f}")


if __name__ == "__main__":
    main()
