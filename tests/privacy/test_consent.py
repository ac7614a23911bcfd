"""Issue 13 item 10: the privacy notice at first sign-in, recorded consent (version, date), withdrawal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from accounts.consent import PrivacyConsent
from core.audit import AuditEvent
from tests import factories


@pytest.fixture
def notice_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "PRIVACY_NOTICE_REQUIRED", True)
    monkeypatch.setitem(app.config, "PRIVACY_NOTICE_VERSION", "2026-12")
    return app


def _records(db, user):
    return db.session.scalars(select(PrivacyConsent).where(PrivacyConsent.user_id == user.id)).all()


def test_first_sign_in_shows_the_notice_until_accepted(client, db, login_as, notice_on):
    user = login_as("trainee")
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/privacy?next=/account")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Privacy notice" in page and "Version 2026-12" in page and "I have read the notice and agree" in page
    response = client.post("/privacy/accept", data={"next": "/account"})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    (record,) = _records(db, user)
    assert record.version == "2026-12" and record.locale == "en" and record.accepted_at is not None
    assert record.withdrawn_at is None
    assert client.get("/account").status_code == 200  # asked once, not again
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.consent"))
    assert event.actor_id == user.id and "2026-12" in event.summary


def test_a_new_version_asks_again_and_keeps_the_old_record(client, db, login_as, notice_on, app, monkeypatch):
    user = login_as("organiser")
    client.post("/privacy/accept")
    assert client.get("/account").status_code == 200
    monkeypatch.setitem(app.config, "PRIVACY_NOTICE_VERSION", "2027-01")
    assert client.get("/account").status_code == 302
    client.post("/privacy/accept")
    assert sorted(r.version for r in _records(db, user)) == ["2026-12", "2027-01"]


def test_notice_text_per_deployment_and_language(client, db, login_as, notice_on, app, monkeypatch):
    monkeypatch.setitem(app.config, "PRIVACY_NOTICE", {"en": "Our notice in English.", "ja": "日本語の通知。"})
    assert "Our notice in English." in client.get("/privacy").get_data(as_text=True)  # public page
    user = login_as("trainee")
    user.locale = "ja"
    db.session.commit()
    page = client.get("/privacy").get_data(as_text=True)
    assert "日本語の通知。" in page and "プライバシー通知" in page
    client.post("/privacy/accept")
    assert _records(db, user)[0].locale == "ja"


def test_built_in_notice_exists_in_both_languages(client, db, login_as):
    english = client.get("/privacy").get_data(as_text=True)
    assert "Kakehashi keeps the personal data" in english
    user = login_as("trainee")
    user.locale = "ja"
    db.session.commit()
    japanese = client.get("/privacy").get_data(as_text=True)
    assert "Kakehashi keeps the personal data" not in japanese and "個人データ" in japanese


def test_withdraw_and_decline_are_recorded_and_shown_to_the_organiser(client, db, login_as, notice_on, app):
    person = factories.trainee()
    user = factories.user(role="trainee")
    person.user_id = user.id
    db.session.commit()
    login_as(user=user)
    assert client.post("/privacy/accept").status_code == 302
    response = client.post("/privacy/withdraw", follow_redirects=True)
    assert "Your decision has been recorded" in response.get_data(as_text=True)
    (record,) = _records(db, user)
    assert record.withdrawn_at is not None and record.accepted_at is not None
    # withdrawing twice is refused with a message, not an error page
    again = client.post("/privacy/withdraw", follow_redirects=True)
    assert again.status_code == 200 and "already withdrawn" in again.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.withdraw")) is not None

    organiser = app.test_client()
    boss = factories.user(role="organiser")
    db.session.add(PrivacyConsent(user_id=boss.id, version="2026-12", accepted_at=record.recorded_at))
    db.session.commit()
    organiser.post("/login", data={"email": boss.email, "password": factories.PASSWORD})
    page = organiser.get(f"/trainees/{person.id}").get_data(as_text=True)
    assert "consent withdrawn (version 2026-12" in page


def test_a_trainee_who_declines_can_use_the_site_and_the_organiser_sees_it(client, db, login_as, notice_on, app):
    person = factories.trainee()
    user = factories.user(role="trainee")
    person.user_id = user.id
    db.session.commit()
    login_as(user=user)
    client.post("/privacy/withdraw")
    (record,) = _records(db, user)
    assert record.accepted_at is None and record.withdrawn_at is not None
    assert client.get("/account").status_code == 200  # asked once; the organisers follow up
    page = client.get("/privacy").get_data(as_text=True)
    assert "You declined this notice" in page and "I have read the notice and agree" in page


def test_organiser_sees_not_yet_answered_and_the_import_page_links_the_notice(client, db, login_as):
    person = factories.trainee()
    person.user_id = factories.user(role="trainee").id
    cohort = factories.cohort()
    db.session.commit()
    login_as("organiser")
    assert "not yet answered" in client.get(f"/trainees/{person.id}").get_data(as_text=True)
    page = client.get(f"/cohorts/{cohort.id}/import").get_data(as_text=True)
    assert "shown the privacy notice" in page and 'href="/privacy"' in page


def test_consent_routes_need_a_signed_in_user_and_csrf(client, csrf_app, db):
    assert client.post("/privacy/accept").headers["Location"].startswith("/login")
    assert client.post("/privacy/withdraw").headers["Location"].startswith("/login")
    user = factories.user(role="trainee")
    db.session.commit()
    protected = csrf_app.test_client()
    login_page = protected.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    assert protected.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                          "csrf_token": token}).status_code == 302
    assert protected.post("/privacy/accept").status_code == 400  # no token: refused
    assert protected.post("/privacy/withdraw").status_code == 400
    assert not _records(db, user)
    page = protected.get("/privacy").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert protected.post("/privacy/accept", data={"csrf_token": token}).status_code == 302
    assert len(_records(db, user)) == 1


def test_notice_gate_costs_no_query_once_answered(client, db, login_as, notice_on, count_queries):
    login_as("organiser")
    client.post("/privacy/accept")
    client.get("/account")
    with count_queries() as first:
        client.get("/account")
    assert not any("privacy_consents" in s for s in first.statements)


def test_cohort_page_marks_participants_without_consent(client, db, login_as, notice_on):
    cohort = factories.cohort()
    declined, accepted = factories.trainee(given_names="Declining"), factories.trainee(given_names="Agreeing")
    for person, withdrawn in ((declined, True), (accepted, False)):
        user = factories.user(role="trainee")
        person.user_id = user.id
        factories.enrolment(person, cohort)
        db.session.flush()
        db.session.add(PrivacyConsent(user_id=user.id, version="2026-12", accepted_at=None if withdrawn else
                                      declined.created_at, withdrawn_at=declined.created_at if withdrawn else None))
    boss = factories.user(role="organiser")
    db.session.add(PrivacyConsent(user_id=boss.id, version="2026-12", accepted_at=declined.created_at))
    db.session.commit()
    login_as(user=boss)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    rows = {name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Declining", "Agreeing")}
    assert "no privacy consent" in rows["Declining"] and "no privacy consent" not in rows["Agreeing"]


def test_the_nomination_form_links_the_privacy_notice(app, db):
    from accounts.models import User
    from tests.nominations import builders

    call = builders.open_call()
    fp = builders.focal_point("VN")
    db.session.commit()
    public = app.test_client().get(f"/nominations/apply/{fp.apply_token}/{call.id}")
    focal = builders.sign_in(app, db.session.get(User, fp.user_id))
    nominate = focal.get(f"/nominations/my/calls/{call.id}/nominate")
    for response in (public, nominate):
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and 'href="/privacy"' in page and "privacy notice (version 1)" in page
