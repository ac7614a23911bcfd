"""Where the report workbook and the ministry template fill stop fitting in a request (not run by pytest).

    .venv/bin/python bench/report_job_threshold.py [--sizes 1000,5000,20000,50000]

For each size N it builds a fresh SQLite database with N counted enrolments (``export_bench.generate``),
then, in one process with the app's own code, times for the whole data (no filter):

(a) ``workbook.build_workbook`` into memory (what ``/reports/export.xlsx`` does),
(b) ``template_fill.fill`` of a form with scalar placeholders and a ``{{table:participants}}`` anchor
    (what ``/reports/template`` does; the table is capped at ``MAX_TABLE_ROWS`` rows),
(c) the baseline measured in the same run: a bare XlsxWriter ``constant_memory`` dump of the same
    Participants rows straight from sqlite3 (``export_bench.bare_dump``).

It prints wall and CPU seconds of each and the CPU ratio (a)/(c) and (b)/(c). The threshold the site
uses (``REPORT_JOB_MIN_ROWS``) is chosen from these figures: the request should stay well under a
second or two on a loaded 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _template() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "Enrolments", "{{enrolments}}"
    ws["A2"], ws["B2"] = "Completion rate", "{{completion_rate}}"
    ws["A4"] = "{{table:by_country:headers}}"
    ws["A40"] = "{{table:participants:headers}}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _clock(fn):
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - started, time.process_time() - cpu, result


def time_one(db_path: str) -> None:
    """In this process: (a), (b) and (c) against ``db_path`` (printed as one line of numbers)."""
    from app import create_app
    from bench import export_bench
    from core.extensions import db
    from reports import statistics, template_fill, workbook
    from reports.filters import ReportFilter

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "SECRET_KEY": "bench",
                      "AUTO_UPGRADE_SQLITE": False, "CHECK_DB_ON_START": False})
    with app.app_context(), app.test_request_context("/"):
        filt = ReportFilter()
        rows = db.session.scalar(db.text(
            "SELECT count(*) FROM enrolments WHERE status IN ('confirmed', 'completed', 'incomplete')"))
        wall_a, cpu_a, _ = _clock(lambda: workbook.build_workbook(io.BytesIO(), filt, lang="en",
                                                                    data=statistics.compute(filt)))
        form = _template()

        def fill():
            data = statistics.compute(filt)
            return template_fill.fill(form, workbook.template_values(data, filt, "en", None),
                                      workbook.template_tables(data, filt, "en", False))
        wall_b, cpu_b, _ = _clock(fill)
    with tempfile.TemporaryDirectory() as tmp:
        wall_c, cpu_c, _ = _clock(lambda: export_bench.bare_dump(db_path, os.path.join(tmp, "bare.xlsx")))
    print(f"RESULT {rows} {wall_a:.3f} {cpu_a:.3f} {wall_b:.3f} {cpu_b:.3f} {wall_c:.3f} {cpu_c:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,20000,50000")
    parser.add_argument("--time-one", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_one:
        time_one(args.time_one)
        return
    print(f"SQLite; python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'rows':>7} | {'workbook s':>10} {'cpu':>6} | {'fill s':>7} {'cpu':>6} | {'bare s':>7} {'cpu':>6} | "
          f"{'wb/bare cpu':>11} {'fill/bare cpu':>13}")
    env = dict(os.environ, PYTHONPATH=str(ROOT), KAKEHASHI_SECRET_KEY="bench")  # noqa: S106 - throwaway database
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
            db_path = Path(tmp) / "bench.sqlite3"
            env["KAKEHASHI_SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
            subprocess.run([sys.executable, str(ROOT / "bench" / "export_bench.py"), "--generate", str(db_path),
                            str(size)], env=env, cwd=ROOT, check=True, capture_output=True)
            out = subprocess.run([sys.executable, __file__, "--time-one", str(db_path)], env=env, cwd=ROOT,
                                 check=True, capture_output=True, text=True).stdout
            line = next(raw for raw in out.splitlines() if raw.startswith("RESULT "))
            rows, wa, ca, wb, cb, wc, cc = line.split()[1:]
            ca_, cb_, cc_ = float(ca), float(cb), float(cc)
            print(f"{int(rows):>7} | {float(wa):>10.2f} {ca_:>6.2f} | {float(wb):>7.2f} {cb_:>6.2f} | "
                  f"{float(wc):>7.2f} {cc_:>6.2f} | {ca_ / cc_:>10.1f}x {cb_ / cc_:>12.1f}x", flush=True)


if __name__ == "__main__":
    main()
