"""Nomination pages: focal points see only their own country; organisers select; downloads never inline."""

import io

import pytest

from core.extensions import db as _db
from nominations import services
from tests import factories
from tests.nominations.builders import PDF, TODAY, focal_point, nominate, open_call, sign_in


@pytest.fixture
def world(app, db):
    call = open_call({"VN": 2, "TH": 2})
    vn, th = focal_point("VN"), focal_point("TH")
    th_candidate = nominate(call, th, 1)
    th_candidate.endorsement_file_id = services.store_document("endorse.pdf", PDF).id
    vn_candidate = nominate(call, vn, 2)
    db.session.commit()
    return {"call": call, "vn": vn, "th": th, "th_candidate": th_candidate, "vn_candidate": vn_candidate}


def _form(n=10, **over):
    data = {"family_name": f"Pham{n}", "given_names": "Van Minh", "email": f"minh{n}@example.org", "gender": "M",
            "nationality": "VN", "organisation": "VNCERT", "organisation_country": "", "sector": "ICT",
            "org_type": "national_csirt", "date_of_birth": "1991-05-05", "job_area": "soc",
            "experience_years": "4", "english_level": "advanced", "locale": "en", "rank": "1"}
    data.update(over)
    return data


def test_focal_point_of_viet_nam_cannot_touch_thailand(app, world):
    vn = sign_in(app, world["vn"].user)
    cid = world["th_candidate"].id
    assert vn.get(f"/nominations/my/candidates/{cid}").status_code == 404
    assert vn.post(f"/nominations/my/candidates/{cid}", data={"rank": "1"}).status_code == 404
    assert vn.get(f"/nominations/my/candidates/{cid}/endorsement").status_code == 404
    page = vn.get("/nominations/my").get_data(as_text=True)
    assert world["vn_candidate"].full_name in page and world["th_candidate"].full_name not in page
    # no organiser page
    call_id = world["call"].id
    for url in ("/nominations/", f"/nominations/calls/{call_id}", "/nominations/focal-points",
                f"/nominations/calls/{call_id}/candidates/{cid}/endorsement", "/trainees", "/reports/"):
        assert vn.get(url).status_code in (403, 404), url
    assert vn.post(f"/nominations/calls/{call_id}/candidates/{cid}/decide",
                   data={"decision": "rejected"}).status_code == 403
    _db.session.expire_all()
    assert world["th_candidate"].status == "submitted"


def test_focal_point_does_not_see_a_call_without_a_seat_for_the_country(app, db, world):
    la = focal_point("LA")
    db.session.commit()
    client = sign_in(app, la.user)
    assert "Incident response 2027" not in client.get("/nominations/my").get_data(as_text=True)
    assert client.get(f"/nominations/my/calls/{world['call'].id}/nominate").status_code == 404


def test_focal_point_user_without_a_country_gets_404(app, db):
    user = factories.user(role="focal_point")
    db.session.commit()
    assert sign_in(app, user).get("/nominations/my").status_code == 404


def test_nominate_with_endorsement_upload(app, db, world):
    client = sign_in(app, world["vn"].user)
    data = _form(endorsement=(io.BytesIO(PDF), "letter.pdf"))
    response = client.post(f"/nominations/my/calls/{world['call'].id}/nominate", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    from nominations.models import Candidate

    candidate = db.session.scalar(_db.select(Candidate).where(Candidate.email == "minh10@example.org"))
    assert candidate.country == "VN" and candidate.rank == 1 and candidate.endorsement_file_id
    download = client.get(f"/nominations/my/candidates/{candidate.id}/endorsement")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in download.headers["Cache-Control"] and download.data == PDF


def test_nominate_refuses_a_disguised_file_and_writes_nothing(app, db, world):
    client = sign_in(app, world["vn"].user)
    data = _form(11, endorsement=(io.BytesIO(b"MZ\x90\x00evil"), "letter.pdf"))
    response = client.post(f"/nominations/my/calls/{world['call'].id}/nominate", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Only PDF or Word" in response.get_data(as_text=True)
    from nominations.models import Candidate

    assert db.session.scalar(_db.select(Candidate).where(Candidate.email == "minh11@example.org")) is None


def test_organiser_selection_page_and_decision(app, db, world, outbox, count_queries):
    organiser = factories.user(role="organiser")
    db.session.commit()
    client = sign_in(app, organiser)
    url = f"/nominations/calls/{world['call'].id}"
    with count_queries() as counter:
        page = client.get(url)
    assert page.status_code == 200
    first = counter.count
    for n in range(3, 9):
        nominate(world["call"], world["vn"], n)
    db.session.commit()
    with count_queries() as counter:
        client.get(url)
    assert counter.count == first  # the number of queries does not grow with the candidates
    response = client.post(f"{url}/candidates/{world['vn_candidate'].id}/decide", data={"decision": "accepted"})
    assert response.status_code == 302
    db.session.expire_all()
    assert world["vn_candidate"].status == "accepted" and world["vn_candidate"].enrolment_id
    assert sorted(m.to[0] for m in outbox) == sorted([world["vn_candidate"].email, world["vn"].user.email])
    download = client.get(f"{url}/candidates/{world['th_candidate'].id}/endorsement")
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_public_call_page_in_the_visitors_language(app, db, world):
    client = app.test_client()
    url = f"/nominations/open/{world['call'].id}"
    assert "Objectives in English" in client.get(url).get_data(as_text=True)
    assert "日本語の一般情報" in client.get(url, headers={"Accept-Language": "ja"}).get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert world["vn_candidate"].email not in page


def test_self_application_link(app, db, world):
    client = app.test_client()
    url = f"/nominations/apply/{world['vn'].apply_token}/{world['call'].id}"
    assert client.get(url).status_code == 200
    data = _form(20)
    data.pop("rank")
    assert client.post(url, data=data).status_code == 302
    from nominations.models import Candidate

    candidate = db.session.scalar(_db.select(Candidate).where(Candidate.email == "minh20@example.org"))
    assert candidate.status == "awaiting_endorsement" and candidate.focal_point_id == world["vn"].id
    assert client.get(f"/nominations/apply/wrong-token/{world['call'].id}").status_code == 404


def test_closed_call_is_not_public(app, db, world):
    world["call"].closes_on = world["call"].opens_on = TODAY.replace(year=TODAY.year - 1)
    db.session.commit()
    assert app.test_client().get(f"/nominations/open/{world['call'].id}").status_code == 404


def test_nominate_from_a_spreadsheet_all_or_nothing(app, db, world):
    from nominations.models import Candidate

    client = sign_in(app, world["vn"].user)
    url = f"/nominations/my/calls/{world['call'].id}/upload"
    header = "family_name,given_names,email,gender,nationality,organisation,sector,org_type,date_of_birth\n"
    good = "Pham,Van An,an.pham@example.org,M,VN,VNCERT,ICT,national_csirt,1990-02-02\n"
    thai = "Srisuk,Somchai,somchai@example.org,M,TH,ThaiCERT,ICT,national_csirt,1985-07-02\n"
    bad = ",,broken,M,VN,VNCERT,ICT,national_csirt,\n"
    for body in (good + thai, good + bad):
        response = client.post(url, data={"file": (io.BytesIO((header + body).encode()), "n.csv")},
                               content_type="multipart/form-data")
        assert response.status_code == 200 and "Nothing was saved" in response.get_data(as_text=True)
    assert db.session.scalar(_db.select(Candidate).where(Candidate.email == "an.pham@example.org")) is None
    response = client.post(url, data={"file": (io.BytesIO((header + good).encode()), "n.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    _db.session.expire_all()
    candidate = db.session.scalar(_db.select(Candidate).where(Candidate.email == "an.pham@example.org"))
    assert candidate.country == "VN" and candidate.rank == 1
