"""Downloads with personal data are sent with ``Cache-Control: no-store, private`` (issue 13 item 5)."""

from __future__ import annotations

from completion import services
from tests.completion.test_completion import cohort_setup  # noqa: F401 - fixture
from tests.exercises.test_aar import _played_run


def _assert_private(response, what: str) -> None:
    assert response.status_code == 200, what
    assert "attachment" in response.headers.get("Content-Disposition", ""), what
    directives = {d.strip() for d in response.headers["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, (what, response.headers["Cache-Control"])
    assert "no-cache" not in directives and "public" not in directives, what


def test_certificates_zip_and_workbooks_are_not_stored(client, db, login_as, cohort_setup):  # noqa: F811
    cohort, people = cohort_setup
    services.finalise_completion(cohort, {people[0][2].id: "completed"}, "ok")
    db.session.commit()
    login_as("organiser")
    client.post(f"/cohorts/{cohort.id}/certificates", data={"kind": "completion"})
    from completion.models import Certificate

    cert = db.session.query(Certificate).one()
    _assert_private(client.get(f"/certificates/{cert.id}.pdf"), "certificate")
    _assert_private(client.get(f"/cohorts/{cohort.id}/certificates.zip"), "certificates zip")
    _assert_private(client.get("/reports/export.xlsx"), "report workbook")
    _assert_private(client.get(f"/reports/cohorts/{cohort.id}.xlsx"), "cohort workbook")
    _assert_private(client.get("/import/template.xlsx"), "import template")


def test_aar_download_is_not_stored(client, db, login_as):
    login_as("organiser")
    run, _people = _played_run(db)
    db.session.commit()
    _assert_private(client.get(f"/exercises/runs/{run.id}/aar.xlsx"), "AAR")
