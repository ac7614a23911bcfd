"""The CLI contract (ARCHITECTURE §4.1): ``cohorts create`` and ``trainees import``, exit codes included."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from tests import factories
from trainees.models import Cohort, Enrolment, EnrolmentEvent, Programme, Trainee

from .import_files import csv_bytes, row, write, xlsx_bytes


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- cohorts create ----------------------------------------------------------------------------

COHORT_ARGS = ["--title", "CSIRT fundamentals", "--modality", "invitation_jp", "--start", "2025-03-24",
               "--end", "2025-04-04", "--country", "JP"]


def test_cohorts_create(runner, db):
    programme = factories.programme(code="ASEAN-CS")
    result = runner.invoke(args=["cohorts", "create", "CS-2025-1", "--programme", "asean-cs", *COHORT_ARGS])
    assert result.exit_code == 0, result.output
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == "CS-2025-1"))
    assert cohort.programme_id == programme.id
    assert (cohort.title, cohort.modality, cohort.host_country) == ("CSIRT fundamentals", "invitation_jp", "JP")
    assert (cohort.start_date, cohort.end_date, cohort.fiscal_year, cohort.training_days) == (
        date(2025, 3, 24), date(2025, 4, 4), 2024, 12)
    assert "created cohort CS-2025-1" in result.output and "FY2024" in result.output
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "cohort.create"))


def test_cohorts_create_makes_the_programme_only_with_new_programme(runner, db):
    result = runner.invoke(args=["cohorts", "create", "C-1", "--programme", "NEWPROG", *COHORT_ARGS])
    assert result.exit_code == 1
    assert "programme “NEWPROG” does not exist" in result.output and "--new-programme" in result.output
    assert _count(db, Programme) == 0 and _count(db, Cohort) == 0
    result = runner.invoke(args=["cohorts", "create", "C-1", "--programme", "NEWPROG", "--new-programme",
                                 *COHORT_ARGS])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Programme.code)) == "NEWPROG"
    assert _count(db, Cohort) == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"--start": "2025-02-30"}, "--start must be a date written YYYY-MM-DD"),
    ({"--end": "next week"}, "--end must be a date written YYYY-MM-DD"),
    ({"--end": "2025-03-01"}, "The end date is before the start date."),
    ({"--modality": "webinar"}, "unknown modality “webinar”"),
    ({"--country": "Atlantis"}, "unknown country “Atlantis”"),
])
def test_cohorts_create_refuses_bad_input(runner, db, change, message):
    factories.programme(code="P1")
    db.session.commit()
    args = list(COHORT_ARGS)
    for option, value in change.items():
        args[args.index(option) + 1] = value
    result = runner.invoke(args=["cohorts", "create", "C-1", "--programme", "P1", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert _count(db, Cohort) == 0


def test_cohorts_create_refuses_a_duplicate_code(runner, db):
    factories.cohort(code="C-1")
    factories.programme(code="P1")
    db.session.commit()
    result = runner.invoke(args=["cohorts", "create", "c-1", "--programme", "P1", *COHORT_ARGS])
    assert result.exit_code == 1
    assert "A cohort with the code c-1 already exists." in result.output
    assert _count(db, Cohort) == 1


def test_cohorts_create_accepts_country_names_and_alpha3(runner, db):
    factories.programme(code="P1")
    args = list(COHORT_ARGS)
    args[args.index("--country") + 1] = "Viet Nam"
    assert runner.invoke(args=["cohorts", "create", "C-VN", "--programme", "P1", *args]).exit_code == 0
    assert db.session.scalar(select(Cohort.host_country)) == "VN"


def test_cohorts_create_requires_every_option(runner, db):
    result = runner.invoke(args=["cohorts", "create", "C-1", "--programme", "P1"])
    assert result.exit_code == 2 and "Missing option" in result.output


# --- trainees import ---------------------------------------------------------------------------

def _import(runner, path, *options, cohort="C-IMP"):
    return runner.invoke(args=["trainees", "import", str(path), "--cohort", cohort, *options])


@pytest.fixture
def cohort(db):
    cohort = factories.cohort(code="C-IMP")
    db.session.commit()  # a failing command rolls back; the cohort must survive that
    return cohort


def test_import_prints_the_summary_and_exits_zero(runner, db, cohort, tmp_path):
    path = write(tmp_path / "roster.xlsx", xlsx_bytes([row(), row(), row()]))
    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["imported: 3, updated: 0, invalid: 0"]
    assert _count(db, Trainee) == 3 and _count(db, Enrolment) == 3


def test_reimport_changes_nothing_and_a_changed_row_counts_as_updated(runner, db, cohort, tmp_path):
    rows = [row(), row(), row()]
    path = write(tmp_path / "roster.csv", csv_bytes(rows))
    assert _import(runner, path).exit_code == 0
    counts = {m: _count(db, m) for m in (Trainee, Enrolment, EnrolmentEvent, AuditEvent)}
    again = _import(runner, path)
    assert again.exit_code == 0 and again.stdout.splitlines() == ["imported: 0, updated: 0, invalid: 0"]
    assert {m: _count(db, m) for m in counts} == counts
    rows[1]["job_title"] = "CISO"
    changed = _import(runner, write(tmp_path / "roster2.csv", csv_bytes([*rows, row()])))
    assert changed.stdout.splitlines() == ["imported: 1, updated: 1, invalid: 0"]


def test_invalid_rows_print_one_line_each_and_nothing_is_written(runner, db, cohort, tmp_path):
    path = write(tmp_path / "roster.csv", csv_bytes([row(), row(email="nobody", gender="?"), row()]))
    result = _import(runner, path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "row 3: email: “nobody” is not a valid e-mail address.",
        "row 3: gender: “?” is not understood: use F, M or X (or female, male, other), or leave it empty.",
        "imported: 0, updated: 0, invalid: 1",
    ]
    assert "nothing was written" in result.stderr
    assert _count(db, Trainee) == 0 and _count(db, AuditEvent) == 0


def test_skip_invalid_imports_the_valid_rows_and_exits_zero(runner, db, cohort, tmp_path):
    path = write(tmp_path / "roster.csv", csv_bytes([row(), row(email="nobody"), row()]))
    result = _import(runner, path, "--skip-invalid")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "imported: 2, updated: 0, invalid: 1"
    assert result.stdout.splitlines()[0].startswith("row 3: email:")
    assert _count(db, Trainee) == 2


def test_skip_invalid_with_only_invalid_rows_exits_non_zero(runner, db, cohort, tmp_path):
    path = write(tmp_path / "roster.csv", csv_bytes([row(email="nobody")]))
    result = _import(runner, path, "--skip-invalid")
    assert result.exit_code == 1 and result.stdout.splitlines()[-1] == "imported: 0, updated: 0, invalid: 1"


def test_dry_run_prints_the_same_counts_and_writes_nothing(runner, db, cohort, tmp_path):
    factories.trainee(email="known@example.org")
    db.session.commit()
    path = write(tmp_path / "roster.csv", csv_bytes([row(), row(email="known@example.org"), row(email="x")]))
    before = {m: _count(db, m) for m in (Trainee, Enrolment, AuditEvent)}
    dry = _import(runner, path, "--dry-run", "--skip-invalid")
    assert dry.exit_code == 0 and dry.stdout.splitlines()[-1] == "imported: 1, updated: 1, invalid: 1"
    assert "dry run" in dry.stderr
    strict = _import(runner, path, "--dry-run")
    assert strict.exit_code == 1 and strict.stdout.splitlines()[-1] == "imported: 0, updated: 0, invalid: 1"
    assert {m: _count(db, m) for m in before} == before
    real = _import(runner, path, "--skip-invalid")
    assert real.stdout.splitlines()[-1] == dry.stdout.splitlines()[-1]


def test_unknown_cohort_and_unreadable_files_exit_non_zero(runner, db, cohort, tmp_path):
    good = write(tmp_path / "roster.csv", csv_bytes([row()]))
    result = _import(runner, good, cohort="NOPE")
    assert result.exit_code == 1 and "unknown cohort “NOPE”" in result.output
    result = _import(runner, tmp_path / "missing.xlsx")
    assert result.exit_code == 1 and "cannot read" in result.output
    png = write(tmp_path / "photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = _import(runner, png)
    assert result.exit_code == 1 and "not an Excel workbook" in result.output
    assert "Nothing was imported" in result.output
    header_only = write(tmp_path / "empty.csv", csv_bytes([]))
    result = _import(runner, header_only)
    assert result.exit_code == 1 and "header row but no trainees" in result.output
    assert _count(db, Trainee) == 0


def test_import_refuses_files_over_the_size_limit(runner, app, db, cohort, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_IMPORT_BYTES", 200)
    path = write(tmp_path / "roster.csv", csv_bytes([row() for _ in range(5)]))
    result = _import(runner, path)
    assert result.exit_code == 1 and "the limit is" in result.output
    assert _count(db, Trainee) == 0


def test_notes_go_to_stderr_and_keep_stdout_parseable(runner, db, cohort, tmp_path):
    path = write(tmp_path / "roster.csv", csv_bytes([row(remark="x")], header=[*row().keys(), "remark"]))
    result = _import(runner, path)
    assert result.exit_code == 0
    assert "note: These columns are not part of the template and were ignored: remark." in result.stderr
    assert result.stdout.splitlines() == ["imported: 1, updated: 0, invalid: 0"]


def test_cohorts_create_refuses_overlong_code_and_title(runner, db):
    factories.programme(code="P1")
    db.session.commit()
    result = runner.invoke(args=["cohorts", "create", "C" * 41, "--programme", "P1", *COHORT_ARGS])
    assert result.exit_code == 1 and "at most 40 characters" in result.output
    args = list(COHORT_ARGS)
    args[args.index("--title") + 1] = "T" * 301
    result = runner.invoke(args=["cohorts", "create", "C-1", "--programme", "P1", *args])
    assert result.exit_code == 1 and "--title must be 1 to 300 characters" in result.output
    assert _count(db, Cohort) == 0
