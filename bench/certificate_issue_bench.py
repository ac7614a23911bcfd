"""Certificate issue: cost per cohort size, to choose ``CERTIFICATE_SYNC_LIMIT`` (not run by pytest).

    .venv/bin/python bench/certificate_issue_bench.py [--sizes 10,40,100,400]

For each size N it builds a cohort with N completed enrolments (each trainee with a portal account,
so every certificate also writes a notification and queues a mail) in a fresh SQLite database, then
times what the synchronous request does: ``issue_certificates`` + ``notify_holders`` + the commit,
and the cohort's zip of PDFs (``CERTIFICATE_ZIP_SYNC_LIMIT``).
Prints wall and CPU milliseconds per run and per certificate, and the CPU ratio against the
baseline of the same run (a request that reads the cohort's certificate list).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,40,100,400")
    args = parser.parse_args()
    from app import create_app
    from completion import jobs as certificate_jobs
    from completion import pdf, queries, services
    from core.extensions import db
    from tests import factories

    tmp = Path(tempfile.mkdtemp(prefix="kk-certbench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'db.sqlite3'}", "JOBS_STORAGE_URL": "memory://",
                      "JOBS_IMMEDIATE": False, "JOBS_EMBEDDED_CONSUMER": False, "CHECK_DB_ON_START": False,
                      "SERVER_NAME": "localhost", "MAIL_BACKEND": "locmem"})
    with app.app_context():
        db.create_all()
        organiser = factories.user(role="organiser")
        db.session.commit()
        for size in [int(s) for s in args.sizes.split(",")]:
            cohort = factories.cohort()
            for _ in range(size):
                user = factories.user(role="trainee")
                factories.enrolment(factories.trainee(user_id=user.id), cohort, status="completed")
            db.session.commit()
            with app.test_request_context():
                c0, w0 = time.process_time(), time.perf_counter()
                queries.certificates_for_cohort(cohort.id)
                db.session.commit()
                base_cpu = time.process_time() - c0
                c0, w0 = time.process_time(), time.perf_counter()
                issued = services.issue_certificates(cohort, "completion", organiser)
                certificate_jobs.notify_holders(issued)
                db.session.commit()
                cpu, wall = time.process_time() - c0, time.perf_counter() - w0
                c0, w0 = time.process_time(), time.perf_counter()
                pdf.certificates_zip([(c, "https://example.org/verify/" + c.verify_code) for c in issued])
                zcpu, zwall = time.process_time() - c0, time.perf_counter() - w0
            print(f"N={size:4d}: issue wall {wall * 1000:7.0f} ms, cpu {cpu * 1000:7.0f} ms "
                  f"({cpu * 1000 / size:5.1f} ms/certificate), cpu ratio to listing the cohort "
                  f"{cpu / max(base_cpu, 1e-6):6.1f}x; zip wall {zwall * 1000:7.0f} ms "
                  f"({zwall * 1000 / size:5.1f} ms/PDF), cpu {zcpu * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
