"""Report export and dashboard benchmark (not run by pytest).

    /work/main/.venv/bin/python bench/export_bench.py [--enrolments 100000] [--requests 600] [--threads 4]

In one run it
1. builds a fresh SQLite database (migrations, then bulk inserts): N counted enrolments (plus 5 %
   withdrawn/no-show that must not count) in cohorts of 25 over FY2012–FY2025, attendance for one
   cohort in ten, and an organiser account;
2. times (a) ``flask --app app reports export`` and (b) a bare XlsxWriter ``constant_memory`` dump of
   the same Participants rows (same SQL, ``write_row``), each in its own process, with the peak RSS
   of each process from ``os.wait4``; prints both and the ratios (goal: time ratio ≤ 1.5 and peak
   RSS ≤ 150 MB);
3. serves the dashboard and a bare Flask "hello" app with the same gunicorn settings, drives each
   with the same bounded threaded urllib loop in interleaved rounds, and prints the median requests
   per second and the ratio (goal ≥ 0.2×), with the app's cheapest signed-in page (home) as a
   reference; then makes a write through the application in another process and checks that the
   very next dashboard request shows it.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
PASSWORD = "bench-password-123"  # noqa: S105 - throwaway account in a throwaway database
EMAIL = "bench-organiser@example.org"

COUNTRIES = ["VN", "TH", "ID", "MY", "PH", "KH", "LA", "MM", "SG", "BN", "TL", "JP", "IN", "BD", "LK", "MN", "FJ"]
SECTORS = ["ICT", "FIN", "CRD", "AVI", "APT", "RAI", "PRT", "LOG", "ELE", "GAS", "PET", "CHE", "WAT", "MED", "GOV",
           "MFG", "EDU", "SEC", "OTH"]
ORG_TYPES = ["government", "regulator", "national_csirt", "soe", "international", "private", "ngo", "academia"]
MODALITIES = ["invitation_jp", "workshop_in_country", "online_live", "elearning", "exercise"]
GENDERS = ["F", "M", "M", "F", "X", "NS"]

PARTICIPANTS_SQL = """
SELECT e.id, e.trainee_id, t.family_name, t.given_names, t.gender, t.nationality, o.name, o.country,
       o.sector_code, o.org_type, c.code, c.fiscal_year, c.modality, e.status, att.sessions, taken.sessions
FROM enrolments e
JOIN cohorts c ON c.id = e.cohort_id
JOIN trainees t ON t.id = e.trainee_id
JOIN organisations o ON o.id = t.organisation_id
LEFT JOIN (SELECT a.enrolment_id, count(DISTINCT s.date) AS days, count(a.id) AS sessions
           FROM attendance a JOIN sessions s ON s.id = a.session_id
           WHERE a.status IN ('present', 'late') GROUP BY a.enrolment_id) att ON att.enrolment_id = e.id
LEFT JOIN (SELECT s.cohort_id, count(DISTINCT s.id) AS sessions
           FROM sessions s JOIN attendance a ON a.session_id = s.id GROUP BY s.cohort_id) taken
       ON taken.cohort_id = c.id
WHERE e.status IN ('confirmed', 'completed', 'incomplete')
ORDER BY c.start_date, c.code, t.family_name, t.given_names, e.id
"""

HELLO_APP = textwrap.dedent('''
    from flask import Flask

    app = Flask(__name__)


    @app.route("/")
    def hello():
        return "Hello, World!"
''')


# --- data ------------------------------------------------------------------------------------------

def _env(workdir: Path, db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "KAKEHASHI_SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "KAKEHASHI_SECRET_KEY": "bench-secret-key-not-for-production",
        "KAKEHASHI_PRIVACY_NOTICE_REQUIRED": "false",  # measure the pages, not the privacy notice redirect
        "KAKEHASHI_RATELIMIT_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    })
    return env


def generate(db_path: Path, enrolments: int, seed: int = 20240401) -> dict:
    """Schema by migrations (create_app upgrades SQLite), then bulk inserts with SQLAlchemy Core."""
    from sqlalchemy import insert

    from accounts import services as account_services
    from app import create_app
    from core.extensions import db
    from core.refdata import fiscal_year
    from trainees.models import (
        Attendance,
        Cohort,
        CohortSession,
        Enrolment,
        Organisation,
        Programme,
        ProgrammeOrganiserName,
        Trainee,
    )

    rng = random.Random(seed)
    app = create_app()
    now = datetime.now(UTC)
    stamp = {"created_at": now, "updated_at": now}
    with app.app_context():
        conn = db.session.connection()
        programmes = [("ASEAN-CSIRT", "ASEAN CSIRT capacity building"), ("ISMS", "ISMS for ASEAN"),
                      ("ICS", "Industrial control system security")]
        conn.execute(insert(Programme), [{"id": i + 1, "code": c, "name": n, "funder": "METI", "description": "",
                                          **stamp} for i, (c, n) in enumerate(programmes)])
        conn.execute(insert(ProgrammeOrganiserName), [
            {"programme_id": p, "from_fy": fy, "name": name} for p in (1, 2, 3)
            for fy, name in ((2012, "HIDA"), (2017, "AOTS"))])
        per_cohort = 25
        n_cohorts = -(-enrolments // per_cohort)
        first, last = date(2012, 4, 1), date(2026, 3, 1)
        span = (last - first).days
        cohorts = []
        for i in range(n_cohorts):
            start = first + timedelta(days=span * i // n_cohorts)
            end = start + timedelta(days=rng.choice((0, 2, 4, 4, 9, 13)))
            cohorts.append({"id": i + 1, "programme_id": 1 + i % 3, "code": f"C{i + 1:05d}",
                            "title": f"Cyber course run {i + 1}", "modality": rng.choice(MODALITIES),
                            "host_country": rng.choice(COUNTRIES), "city": "", "venue": "", "start_date": start,
                            "end_date": end, "fiscal_year": fiscal_year(start),
                            "training_days": (end - start).days + 1, "language": "en", "capacity": 30,
                            "status": "closed", "attendance_locked": False, "notes": "", **stamp})
        conn.execute(insert(Cohort), cohorts)
        n_orgs = 3000
        conn.execute(insert(Organisation), [
            {"id": i + 1, "name": f"Organisation {i + 1}", "name_key": f"organisation {i + 1}",
             "country": COUNTRIES[i % len(COUNTRIES)], "sector_code": rng.choice(SECTORS),
             "org_type": rng.choice(ORG_TYPES), "is_international": False, **stamp} for i in range(n_orgs)])
        n_trainees = int(enrolments * 0.6)
        trainees = []
        for i in range(n_trainees):
            org = rng.randrange(n_orgs)
            trainees.append({"id": i + 1, "family_name": f"Family{i + 1}" if i % 17 else "",
                             "given_names": f"Given {i + 1}", "native_name": "", "email": f"t{i + 1}@bench.example",
                             "gender": rng.choice(GENDERS), "nationality": COUNTRIES[org % len(COUNTRIES)],
                             "organisation_id": org + 1, "job_title": "Engineer",
                             "date_of_birth": date(1970 + i % 30, 1 + i % 12, 1 + i % 28), "user_id": None, **stamp})
            if len(trainees) == 10000:
                conn.execute(insert(Trainee), trainees)
                trainees = []
        if trainees:
            conn.execute(insert(Trainee), trainees)
        rows, seen = [], set()
        by_cohort: dict[int, list[int]] = {}
        extra = enrolments // 20
        statuses = ["completed"] * 7 + ["incomplete", "confirmed"]
        for k in range(enrolments + extra):
            cohort = k % n_cohorts + 1 if k < enrolments else rng.randrange(n_cohorts) + 1
            trainee = rng.randrange(n_trainees) + 1
            while (trainee, cohort) in seen:
                trainee = rng.randrange(n_trainees) + 1
            seen.add((trainee, cohort))
            enrolment_id = k + 1
            status = rng.choice(statuses) if k < enrolments else rng.choice(("withdrawn", "no_show", "nominated"))
            by_cohort.setdefault(cohort, []).append(enrolment_id)
            rows.append({"id": enrolment_id, "trainee_id": trainee, "cohort_id": cohort, "status": status,
                         "status_changed_at": now, **stamp})
            if len(rows) == 10000:
                conn.execute(insert(Enrolment), rows)
                rows = []
        if rows:
            conn.execute(insert(Enrolment), rows)
        # Attendance for one cohort in ten: five sessions, two on the first day.
        sessions, marks, session_id = [], [], 0
        for cohort in cohorts[::10]:
            days = [cohort["start_date"], cohort["start_date"]] + [
                cohort["start_date"] + timedelta(days=d) for d in range(1, 4)]
            for day in days:
                session_id += 1
                sessions.append({"id": session_id, "cohort_id": cohort["id"], "date": day, "start_time": None,
                                 "end_time": None, "timezone": "Asia/Tokyo", "session_type": "lecture",
                                 "title": "Session", "venue": "", "attendance_required": True})
                for eid in by_cohort.get(cohort["id"], []):
                    marks.append({"session_id": session_id, "enrolment_id": eid, "recorded_at": now,
                                  "status": rng.choice(("present", "present", "present", "late", "absent"))})
        conn.execute(insert(CohortSession), sessions)
        for i in range(0, len(marks), 10000):
            conn.execute(insert(Attendance), marks[i:i + 10000])
        account_services.create_user(EMAIL, "organiser", "Bench organiser", password=PASSWORD)
        db.session.commit()
        db.engine.dispose()
    return {"cohorts": n_cohorts, "trainees": n_trainees, "enrolments": enrolments, "not_counted": extra,
            "attendance": len(marks)}


# --- measured processes ----------------------------------------------------------------------------

def measure(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str, float]:
    """Run ``cmd``; return (wall seconds, peak RSS in MB of that process, output, CPU seconds)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime


def bare_dump(db_path: str, out: str) -> None:
    """Mode (b): the same Participants rows straight from sqlite3 into XlsxWriter constant_memory."""
    import sqlite3

    import xlsxwriter

    connection = sqlite3.connect(db_path)
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("Participants")
    sheet.write_row(0, 0, ["Enrolment ID", "Trainee ID", "Family name", "Given names", "Gender", "Nationality",
                           "Organisation", "Organisation country", "Sector", "Org type", "Cohort", "Fiscal year",
                           "Modality", "Status", "Attended", "Recorded"])
    cursor = connection.execute(PARTICIPANTS_SQL)
    row_number = 0
    while batch := cursor.fetchmany(2000):
        for row in batch:
            row_number += 1
            sheet.write_row(row_number, 0, row)
    book.close()
    print(f"rows: {row_number}")


# --- HTTP throughput -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(target: str, chdir: Path, env: dict[str, str], workers: int, log: Path) -> tuple:
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
           "--bind", f"127.0.0.1:{port}", "--chdir", str(chdir), "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn {target} exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn {target} did not start")


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def signed_in_opener(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    data = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD,
                                   "csrf_token": token.group(1) if token else ""}).encode()
    response = opener.open(f"{base}/login", data=data, timeout=30)
    if "/login" in response.geturl():
        raise SystemExit("bench sign-in failed")
    return opener


def drive(url: str, total: int, threads: int, opener_factory) -> tuple[float, int]:
    """``total`` GET requests over ``threads`` threads; returns (requests per second, failures)."""
    openers = [opener_factory() for _ in range(threads)]
    counter = iter(range(total))
    lock = threading.Lock()
    failures = [0]

    def work(opener):
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            try:
                with opener.open(url, timeout=120) as response:
                    response.read()
                    if response.status != 200:
                        failures[0] += 1
            except OSError:
                failures[0] += 1

    pool = [threading.Thread(target=work, args=(o,)) for o in openers]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return total / (time.perf_counter() - started), failures[0]


def kpi(html: str, label: str) -> str:
    match = re.search(rf'<span class="value">([^<]*)</span>\s*{re.escape(label)}</li>', html)
    return match.group(1) if match else "?"


WRITE_SCRIPT = textwrap.dedent('''
    from sqlalchemy import select
    from app import create_app
    from core.extensions import db
    from trainees import services
    from trainees.models import Enrolment

    app = create_app()
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.status == "confirmed").limit(1))
        services.change_status(enrolment, "withdrawn", reason="benchmark write")
        db.session.commit()
        print(enrolment.id)
''')


# --- main ------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enrolments", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=600, help="timed requests per target and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved measuring rounds (median reported)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (both apps)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--bare-dump", nargs=2, metavar=("DB", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, metavar=("DB", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_dump:
        bare_dump(*args.bare_dump)
        return
    if args.generate:
        print(generate(Path(args.generate[0]), int(args.generate[1])))
        return

    workdir = Path(tempfile.mkdtemp(prefix="kakehashi-bench-"))
    db_path = workdir / "bench.sqlite3"
    env = _env(workdir, db_path)
    print(f"working folder: {workdir}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    try:
        started = time.perf_counter()
        _, _, output, _ = measure([sys.executable, __file__, "--generate", str(db_path), str(args.enrolments)],
                                     env, ROOT)
        print(f"generated in {time.perf_counter() - started:.1f} s: {output.strip().splitlines()[-1]}")

        out_a, out_b = workdir / "report.xlsx", workdir / "bare.xlsx"
        flask = [sys.executable, "-m", "flask", "--app", "app", "reports", "export", str(out_a)]
        time_a, rss_a, out, cpu_a = measure(flask, env, ROOT)
        print(f"(a) reports export:        {time_a:6.2f} s (CPU {cpu_a:6.2f} s)  peak RSS {rss_a:6.1f} MB  "
              f"{out_a.stat().st_size / 1e6:.1f} MB file  [{out.strip().splitlines()[-1]}]")
        time_b, rss_b, out, cpu_b = measure([sys.executable, __file__, "--bare-dump", str(db_path), str(out_b)],
                                            env, ROOT)
        print(f"(b) bare xlsxwriter dump:  {time_b:6.2f} s (CPU {cpu_b:6.2f} s)  peak RSS {rss_b:6.1f} MB  "
              f"{out_b.stat().st_size / 1e6:.1f} MB file  [{out.strip()}]")
        print(f"ratio (a)/(b): time {time_a / time_b:.2f}x (goal <= 1.5), CPU time {cpu_a / cpu_b:.2f}x, "
              f"peak RSS {rss_a / rss_b:.2f}x; "
              f"export peak RSS {rss_a:.1f} MB (goal <= 150 MB)")

        hello_dir = workdir / "hello"
        hello_dir.mkdir()
        (hello_dir / "hello_app.py").write_text(HELLO_APP)
        hello, hello_port = start_gunicorn("hello_app:app", hello_dir, env, args.workers, workdir / "hello.log")
        app, app_port = start_gunicorn("app:create_app()", ROOT, env, args.workers, workdir / "app.log")
        try:
            base = f"http://127.0.0.1:{app_port}"
            signed_in = lambda: signed_in_opener(base)  # noqa: E731
            targets = {
                "hello": (f"http://127.0.0.1:{hello_port}/", urllib.request.build_opener),
                "dashboard": (f"{base}/reports/", signed_in),
                "home": (f"{base}/", signed_in),  # the same app's cheapest signed-in page, for reference
            }
            warm = time.perf_counter()
            drive(targets["dashboard"][0], args.workers * 4, args.threads, signed_in)  # every worker computes once
            print(f"dashboard warm-up (each worker computes the figures once): {time.perf_counter() - warm:.1f} s")
            rates: dict[str, list[float]] = {name: [] for name in targets}
            failures = 0
            for _ in range(args.rounds):  # interleaved rounds: a busy machine affects every target alike
                for name, (url, factory) in targets.items():
                    rate, failed = drive(url, args.requests, args.threads, factory)
                    rates[name].append(rate)
                    failures += failed
            median = {name: statistics.median(values) for name, values in rates.items()}
            for name, values in rates.items():
                print(f"{name:9s}: median {median[name]:8.1f} req/s  (rounds: {', '.join(f'{v:.0f}' for v in values)})")
            print(f"{args.rounds} rounds x {args.requests} requests per target, {args.threads} client threads, "
                  f"{args.workers} gunicorn sync workers for both apps, failures {failures}")
            opener = signed_in_opener(base)
            before = kpi(opener.open(base + "/reports/").read().decode(), "Enrolments")
            measure([sys.executable, "-c", WRITE_SCRIPT], env, ROOT)  # another process, like another worker
            after = kpi(opener.open(base + "/reports/").read().decode(), "Enrolments")
            visible = before != after and int(after.replace(",", "")) == int(before.replace(",", "")) - 1
            print(f"write visible in the next request: {'yes' if visible else 'NO'} (Enrolments {before} -> {after})")
        finally:
            stop(app)
            stop(hello)
        print(f"dashboard/hello throughput ratio: {median['dashboard'] / median['hello']:.3f}x (goal >= 0.2x); "
              f"for reference home page/hello {median['home'] / median['hello']:.3f}x, "
              f"dashboard/home page {median['dashboard'] / median['home']:.3f}x")
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
