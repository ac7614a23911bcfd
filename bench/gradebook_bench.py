"""Gradebook cost (issue 14 item 9): one cohort of N trainees (default 500) with the test fixture course
assigned, every trainee with two submitted attempts at each of its four quizzes and two lessons completed.
Measures, in one run, CPU time and queries per request of

* the gradebook page (first page: 100 trainees × 4 quizzes),
* the gradebook .xlsx export (every trainee),
* the existing per-trainee progress page of the same assignment (baseline: it lists every trainee),

and prints each as a ratio to the baseline. SQLite file in a temp folder by default, or --uri for
PostgreSQL (a database of your own: its tables are created and dropped).

    python bench/gradebook_bench.py [--trainees 500] [--repeat 20] [--uri postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-2026"  # noqa: S105 - local benchmark account


def build(app, trainees: int) -> int:
    """The data; returns the assignment id."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from accounts.models import User
    from core.extensions import db
    from courses.content_loader import load_course
    from courses.models import Attempt, CourseAssignment, Lesson, LessonProgress, Module, Quiz
    from trainees.models import Cohort, Enrolment, Organisation, Programme, Trainee

    with app.app_context():
        db.create_all()
        course_id = load_course(ROOT / "tests" / "courses" / "fixtures" / "sample-course").course_id
        quizzes = list(db.session.execute(select(Quiz.id, Quiz.kind).where(Quiz.course_id == course_id)).all())
        programme = Programme(code="BENCH", name="Bench programme")
        db.session.add(programme)
        db.session.flush()
        cohort = Cohort(programme_id=programme.id, code="GB-BENCH", title="Gradebook bench", modality="elearning",
                        start_date=date(2025, 6, 2), end_date=date(2025, 6, 6), fiscal_year=2025, training_days=5)
        organisation = Organisation(name="Bench org", name_key="bench org", country="VN", sector_code="ICT",
                                    org_type="government")
        db.session.add_all([cohort, organisation])
        db.session.flush()
        assignment = CourseAssignment(cohort_id=cohort.id, course_id=course_id,
                                      pre_test_id=next(q for q, k in quizzes if k == "pre_test"),
                                      post_test_id=next(q for q, k in quizzes if k == "post_test"))
        db.session.add(assignment)
        db.session.execute(insert(Trainee), [
            {"family_name": f"Family{i:05d}", "given_names": "Bench", "email": f"gb{i}@bench.example",
             "nationality": "VN", "organisation_id": organisation.id} for i in range(trainees)])
        trainee_ids = list(db.session.scalars(select(Trainee.id).order_by(Trainee.id)))
        db.session.execute(insert(Enrolment), [{"trainee_id": t, "cohort_id": cohort.id, "status": "confirmed"}
                                               for t in trainee_ids])
        enrolment_ids = list(db.session.scalars(select(Enrolment.id).where(Enrolment.cohort_id == cohort.id)))
        at = datetime(2025, 6, 3, 9, tzinfo=UTC)
        db.session.execute(insert(Attempt), [
            {"quiz_id": q, "enrolment_id": e, "assignment_id": assignment.id, "number": n, "started_at": at,
             "submitted_at": at + timedelta(minutes=n), "score": float((e * 7 + q * 13 + n * 29) % 101),
             "layout": []}
            for e in enrolment_ids for q, _kind in quizzes for n in (1, 2)])
        lessons = list(db.session.scalars(select(Lesson.id).join(Module).where(Module.course_id == course_id)))[:2]
        db.session.execute(insert(LessonProgress), [{"enrolment_id": e, "lesson_id": lesson, "viewed_at": at,
                                                     "completed_at": at} for e in enrolment_ids for lesson in lessons])
        db.session.add(User(email="organiser@bench.example", role="organiser", display_name="Bench",
                            password_hash=generate_password_hash(PASSWORD)))
        db.session.commit()
        return assignment.id


def measure(client, url: str, repeat: int, engine) -> tuple[float, int]:
    """(median CPU seconds, queries) of GET url."""
    from sqlalchemy import event

    statements = []

    def count(*_args):
        statements.append(1)

    assert client.get(url).status_code == 200, url  # warm-up
    times = []
    for _ in range(repeat):
        event.listen(engine, "before_cursor_execute", count)
        statements.clear()
        start = time.process_time()
        response = client.get(url)
        times.append(time.process_time() - start)
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, url
    return statistics.median(times), len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--uri", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        uri = args.uri or f"sqlite:///{folder}/gradebook.sqlite3"
        os.environ.setdefault("KAKEHASHI_PRIVACY_NOTICE_REQUIRED", "false")
        from core.config import TestConfig

        config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri, "PRIVACY_NOTICE_REQUIRED": False})
        from app import create_app
        from core.extensions import db

        app = create_app(config)
        try:
            aid = build(app, args.trainees)
            client = app.test_client()
            client.post("/login", data={"email": "organiser@bench.example", "password": PASSWORD})
            with app.app_context():
                engine = db.engine
            rows = [("progress page (baseline, all trainees)", f"/courses/assignments/{aid}/progress"),
                    ("gradebook page 1 (100 trainees)", f"/courses/assignments/{aid}/gradebook"),
                    ("gradebook last page", f"/courses/assignments/{aid}/gradebook?page={(args.trainees + 99) // 100}"),
                    ("gradebook .xlsx (all trainees)", f"/courses/assignments/{aid}/gradebook.xlsx")]
            results = [(label, *measure(client, url, args.repeat, engine)) for label, url in rows]
        finally:
            if args.uri:
                with app.app_context():
                    db.drop_all()
    base = results[0][1]
    dialect = "PostgreSQL" if uri.startswith("postgresql") else "SQLite"
    print(f"{dialect}, {args.trainees} trainees × 4 quizzes × 2 attempts, median of {args.repeat} (CPU time)")
    for label, cpu, queries in results:
        print(f"  {label:42s} {cpu * 1000:8.1f} ms CPU  {queries:3d} queries  {cpu / base:5.2f}× baseline")


if __name__ == "__main__":
    main()
