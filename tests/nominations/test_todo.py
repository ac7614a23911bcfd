"""The to-do: an organiser sees closed calls with undecided candidates; a focal point sees only the
self-applications waiting for their own endorsement (never the programme's to-do)."""

from datetime import timedelta

from nominations import services
from tests import factories
from tests.nominations.builders import TODAY, candidate_values, focal_point, nominate, open_call, sign_in


def test_organiser_sees_a_closed_call_with_candidates_awaiting_a_decision(app, db):
    call = open_call({"VN": 2})
    vn = focal_point("VN")
    nominate(call, vn, 1)
    nominate(call, vn, 2)
    organiser = factories.user(role="organiser")
    db.session.commit()
    client = sign_in(app, organiser)
    assert "await a decision" not in client.get("/").get_data(as_text=True)
    call.closes_on = TODAY - timedelta(days=1)
    call.opens_on = TODAY - timedelta(days=10)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "closed on" in page and "2 candidates await a decision" in page
    assert f"/nominations/calls/{call.id}" in page


def test_focal_point_sees_only_their_own_self_applications(app, db):
    call = open_call({"VN": 2, "TH": 2})
    vn, th = focal_point("VN"), focal_point("TH")
    services.self_apply(call, vn, TODAY, **candidate_values(1, family_name="Tran"))
    services.self_apply(call, th, TODAY, **candidate_values(2, family_name="Srisuk", nationality="TH"))
    db.session.commit()
    page = sign_in(app, vn.user).get("/nominations/my").get_data(as_text=True)
    assert "TRAN Given1" in page and "waits for your endorsement" in page
    assert "/nominations/my/candidates/" in page
    thai_todo = sign_in(app, th.user).get("/nominations/my").get_data(as_text=True)
    assert "TRAN Given1 applied" not in thai_todo and "SRISUK Given2 applied" in thai_todo
