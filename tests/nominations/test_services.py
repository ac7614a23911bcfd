"""Nomination services: duplicates, decisions into enrolments, quotas, waitlist promotion, letters, uploads."""

from datetime import date

import pytest
from sqlalchemy import select

from core.errors import ServiceError
from nominations import queries, services
from nominations.letters import compose
from nominations.services import Letter
from tests import factories
from tests.nominations.builders import PDF, TODAY, docx_bytes, focal_point, nominate, open_call, xlsx_bytes
from trainees import services as trainee_services
from trainees.models import Enrolment, EnrolmentEvent


@pytest.fixture
def setup(db):
    call = open_call()
    return call, focal_point("VN"), focal_point("TH")


def test_previously_trained_person_is_flagged(db, setup):
    call, vn, _th = setup
    past = factories.cohort(code="AHRD-2019-TH")
    lan = factories.trainee(family_name="Nguyễn", given_names="Thị Lan", nationality="VN",
                            date_of_birth=date(1990, 3, 14))
    factories.enrolment(lan, past, status="completed")
    candidate = nominate(call, vn, 1, family_name="NGUYEN", given_names="THI LAN", date_of_birth=date(1990, 3, 14))
    assert candidate.duplicate_of_id == lan.id
    row = next(r for r in queries.selection_rows(call, TODAY) if r.candidate.id == candidate.id)
    assert row.trained_in == ("AHRD-2019-TH",)
    # a decision needs the duplicate question answered first
    with pytest.raises(ServiceError):
        services.decide(candidate, "accepted")
    services.resolve_duplicate(candidate, "merge")
    services.decide(candidate, "accepted")
    assert candidate.trainee_id == lan.id  # merged: no second person


def test_different_person_creates_a_new_trainee(db, setup):
    call, vn, _th = setup
    lan = factories.trainee(family_name="Nguyen", given_names="Thi Lan", nationality="VN",
                            date_of_birth=date(1990, 3, 14))
    candidate = nominate(call, vn, 1, family_name="Nguyen", given_names="Thi Lan", date_of_birth=date(1990, 3, 14))
    services.resolve_duplicate(candidate, "different")
    services.decide(candidate, "accepted")
    assert candidate.trainee_id not in (None, lan.id)


def test_decisions_become_enrolments_with_history(db, setup):
    call, vn, th = setup
    a, b, c = nominate(call, vn, 1), nominate(call, vn, 2), nominate(call, vn, 3, rank=1)
    letters = services.decide(a, "accepted")
    services.decide(b, "accepted")
    services.decide(c, "waitlisted")
    assert {x.kind for x in letters} == {"acceptance"} and len(letters) == 2  # candidate + focal point
    enrolment = db.session.get(Enrolment, a.enrolment_id)
    assert enrolment.cohort_id == call.cohort_id and enrolment.status == "accepted"
    events = db.session.scalars(select(EnrolmentEvent.to_status).where(EnrolmentEvent.enrolment_id == enrolment.id)
                                .order_by(EnrolmentEvent.id)).all()
    assert events == ["nominated", "accepted"]
    # quota for VN (2) is full
    with pytest.raises(ServiceError, match="quota"):
        services.decide(c, "accepted")
    assert services.seats(call).left_for("VN") == 0 and services.seats(call).left_for("TH") == 2


def test_withdrawal_proposes_the_next_waitlisted_of_the_same_country(db, setup):
    call, vn, th = setup
    a, b = nominate(call, vn, 1), nominate(call, vn, 2)
    w1, w2 = nominate(call, vn, 3, rank=2), nominate(call, vn, 4, rank=1)
    tw = nominate(call, th, 5, rank=1)
    for x in (a, b):
        services.decide(x, "accepted")
    for x in (w1, w2, tw):
        services.decide(x, "waitlisted")
    rows = queries.selection_rows(call, TODAY)
    assert set(queries.proposals(call, rows)) == {"TH"}  # Viet Nam is full, Thailand has seats
    trainee_services.change_status(db.session.get(Enrolment, a.enrolment_id), "withdrawn", "family reasons")
    assert services.sync_withdrawals(call) == 1
    rows = queries.selection_rows(call, TODAY)
    assert queries.proposals(call, rows)["VN"].id == w2.id  # best rank first
    services.decide(w2, "accepted")
    assert db.session.get(Enrolment, w2.enrolment_id).status == "accepted"


def test_total_quota_caps_countries(db):
    call = open_call({"VN": 2, "TH": 2}, total=2)
    vn, th = focal_point("VN"), focal_point("TH")
    services.decide(nominate(call, vn, 1), "accepted")
    services.decide(nominate(call, th, 2), "accepted")
    with pytest.raises(ServiceError):
        services.decide(nominate(call, th, 3), "accepted")


def test_eligibility_flag_and_closed_call(db):
    call = open_call(min_age=25, max_age=40)
    vn = focal_point("VN")
    old = nominate(call, vn, 1, date_of_birth=date(1960, 1, 1))
    young = nominate(call, vn, 2, date_of_birth=date(1995, 1, 1))
    assert (old.eligible, young.eligible) == (False, True)
    rows = {r.candidate.id: r.failed for r in queries.selection_rows(call, TODAY)}
    assert rows[old.id] == ["age"] and rows[young.id] == []
    call.closes_on = TODAY.replace(year=TODAY.year - 1)
    call.opens_on = call.closes_on
    with pytest.raises(ServiceError, match="not open"):
        nominate(call, vn, 3)


def test_same_email_twice_in_a_call_is_refused(db, setup):
    call, vn, _th = setup
    nominate(call, vn, 1)
    with pytest.raises(ServiceError):
        nominate(call, vn, 9, email="CAND1@example.org")


def test_self_application_waits_for_endorsement(db, setup):
    call, vn, _th = setup
    from tests.nominations.builders import candidate_values

    candidate = services.self_apply(call, vn, TODAY, **candidate_values(7))
    assert candidate.status == "awaiting_endorsement"
    with pytest.raises(ServiceError):
        services.decide(candidate, "accepted")
    services.endorse(candidate, services.store_document("letter.pdf", PDF), rank=1)
    assert candidate.status == "submitted" and candidate.endorsement_key is not None


@pytest.mark.parametrize(("name", "data"), [
    ("letter.pdf", b"MZ\x90\x00 not a pdf"),        # an executable renamed .pdf
    ("letter.docx", xlsx_bytes()),                  # a workbook renamed .docx
    ("letter.exe", PDF),                            # a PDF with the wrong extension
    ("letter.pdf", b""),
])
def test_uploads_refused_by_type(db, name, data):
    with pytest.raises(ServiceError):
        services.store_document(name, data)


def test_uploads_refused_by_size(app, db):
    app.config["NOMINATION_UPLOAD_MAX_BYTES"], old = 100, app.config["NOMINATION_UPLOAD_MAX_BYTES"]
    try:
        with pytest.raises(ServiceError, match="larger"):
            services.store_document("big.pdf", PDF + b"x" * 200)
    finally:
        app.config["NOMINATION_UPLOAD_MAX_BYTES"] = old


def test_accepted_documents(db):
    from core import filestore

    pdf = filestore.info(services.store_document("a.pdf", PDF), kind=services.DOCUMENT_KIND)
    assert pdf.content_type == "application/pdf" and pdf.size == len(PDF)
    assert filestore.info(services.store_document("../../a b.docx", docx_bytes())).name == "a b.docx"


def test_letters_in_the_recipients_language(db, setup):
    call, vn, _th = setup
    call.joining_instructions = "Arrive on Sunday."
    candidate = nominate(call, vn, 1)
    from core.mailqueue import recipient_locale

    with recipient_locale(None, "ja"):
        subject, body = compose(Letter("x@example.org", "ja", "acceptance", candidate.id), candidate)
    assert "Arrive on Sunday." in body
    assert subject.startswith("受入決定") and "参加案内" in body
    with recipient_locale(None, "en"):
        en_subject, _ = compose(Letter("x@example.org", "en", "regret", candidate.id), candidate)
    assert en_subject.startswith("Your nomination")


def test_report_rows_match_decisions(db, setup):
    call, vn, th = setup
    services.decide(nominate(call, vn, 1), "accepted")
    services.decide(nominate(call, vn, 2), "waitlisted")
    services.decide(nominate(call, th, 3), "rejected")
    nominate(call, th, 4)
    rows = {r["country"]: r for r in queries.report_rows()}
    assert rows["VN"] == {"country": "VN", "nominated": 2, "eligible": 2, "accepted": 1, "waitlisted": 1,
                          "rejected": 0, "quota": 2, "fill_rate": 0.5, "withdrawn": 0, "undecided": 0}
    assert rows["TH"]["nominated"] == 2 and rows["TH"]["rejected"] == 1 and rows["TH"]["fill_rate"] == 0.0
    assert rows["TH"]["undecided"] == 1


def test_a_focal_point_nominates_only_people_of_their_country_on_every_path(db, setup):
    """One rule (``services.nationality_refusal``) for the form, the spreadsheet and the self-application link."""
    from tests.nominations.builders import candidate_values

    call, vn, _th = setup
    thai = candidate_values(7, nationality="TH", organisation_name="ThaiCERT", organisation_country="TH")
    with pytest.raises(ServiceError) as refused:
        services.nominate(call, vn, TODAY, **thai)
    assert refused.value.field == "nationality" and "only people of your country" in refused.value.message
    with pytest.raises(ServiceError) as applied:
        services.self_apply(call, vn, TODAY, **candidate_values(8, nationality="TH"))
    assert applied.value.field == "nationality" and "Viet Nam" in applied.value.message
    assert services.nationality_refusal(vn, "VN") is None
    # a Vietnamese national working abroad may still be nominated by Viet Nam (the rule is about nationality)
    assert services.nominate(call, vn, TODAY, **candidate_values(9, organisation_country="SG")).country == "VN"
