"""Nominating from a spreadsheet on a call with its own questions: the call's template, answers read from the
columns headed by the question's text, missing answers named by the question, documents attached afterwards."""

import io

import pytest
from openpyxl import load_workbook

from core.extensions import db as _db
from nominations.models import CallQuestion, Candidate
from tests.nominations.builders import PDF, TODAY, focal_point, open_call, sign_in

WHY = "Why do you want to join this course?"
PASSPORT = "Is your passport valid for 6 months?"
TRACK = "Preferred track"
CV = "CV"
HEADER = "family_name,given_names,email,gender,nationality,organisation,sector,org_type,date_of_birth"


@pytest.fixture
def world(app, db):
    call = open_call({"VN": 3, "TH": 2})
    call.questions.extend([
        CallQuestion(position=0, kind="text", prompt=WHY, required=True),
        CallQuestion(position=1, kind="yes_no", prompt=PASSPORT),
        CallQuestion(position=2, kind="choice", prompt=TRACK, choices=["Blue team", "Red team"], required=True),
        CallQuestion(position=3, kind="file", prompt=CV, required=True),
    ])
    vn, th = focal_point("VN"), focal_point("TH")
    db.session.commit()
    return {"call": call, "vn": vn, "th": th}


def _post(client, call, text: str, name="n.csv"):
    return client.post(f"/nominations/my/calls/{call.id}/upload",
                       data={"file": (io.BytesIO(text.encode()), name)}, content_type="multipart/form-data")


def _candidate(email):
    _db.session.expire_all()
    return _db.session.scalar(_db.select(Candidate).where(Candidate.email == email))


def test_answers_come_from_the_columns_headed_by_the_question_text(app, db, world):
    call = world["call"]
    client = sign_in(app, world["vn"].user)
    header = f'{HEADER},"{WHY}",{PASSPORT},{TRACK.upper()}\n'
    rows = ('Pham,Van An,an@example.org,M,VN,VNCERT,ICT,national_csirt,1990-02-02,"To lead our CSIRT",yes,red team\n'
            'Le,Thi Hoa,hoa@example.org,F,VN,VNCERT,ICT,national_csirt,1991-03-03,To learn,いいえ,Blue team\n')
    response = _post(client, call, header + rows)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    an = _candidate("an@example.org")
    answers = {a.question.prompt: a.value for a in an.answers}
    assert answers == {WHY: "To lead our CSIRT", PASSPORT: "yes", TRACK: "Red team"}
    hoa = _candidate("hoa@example.org")
    assert {a.question.prompt: a.value for a in hoa.answers}[PASSPORT] == "no"


def test_a_missing_required_answer_is_reported_per_row_by_the_question_text(app, db, world):
    call = world["call"]
    client = sign_in(app, world["vn"].user)
    header = f'{HEADER},"{WHY}",{TRACK}\n'
    rows = ("Pham,Van An,an@example.org,M,VN,VNCERT,ICT,national_csirt,1990-02-02,,Red team\n"
            "Le,Thi Hoa,hoa@example.org,F,VN,VNCERT,ICT,national_csirt,1991-03-03,To learn,Purple team\n")
    response = _post(client, call, header + rows)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was saved" in page
    assert f"row 2: {WHY}: an answer is required." in page
    assert f"row 3: {TRACK}: “Purple team” is not one of: Blue team; Red team." in page.replace("&#34;", '"')
    assert "q_" not in page.split("Nothing was saved")[1].split("</ul>")[0]
    assert _candidate("hoa@example.org") is None  # all or nothing


def test_a_file_without_the_question_columns_names_them(app, db, world):
    client = sign_in(app, world["vn"].user)
    page = _post(client, world["call"],
                 HEADER + "\nPham,Van An,an@example.org,M,VN,VNCERT,ICT,national_csirt,1990-02-02\n")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and f"The column “{WHY}” (a required question of this call) is missing" in text
    assert "q_" not in text.split("Nothing was saved")[1].split("</ul>")[0]


def test_a_japanese_question_is_matched_by_its_text(app, db):
    call = open_call({"VN": 2})
    question = "参加の動機を教えてください"
    call.questions.append(CallQuestion(position=0, kind="text", prompt=question, required=True))
    vn = focal_point("VN")
    db.session.commit()
    client = sign_in(app, vn.user)
    # width- and space-insensitive, like the template's own headers
    body = (f"{HEADER},参加の動機を　教えてください\n"
            "Pham,Van An,an@example.org,M,VN,VNCERT,ICT,national_csirt,1990-02-02,組織のため\n")
    assert _post(client, call, body).status_code == 302
    assert [a.value for a in _candidate("an@example.org").answers] == ["組織のため"]


def test_documents_are_attached_per_candidate_afterwards_and_the_candidate_is_incomplete_until_then(app, db, world):
    call = world["call"]
    client = sign_in(app, world["vn"].user)
    body = (f'{HEADER},"{WHY}",{TRACK}\n'
            "Pham,Van An,an@example.org,M,VN,VNCERT,ICT,national_csirt,1990-02-02,x,Red team\n")
    assert _post(client, call, body).status_code == 302
    candidate = _candidate("an@example.org")
    home = client.get("/nominations/my").get_data(as_text=True)
    assert "Incomplete: attach CV." in home
    page = client.get(f"/nominations/my/candidates/{candidate.id}").get_data(as_text=True)
    cv = next(q for q in call.questions if q.kind == "file")
    assert f'name="q_{cv.id}"' in page and "Incomplete: attach CV." in page
    response = client.post(f"/nominations/my/candidates/{candidate.id}",
                           data={"rank": "1", f"q_{cv.id}": (io.BytesIO(PDF), "cv.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    candidate = _candidate("an@example.org")
    assert [a.value for a in candidate.answers if a.file_key] == ["cv.pdf"]
    assert "Incomplete" not in client.get("/nominations/my").get_data(as_text=True)


def test_the_organiser_sees_an_incomplete_candidate(app, db, world):
    from nominations import services
    from tests import factories
    from tests.nominations.builders import candidate_values

    call = world["call"]
    track = next(q for q in call.questions if q.kind == "choice")
    why = next(q for q in call.questions if q.kind == "text")
    services.nominate(call, world["vn"], TODAY, {why.id: "x", track.id: "Red team"}, documents_later=True,
                      **candidate_values(5))
    organiser = factories.user(role="organiser")
    db.session.commit()
    page = sign_in(app, organiser).get(f"/nominations/calls/{call.id}").get_data(as_text=True)
    assert "Incomplete: CV missing." in page


def test_the_form_still_requires_the_document(app, db, world):
    from core.errors import ServiceError
    from nominations import services
    from tests.nominations.builders import candidate_values

    call = world["call"]
    track = next(q for q in call.questions if q.kind == "choice")
    why = next(q for q in call.questions if q.kind == "text")
    with pytest.raises(ServiceError, match="Please attach: CV"):
        services.nominate(call, world["vn"], TODAY, {why.id: "x", track.id: "Red team"}, **candidate_values(6))


def test_the_calls_template_has_the_import_columns_and_one_column_per_question(app, db, world):
    call = world["call"]
    client = sign_in(app, world["vn"].user)
    upload_page = client.get(f"/nominations/my/calls/{call.id}/upload").get_data(as_text=True)
    assert f'href="/nominations/my/calls/{call.id}/template.xlsx"' in upload_page
    assert "Documents cannot come in a spreadsheet" in upload_page
    response = client.get(f"/nominations/my/calls/{call.id}/template.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Trainees"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["family_name", "given_names", "email"] and "status" not in headers
    assert headers[-3:] == [WHY, PASSPORT, TRACK] and CV not in headers
    # the choice and yes/no questions offer a drop-down
    lists = book["Lists"]
    offered = {lists.cell(1, c).value: [lists.cell(r, c).value for r in range(2, lists.max_row + 1)
                                        if lists.cell(r, c).value] for c in range(1, lists.max_column + 1)}
    assert offered[TRACK] == ["Blue team", "Red team"] and offered[PASSPORT] == ["yes", "no"]
    track_col = sheet.cell(1, headers.index(TRACK) + 1).column_letter
    assert any(f"{track_col}2:" in str(v.sqref) for v in sheet.data_validations.dataValidation)
    guide = [tuple(r) for r in book["Columns"].iter_rows(values_only=True)]
    assert any(r[0] == WHY and r[1] == "yes" for r in guide)
    # the filled-in template is read back (round trip)
    sheet.delete_rows(2)
    sheet.append(["Pham", "Van An", "an@example.org", "M", "VN", "VNCERT", "VN", "ICT", "national_csirt", "",
                  "1990-02-02", "Because", "yes", "Blue team"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(f"/nominations/my/calls/{call.id}/upload",
                           data={"file": (io.BytesIO(buffer.getvalue()), "filled.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert {a.value for a in _candidate("an@example.org").answers} == {"Because", "yes", "Blue team"}


def test_another_country_or_a_closed_call_gets_no_template(app, db, world):
    la = focal_point("LA")
    db.session.commit()
    assert sign_in(app, la.user).get(f"/nominations/my/calls/{world['call'].id}/template.xlsx").status_code == 404
    world["call"].closes_on = world["call"].opens_on = TODAY.replace(year=TODAY.year - 1)
    db.session.commit()
    client = sign_in(app, world["vn"].user)
    assert client.get(f"/nominations/my/calls/{world['call'].id}/template.xlsx").status_code == 404


def test_my_nominations_page_runs_a_fixed_number_of_queries(app, db, world, count_queries):
    from nominations import services
    from tests.nominations.builders import candidate_values

    call = world["call"]
    track = next(q for q in call.questions if q.kind == "choice")
    why = next(q for q in call.questions if q.kind == "text")

    def add(n):
        services.nominate(call, world["vn"], TODAY, {why.id: "x", track.id: "Red team"}, documents_later=True,
                          **candidate_values(n))
        db.session.commit()

    add(1)
    client = sign_in(app, world["vn"].user)
    with count_queries() as counter:
        assert "Incomplete: attach CV." in client.get("/nominations/my").get_data(as_text=True)
    first = counter.count
    for n in range(2, 6):
        add(n)
    with count_queries() as counter:
        client.get("/nominations/my")
    assert counter.count == first
