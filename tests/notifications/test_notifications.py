"""In-app notifications: bell with unread count, list, mark read (own only), e-mail setting, reminder policy."""

from __future__ import annotations

from sqlalchemy import select

from notifications.models import Notification, NotificationSetting, ReminderPolicy
from notifications.services import notify
from tests import factories


def test_bell_list_and_mark_read(client, db, login_as, outbox):
    user = factories.user(role="trainee", locale="ja")
    other = factories.user(role="trainee")
    mine = notify("announcement", "Welcome", "Read the handbook", user=user, link="/me")
    theirs = notify("announcement", "Not yours", user=other)
    db.session.commit()
    assert [m.to[0] for m in outbox] == [user.email, other.email]
    login_as(user=user)
    page = client.get("/account").get_data(as_text=True)
    assert 'class="badge"' in page and ">1</span>" in page
    listing = client.get("/notifications").get_data(as_text=True)
    assert "Welcome" in listing and "Not yours" not in listing
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 302  # someone else's: ignored
    response = client.post(f"/notifications/{mine.id}/read")
    assert response.headers["Location"] == "/me"
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is not None
    assert db.session.get(Notification, theirs.id).read_at is None
    assert ">1</span>" not in client.get("/account").get_data(as_text=True)


def test_the_bell_costs_no_query_per_page(client, db, login_as, count_queries):
    login_as("trainee")
    with count_queries() as counter:
        assert client.get("/account").status_code == 200
    assert counter.count == 1  # the user; the unread count comes from the session (refreshed each minute)


def test_email_frequency_setting(client, db, login_as):
    user = login_as("trainee")
    assert client.post("/notifications/settings", data={"email_frequency": "daily"}).status_code == 302
    assert db.session.get(NotificationSetting, user.id).email_frequency == "daily"
    page = client.post("/notifications/settings", data={"email_frequency": "hourly"})
    assert page.status_code == 200 and db.session.get(NotificationSetting, user.id).email_frequency == "daily"


def test_organiser_sets_a_cohorts_reminder_policy(client, db, login_as):
    cohort = factories.cohort()
    db.session.commit()
    login_as("organiser")
    data = {"enabled": "y", "days_before_due": "5", "nonrespondent_after_days": "10",
            "nonrespondent_every_days": "4", "nonrespondent_max": "3"}
    assert client.post(f"/cohorts/{cohort.id}/reminders", data=data).status_code == 302
    policy = db.session.scalar(select(ReminderPolicy).where(ReminderPolicy.cohort_id == cohort.id))
    assert (policy.days_before_due, policy.nonrespondent_max) == (5, 3)
    bad = client.post(f"/cohorts/{cohort.id}/reminders", data={**data, "nonrespondent_max": "-1"})
    assert bad.status_code == 200


def test_trainees_cannot_change_reminder_policies(client, db, login_as):
    cohort = factories.cohort()
    db.session.commit()
    login_as("trainee")
    assert client.get(f"/cohorts/{cohort.id}/reminders").status_code == 403


def test_notification_routes_leave_commits_to_the_unit_of_work():
    """Issue 10: routes never commit or roll back themselves (notifications/views.py used to)."""
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "notifications" / "views.py").read_text()
    assert "session.commit(" not in source and "session.rollback(" not in source
