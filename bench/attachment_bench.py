"""CPU cost of uploading and downloading a 5 MB lesson attachment: this tree against a baseline tree.

    .venv/bin/python bench/attachment_bench.py [--baseline DIR] [--cycles 15] [--rounds 3]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/kk_bench]

For each code tree (``--baseline``, e.g. ``git archive main`` unpacked — the instance-folder version —
and this checkout) a child process builds a fresh database (a SQLite file, or the PostgreSQL database
given, emptied first), signs in an organiser and a trainee, then repeats: the organiser uploads a 5 MB
PDF to a lesson (``POST …/attachment``, the real route and service), the trainee downloads it (``GET
/learn/…/file``, the whole body read). It prints the median CPU time (``time.process_time``: the
application process only) and wall time per upload and per download; on a local PostgreSQL also the
mean CPU time of the database's server processes per operation (from /proc, 10 ms ticks summed over
all cycles). Rounds alternate between the trees; the ratio is new/baseline of the best round.
Not run by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = 5 * 1024 * 1024


def child(root: str, url: str, cycles: int) -> dict:
    sys.path.insert(0, root)
    os.chdir(root)
    import io

    from sqlalchemy import text

    from app import create_app
    from core.config import TestConfig
    from core.extensions import db
    from tests import factories
    from tests.courses.builders import enrolled, lessons, sample_course

    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False,
                                                 "COURSE_ATTACHMENT_MAX_BYTES": SIZE + 1024,
                                                 "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
                                                 "RATELIMIT_ENABLED": False})
    app = create_app(config)
    app.instance_path = tempfile.mkdtemp(prefix="attachment-bench-instance-")
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        organiser = factories.user(role="organiser")
        portal = enrolled(course=sample_course(), pre_post=False)
        lesson = lessons(portal.course)[0]
        db.session.commit()
        ids = organiser.email, portal.user.email, lesson.id, portal.assignment.id
        db.session.remove()
    email, trainee_email, lesson_id, assignment_id = ids
    admin, trainee = app.test_client(), app.test_client()
    for client, who in ((admin, email), (trainee, trainee_email)):
        assert client.post("/login", data={"email": who, "password": factories.PASSWORD}).status_code == 302
    payload = b"%PDF-1.4\n" + os.urandom(SIZE - 9)
    up_cpu, up_wall, down_cpu, down_wall = [], [], [], []
    server = _server_cpu(app, db, text) if url.startswith("postgresql") else (lambda: 0.0)
    up_srv = down_srv = 0.0
    for i in range(cycles + 2):  # two warm-up cycles
        s0 = server()
        c0, w0 = time.process_time(), time.perf_counter()
        r = admin.post(f"/courses/lessons/{lesson_id}/attachment",
                       data={"attachment": (io.BytesIO(payload), "handout.pdf")}, content_type="multipart/form-data")
        c1, w1 = time.process_time(), time.perf_counter()
        s1 = server()
        assert r.status_code == 302, r.status_code
        got = trainee.get(f"/learn/{assignment_id}/lessons/{lesson_id}/file")
        body = got.get_data()
        got.close()
        c2, w2 = time.process_time(), time.perf_counter()
        s2 = server()
        assert got.status_code == 200 and body == payload, got.status_code
        if i >= 2:
            up_cpu.append(c1 - c0), up_wall.append(w1 - w0), down_cpu.append(c2 - c1), down_wall.append(w2 - w1)
            up_srv, down_srv = up_srv + s1 - s0, down_srv + s2 - s1
    with app.app_context():
        db.engine.dispose()
    result = {k: statistics.median(v) * 1000 for k, v in
              (("up_cpu", up_cpu), ("up_wall", up_wall), ("down_cpu", down_cpu), ("down_wall", down_wall))}
    result.update(up_db=up_srv / cycles * 1000, down_db=down_srv / cycles * 1000)
    return result


def _server_cpu(app, db, text):
    """A function returning the CPU seconds used so far by the server processes of this database."""
    tick = os.sysconf("SC_CLK_TCK")

    def pids() -> list[int]:
        with app.app_context(), db.engine.connect() as conn:
            return list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
                        .scalars())

    def total() -> float:
        seconds = 0.0
        for pid in known:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seconds += (int(fields[11]) + int(fields[12])) / tick
        return seconds

    known = pids()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="the baseline code tree (required)")
    parser.add_argument("--cycles", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--child", nargs=2, metavar=("ROOT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.cycles)))
        return
    if not args.baseline:
        parser.error("--baseline DIR is required")
    trees = {"baseline": str(Path(args.baseline).resolve()), "new": str(HERE.parent)}
    best: dict[str, dict] = {}
    for _round in range(args.rounds):
        for name, root in trees.items():
            url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='attachment-bench-')}/bench.sqlite3"
            out = subprocess.run([sys.executable, __file__, "--cycles", str(args.cycles), "--child", root, url],
                                 capture_output=True, text=True, check=False,
                                 env={**os.environ, "PYTHONPATH": root})
            if out.returncode:
                raise SystemExit(f"{name} failed:\n{out.stderr[-3000:]}")
            result = json.loads(out.stdout.strip().splitlines()[-1])
            best[name] = {k: min(v, best.get(name, {}).get(k, v)) for k, v in result.items()}
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"5 MB lesson attachment, {backend}, median of {args.cycles} cycles, best of {args.rounds} rounds (ms)")
    columns = ["up_cpu", "up_wall", "down_cpu", "down_wall"] + (["up_db", "down_db"] if args.database_url else [])
    print(f"{'':10}" + "".join(f"{c:>11}" for c in columns))
    for name in trees:
        print(f"{name:10}" + "".join(f"{best[name][c]:11.1f}" for c in columns))
    ratio = {k: best["new"][k] / best["baseline"][k] if best["baseline"][k] else float("nan") for k in columns}
    print(f"{'ratio':10}" + "".join(f"{ratio[c]:11.2f}" for c in columns))


if __name__ == "__main__":
    main()
