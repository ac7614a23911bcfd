"""Trainee portal throughput: dashboard (My courses), course outline and lesson page of a signed-in trainee
under gunicorn (2 sync workers), against a bare Flask "hello" app under the same settings, in one run.

The database (SQLite file in a temp folder) holds 10,000 trainees (each enrolled in one of 100 cohorts
that have the course assigned) and 100,000 submitted attempts. The course is the seed content in
courses/content if present, else the test fixture course (or --content DIR).

    python bench/portal_bench.py [--requests 600] [--concurrency 4] [--content DIR]

Only 127.0.0.1 is contacted; every loop is bounded by a request count and a time limit. Goal (issue 5):
each page ≥ 0.25× the hello app's req/s on SQLite.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRAINEES = 10_000
COHORTS = 100
ATTEMPTS = 100_000
PASSWORD = "bench-password-2026"  # noqa: S105 - local benchmark account
HELLO = "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef hello():\n    return 'hello'\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_database(uri: str, content: Path | None) -> dict:
    """Schema by migration, the course, 10,000 trainees, 100,000 attempts, one portal account."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from accounts.models import User
    from app import create_app
    from core.extensions import db
    from courses.content_loader import CONTENT_DIR, load_course
    from courses.models import Attempt, CourseAssignment, Lesson, LessonProgress, Module, Quiz
    from trainees.models import Cohort, Enrolment, Organisation, Programme, Trainee

    os.environ["KAKEHASHI_SQLALCHEMY_DATABASE_URI"] = uri
    os.environ.setdefault("KAKEHASHI_SECRET_KEY", "bench-secret")
    os.environ.setdefault("KAKEHASHI_PRIVACY_NOTICE_REQUIRED", "false")  # measure pages, not the notice redirect
    app = create_app()  # AUTO_UPGRADE_SQLITE brings the file to the head revision
    folders = [content] if content else sorted(p.parent for p in CONTENT_DIR.glob("*/course.toml"))
    if not folders:
        folders = [ROOT / "tests" / "courses" / "fixtures" / "sample-course"]
    with app.app_context():
        course_id = load_course(folders[0]).course_id
        quizzes = list(db.session.execute(select(Quiz.id, Quiz.kind).where(Quiz.course_id == course_id)
                                          .order_by(Quiz.position)).all())
        pre = next(q for q, k in quizzes if k == "pre_test")
        post = next((q for q, k in quizzes if k == "post_test"), None)
        programme = Programme(code="BENCH", name="Bench programme")
        db.session.add(programme)
        db.session.flush()
        start = date(2025, 6, 2)
        db.session.execute(insert(Cohort), [
            {"programme_id": programme.id, "code": f"B{i:03d}", "title": f"Bench cohort {i}", "modality": "elearning",
             "start_date": start, "end_date": start + timedelta(days=4), "fiscal_year": 2025, "training_days": 5}
            for i in range(COHORTS)])
        cohort_ids = list(db.session.scalars(select(Cohort.id).order_by(Cohort.id)))
        db.session.execute(insert(Organisation), [
            {"name": f"Org {i}", "name_key": f"org {i}", "country": "VN", "sector_code": "ICT",
             "org_type": "government"} for i in range(50)])
        org_ids = list(db.session.scalars(select(Organisation.id)))
        user = User(email="bench-trainee@example.org", display_name="Bench Trainee", role="trainee",
                    password_hash=generate_password_hash(PASSWORD))
        db.session.add(user)
        db.session.flush()
        db.session.execute(insert(Trainee), [
            {"given_names": f"Given{i}", "family_name": f"Family{i}", "email": f"t{i}@bench.example",
             "nationality": "VN", "organisation_id": org_ids[i % len(org_ids)], "gender": "F",
             "user_id": user.id if i == 0 else None} for i in range(TRAINEES)])
        trainee_ids = list(db.session.scalars(select(Trainee.id).order_by(Trainee.id)))
        db.session.execute(insert(Enrolment), [
            {"trainee_id": t, "cohort_id": cohort_ids[i % COHORTS], "status": "confirmed"}
            for i, t in enumerate(trainee_ids)])
        enrolments = list(db.session.execute(select(Enrolment.id, Enrolment.cohort_id).order_by(Enrolment.id)).all())
        db.session.execute(insert(CourseAssignment), [
            {"cohort_id": c, "course_id": course_id, "pre_test_id": pre, "post_test_id": post} for c in cohort_ids])
        assignment_of = dict(db.session.execute(select(CourseAssignment.cohort_id, CourseAssignment.id)).all())
        t0 = datetime(2025, 6, 1, 9, tzinfo=UTC)
        per = ATTEMPTS // len(enrolments)
        quiz_ids = [q for q, _k in quizzes]
        rows = []
        for n, (eid, cid) in enumerate(enrolments):
            for k in range(per):
                rows.append({"quiz_id": quiz_ids[k % len(quiz_ids)], "enrolment_id": eid,
                             "assignment_id": assignment_of[cid], "number": k // len(quiz_ids) + 1,
                             "started_at": t0 + timedelta(minutes=k), "submitted_at": t0 + timedelta(minutes=k + 5),
                             "score": float((n * 7 + k * 13) % 101), "layout": []})
            if len(rows) >= 20_000:
                db.session.execute(insert(Attempt), rows)
                rows = []
        if rows:
            db.session.execute(insert(Attempt), rows)
        first_enrolment, first_cohort = enrolments[0]
        lesson_ids = list(db.session.scalars(select(Lesson.id).join(Module).where(Module.course_id == course_id)
                                             .order_by(Module.position, Lesson.position)))
        db.session.execute(insert(LessonProgress), [
            {"enrolment_id": first_enrolment, "lesson_id": lid, "viewed_at": t0, "completed_at": t0}
            for lid in lesson_ids[:2]])
        db.session.commit()
        return {"assignment": assignment_of[first_cohort], "lesson": lesson_ids[min(2, len(lesson_ids) - 1)],
                "quiz": pre,
                "email": user.email, "attempts": db.session.query(Attempt).count(),
                "trainees": db.session.query(Trainee).count()}


class Server:
    def __init__(self, target: str, env: dict, cwd: Path):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", target], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start: " + self.proc.stderr.read().decode()[-2000:])

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def request(port: int, method: str, path: str, headers: dict | None = None, body: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, response.getheader("Set-Cookie"), data


def sign_in(port: int, email: str) -> str:
    status, cookie, page = request(port, "GET", "/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    jar = cookie.split(";", 1)[0]
    from urllib.parse import urlencode

    status, cookie, _ = request(port, "POST", "/login", {
        "Cookie": jar, "Content-Type": "application/x-www-form-urlencoded"},
        urlencode({"email": email, "password": PASSWORD, "csrf_token": token}))
    if status != 302:
        raise RuntimeError(f"sign-in failed: {status}")
    return cookie.split(";", 1)[0]


def load(port: int, path: str, cookie: str | None, total: int, concurrency: int, limit_s: float = 60.0) -> dict:
    """Bounded load: ``total`` GETs from ``concurrency`` threads, stopping early after ``limit_s``."""
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    counter = iter(range(total))
    stop_at = time.perf_counter() + limit_s
    headers = {"Cookie": cookie} if cookie else {}

    def worker():
        while time.perf_counter() < stop_at:
            with lock:
                if next(counter, None) is None:
                    return
            t = time.perf_counter()
            status, _c, _b = request(port, "GET", path, headers)
            elapsed = time.perf_counter() - t
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(status)

    for _ in range(min(20, total)):  # warm-up
        request(port, "GET", path, headers)
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"n": len(latencies), "rps": len(latencies) / wall, "errors": len(errors),
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000}


def page_weight(port: int, path: str, cookie: str) -> tuple[int, list[str]]:
    """Bytes of the HTML plus every same-site stylesheet and script it references."""
    _s, _c, html = request(port, "GET", path, {"Cookie": cookie})
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    total = len(html)
    names = []
    for asset in assets:
        _s, _c, body = request(port, "GET", asset.decode())
        total += len(body)
        names.append(asset.decode())
    return total, names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--content", type=Path, default=None, help="a course folder (with course.toml)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    uri = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {**os.environ, "KAKEHASHI_SQLALCHEMY_DATABASE_URI": uri, "KAKEHASHI_SECRET_KEY": "bench-secret",
           "KAKEHASHI_PRIVACY_NOTICE_REQUIRED": "false",
           "KAKEHASHI_COURSE_FILES_DIR": str(workdir / "files"), "PYTHONPATH": str(ROOT)}
    t = time.perf_counter()
    info = build_database(uri, args.content)
    print(f"database: {info['trainees']} trainees, {info['attempts']} attempts "
          f"(built in {time.perf_counter() - t:.1f} s)")
    (workdir / "hello_app.py").write_text(HELLO)
    load_before = os.getloadavg()[0]
    results = {}
    server = Server("app:create_app()", env, ROOT)
    try:
        cookie = sign_in(server.port, info["email"])
        pages = {"dashboard": "/learn/", "outline": f"/learn/{info['assignment']}",
                 "lesson": f"/learn/{info['assignment']}/lessons/{info['lesson']}"}
        for name, path in pages.items():
            results[name] = load(server.port, path, cookie, args.requests, args.concurrency)
        weight, assets = page_weight(server.port, pages["lesson"], cookie)
    finally:
        server.stop()
    hello = Server("hello_app:app", {**env, "PYTHONPATH": str(workdir)}, workdir)
    try:
        results["hello"] = load(hello.port, "/", None, args.requests, args.concurrency)
    finally:
        hello.stop()
    base = results["hello"]["rps"]
    print(f"gunicorn 2 sync workers, {args.concurrency} client threads, {args.requests} requests per page, "
          f"127.0.0.1; load average before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'page':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'× hello':>8}")
    for name, r in results.items():
        print(f"{name:<10} {r['rps']:8.1f} {r['p50']:8.1f} {r['p99']:8.1f} {r['errors']:7d} {r['rps'] / base:8.2f}")
    worst = min(results[n]["rps"] for n in ("dashboard", "outline", "lesson")) / base
    print(f"goal ≥ 0.25× hello on every page: {'met' if worst >= 0.25 else 'NOT met'} (lowest {worst:.2f}×)")
    print(f"lesson page weight with CSS and scripts: {weight / 1024:.1f} KB ({', '.join(assets)}); "
          f"goal ≤ 150 KB: {'met' if weight <= 150 * 1024 else 'NOT met'}")


if __name__ == "__main__":
    main()
