"""Programme pages through the HTTP client."""

from __future__ import annotations

from datetime import date
from html import unescape

from sqlalchemy import select

from core.audit import AuditEvent
from tests import factories
from trainees.models import Programme


def test_empty_list_invites_to_create_the_first_programme(client, login_as):
    login_as("organiser")
    html = client.get("/programmes").get_data(as_text=True)
    assert "No programmes yet" in html and 'href="/programmes/new"' in html


def test_list_shows_cohort_counts_and_current_organiser(client, db, login_as):
    login_as("organiser")
    programme = factories.programme(code="ASEAN-CS", name="ASEAN cybersecurity")
    for _ in range(3):
        factories.cohort(programme)
    factories.programme(code="EMPTY")
    db.session.commit()
    html = client.get("/programmes").get_data(as_text=True)
    assert "ASEAN-CS" in html and "EMPTY" in html and "AOTS" in html
    assert f'href="/cohorts?programme={programme.id}">3</a>' in html


def test_create_with_organiser_history_then_detail_shows_names_by_fiscal_year(client, db, login_as):
    login_as("organiser")
    response = client.post("/programmes/new", data={
        "code": "ICS-WEEK", "name": "ICS cybersecurity week", "funder": "METI",
        "organiser_history": "2012: HIDA\nFY2017 AOTS\n"})
    programme = db.session.scalar(select(Programme).where(Programme.code == "ICS-WEEK"))
    assert response.status_code == 302 and response.headers["Location"] == f"/programmes/{programme.id}"
    assert [(e.from_fy, e.name) for e in programme.organiser_names] == [(2012, "HIDA"), (2017, "AOTS")]
    factories.cohort(programme, code="ICS-2015", start_date=date(2015, 9, 1), end_date=date(2015, 9, 5))
    db.session.commit()
    html = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "FY2012" in html and "FY2017" in html
    assert "ICS-2015" in html and "<td>HIDA</td>" in html  # the organiser's name as it was in FY2015
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "programme.create")) is not None


def test_create_errors_are_shown_next_to_the_fields_and_input_is_kept(client, db, login_as):
    login_as("organiser")
    factories.programme(code="TAKEN")
    db.session.commit()
    html = client.post("/programmes/new", data={"code": "taken", "name": "Again",
                                                "organiser_history": "2012: HIDA"}).get_data(as_text=True)
    assert "A programme with the code taken already exists." in html
    assert 'id="code-errors"' in html and 'value="Again"' in html
    html = client.post("/programmes/new", data={"code": "NEW", "name": "",
                                                "organiser_history": "twenty twelve HIDA"}).get_data(as_text=True)
    assert "Give the programme's name." in unescape(html)
    assert "Line 1: write a fiscal year and a name" in html and 'id="organiser_history-errors"' in html
    assert db.session.scalar(select(Programme).where(Programme.code == "NEW")) is None


def test_edit_changes_name_and_history_but_not_code(client, db, login_as):
    login_as("organiser")
    programme = factories.programme(code="KEEP")
    db.session.commit()
    page = client.get(f"/programmes/{programme.id}/edit").get_data(as_text=True)
    assert "2012: HIDA\n2017: AOTS" in page and 'name="code"' not in page
    response = client.post(f"/programmes/{programme.id}/edit", data={
        "code": "HACKED", "name": "Renamed", "funder": "MIC", "organiser_history": "2012: HIDA\n2017: AOTS\n2030: X"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (programme.code, programme.name, programme.funder) == ("KEEP", "Renamed", "MIC")
    assert programme.organiser_name_for(2031) == "X"
    html = client.post(f"/programmes/{programme.id}/edit", data={
        "name": "Renamed", "organiser_history": "2012: A\n2012: B"}).get_data(as_text=True)
    assert "FY2012 is listed twice" in html


def test_unknown_programme_is_404(client, login_as):
    login_as("organiser")
    assert client.get("/programmes/999999").status_code == 404
    assert client.get("/programmes/999999/edit").status_code == 404
