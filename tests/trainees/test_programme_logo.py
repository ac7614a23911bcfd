"""The programme's logo (issue 14 item 10): uploaded, replaced and removed on the programme's edit page,
checked by content (PNG or JPEG, at most 1 MB), kept in the file store and drawn on its certificates."""

from __future__ import annotations

import io
import zipfile
from html import unescape

import pypdf
import pytest
from PIL import Image
from sqlalchemy import func, select

from completion import jobs as certificate_jobs
from completion import services as completion_services
from core.audit import AuditEvent
from core.filestore import StoredFile
from core.jobs import JobRun
from tests import factories
from trainees.models import LOGO_KIND, Programme


def _image(fmt: str = "PNG", size=(120, 48), colour=(20, 80, 140)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def _upload(client, programme, data: bytes, filename: str = "logo.png"):
    return client.post(f"/programmes/{programme.id}/logo", data={"logo": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _logo_files(db) -> int:
    return db.session.scalar(select(func.count(StoredFile.id)).where(StoredFile.kind == LOGO_KIND))


def _image_xobjects(pdf_bytes: bytes) -> list[tuple[int, int]]:
    """(width, height) of every image XObject drawn on the PDF's pages."""
    sizes = []
    for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages:
        xobjects = page["/Resources"].get("/XObject")
        for ref in (xobjects.get_object().values() if xobjects else []):
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                sizes.append((int(obj["/Width"]), int(obj["/Height"])))
    return sizes


@pytest.fixture
def programme(db):
    obj = factories.programme(code="LOGO-P")
    db.session.commit()
    return obj


def test_upload_shows_the_logo_on_the_edit_page_and_keeps_it_in_the_file_store(client, db, login_as, programme):
    organiser = login_as("organiser")
    html = client.get(f"/programmes/{programme.id}/edit").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and "No logo yet" in html
    response = _upload(client, programme, _image())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/programmes/{programme.id}/edit#logo")
    db.session.refresh(programme)
    stored = db.session.scalar(select(StoredFile).where(StoredFile.key == programme.logo_key))
    assert (stored.kind, stored.content_type, stored.name, stored.owner_id) == (LOGO_KIND, "image/png", "logo.png",
                                                                              organiser.id)
    page = client.get(f"/programmes/{programme.id}/edit#logo").get_data(as_text=True)
    assert "Logo uploaded." in page and f'src="/programmes/{programme.id}/logo"' in page and "Remove logo" in page
    image = client.get(f"/programmes/{programme.id}/logo")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == _image()
    assert "attachment" not in image.headers.get("Content-Disposition", "")  # shown inline as the preview
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "programme.logo")).summary == \
        "LOGO-P: logo.png"


def test_a_jpeg_is_accepted_and_replaces_the_previous_logo(client, db, login_as, programme):
    login_as("organiser")
    _upload(client, programme, _image())
    db.session.refresh(programme)
    first = programme.logo_key
    assert _upload(client, programme, _image("JPEG"), "seal.JPG").status_code == 302
    db.session.refresh(programme)
    assert programme.logo_key != first and _logo_files(db) == 1  # the old file is gone with the replacement
    assert client.get(f"/programmes/{programme.id}/logo").mimetype == "image/jpeg"


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"%PDF-1.4 not an image at all", "logo.png", "The logo must be a PNG or JPEG image."),  # named .png, is not
    (b"GIF89a" + _image("GIF")[6:], "logo.gif", "The logo must be a PNG or JPEG image."),  # a real image, wrong type
    (_image()[:60], "cut.png", "The logo must be a PNG or JPEG image."),  # a truncated PNG
    (b"", "empty.png", "The file is empty."),
])
def test_a_file_that_is_not_a_png_or_jpeg_is_refused_at_the_field(client, db, login_as, programme, data, filename,
                                                                  message):
    login_as("organiser")
    response = _upload(client, programme, data, filename)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert message in html and 'id="logo-errors"' in html and 'aria-invalid="true"' in html
    db.session.refresh(programme)
    assert programme.logo_key is None and _logo_files(db) == 0


def test_a_logo_larger_than_the_limit_is_refused_and_the_old_one_is_kept(client, db, app, login_as, programme,
                                                                         monkeypatch):
    login_as("organiser")
    _upload(client, programme, _image())
    db.session.refresh(programme)
    kept = programme.logo_key
    monkeypatch.setitem(app.config, "PROGRAMME_LOGO_MAX_BYTES", 2048)
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")  # noise does not compress: well over 2 KB
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    big = buffer.getvalue()
    assert len(big) > 2048
    response = _upload(client, programme, big)
    assert response.status_code == 400 and "The logo is larger than 2 KB." in response.get_data(as_text=True)
    db.session.refresh(programme)
    assert programme.logo_key == kept and _logo_files(db) == 1


def test_choosing_no_file_is_explained(client, db, login_as, programme):
    login_as("organiser")
    response = client.post(f"/programmes/{programme.id}/logo", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a PNG or JPEG file to upload." in response.get_data(as_text=True)


def test_removal_deletes_the_file_and_certificates_go_without(client, db, login_as, programme):
    login_as("organiser")
    _upload(client, programme, _image())
    response = client.post(f"/programmes/{programme.id}/logo/delete")
    assert response.status_code == 302
    db.session.refresh(programme)
    assert programme.logo_key is None and _logo_files(db) == 0
    assert "Logo removed." in client.get(f"/programmes/{programme.id}/edit").get_data(as_text=True)
    assert client.get(f"/programmes/{programme.id}/logo").status_code == 404
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "programme.logo_remove")) is not None


def test_trainees_cannot_upload_read_or_remove_a_logo(client, db, login_as, programme):
    login_as("trainee")
    assert _upload(client, programme, _image()).status_code == 403
    assert client.get(f"/programmes/{programme.id}/logo").status_code == 403
    assert client.post(f"/programmes/{programme.id}/logo/delete").status_code == 403
    assert db.session.get(Programme, programme.id).logo_key is None


def test_logo_routes_of_an_unknown_programme_answer_404(client, db, login_as):
    login_as("organiser")
    assert _upload(client, type("P", (), {"id": 999999})(), _image()).status_code == 404
    assert client.get("/programmes/999999/logo").status_code == 404
    assert client.post("/programmes/999999/logo/delete").status_code == 404


def _issued(db, programme, n: int = 1):
    cohort = factories.cohort(programme)
    for _ in range(n):
        factories.enrolment(cohort_obj=cohort, status="completed")
    certs = completion_services.issue_certificates(cohort, "completion")
    db.session.commit()
    return cohort, certs


def test_single_certificates_show_the_programme_logo_and_lose_it_when_it_is_removed(client, db, login_as, programme):
    cohort, [cert] = _issued(db, programme)
    login_as("organiser")
    assert _image_xobjects(client.get(f"/certificates/{cert.id}.pdf").data) == []
    _upload(client, programme, _image(size=(120, 48)))
    assert (120, 48) in _image_xobjects(client.get(f"/certificates/{cert.id}.pdf").data)
    # the holder's own copy shows it too
    account = factories.user(role="trainee")
    cert.enrolment.trainee.user_id = account.id
    db.session.commit()
    client.post("/logout")
    login_as(user=account)
    assert (120, 48) in _image_xobjects(client.get(f"/me/certificates/{cert.id}.pdf").data)
    client.post("/logout")
    login_as("organiser")
    client.post(f"/programmes/{programme.id}/logo/delete")
    assert _image_xobjects(client.get(f"/certificates/{cert.id}.pdf").data) == []


def test_the_zip_and_the_zip_job_show_the_logo_on_every_certificate(client, db, app, login_as, programme,
                                                                    monkeypatch):
    cohort, certs = _issued(db, programme, n=3)
    login_as("organiser")
    _upload(client, programme, _image("JPEG", size=(90, 60)))
    for limit in (20, 2):  # synchronous, then as a background job
        monkeypatch.setitem(app.config, "CERTIFICATE_ZIP_SYNC_LIMIT", limit)
        response = client.get(f"/cohorts/{cohort.id}/certificates.zip")
        if limit == 2:
            run = db.session.scalar(select(JobRun).where(JobRun.kind == certificate_jobs.ZIP_KIND))
            assert run.status == "done"
            response = client.get(f"/jobs/{run.id}/download")
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            names = archive.namelist()
            assert len(names) == 3
            assert all((90, 60) in _image_xobjects(archive.read(name)) for name in names)
