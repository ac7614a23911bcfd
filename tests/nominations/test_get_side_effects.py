"""The selection page is a GET that writes on purpose, once: an accepted candidate whose enrolment was
withdrawn since is marked withdrawn (so the next waitlisted one is proposed). A repeated GET changes nothing."""

from __future__ import annotations

from core.extensions import db as _db
from nominations import services
from tests import factories
from tests.nominations.builders import focal_point, nominate, open_call, sign_in
from tests.snapshot import changed_tables, db_snapshot
from trainees import services as trainee_services
from trainees.models import Enrolment

QUIET = ("user_sessions",)


def test_withdrawal_is_synced_once_and_a_repeated_get_changes_nothing(app, db):
    call = open_call({"VN": 1})
    vn = focal_point("VN")
    accepted = nominate(call, vn, 1)
    services.decide(accepted, "accepted")
    services.decide(nominate(call, vn, 2), "waitlisted")
    organiser = factories.user(role="organiser")
    db.session.commit()
    trainee_services.change_status(_db.session.get(Enrolment, accepted.enrolment_id), "withdrawn", "ill", organiser)
    db.session.commit()
    client = sign_in(app, organiser)
    url = f"/nominations/calls/{call.id}"
    assert client.get(url).status_code == 200
    _db.session.expire_all()
    assert accepted.status == "withdrawn"
    first = db_snapshot(db, exclude=QUIET)
    page = client.get(url)
    assert page.status_code == 200
    assert changed_tables(first, db_snapshot(db, exclude=QUIET)) == []
