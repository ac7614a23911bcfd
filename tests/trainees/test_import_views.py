"""The import pages: upload → preview (nothing written) → confirm; the template download."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.filestore import StoredFile
from tests import factories
from trainees.imports.reader import COLUMNS
from trainees.models import Enrolment, Trainee

from .import_files import csv_bytes, row, xlsx_bytes

TOKEN = re.compile(r'name="token" type="hidden" value="([A-Za-z0-9_-]+)"')


@pytest.fixture
def imports_dir(app, tmp_path, monkeypatch) -> Path:
    """An instance folder of this test's own: previews must not be written to it (they are in the store)."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path / "imports"


def _previews(db) -> list[str]:
    """Keys of the import previews waiting in the file store."""
    db.session.expire_all()
    return list(db.session.scalars(select(StoredFile.key).where(StoredFile.kind == "import_preview")))


@pytest.fixture
def cohort(db):
    cohort = factories.cohort(code="C-WEB")
    db.session.commit()
    return cohort


def _counts(db) -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Trainee, Enrolment, AuditEvent))


def _upload(client, cohort, data: bytes, name: str = "roster.xlsx", skip_invalid: bool = False):
    form = {"file": (io.BytesIO(data), name)}
    if skip_invalid:
        form["skip_invalid"] = "y"
    return client.post(f"/cohorts/{cohort.id}/import", data=form, content_type="multipart/form-data")


def _confirm(client, cohort, token: str):
    return client.post(f"/cohorts/{cohort.id}/import/confirm", data={"token": token})


def _token(response) -> str:
    match = TOKEN.search(response.get_data(as_text=True))
    assert match, "no confirm form on the page"
    return match[1]


def test_upload_page_needs_an_organiser_and_explains_the_columns(client, login_as, cohort, imports_dir):
    assert client.get(f"/cohorts/{cohort.id}/import").status_code == 302  # anonymous → sign in
    login_as("organiser")
    page = client.get(f"/cohorts/{cohort.id}/import")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Import trainees into C-WEB" in html
    assert '<label for="file">Spreadsheet (.xlsx or .csv)</label>' in html
    assert 'href="/import/template.xlsx"' in html
    assert all(c.name in html for c in COLUMNS) and "メール" in html
    assert client.get("/cohorts/999999/import").status_code == 404


def test_trainees_cannot_use_the_import_pages(client, login_as, cohort, imports_dir):
    login_as("trainee")
    assert client.get(f"/cohorts/{cohort.id}/import").status_code == 403
    assert client.get("/import/template.xlsx").status_code == 403
    assert _upload(client, cohort, xlsx_bytes([row()])).status_code == 403


def test_template_download(client, login_as, imports_dir):
    login_as("organiser")
    response = client.get("/import/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Trainees", "Columns"]
    sheet = workbook["Trainees"]
    assert [c.value for c in sheet[1]] == [c.name for c in COLUMNS]
    assert sheet.max_row == 2 and sheet["C2"].value == "an.nguyen@example.vn"
    assert sheet["K2"].is_date
    guide = [[c.value for c in r] for r in workbook["Columns"].iter_rows()]
    listed = {r[0] for r in guide}
    assert {c.name for c in COLUMNS} <= listed
    assert {"ICT", "FIN", "OTH", "national_csirt", "academia"} <= listed


def test_upload_preview_confirm(client, db, login_as, cohort, imports_dir):
    user = login_as("organiser")
    factories.trainee(email="known@example.org", given_names="Known")
    db.session.commit()
    before = _counts(db)
    preview = _upload(client, cohort, xlsx_bytes([row(email="new@example.org"), row(email="Known@Example.org")]))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Nothing has been saved yet." in html
    assert '<span class="value">1</span> new' in html and '<span class="value">1</span> update' in html
    assert "new@example.org" in html and "enrolled as nominated" in html
    assert _counts(db) == before  # the preview wrote nothing
    token = _token(preview)
    assert _previews(db) == [token]  # kept in the database's file store …
    assert not imports_dir.exists()  # … not in this machine's instance folder
    done = _confirm(client, cohort, token)
    assert done.status_code == 302 and done.headers["Location"] == f"/cohorts/{cohort.id}/import"
    assert "Import finished: 1 new, 1 updated, 0 invalid rows skipped." in client.get(done.headers["Location"]) \
        .get_data(as_text=True)
    db.session.expire_all()
    assert set(db.session.scalars(select(Trainee.email))) == {"new@example.org", "known@example.org"}
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 2
    imported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "trainee.import"))
    assert imported.actor_id == user.id and "roster.xlsx" in imported.summary
    assert _previews(db) == []  # deleted with the import's commit
    again = _confirm(client, cohort, token)  # the same token cannot be used twice
    assert again.status_code == 302
    assert "expired or does not belong to you" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_invalid_rows_block_the_import_without_skip(client, db, login_as, cohort, imports_dir):
    login_as("organiser")
    before = _counts(db)
    preview = _upload(client, cohort, csv_bytes([row(), row(email="broken", nationality="Atlantis")]), "r.csv")
    html = preview.get_data(as_text=True)
    assert "1 row is invalid, so nothing can be imported" in html
    assert "email: “broken” is not a valid e-mail address." in html
    assert "nationality: “Atlantis” is not a country" in html
    assert 'class="badge badge-err">invalid' in html
    assert not TOKEN.search(html)  # no confirm button
    assert "Upload a corrected file" in html
    [token] = _previews(db)
    forced = _confirm(client, cohort, token)  # even if the token is sent, nothing is written
    assert forced.status_code == 422
    assert "Nothing was imported: some rows are invalid now." in forced.get_data(as_text=True)
    assert _counts(db) == before
    assert _previews(db) == [token]  # the refused import rolled back: the preview is still there


def test_skip_invalid_imports_the_valid_rows(client, db, login_as, cohort, imports_dir):
    login_as("organiser")
    preview = _upload(client, cohort, csv_bytes([row(email="a@example.org"), row(email="broken")]), "r.csv",
                      skip_invalid=True)
    html = preview.get_data(as_text=True)
    assert "Confirming adds 1 new and updates 0 existing trainees." in html
    assert "Invalid rows skipped: 1." in html
    done = _confirm(client, cohort, _token(preview))
    assert "Import finished: 1 new, 0 updated, 1 invalid rows skipped." in client.get(done.headers["Location"]) \
        .get_data(as_text=True)
    db.session.expire_all()
    assert list(db.session.scalars(select(Trainee.email))) == ["a@example.org"]


def test_reuploading_an_imported_file_has_nothing_to_import(client, db, login_as, cohort, imports_dir):
    login_as("organiser")
    data = xlsx_bytes([row(), row()])
    _confirm(client, cohort, _token(_upload(client, cohort, data)))
    before = _counts(db)
    html = _upload(client, cohort, data).get_data(as_text=True)
    assert '<span class="value">2</span> unchanged' in html
    assert "there is nothing to import" in html and not TOKEN.search(html)
    assert _counts(db) == before


@pytest.mark.parametrize("case", ["unknown", "other_user", "other_cohort", "expired", "malformed"])
def test_stale_or_foreign_tokens_are_refused(client, app, db, login_as, cohort, imports_dir, monkeypatch, case):
    from trainees.imports import store as import_store

    user = login_as("organiser")
    token = _token(_upload(client, cohort, xlsx_bytes([row()])))
    target = cohort
    if case == "unknown":
        token = "A" * 43
    elif case == "malformed":
        token = "../../etc/passwd"
    elif case == "other_user":
        other = factories.user()
        db.session.commit()
        with app.test_request_context():
            token = import_store.save_upload(xlsx_bytes([row()]), "x.xlsx", other.id, cohort.id, False)
    elif case == "other_cohort":
        target = factories.cohort()
        db.session.commit()
    elif case == "expired":
        monkeypatch.setitem(app.config, "IMPORT_UPLOAD_MINUTES", 0)
    assert user.id
    before = _counts(db)
    response = _confirm(client, target, token)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cohorts/{target.id}/import"
    assert "This preview has expired or does not belong to you. Upload the file again." in \
        client.get(response.headers["Location"]).get_data(as_text=True)
    assert _counts(db) == before


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "photo.xlsx", "is not an Excel workbook"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "photo.csv", "contains binary data"),
    (csv_bytes([]), "empty.csv", "header row but no trainees"),
    (b"", "empty.csv", "The file is empty."),
    (csv_bytes([row()]), "roster.txt", "Upload an .xlsx or .csv file."),
])
def test_unusable_files_get_a_message_next_to_the_field(client, db, login_as, cohort, imports_dir, data, name,
                                                        message):
    login_as("organiser")
    before = _counts(db)
    response = _upload(client, cohort, data, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<ul class="errors" id="file-errors"><li>[^<]*' + re.escape(message), html), html[-3000:]
    assert _counts(db) == before
    assert _previews(db) == [] and not imports_dir.exists()


def test_oversized_upload_is_refused_with_a_friendly_page(client, app, db, login_as, cohort, imports_dir,
                                                          monkeypatch):
    login_as("organiser")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    response = _upload(client, cohort, csv_bytes([row() for _ in range(40)]), "big.csv")
    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_data(as_text=True)
    assert _counts(db)[0] == 0


def test_preview_of_a_large_file_shows_every_invalid_row_and_a_sample(client, db, login_as, cohort, imports_dir,
                                                                     monkeypatch):
    from trainees.imports import views as import_views

    monkeypatch.setattr(import_views, "PREVIEW_ROWS", 5)
    login_as("organiser")
    rows = [row() for _ in range(20)] + [row(email="bad")]
    html = _upload(client, cohort, csv_bytes(rows), "r.csv").get_data(as_text=True)
    assert "Showing 6 of 21 rows" in html
    assert "row 22" not in html and ">22</td>" in html


def test_posting_without_a_file_asks_for_one(client, db, login_as, cohort, imports_dir):
    login_as("organiser")
    response = client.post(f"/cohorts/{cohort.id}/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Choose a file to import." in response.get_data(as_text=True)


def test_the_upload_endpoint_name_is_stable(app):
    from flask import url_for

    with app.test_request_context():
        assert url_for("trainees.import_upload", cohort_id=7) == "/cohorts/7/import"
        assert url_for("trainees.import_template") == "/import/template.xlsx"


def test_expired_uploads_are_purged_when_a_new_one_is_saved(app, db, imports_dir):
    from datetime import timedelta

    from core.db import utcnow
    from trainees.imports import store as import_store

    with app.test_request_context():
        uid = factories.user().id
        old = import_store.save_upload(b"old", "old.csv", uid, 1, False)
        db.session.get(StoredFile, db.session.scalar(select(StoredFile.id).where(StoredFile.key == old))) \
            .expires_at = utcnow() - timedelta(minutes=1)
        db.session.flush()
        new = import_store.save_upload(b"new", "new.csv", uid, 1, True)
        db.session.commit()
        assert _previews(db) == [new]
        stored = import_store.load_upload(new, uid, 1)
        assert (stored.data, stored.filename, stored.skip_invalid) == (b"new", "new.csv", True)
        with pytest.raises(import_store.StaleUpload):
            import_store.load_upload(old, uid, 1)
        assert not imports_dir.exists()


def test_the_hourly_cleanup_removes_expired_previews_only(app, db, imports_dir):
    from datetime import timedelta

    from core.db import utcnow
    from notifications.reminders import cleanup
    from trainees.imports import store as import_store

    with app.test_request_context():
        user = factories.user()
        db.session.flush()
        keep = import_store.save_upload(b"a", "a.csv", user.id, 1, False)
        gone = import_store.save_upload(b"b", "b.csv", user.id, 1, False)
        db.session.commit()
        assert cleanup(now=utcnow() + timedelta(minutes=30))["expired_files"] == 0
        db.session.scalars(select(StoredFile).where(StoredFile.key == gone)).one().expires_at = \
            utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert cleanup()["expired_files"] == 1
        db.session.commit()
        assert _previews(db) == [keep]
