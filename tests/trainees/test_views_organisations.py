"""Organisation pages: search and filters, edit, new, merge of duplicates."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from core.audit import AuditEvent
from tests import factories
from trainees.models import Organisation, Trainee


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_empty_list_links_to_add_the_first(client, login_as):
    login_as("organiser")
    html = _text(client.get("/organisations"))
    assert "No organisations yet" in html and 'href="/organisations/new"' in html


def test_search_and_filters_with_trainee_counts_and_human_names(client, db, login_as):
    login_as("organiser")
    bank = factories.organisation("Bank Indonesia", country="ID", sector_code="FIN", org_type="regulator")
    factories.organisation("PLN", country="ID", sector_code="ELE", org_type="soe")
    factories.organisation("Maybank", country="MY", sector_code="FIN", org_type="private")
    for _ in range(4):
        factories.trainee(bank)
    db.session.commit()

    def names(query):
        html = _text(client.get("/organisations" + query))
        return {n for n in ("Bank Indonesia", "PLN", "Maybank") if f">{n}</a>" in html}

    assert names("") == {"Bank Indonesia", "PLN", "Maybank"}
    assert names("?q=bank") == {"Bank Indonesia", "Maybank"}
    assert names("?country=ID") == {"Bank Indonesia", "PLN"}
    assert names("?sector=FIN&org_type=private") == {"Maybank"}
    assert "No organisations match these filters." in _text(client.get("/organisations?q=nothing"))
    html = _text(client.get("/organisations?q=bank indonesia"))
    assert f'href="/trainees?organisation={bank.id}">4</a>' in html
    assert "Finance" in html and "Regulator" in html and "Public" in html and "Indonesia" in html


def test_edit_organisation_and_refuse_a_clashing_name(client, db, login_as):
    login_as("organiser")
    factories.organisation("ThaiCERT", country="TH")
    org = factories.organisation("ETDA", country="TH", sector_code="GOV", org_type="government")
    db.session.commit()
    data = {"name": "Electronic Transactions Development Agency", "country": "TH", "sector_code": "GOV",
            "org_type": "regulator"}
    assert client.post(f"/organisations/{org.id}", data=data).status_code == 302
    db.session.expire_all()
    assert (org.name, org.org_type) == ("Electronic Transactions Development Agency", "regulator")
    html = _text(client.post(f"/organisations/{org.id}", data=data | {"name": "thaicert"}))
    assert 'id="name-errors"' in html and "ThaiCERT already exists in that country; merge the two instead." in html
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.update")) is not None


def test_new_organisation_and_duplicate_refused(client, db, login_as):
    login_as("organiser")
    data = {"name": "Cambodia CERT", "country": "KH", "sector_code": "GOV", "org_type": "national_csirt"}
    assert client.post("/organisations/new", data=data).status_code == 302
    html = _text(client.post("/organisations/new", data=data | {"name": "CAMBODIA  cert"}))
    assert "Cambodia CERT already exists in that country." in html
    assert len(db.session.scalars(select(Organisation)).all()) == 1


def test_merge_flow_choose_confirm_then_trainees_move(client, db, login_as):
    login_as("organiser")
    keep = factories.organisation("Ministry of ICT", country="KH")
    duplicate = factories.organisation("MPTC", country="KH")
    factories.organisation("Elsewhere", country="LA")
    movers = [factories.trainee(duplicate) for _ in range(2)]
    db.session.commit()
    keep_id, duplicate_id = keep.id, duplicate.id
    choose = _text(client.get(f"/organisations/{keep_id}/merge"))
    assert "MPTC" in choose and "Elsewhere" not in choose  # same country by default
    assert "Elsewhere" in _text(client.get(f"/organisations/{keep_id}/merge?q=else"))
    response = client.get(f"/organisations/{keep_id}/merge?other={duplicate_id}&keep=this")
    assert response.headers["Location"] == f"/organisations/{keep_id}/merge/{duplicate_id}"
    # keeping the other one swaps the roles
    response = client.get(f"/organisations/{keep_id}/merge?other={duplicate_id}&keep=other")
    assert response.headers["Location"] == f"/organisations/{duplicate_id}/merge/{keep_id}"
    confirm = _text(client.get(f"/organisations/{keep_id}/merge/{duplicate_id}"))
    assert "2 trainees will move from MPTC to Ministry of ICT, and MPTC will be deleted." in confirm
    assert db.session.get(Organisation, duplicate_id) is not None  # nothing happened yet
    response = client.post(f"/organisations/{keep_id}/merge/{duplicate_id}", follow_redirects=True)
    assert "Merged MPTC into Ministry of ICT: 2 trainees moved." in _text(response)
    db.session.expire_all()
    assert db.session.get(Organisation, duplicate_id) is None
    assert {db.session.get(Trainee, t.id).organisation_id for t in movers} == {keep_id}


def test_merge_with_itself_is_refused(client, db, login_as):
    login_as("organiser")
    org = factories.organisation()
    db.session.commit()
    response = client.post(f"/organisations/{org.id}/merge/{org.id}", follow_redirects=True)
    assert "Choose two different organisations to merge." in _text(response)
    assert db.session.get(Organisation, org.id) is not None


def test_unknown_organisation_is_404(client, db, login_as):
    login_as("organiser")
    org = factories.organisation()
    db.session.commit()
    assert client.get("/organisations/999999").status_code == 404
    assert client.get("/organisations/999999/merge").status_code == 404
    assert client.get(f"/organisations/{org.id}/merge/999999").status_code == 404
    assert client.post(f"/organisations/999999/merge/{org.id}").status_code == 404


def test_list_is_paginated(client, db, login_as, app):
    login_as("organiser")
    for i in range(app.config["PER_PAGE"] + 2):
        factories.organisation(f"Agency {i:03d}", country="SG")
    db.session.commit()
    first = _text(client.get("/organisations"))
    assert "Page 1 of 2" in first and "Agency 000" in first and "Agency 051" not in first
    assert "Agency 051" in _text(client.get("/organisations?page=2"))


def test_merging_an_organisation_with_itself_is_never_offered(client, db, login_as):
    login_as("organiser")
    org = factories.organisation(name="Central Bank")
    db.session.commit()
    response = client.get(f"/organisations/{org.id}/merge?other={org.id}&keep=this", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Choose two different organisations to merge." in html and "will be deleted" not in html
    assert client.post(f"/organisations/{org.id}/merge/{org.id}").status_code == 302
    assert db.session.get(Organisation, org.id) is not None
