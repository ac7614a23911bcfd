"""Trainee pages: search and filters, edit, new, and the training passport."""

from __future__ import annotations

from datetime import date
from html import unescape

from sqlalchemy import select
from werkzeug.routing import Rule

from accounts.permissions import organiser_required
from tests import factories
from trainees import services
from trainees.models import Organisation, Trainee


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _people(db):
    ncsa = factories.organisation("NCSA Thailand", country="TH", sector_code="GOV", org_type="government")
    bank = factories.organisation("Bank of Thailand", country="TH", sector_code="FIN", org_type="regulator")
    people = {
        "somchai": factories.trainee(ncsa, family_name="Srisuk", given_names="Somchai", gender="M",
                                     nationality="TH", email="somchai@ncsa.or.th"),
        "malee": factories.trainee(bank, family_name="Chaiyo", given_names="Malee", gender="F", nationality="TH",
                                   email="malee@bot.or.th"),
        "budi": factories.trainee(bank, family_name="", given_names="Budi", gender="M", nationality="ID",
                                  email="budi@bi.go.id"),
    }
    cohort = factories.cohort(code="TTX-2024")
    factories.enrolment(people["budi"], cohort)
    db.session.commit()
    return people, cohort


def _names(client, query):
    html = _text(client.get("/trainees" + query))
    return {n for n, label in (("somchai", "SRISUK Somchai"), ("malee", "CHAIYO Malee"), ("budi", ">Budi<"))
            if label in html}


def test_empty_list_links_to_add_the_first(client, login_as):
    login_as("organiser")
    html = _text(client.get("/trainees"))
    assert "No trainees yet" in html and 'href="/trainees/new"' in html


def test_search_by_name_email_or_organisation(client, db, login_as):
    login_as("organiser")
    _people(db)
    assert _names(client, "") == {"somchai", "malee", "budi"}
    assert _names(client, "?q=somchai srisuk") == {"somchai"}
    assert _names(client, "?q=srisuk somchai") == {"somchai"}
    assert _names(client, "?q=BOT.OR.TH") == {"malee"}
    assert _names(client, "?q=bank of") == {"malee", "budi"}
    assert _names(client, "?q=100%") == set()
    assert "No trainees match these filters." in _text(client.get("/trainees?q=nobody"))


def test_filters_nationality_sector_gender_cohort_organisation(client, db, login_as):
    login_as("organiser")
    people, cohort = _people(db)
    assert _names(client, "?nationality=ID") == {"budi"}
    assert _names(client, "?sector=FIN") == {"malee", "budi"}
    assert _names(client, "?gender=F") == {"malee"}
    assert _names(client, f"?cohort={cohort.id}") == {"budi"}
    assert _names(client, "?sector=FIN&gender=M") == {"budi"}
    org_id = people["somchai"].organisation_id
    assert _names(client, f"?organisation={org_id}") == {"somchai"}
    html = _text(client.get("/trainees"))
    assert "Thailand" in html and "Indonesia" in html and "Female" in html and "Finance" in html


def test_list_is_paginated(client, db, login_as, app):
    login_as("organiser")
    org = factories.organisation()
    for i in range(app.config["PER_PAGE"] + 1):
        factories.trainee(org, family_name=f"P{i:03d}")
    db.session.commit()
    assert "Page 1 of 2" in _text(client.get("/trainees"))
    assert "P050" in _text(client.get("/trainees?page=2"))


def test_edit_trainee_with_duplicate_email_message(client, db, login_as):
    login_as("organiser")
    people, _cohort = _people(db)
    malee = people["malee"]
    page = _text(client.get(f"/trainees/{malee.id}/edit"))
    assert 'value="Bank of Thailand"' in page and 'value="malee@bot.or.th"' in page
    data = {"family_name": "Chaiyo", "given_names": "Malee", "email": "SOMCHAI@ncsa.or.th", "gender": "F",
            "nationality": "TH", "organisation": "Bank of Thailand", "organisation_country": "TH",
            "sector": "FIN", "org_type": "regulator"}
    html = _text(client.post(f"/trainees/{malee.id}/edit", data=data))
    assert 'id="email-errors"' in html and "A trainee with the e-mail somchai@ncsa.or.th already exists." in html
    db.session.expire_all()
    assert db.session.get(Trainee, malee.id).email == "malee@bot.or.th"
    response = client.post(f"/trainees/{malee.id}/edit", data=data | {"email": "Malee.C@bot.or.th",
                                                                      "job_title": "CISO"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Trainee, malee.id)
    assert (saved.email, saved.job_title) == ("malee.c@bot.or.th", "CISO")


def test_edit_to_a_new_organisation_creates_it_and_warns(client, db, login_as):
    login_as("organiser")
    people, _cohort = _people(db)
    data = {"given_names": "Budi", "email": "budi@bi.go.id", "gender": "M", "nationality": "ID",
            "organisation": "BSSN", "organisation_country": "", "sector": "GOV", "org_type": "national_csirt"}
    response = client.post(f"/trainees/{people['budi'].id}/edit", data=data, follow_redirects=True)
    assert "A new organisation BSSN was created." in _text(response)
    org = db.session.scalar(select(Organisation).where(Organisation.name == "BSSN"))
    assert org.country == "ID" and org.org_type == "national_csirt"


def test_new_trainee_page(client, db, login_as):
    login_as("organiser")
    data = {"given_names": "Aung", "email": "aung@mmcert.org.mm", "gender": "NS", "nationality": "MM",
            "organisation": "mmCERT", "organisation_country": "MM", "sector": "GOV", "org_type": "national_csirt"}
    response = client.post("/trainees/new", data=data)
    trainee = db.session.scalar(select(Trainee).where(Trainee.email == "aung@mmcert.org.mm"))
    assert response.headers["Location"] == f"/trainees/{trainee.id}"
    html = _text(client.get(f"/trainees/{trainee.id}"))
    assert "Not enrolled in any cohort yet." in html and "Myanmar" in html and "Not stated" in html


def test_training_passport_shows_every_enrolment_history_and_attendance(client, db, login_as):
    organiser = login_as("organiser")
    programme = factories.programme(code="ASEAN-CS")
    person = factories.trainee(family_name="Santos", given_names="Maria", nationality="PH")
    old = factories.cohort(programme, code="CS-2015", start_date=date(2015, 10, 5), end_date=date(2015, 10, 16))
    new = factories.cohort(programme, code="CS-2024", start_date=date(2024, 6, 3), end_date=date(2024, 6, 7))
    e_old = services.enrol(person, old, "nominated", reason="first nomination", actor=organiser)
    for target in ("accepted", "confirmed", "completed"):
        services.change_status(e_old, target, reason=f"step {target}", actor=organiser)
    e_new = services.enrol(person, new, "confirmed", actor=organiser)
    s1, s2 = factories.session(new, title="Day 1"), factories.session(new, date(2024, 6, 4), title="Day 2")
    factories.session(new, date(2024, 6, 5), title="Visit", attendance_required=False)
    factories.attendance(s1, e_new, "present")
    factories.attendance(s2, e_new, "absent")
    db.session.commit()
    html = _text(client.get(f"/trainees/{person.id}"))
    assert "SANTOS Maria" in html and "2 enrolments" in html
    assert html.index("CS-2024") < html.index("CS-2015")  # newest first
    assert "FY2015 · ASEAN-CS · HIDA" in html and "FY2024 · ASEAN-CS · AOTS" in html
    assert "first nomination" in html and "step completed" in html and organiser.display_name in html
    assert "50 % (1 of 2 sessions)" in html.replace("\xa0", " ")
    assert "Day 1" in html and "Present" in html and "Absent" in html and "no attendance taken" in html


def test_invite_button_only_when_the_portal_endpoint_exists(client, db, login_as, app, monkeypatch):
    login_as("organiser")
    person = factories.trainee()
    db.session.commit()
    if "trainees.invite" not in app.view_functions:
        assert "Invite to the trainee portal" not in _text(client.get(f"/trainees/{person.id}"))
        # Stand in for the portal feature's endpoint (build side only; no request goes to it here).
        rule = Rule("/trainees/<int:trainee_id>/invite", endpoint="trainees.invite", methods=["POST"])
        rule.bind(app.url_map)
        monkeypatch.setitem(app.url_map._rules_by_endpoint, "trainees.invite", [rule])
        monkeypatch.setitem(app.view_functions, "trainees.invite",
                            organiser_required(lambda trainee_id: ("", 204)))
    html = _text(client.get(f"/trainees/{person.id}"))
    assert f'action="/trainees/{person.id}/invite"' in html and "Invite to the trainee portal" in html


def test_the_invite_button_says_what_it_does_for_someone_who_already_uses_the_portal(client, db, login_as):
    login_as("organiser")
    person = factories.trainee()
    person.user = factories.user(role="trainee", email=person.email)
    db.session.commit()
    html = _text(client.get(f"/trainees/{person.id}"))
    assert "Send a new portal link" in html and "Invite to the" not in html


def test_unknown_trainee_is_404(client, login_as):
    login_as("organiser")
    assert client.get("/trainees/999999").status_code == 404
    assert client.get("/trainees/999999/edit").status_code == 404


def test_status_history_times_are_unambiguous_for_an_international_team(client, db, login_as):
    from datetime import datetime

    from trainees.models import EnrolmentEvent

    login_as("organiser")
    enrolment = factories.enrolment(status="nominated")
    event = db.session.scalar(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment.id))
    event.at = datetime(2026, 11, 6, 4, 54)  # 6 November, not 11 June
    db.session.commit()
    for path in (f"/trainees/{enrolment.trainee_id}", f"/enrolments/{enrolment.id}/status"):
        html = client.get(path).get_data(as_text=True)
        assert "2026-11-06 04:54" in html and "11/6/26" not in html, path


def test_people_with_a_single_name_are_listed_alphabetically_not_first(client, db, login_as):
    login_as("organiser")
    cohort, other = factories.cohort(), factories.cohort()
    for family, given in (("Nguyen", "Thi Lan"), ("", "Hnin Wai Phyo"), ("Bautista", "Rodel"), ("", "Kartini")):
        factories.enrolment(trainee_obj=factories.trainee(family_name=family, given_names=given), cohort_obj=cohort)
    db.session.commit()
    expected = ["BAUTISTA Rodel", "Hnin Wai Phyo", "Kartini", "NGUYEN Thi Lan"]
    for path in (f"/cohorts/{cohort.id}", "/trainees", f"/cohorts/{other.id}/enrol?q=a"):
        html = client.get(path).get_data(as_text=True)
        positions = [html.find(name) for name in expected if name in html]
        assert len(positions) >= 3 and positions == sorted(positions), path



def test_a_page_past_the_end_says_so_instead_of_no_trainees_yet(client, db, login_as):
    login_as("organiser")
    factories.trainee()
    db.session.commit()
    html = client.get("/trainees?page=99").get_data(as_text=True)
    assert "No trainees yet" not in html and "There is nothing on page 99." in html
    assert 'href="/trainees"' in html
    html = client.get("/cohorts?page=99").get_data(as_text=True)
    assert "No cohorts yet" in html  # there really are none: the empty state stays
