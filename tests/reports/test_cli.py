"""``flask reports export`` (ARCHITECTURE §4.1): options, filters and clear failures."""

from __future__ import annotations

import os

import pytest

from tests.reports import dataset
from tests.reports.helpers import open_book, rows


@pytest.fixture
def ds(db):
    return dataset.build()


def _export(runner, *args):
    return runner.invoke(args=["reports", "export", *args])


def _summary(path) -> dict:
    with open(path, "rb") as fh:
        return {r[0]: r[1] for r in rows(open_book(fh.read()), "Summary")[1:]}


def test_export_all(runner, ds, tmp_path):
    out = tmp_path / "report.xlsx"
    result = _export(runner, str(out))
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "enrolments: 9, participants: 7, cohorts: 5" in result.output
    assert _summary(out)["Enrolments"] == 9


@pytest.mark.parametrize(("fy", "enrolments"), [("2024", 5), ("2025", 4), ("2024:2025", 9), ("2019:2024", 5)])
def test_fiscal_year_option(runner, ds, tmp_path, fy, enrolments):
    out = tmp_path / "fy.xlsx"
    result = _export(runner, str(out), "--fy", fy)
    assert result.exit_code == 0, result.output
    assert _summary(out)["Enrolments"] == enrolments


def test_programme_no_pii_and_japanese(runner, ds, tmp_path):
    out = tmp_path / "isms.xlsx"
    result = _export(runner, str(out), "--programme", "ISMS", "--no-pii", "--lang", "ja")
    assert result.exit_code == 0, result.output
    with open(out, "rb") as fh:
        book = open_book(fh.read())
    assert rows(book, "Summary")[0] == ("指標", "値")
    participants = rows(book, "Participants")
    assert len(participants) == 2 and "姓" not in participants[0]
    assert "Mariazinha" not in str(participants)


def test_extra_filters(runner, ds, tmp_path):
    out = tmp_path / "vn.xlsx"
    result = _export(runner, str(out), "--nationality", "vn", "--sector", "GOV", "--org-type", "national_csirt",
                     "--modality", "invitation_jp", "--cohort", "CSIRT-2024A")
    assert result.exit_code == 0, result.output
    assert _summary(out)["Enrolments"] == 1


@pytest.mark.parametrize("fy", ["24", "2024:2019", "abcd", "2024-", "1800"])
def test_bad_fiscal_year_fails_clearly(runner, ds, tmp_path, fy):
    out = tmp_path / "x.xlsx"
    result = _export(runner, str(out), "--fy", fy)
    assert result.exit_code != 0
    assert "--fy" in result.output
    assert not out.exists()


def test_unknown_programme_fails_clearly(runner, ds, tmp_path):
    out = tmp_path / "x.xlsx"
    result = _export(runner, str(out), "--programme", "NOPE")
    assert result.exit_code == 1
    assert "No programme has the code NOPE." in result.output
    assert not out.exists()


def test_bad_language_and_country(runner, ds, tmp_path):
    assert _export(runner, str(tmp_path / "x.xlsx"), "--lang", "fr").exit_code == 2
    result = _export(runner, str(tmp_path / "x.xlsx"), "--nationality", "XX")
    assert result.exit_code != 0 and "--nationality" in result.output


def test_unwritable_paths_fail_clearly(runner, ds, tmp_path):
    missing = _export(runner, str(tmp_path / "no-such-dir" / "r.xlsx"))
    assert missing.exit_code == 1 and "does not exist" in missing.output
    not_xlsx = _export(runner, str(tmp_path / "r.csv"))
    assert not_xlsx.exit_code != 0 and ".xlsx" in not_xlsx.output
    assert _export(runner, str(tmp_path)).exit_code != 0
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            result = _export(runner, str(locked / "r.xlsx"))
            assert result.exit_code == 1 and "permission denied" in result.output
        finally:
            locked.chmod(0o700)


def test_failed_export_leaves_an_existing_file_untouched(runner, ds, tmp_path, monkeypatch):
    out = tmp_path / "keep.xlsx"
    out.write_bytes(b"previous")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reports.workbook.build_workbook", boom)
    result = _export(runner, str(out))
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.xlsx"]  # no temporary file left behind
