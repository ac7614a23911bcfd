"""Trainee portal: a trainee sees only their own cohorts, sessions and attendance; organisers invite."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from sqlalchemy import func, select

from accounts.models import PasswordToken, User
from core.audit import AuditEvent
from core.errors import ServiceError
from tests import factories
from trainees.models import CohortSession, Trainee
from trainees.views.portal import session_time, utc_offset_label

LINK = re.compile(r"http://localhost(/password/set/[\w-]+)")


def _portal_trainee(db, **fields):
    """A trainee linked to a portal user (role trainee)."""
    user = factories.user(role="trainee")
    trainee = factories.trainee(user_id=user.id, **fields)
    return user, trainee


def _two_trainees_in_one_cohort(db):
    cohort = factories.cohort(title="CSIRT Management and Incident Response", city="Tokyo",
                              venue="Tokyo Kenshu Center", start_date=date(2024, 11, 11),
                              end_date=date(2024, 11, 22))
    s1 = factories.session(cohort, date(2024, 11, 11), title="Orientation and country reports",
                           start_time=time(9, 30), end_time=time(12, 0), timezone="Asia/Tokyo")
    s2 = factories.session(cohort, date(2024, 11, 12), title="Incident handling hands-on",
                           start_time=time(13, 30), end_time=time(17, 0), timezone="Asia/Tokyo")
    user, mine = _portal_trainee(db, family_name="Nguyen", given_names="Thi Lan", email="lan@csirt.vn.example")
    other = factories.trainee(family_name="Srisuk", given_names="Kanokwan", email="kanokwan@csirt.th.example",
                              nationality="TH")
    my_enrolment = factories.enrolment(mine, cohort, status="completed")
    other_enrolment = factories.enrolment(other, cohort, status="incomplete")
    factories.attendance(s1, my_enrolment, "present")
    factories.attendance(s1, other_enrolment, "absent")
    factories.attendance(s2, other_enrolment, "late")
    db.session.commit()
    return user, mine, other, cohort


def test_portal_shows_only_the_signed_in_trainees_own_data(client, db, login_as):
    user, mine, other, cohort = _two_trainees_in_one_cohort(db)
    login_as(user=user)
    page = client.get("/me").get_data(as_text=True)
    assert "CSIRT Management and Incident Response" in page
    assert "Tokyo Kenshu Center" in page
    assert "09:30–12:00 Asia/Tokyo (UTC+9)" in page
    assert "Present" in page and "Not recorded" in page  # s1 marked, s2 not marked for me
    assert "100% — 1 of 1 recorded sessions attended" in page
    assert "Completed" in page
    # The other trainee's name, e-mail, marks and status never appear.
    for text in ("Srisuk", "Kanokwan", other.email, "Absent", "Late", "Incomplete"):
        assert text not in page, text
    detail = client.get(f"/me/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Incident handling hands-on" in detail and "Present" in detail
    for text in ("Srisuk", "Kanokwan", other.email, "Absent", "Late"):
        assert text not in detail, text


def test_cohort_page_is_404_for_a_cohort_the_trainee_is_not_in(client, db, login_as):
    user, mine, other, cohort = _two_trainees_in_one_cohort(db)
    elsewhere = factories.cohort(title="Digital Forensics Workshop (Hanoi)")
    factories.enrolment(other, elsewhere, status="confirmed")
    db.session.commit()
    login_as(user=user)
    assert client.get(f"/me/cohorts/{cohort.id}").status_code == 200
    response = client.get(f"/me/cohorts/{elsewhere.id}")
    assert response.status_code == 404
    assert "Digital Forensics" not in response.get_data(as_text=True)
    assert client.get("/me/cohorts/999999").status_code == 404
    assert "Digital Forensics" not in client.get("/me").get_data(as_text=True)


def test_a_rejected_or_withdrawn_enrolment_is_still_the_trainees_own(client, db, login_as):
    user, mine = _portal_trainee(db)
    cohort = factories.cohort(title="ISMS Implementation for Critical Infrastructure")
    factories.enrolment(mine, cohort, status="withdrawn")
    db.session.commit()
    login_as(user=user)
    page = client.get("/me").get_data(as_text=True)
    assert "ISMS Implementation for Critical Infrastructure" in page and "Withdrawn" in page


def test_organisers_and_anonymous_users_cannot_use_the_portal(client, db, login_as):
    _user, mine, _other, cohort = _two_trainees_in_one_cohort(db)
    assert client.get("/me").status_code == 302  # anonymous: sent to sign in
    login_as("organiser")
    assert client.get("/me").status_code == 403
    assert client.get(f"/me/cohorts/{cohort.id}").status_code == 403


def test_trainee_without_a_training_record_gets_a_friendly_page(client, db, login_as):
    login_as("trainee")
    response = client.get("/me")
    assert response.status_code == 200
    assert "not linked to a training record yet" in response.get_data(as_text=True)


def test_trainee_home_page_goes_to_my_training(client, db, login_as):
    login_as("trainee")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    client.post("/logout")
    login_as("organiser")
    assert client.get("/").status_code == 200  # organisers keep their start page


def test_portal_query_count_does_not_grow_with_cohorts(client, db, login_as, count_queries):
    user, mine = _portal_trainee(db)

    def add_cohort(n):
        cohort = factories.cohort(start_date=date(2020 + n, 6, 1), end_date=date(2020 + n, 6, 5))
        enrolment = factories.enrolment(mine, cohort, status="completed")
        for day in range(1, 4):
            session = factories.session(cohort, date(2020 + n, 6, day))
            factories.attendance(session, enrolment, "present")

    add_cohort(0)
    db.session.commit()
    login_as(user=user)
    with count_queries() as one:
        assert client.get("/me").status_code == 200
    for n in range(1, 4):
        add_cohort(n)
    db.session.commit()
    with count_queries() as four:
        page = client.get("/me").get_data(as_text=True)
    assert page.count("portal-cohort") == 4
    assert four.count == one.count


def test_utc_offsets_and_session_times():
    assert utc_offset_label(date(2025, 1, 10), time(9, 0), "Asia/Tokyo") == "UTC+9"
    assert utc_offset_label(date(2025, 1, 10), time(9, 0), "Asia/Yangon") == "UTC+6:30"
    assert utc_offset_label(date(2025, 1, 10), time(9, 0), "Not/AZone") == ""
    session = CohortSession(date=date(2023, 8, 21), start_time=time(9, 0), end_time=time(12, 0),
                            timezone="Asia/Bangkok", title="x")
    assert session_time(session) == "09:00–12:00 Asia/Bangkok (UTC+7)"



def test_a_session_without_times_or_venue_reads_cleanly_on_the_portal(client, db, login_as):
    user, trainee = _portal_trainee(db)
    cohort = factories.cohort(venue="", city="Vientiane", host_country="LA")
    factories.session(cohort, title="Study visit", timezone="Asia/Vientiane", venue="")
    factories.enrolment(trainee, cohort, status="confirmed")
    db.session.commit()
    login_as(user=user)
    html = client.get(f"/me/cohorts/{cohort.id}").get_data(as_text=True)
    assert '<td data-label="Time (local)">all day</td>' in html  # no time zone next to "all day"
    assert '<td data-label="Venue">—</td>' in html  # not an empty "Venue:" line on a phone

# --- invitations ----------------------------------------------------------------------------------

def test_invite_creates_a_portal_user_and_link(client, db, login_as, outbox):
    organiser = login_as("organiser")
    trainee = factories.trainee(family_name="Santoso", given_names="Budi", email="Budi.Santoso@Bank.id.example")
    db.session.commit()
    response = client.post(f"/trainees/{trainee.id}/invite",
                           headers={"Referer": f"http://localhost/trainees/{trainee.id}?tab=passport"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/trainees/{trainee.id}?tab=passport"
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "budi.santoso@bank.id.example"))
    assert user is not None and user.role == "trainee" and user.password_hash is None
    assert user.display_name == "SANTOSO Budi"
    assert db.session.get(Trainee, trainee.id).user_id == user.id
    assert [m.to for m in outbox] == [["budi.santoso@bank.id.example"]]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "trainee.invite"))
    assert event.actor_id == organiser.id and event.object_id == str(trainee.id)
    page = client.get("/").get_data(as_text=True)  # flashed: success and (no SMTP) the link to copy
    assert "Portal account created for SANTOSO Budi" in page
    assert LINK.search(page).group(1) == LINK.search(outbox[0].body).group(1)


def test_second_invite_reissues_a_link_without_a_second_user(client, db, login_as, outbox):
    login_as("organiser")
    trainee = factories.trainee()
    db.session.commit()
    client.post(f"/trainees/{trainee.id}/invite")
    client.post(f"/trainees/{trainee.id}/invite")
    assert db.session.scalar(select(func.count(User.id)).where(User.email == trainee.email)) == 1
    assert "A new invitation link was made" in client.get("/").get_data(as_text=True)  # no SMTP: nothing "sent"
    first, second = (LINK.search(m.body).group(1) for m in outbox)
    assert first != second
    assert client.get(first).status_code == 410  # the earlier link stopped working
    assert client.get(second).status_code == 200



def test_without_smtp_the_invite_message_does_not_claim_a_mail_was_sent(client, db, login_as, outbox, app,
                                                                        monkeypatch):
    login_as("organiser")
    first, second = factories.trainee(), factories.trainee()
    db.session.commit()
    client.post(f"/trainees/{first.id}/invite")
    page = client.get("/").get_data(as_text=True)
    assert "Portal account created for" in page and "was sent" not in page
    assert "E-mail is not configured, so copy this link" in page
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")  # messages still land in the test outbox
    client.post(f"/trainees/{second.id}/invite")
    page = client.get("/").get_data(as_text=True)
    assert f"an invitation link was sent to {second.email}" in page and "copy this link" not in page


def test_the_invitation_is_written_in_the_trainees_language_not_the_organisers(client, db, login_as, outbox):
    organiser = login_as("organiser")
    organiser.locale = "ja"
    newcomer = factories.trainee()
    returning = factories.trainee()
    returning.user = factories.user(role="trainee", email=returning.email)
    returning.user.locale = "ja"
    db.session.commit()
    client.post(f"/trainees/{newcomer.id}/invite")
    client.post(f"/trainees/{returning.id}/invite")
    assert [m.subject for m in outbox] == ["You are invited to Kakehashi", "Kakehashi パスワードの再設定"]

def test_invite_is_refused_when_the_email_belongs_to_an_organiser(client, db, login_as, outbox):
    login_as("organiser")
    staff = factories.user(role="organiser", email="focal.point@ministry.th.example")
    trainee = factories.trainee(email="focal.point@ministry.th.example")
    db.session.commit()
    response = client.post(f"/trainees/{trainee.id}/invite", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "belongs to a staff account (organiser)" in page
    db.session.expire_all()
    assert db.session.get(Trainee, trainee.id).user_id is None
    assert db.session.scalar(select(PasswordToken).where(PasswordToken.user_id == staff.id)) is None
    assert outbox == []


def test_invite_ignores_a_foreign_referrer_and_honours_a_local_next(client, db, login_as):
    login_as("organiser")
    trainee = factories.trainee()
    db.session.commit()
    response = client.post(f"/trainees/{trainee.id}/invite", headers={"Referer": "https://evil.example/x"})
    assert response.headers["Location"] == "/"
    response = client.post(f"/trainees/{trainee.id}/invite", data={"next": "//evil.example/x"})
    assert response.headers["Location"] == "/"
    response = client.post(f"/trainees/{trainee.id}/invite", data={"next": "/cohorts/1"})
    assert response.headers["Location"] == "/cohorts/1"
    assert client.post("/trainees/999999/invite").status_code == 404


def test_trainees_cannot_invite(client, db, login_as):
    trainee = factories.trainee()
    login_as("trainee")
    assert client.post(f"/trainees/{trainee.id}/invite").status_code == 403


def test_invited_trainee_sets_a_password_signs_in_and_sees_their_training(client, db, login_as, outbox):
    login_as("organiser")
    cohort = factories.cohort(title="CSIRT Operations Workshop (Bangkok)", host_country="TH", city="Bangkok")
    trainee = factories.trainee(email="somchai@csirt.th.example", family_name="Srisuk", given_names="Somchai")
    factories.enrolment(trainee, cohort, status="confirmed")
    db.session.commit()
    client.post(f"/trainees/{trainee.id}/invite")
    client.post("/logout")
    link = LINK.search(outbox[0].body).group(1)
    password = {"password": "bangkok-workshop-2026", "confirm": "bangkok-workshop-2026"}
    assert client.post(link, data=password).status_code == 302
    signed_in = client.post("/login", data={"email": "somchai@csirt.th.example",
                                            "password": "bangkok-workshop-2026"}, follow_redirects=True)
    page = signed_in.get_data(as_text=True)
    assert signed_in.request.path == "/me"
    assert "CSIRT Operations Workshop (Bangkok)" in page and "Confirmed" in page


def test_cohort_invite_reaches_accepted_and_confirmed_trainees_without_accounts(client, db, login_as, outbox):
    login_as("organiser")
    cohort = factories.cohort(code="AHRD-2024-JP")
    accepted = factories.trainee(email="accepted@example.org")
    confirmed = factories.trainee(email="confirmed@example.org")
    nominated = factories.trainee(email="nominated@example.org")
    _user, has_account = _portal_trainee(db, email="has.account@example.org")
    clash = factories.trainee(email="staff@example.org", family_name="Clash")
    factories.user(role="organiser", email="staff@example.org")
    for person, status in ((accepted, "accepted"), (confirmed, "confirmed"), (nominated, "nominated"),
                           (has_account, "confirmed"), (clash, "confirmed")):
        factories.enrolment(person, cohort, status=status)
    db.session.commit()
    response = client.post(f"/cohorts/{cohort.id}/invite")
    assert response.status_code == 200  # no SMTP: the links are listed once for the organiser to copy
    page = response.get_data(as_text=True)
    assert "2 invited, 1 already had a portal account, 1 could not be invited." in page
    assert "accepted@example.org" in page and "confirmed@example.org" in page
    assert "nominated@example.org" not in page
    assert "CLASH" in page and "staff account" in page
    assert sorted(m.to[0] for m in outbox) == ["accepted@example.org", "confirmed@example.org"]
    assert len(LINK.findall(page)) == 2
    db.session.expire_all()
    linked = db.session.scalars(select(Trainee.email).where(Trainee.user_id.is_not(None))).all()
    assert sorted(linked) == ["accepted@example.org", "confirmed@example.org", "has.account@example.org"]
    # A second run finds nobody left to invite.
    again = client.post(f"/cohorts/{cohort.id}/invite", follow_redirects=True).get_data(as_text=True)
    assert "0 invited, 3 already had a portal account, 1 could not be invited." in again


def test_cohort_invite_with_smtp_flashes_counts_and_redirects(app, client, db, login_as, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    login_as("organiser")
    cohort = factories.cohort()
    factories.enrolment(factories.trainee(), cohort, status="confirmed")
    db.session.commit()
    response = client.post(f"/cohorts/{cohort.id}/invite", data={"next": f"/cohorts/{cohort.id}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/cohorts/{cohort.id}"
    page = client.get("/").get_data(as_text=True)
    assert "1 invited, 0 already had a portal account, 0 could not be invited." in page
    assert not LINK.search(page)  # with mail configured the link is not shown on screen
    assert len(outbox) == 1


def test_invitation_posts_need_a_csrf_token(csrf_app):
    client = csrf_app.test_client()
    assert client.post("/trainees/1/invite").status_code == 400
    assert client.post("/cohorts/1/invite").status_code == 400


def test_portal_speaks_the_trainees_language(client, db, login_as):
    user, mine, _other, cohort = _two_trainees_in_one_cohort(db)
    user.locale = "ja"
    db.session.commit()
    login_as(user=user)
    page = client.get("/me").get_data(as_text=True)
    assert "修了" in page  # Completed
    assert "訪日研修" in page  # Invitation training in Japan
    assert "2024年度（令和6年度）" in page


def test_inviting_a_trainee_who_already_uses_the_portal_sends_a_reset_link(client, db, login_as, outbox):
    login_as("organiser")
    user, trainee = _portal_trainee(db)  # the factory user has a password already
    db.session.commit()
    client.post(f"/trainees/{trainee.id}/invite")
    assert "already uses the portal" in client.get("/").get_data(as_text=True)
    token = db.session.scalar(select(PasswordToken).where(PasswordToken.user_id == user.id))
    assert token.purpose == "reset"
    assert outbox[0].subject == "Reset your Kakehashi password"


def test_invite_links_an_existing_trainee_account_but_refuses_a_deactivated_one(db):
    from trainees import services

    spare = factories.user(role="trainee", email="spare@example.org", password_hash=None)
    trainee = factories.trainee(email="spare@example.org")
    invitation = services.invite_trainee(trainee)
    assert invitation.user.id == spare.id and not invitation.created and invitation.purpose == "invite"
    assert trainee.user_id == spare.id
    spare.active = False
    db.session.flush()
    with pytest.raises(ServiceError, match="deactivated"):
        services.invite_trainee(trainee)


def test_portal_cohorts_of_one_programme_keep_each_years_organiser_name(db):
    """The programme's organiser names come in the enrolments' query (one row each, in from_fy order): with
    several cohorts of one programme each cohort gets its year's name, a cohort before the first name the
    first one (as ``Programme.organiser_name_for``)."""
    from trainees import portal_queries
    from trainees.models import Programme

    programme = factories.programme()  # HIDA from FY2012, AOTS from FY2017
    trainee = factories.trainee()
    for year in (2010, 2015, 2019, 2021):
        factories.enrolment(trainee, factories.cohort(programme, start_date=date(year, 6, 1),
                                                      end_date=date(year, 6, 5)))
    db.session.commit()
    trainee_id, programme_id = trainee.id, programme.id
    db.session.expunge_all()
    views = portal_queries._views(portal_queries._enrolments(trainee_id), trainee_id)
    assert [v.cohort.organiser_name for v in views] == ["AOTS", "AOTS", "HIDA", "HIDA"]
    orm = db.session.get(Programme, programme_id)
    assert [v.cohort.organiser_name for v in views] == [orm.organiser_name_for(v.cohort.fiscal_year) for v in views]
    assert {v.cohort.programme.name for v in views} == {orm.name}
