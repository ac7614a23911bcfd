"""Trainee import benchmark: the full import against a bare python-calamine parse of the same file.

    /work/main/.venv/bin/python bench/import_bench.py [--sizes 10000,100000] [--repeat 3]

For each size it writes an .xlsx of valid, realistic rows (xlsxwriter), then times
(a) the full import — read, parse, validate, match, write and commit — with the real service code
    inside an app context, on a fresh SQLite file database, and
(b) ``CalamineWorkbook.from_path(...).get_sheet_by_index(0).to_python()`` on the same file,
and prints both times and their ratio (goal: at most 3x at 10,000 rows). Each figure is the best
of ``--repeat`` runs (every import run gets a new database). Wall-clock time is the headline; the
process CPU time is printed too, because on a shared machine it is far less disturbed by other
work. Not run by pytest.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import python_calamine  # noqa: E402
import xlsxwriter  # noqa: E402

HEADER = ["family_name", "given_names", "email", "gender", "nationality", "organisation", "organisation_country",
          "sector", "org_type", "job_title", "date_of_birth", "status"]
COUNTRIES = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL", "IN", "LK", "FJ", "KE"]
FAMILY = ["Nguyen", "Tran", "Santos", "Reyes", "Wong", "Tan", "Lim", "Sok", "Phommachanh", "Aung", "Suryadi",
          "Rahman", "Chaiyaporn", "Soares", "Perera", ""]
GIVEN = ["Van An", "Thi Mai", "Maria", "Jose", "Siew Ling", "Wei Ming", "Dara", "Khamphone", "Thandar", "Budi",
         "Nurul", "Somchai", "Ana", "Kasun", "Sari"]
SECTORS = ["ICT", "FIN", "ELE", "GOV", "MED", "AVI", "PET", "EDU", "SEC", "WAT"]
ORG_TYPES = ["government", "regulator", "national_csirt", "soe", "private", "academia"]
TITLES = ["Incident handler", "SOC analyst", "ISMS officer", "Policy officer", "Network engineer", "Director"]
STATUSES = ["", "", "", "nominated", "accepted", "confirmed"]


def write_file(path: Path, rows: int, seed: int = 7) -> None:
    """An .xlsx of ``rows`` valid trainees, with real date cells for the dates of birth."""
    rng = random.Random(seed)
    organisations = [(f"{rng.choice(['National', 'Central', 'Metro', 'Pacific'])} {rng.choice(SECTORS)} "
                      f"Organisation {n}", rng.choice(COUNTRIES), rng.choice(SECTORS), rng.choice(ORG_TYPES))
                     for n in range(max(10, rows // 25))]
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Trainees")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    for n in range(1, rows + 1):
        name, country, sector, org_type = rng.choice(organisations)
        sheet.write_row(n, 0, [rng.choice(FAMILY), rng.choice(GIVEN), f"trainee{n}@agency{n % 97}.example.org",
                               rng.choice("FMFMX"), country, name, country, sector, org_type, rng.choice(TITLES)])
        sheet.write_datetime(n, 10, date(1965 + n % 35, 1 + n % 12, 1 + n % 28), date_format)
        sheet.write_string(n, 11, rng.choice(STATUSES))
    workbook.close()


def bare_parse(path: Path) -> int:
    """What the import is compared with: python-calamine reading the sheet into Python lists."""
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return len(rows)


def full_import(path: Path, workdir: Path, run: int) -> tuple[float, float, str]:
    """Create a fresh SQLite database and a cohort, then time the import of ``path`` end to end."""
    from app import create_app
    from core.extensions import db
    from trainees import services
    from trainees.imports import reader as importer
    from trainees.imports.service import apply_import, import_limits, plan_import

    database = workdir / f"bench-{path.stem}-{run}.sqlite3"
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "bench", "AUTO_UPGRADE_SQLITE": False,
        "CHECK_DB_ON_START": False, "MAX_IMPORT_ROWS": 200_000, "MAX_IMPORT_BYTES": 200 * 1024 * 1024,
    })
    with app.app_context():
        db.create_all()
        programme = services.create_programme("BENCH", "Benchmark programme")
        services.create_cohort(programme, code="BENCH-1", title="Benchmark cohort", modality="invitation_jp",
                               host_country="JP", start_date=date(2024, 6, 3), end_date=date(2024, 6, 14))
        db.session.commit()
        db.session.expunge_all()
        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        data = path.read_bytes()
        cohort = services.get_cohort_by_code("BENCH-1")
        parsed = importer.parse_file(data, path.name, import_limits())
        result = apply_import(plan_import(parsed, cohort))
        db.session.commit()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.session.remove()
        db.engine.dispose()
    return elapsed, cpu, result.summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated row counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
        workdir = Path(tmp)
        print(f"{'rows':>8}  {'import s':>9}  {'calamine s':>10}  {'ratio':>6}  "
              f"{'import cpu':>10}  {'calamine cpu':>12}  {'cpu ratio':>9}  result")
        for size in (int(s) for s in args.sizes.split(",")):
            path = workdir / f"trainees-{size}.xlsx"
            write_file(path, size)
            parse_times, parse_cpu = [], []
            for _ in range(args.repeat):
                gc.collect()
                started, cpu = time.perf_counter(), time.process_time()
                assert bare_parse(path) == size + 1
                parse_times.append(time.perf_counter() - started)
                parse_cpu.append(time.process_time() - cpu)
            import_times, import_cpu, summary = [], [], ""
            for run in range(args.repeat):
                elapsed, cpu, summary = full_import(path, workdir, run)
                import_times.append(elapsed)
                import_cpu.append(cpu)
            wall, base = min(import_times), min(parse_times)
            cpu, base_cpu = min(import_cpu), min(parse_cpu)
            print(f"{size:>8}  {wall:>9.3f}  {base:>10.3f}  {wall / base:>5.1f}x  "
                  f"{cpu:>10.3f}  {base_cpu:>12.3f}  {cpu / base_cpu:>8.1f}x  {summary}", flush=True)


if __name__ == "__main__":
    main()
