"""Nomination pages: focal points see only their own country; organisers select; downloads never inline."""

import io

import pytest

from core import filestore
from core.extensions import db as _db
from core.mailqueue import OutgoingMail
from nominations import services
from tests import factories
from tests.nominations.builders import PDF, TODAY, focal_point, nominate, open_call, sign_in


@pytest.fixture
def world(app, db):
    call = open_call({"VN": 2, "TH": 2})
    vn, th = focal_point("VN"), focal_point("TH")
    th_candidate = nominate(call, th, 1)
    th_candidate.endorsement_key = services.store_document("endorse.pdf", PDF)
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
    assert candidate.country == "VN" and candidate.rank == 1 and candidate.endorsement_key
    download = client.get(f"/nominations/my/candidates/{candidate.id}/endorsement")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in download.headers["Cache-Control"] and download.data == PDF
    # kept in the shared file store, as a nomination document
    stored = filestore.info(candidate.endorsement_key, kind=services.DOCUMENT_KIND)
    assert stored is not None and stored.name == "letter.pdf" and stored.content_type == "application/pdf"


def test_the_form_refuses_another_countrys_national_like_the_spreadsheet(app, db, world):
    from nominations.models import Candidate

    client = sign_in(app, world["vn"].user)
    data = _form(12, nationality="TH", organisation="ThaiCERT", organisation_country="TH")
    response = client.post(f"/nominations/my/calls/{world['call'].id}/nominate", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "only people of your country can be nominated" in response.get_data(as_text=True)
    assert db.session.scalar(_db.select(Candidate).where(Candidate.email == "minh12@example.org")) is None


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
    world["vn"].user.locale = "ja"
    db.session.commit()
    client = app.test_client()
    url = f"/nominations/apply/{world['vn'].apply_token}/{world['call'].id}"
    assert client.get(url).status_code == 200
    data = _form(20)
    data.pop("rank")
    assert client.post(url, data=data).status_code == 302
    from nominations.models import Candidate

    candidate = db.session.scalar(_db.select(Candidate).where(Candidate.email == "minh20@example.org"))
    assert candidate.status == "awaiting_endorsement" and candidate.focal_point_id == world["vn"].id
    notice = db.session.scalar(_db.select(OutgoingMail).where(OutgoingMail.kind == "nomination_application"))
    assert notice.to_addr == world["vn"].user.email and candidate.full_name in notice.subject
    assert notice.subject.startswith("新しい応募")  # in the focal point's language, not the visitor's
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


def test_a_file_question_takes_a_cv_stored_in_the_file_store(app, db, world):
    from nominations.models import CallQuestion, Candidate

    call = world["call"]
    call.questions.append(CallQuestion(position=0, kind="file", prompt="CV", required=True))
    db.session.commit()
    question = call.questions[0]
    client = sign_in(app, world["vn"].user)
    url = f"/nominations/my/calls/{call.id}/nominate"
    missing = client.post(url, data=_form(30), content_type="multipart/form-data")
    assert missing.status_code == 200 and "Please attach: CV" in missing.get_data(as_text=True)
    wrong = client.post(url, data=_form(30, **{f"q_{question.id}": (io.BytesIO(b"#!/bin/sh"), "cv.pdf")}),
                        content_type="multipart/form-data")
    assert wrong.status_code == 200 and "Only PDF or Word" in wrong.get_data(as_text=True)
    assert db.session.scalar(_db.select(_db.func.count()).select_from(filestore.StoredFile)) == 1  # the fixture's
    ok = client.post(url, data=_form(30, **{f"q_{question.id}": (io.BytesIO(PDF), "my cv.pdf")}),
                     content_type="multipart/form-data")
    assert ok.status_code == 302, ok.get_data(as_text=True)[:2000]
    candidate = db.session.scalar(_db.select(Candidate).where(Candidate.email == "minh30@example.org"))
    answer = candidate.answers[0]
    assert answer.file_key and answer.value == "my cv.pdf"
    organiser = factories.user(role="organiser")
    db.session.commit()
    doc_url = f"/nominations/calls/{call.id}/candidates/{candidate.id}/documents/{question.id}"
    assert client.get(doc_url).status_code == 403  # a focal point reaches no organiser page
    boss = sign_in(app, organiser)
    assert f"/documents/{question.id}" in boss.get(f"/nominations/calls/{call.id}").get_data(as_text=True)
    download = boss.get(doc_url)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store, private"
    other = world["th_candidate"].id
    assert boss.get(f"/nominations/calls/{call.id}/candidates/{other}/documents/{question.id}").status_code == 404


def test_replacing_the_endorsement_removes_the_old_file(app, db, world):
    candidate = world["vn_candidate"]
    client = sign_in(app, world["vn"].user)
    url = f"/nominations/my/candidates/{candidate.id}"
    assert client.post(url, data={"rank": "2", "endorsement": (io.BytesIO(PDF), "a.pdf")},
                       content_type="multipart/form-data").status_code == 302
    _db.session.expire_all()
    first = candidate.endorsement_key
    assert client.post(url, data={"rank": "2", "endorsement": (io.BytesIO(PDF + b"2"), "b.pdf")},
                       content_type="multipart/form-data").status_code == 302
    _db.session.expire_all()
    assert candidate.endorsement_key != first and filestore.info(first) is None
    assert filestore.get(candidate.endorsement_key).data == PDF + b"2"


def test_decision_letters_are_queued_in_each_recipients_language(app, db, world, outbox):
    world["vn"].user.locale = "ja"
    world["vn_candidate"].locale = "en"
    organiser = factories.user(role="organiser")
    db.session.commit()
    client = sign_in(app, organiser)
    url = f"/nominations/calls/{world['call'].id}/candidates/{world['vn_candidate'].id}/decide"
    assert client.post(url, data={"decision": "accepted"}).status_code == 302
    queued = {m.to_addr: m for m in db.session.scalars(_db.select(OutgoingMail))}
    to_candidate, to_focal = queued[world["vn_candidate"].email], queued[world["vn"].user.email]
    assert to_candidate.subject.startswith("Accepted:") and to_candidate.kind == "nomination_acceptance"
    assert to_focal.subject.startswith("受入決定") and to_focal.user_id == world["vn"].user.id
    assert len(outbox) == 2  # delivered after the commit


def test_a_refused_decision_queues_no_letter(app, db, world, outbox):
    world["call"].quotas[0].quota = 0  # TH
    world["call"].quotas[1].quota = 0  # VN
    organiser = factories.user(role="organiser")
    db.session.commit()
    client = sign_in(app, organiser)
    url = f"/nominations/calls/{world['call'].id}/candidates/{world['vn_candidate'].id}/decide"
    page = client.post(url, data={"decision": "accepted"}, follow_redirects=True).get_data(as_text=True)
    assert "quota for this country" in page
    assert db.session.scalar(_db.select(_db.func.count()).select_from(OutgoingMail)) == 0 and outbox == []
    _db.session.expire_all()
    assert world["vn_candidate"].status == "submitted"


def test_inviting_a_focal_point_queues_the_invitation_in_their_language(app, db, outbox):
    organiser = factories.user(role="organiser")
    db.session.commit()
    client = sign_in(app, organiser)
    response = client.post("/nominations/focal-points", data={"email": "fp.la@example.org", "country": "LA",
                                                               "display_name": "Lao focal point", "locale": "ja"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    mail = db.session.scalar(_db.select(OutgoingMail).where(OutgoingMail.to_addr == "fp.la@example.org"))
    assert mail is not None and mail.kind == "invite" and "招待" in mail.subject
    again = client.post("/nominations/focal-points", data={"email": "fp.la@example.org", "country": "LA",
                                                            "display_name": "", "locale": "en"})
    assert again.status_code == 200  # the error is shown next to the e-mail field, nothing more is queued
    assert db.session.scalar(_db.select(_db.func.count()).select_from(OutgoingMail)) == 1


def test_a_broken_workbook_is_refused_by_the_guarded_reader(app, db, world):
    from tests.nominations.builders import xlsx_bytes

    client = sign_in(app, world["vn"].user)
    url = f"/nominations/my/calls/{world['call'].id}/upload"
    for content in (b"not a workbook at all", xlsx_bytes()):
        response = client.post(url, data={"file": (io.BytesIO(content), "n.xlsx")},
                               content_type="multipart/form-data")
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and "Nothing was saved" in text


def test_viet_nam_cannot_replace_thailands_endorsement_or_read_its_documents(app, db, world):
    th_candidate = world["th_candidate"]
    before = th_candidate.endorsement_key
    vn = sign_in(app, world["vn"].user)
    response = vn.post(f"/nominations/my/candidates/{th_candidate.id}",
                       data={"rank": "1", "endorsement": (io.BytesIO(PDF), "mine.pdf")},
                       content_type="multipart/form-data")
    assert response.status_code == 404
    _db.session.expire_all()
    assert th_candidate.endorsement_key == before
    assert db.session.scalar(_db.select(_db.func.count()).select_from(filestore.StoredFile)) == 1
    # the file-store key alone opens nothing: documents are reached only through a candidate the user may see
    assert vn.get(f"/nominations/calls/{world['call'].id}/candidates/{th_candidate.id}/endorsement").status_code == 403
    assert before not in vn.get("/nominations/my").get_data(as_text=True)


def test_decision_letters_are_queued_and_listed_for_the_organiser(app, db, world, count_queries):
    """Without a mail server the flash says "queued" (not "sent") and the Letters page shows what went out."""
    organiser = factories.user(role="organiser")
    db.session.commit()
    client = sign_in(app, organiser)
    call_id, vn_candidate, th_candidate = world["call"].id, world["vn_candidate"], world["th_candidate"]
    page = client.post(f"/nominations/calls/{call_id}/candidates/{vn_candidate.id}/decide",
                       data={"decision": "accepted"}, follow_redirects=True).get_data(as_text=True)
    assert "decision saved; 2 letter(s) queued." in page and "letter(s) sent" not in page
    assert "No mail server is configured" in page
    assert f'href="/nominations/calls/{call_id}/letters"' in page
    letters_url = f"/nominations/calls/{call_id}/letters"
    with count_queries() as counter:
        listing = client.get(letters_url)
    first = counter.count
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert vn_candidate.email in html and world["vn"].user.email in html
    assert "Accepted: " in html and "We are pleased to inform you" in html  # subject and text to copy
    assert "Sent" in html  # the queue's status (in tests the log backend delivers at once)
    client.post(f"/nominations/calls/{call_id}/candidates/{th_candidate.id}/decide", data={"decision": "rejected"})
    with count_queries() as counter:
        html = client.get(letters_url).get_data(as_text=True)
    assert counter.count == first and th_candidate.email in html  # one query, whatever the number of letters
    one = client.get(letters_url, query_string={"candidate": vn_candidate.id}).get_data(as_text=True)
    assert vn_candidate.email in one and th_candidate.email not in one
    # a candidate of another call is not reachable through this call
    other = open_call({"VN": 1})
    db.session.commit()
    assert client.get(f"/nominations/calls/{other.id}/letters",
                      query_string={"candidate": vn_candidate.id}).status_code == 404
    assert sign_in(app, world["vn"].user).get(letters_url).status_code == 403


def test_with_a_mail_server_the_flash_does_not_warn(app, db, world):
    organiser = factories.user(role="organiser")
    db.session.commit()
    app.config["MAIL_SERVER"] = "smtp.example.org"
    try:
        client = sign_in(app, organiser)
        page = client.post(f"/nominations/calls/{world['call'].id}/candidates/{world['vn_candidate'].id}/decide",
                           data={"decision": "waitlisted"}, follow_redirects=True).get_data(as_text=True)
    finally:
        app.config["MAIL_SERVER"] = None
    assert "2 letter(s) queued." in page and "No mail server is configured" not in page


def test_spreadsheet_problems_are_numbered_in_the_focal_points_language(app, db, world):
    """Issue 14 acceptance 2: the "row N" prefix of upload problems was English on Japanese pages."""
    world["vn"].user.locale = "ja"
    db.session.commit()
    client = sign_in(app, world["vn"].user)
    url = f"/nominations/my/calls/{world['call'].id}/upload"
    header = "family_name,given_names,email,gender,nationality,organisation,sector,org_type,date_of_birth\n"
    thai = "Srisuk,Somchai,somchai@example.org,M,TH,ThaiCERT,ICT,national_csirt,1985-07-02\n"
    bad = ",,broken,M,VN,VNCERT,ICT,national_csirt,\n"
    html = client.post(url, data={"file": (io.BytesIO((header + thai + bad).encode()), "n.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "2行目：nationality：" in html and "3行目：email：" in html
    assert "row 2" not in html and "row 3" not in html


def test_call_edit_lists_the_questions_instead_of_their_python_repr(app, db, world):
    """Issue 14 walk-through: the edit form filled its questions box with "[<CallQuestion 1>]"."""
    from nominations.models import CallQuestion

    world["call"].questions.append(CallQuestion(position=0, kind="choice", prompt="Shift?", choices=["day", "night"],
                                               required=True))
    organiser = factories.user(role="organiser")
    db.session.commit()
    client = sign_in(app, organiser)
    html = client.get(f"/nominations/calls/{world['call'].id}/edit").get_data(as_text=True)
    assert "CallQuestion" not in html and "<li>Shift? (day; night) *</li>" in html
    assert 'name="questions"' not in html  # fixed once the call is open
