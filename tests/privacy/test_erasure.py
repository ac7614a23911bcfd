"""Issue 13 item 9: own data download, admin export and erasure (aggregates unchanged), retention."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from completion import services as completion
from completion.models import ActionPlan, Certificate
from core import audit
from core.audit import AuditEvent
from core.mailqueue import queue_mail
from notifications.models import Notification
from privacy import personal_data
from reports.filters import ReportFilter
from tests import factories
from tests.reports import dataset
from tests.reports.helpers import build, open_book, rows
from trainees.models import EnrolmentEvent, Trainee

NAME_COLUMNS = {"Family name", "Given names"}


def _add_traces(db, ds, person="A"):
    """Give person A an account and their name and e-mail in as many places as the site writes them."""
    trainee = ds.trainees[person]
    user = factories.user(role="trainee", email=trainee.email, display_name="Thi Anh Nguyen")
    db.session.flush()
    trainee.user_id = user.id
    enrolment = ds.enrolments[(person, "C1")]
    db.session.add(Certificate(enrolment_id=enrolment.id, kind="completion", serial="KK-TEST-0001",
                               verify_code="VERIFYTEST01", holder_name=trainee.full_name, course_title="CSIRT",
                               cohort_code="CSIRT-2024A", start_date=date(2024, 6, 3), end_date=date(2024, 6, 7)))
    db.session.add(ActionPlan(enrolment_id=enrolment.id, title="Plan of Nguyen Thi Anh", goals="Build a CSIRT",
                              milestones=[{"text": "Brief NGUYEN Thi Anh's boss", "due": "2024-09-01"}],
                              supervisor_name="Pham Van Boss", supervisor_email="boss@vncert.example"))
    db.session.add(EnrolmentEvent(enrolment_id=enrolment.id, from_status="confirmed", to_status="completed",
                                  reason=f"Confirmed by e-mail from {trainee.email}"))
    db.session.add(Notification(user_id=user.id, kind="general", title="Hello Thi Anh Nguyen", body="x"))
    queue_mail(trainee.email, "Welcome", f"Dear {trainee.full_name}, http://x/password/set/SECRETTOKEN123",
               kind="invite", user=user)
    queue_mail("boss@vncert.example", "Plan", "NGUYEN Thi Anh asks you to acknowledge the plan", kind="ack")
    audit.record("trainee.update", obj=trainee, summary=f"{trainee.full_name} <{trainee.email}>",
                 before={"email": trainee.email}, after={"family_name": "Nguyen", "given_names": "Thi Anh"})
    audit.record("login.success", obj=user, actor=user, summary=user.email)
    from tests.nominations import builders

    call = builders.open_call()
    fp = builders.focal_point("VN")
    builders.nominate(call, fp, 1, family_name="Nguyen", given_names="Thi Anh", email=trainee.email,
                      job_title="Head of Nguyen Thi Anh's team")
    # someone else whose address contains A's address must keep theirs
    factories.trainee(ds.trainees["B"].organisation, email="x" + trainee.email, family_name="Other",
                      given_names="Person")
    db.session.commit()
    return trainee, user


def _aggregate_sheets(content: bytes) -> dict:
    """Every sheet as rows; Participants without the name columns (and in id order); no generated time."""
    book = open_book(content)
    out = {}
    for name in book.sheetnames:
        table = rows(book, name)
        if name == "Participants":
            keep = [i for i, h in enumerate(table[0]) if h not in NAME_COLUMNS]
            table = [tuple(r[i] for i in keep) for r in table]
            table = table[:1] + sorted(table[1:], key=repr)  # sorted by name, which erasure changes
        if name == "Definitions":
            # the generation time ("Generated (UTC)" | time): a slow run may cross a minute between builds
            table = [r for r in table if not any(isinstance(c, str) and "UTC" in c for c in r[:2])]
        out[name] = table
    return out


@pytest.fixture
def ds(db):
    return dataset.build()


def test_erasure_keeps_every_aggregate_and_removes_name_and_email_everywhere(db, ds):
    trainee, user = _add_traces(db, ds)
    email, trainee_id = trainee.email, trainee.id
    needles = [email, "Nguyen", "Thi Anh", "boss@vncert.example", "Pham Van Boss"]
    assert personal_data.count_occurrences(needles), "the traces were not written"
    before = _aggregate_sheets(build())
    before_no_pii = _aggregate_sheets(build(no_pii=True))

    summary = personal_data.erase(trainee, reason="request")
    db.session.commit()

    assert personal_data.count_occurrences(needles) == {}
    after = _aggregate_sheets(build())
    assert after.keys() == before.keys()
    for sheet in before:
        assert after[sheet] == before[sheet], sheet
    assert _aggregate_sheets(build(no_pii=True)) == before_no_pii
    erased = db.session.get(Trainee, trainee_id)
    assert erased.gender == "F" and erased.nationality == "VN" and erased.given_names == f"Erased person {trainee_id}"
    other = db.session.scalar(select(Trainee).where(Trainee.family_name == "Other"))
    assert other.email == "x" + email  # a longer address containing A's is left alone
    cert = db.session.scalar(select(Certificate).where(Certificate.serial == "KK-TEST-0001"))
    assert cert.revoked_at is not None and cert.revoke_reason == "erased"
    assert summary["certificates_revoked"] == 1 and summary["nominations_cleared"] == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "trainee.erased"))
    assert event.object_id == str(trainee_id)
    assert email not in json.dumps([event.summary, event.changes]) and "Nguyen" not in event.summary
    assert not user.active and user.password_hash is None


def test_erasing_twice_is_refused(db, ds):
    personal_data.erase(ds.trainees["B"])
    with pytest.raises(personal_data.ServiceError):
        personal_data.erase(ds.trainees["B"])


def test_figures_by_country_sector_gender_fy_unchanged_for_a_single_person_country(db, ds):
    """E is the only Timor-Leste trainee: erasing them must not move them out of any group."""
    from reports import statistics

    before = statistics.compute(ReportFilter())
    content = _aggregate_sheets(build())
    personal_data.erase(ds.trainees["E"])
    db.session.commit()
    assert _aggregate_sheets(build()) == content
    assert statistics.compute(ReportFilter()) == before


def test_trainee_downloads_all_their_data(client, db, ds, login_as):
    trainee, user = _add_traces(db, ds)
    login_as(user=user)
    page = client.get("/me/data")
    assert page.status_code == 200 and page.headers["Cache-Control"].startswith("no-store")
    html = page.get_data(as_text=True)
    for text in ("CSIRT-2024A", "KK-TEST-0001", "Plan of Nguyen Thi Anh", "Enrolment history", "Attendance"):
        assert text in html, text
    response = client.get("/me/data.json")
    assert response.headers["Cache-Control"] == "no-store, private"
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))
    assert data["trainee"]["email"] == trainee.email
    assert {e["cohort_code"] for e in data["enrolments"]} == {"CSIRT-2024A", "CSIRT-2024B"}
    assert len(data["attendance"]) == 4 and data["certificates"][0]["serial"] == "KK-TEST-0001"
    assert data["action_plans"][0]["supervisor_email"] == "boss@vncert.example"
    assert any(e["action"] == "trainee.update" for e in data["audit_entries"])
    assert data["nominations"][0]["email"] == trainee.email
    assert "password_hash" not in data["account"] and "ack_token_hash" not in data["action_plans"][0]
    assert data["mail"] and "SECRETTOKEN123" not in response.get_data(as_text=True)  # no live one-time link
    other = ds.trainees["B"].email
    assert other not in response.get_data(as_text=True)  # nobody else's data


def test_named_survey_answers_are_in_the_download_and_anonymous_ones_are_not(client, db, ds, login_as):
    trainee, user = _add_traces(db, ds)
    enrolment = ds.enrolments[("A", "C2")]
    reaction = completion.ensure_default_templates()[0]
    today = date.today()
    named = completion.create_survey(enrolment.cohort, reaction, title="Named", opens_on=today - timedelta(days=1),
                                     closes_on=today + timedelta(days=7), anonymous=False)
    values = {i.id: "4" if i.kind == "likert" else "0" if i.kind == "single_choice" else "my named comment"
              for i in named.items}
    assert completion.submit_response(named, enrolment, values) == {}
    db.session.commit()
    login_as(user=user)
    data = json.loads(client.get("/me/data.json").get_data(as_text=True))
    assert any(a["value_text"] == "my named comment" for a in data["named_survey_answers"])
    personal_data.erase(db.session.get(Trainee, trainee.id))
    db.session.commit()
    assert personal_data.count_occurrences(["my named comment"]) == {}


def test_admin_erases_through_the_page_and_organisers_cannot(client, db, ds, login_as, app):
    trainee, _user = _add_traces(db, ds)
    login_as("organiser")
    assert client.get(f"/trainees/{trainee.id}/erase").status_code == 403
    assert client.post(f"/trainees/{trainee.id}/erase").status_code == 403
    assert client.get(f"/trainees/{trainee.id}/personal-data.json").status_code == 403
    admin = app.test_client()
    boss = factories.user(role="admin")
    db.session.commit()
    admin.post("/login", data={"email": boss.email, "password": factories.PASSWORD})
    page = admin.get(f"/trainees/{trainee.id}/erase").get_data(as_text=True)
    assert trainee.email in page and "cannot be undone" in page
    export = admin.get(f"/trainees/{trainee.id}/personal-data.json")
    assert export.headers["Cache-Control"] == "no-store, private"
    assert json.loads(export.get_data(as_text=True))["trainee"]["id"] == trainee.id
    response = admin.post(f"/trainees/{trainee.id}/erase", data={"reason": "request of 2026-12-05"},
                          follow_redirects=True)
    assert response.status_code == 200 and "has been erased" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Trainee, trainee.id).email.endswith("@erased.invalid")
    detail = admin.get(f"/trainees/{trainee.id}").get_data(as_text=True)  # no portal link for an erased person
    assert "Send a new portal link" not in detail and "Invite to the trainee portal" not in detail
    assert re.search(r"Portal account</dt><dd>deactivated<", detail)
    again = admin.post(f"/trainees/{trainee.id}/erase", follow_redirects=True)
    assert "already been erased" in again.get_data(as_text=True)
    assert admin.get("/trainees/999999/erase").status_code == 404


def test_erase_needs_csrf(csrf_app, db):
    import re

    person = factories.trainee()
    boss = factories.user(role="admin")
    db.session.commit()
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": boss.email, "password": factories.PASSWORD, "csrf_token": token})
    assert client.post(f"/trainees/{person.id}/erase").status_code == 400
    db.session.expire_all()
    assert not db.session.get(Trainee, person.id).email.endswith("@erased.invalid")


def test_retention_dry_run_lists_the_right_people_and_the_job_erases_them(db, ds, runner, app, monkeypatch):
    # last cohort ends: A 2025-04-02, B 2024-06-07, Cc 2024-06-07, D 2025-04-01, E 2025-10-31, F 2025-10-31,
    # G 2025-04-02, H 2024-06-07.  Two years before 2026-06-08 is 2024-06-08: B, Cc and H are due.
    due = personal_data.retention_candidates(date(2026, 6, 8), 2)
    assert sorted(t.family_name for t, _last in due) == ["Chaiyaporn", "Le", "Tran"]
    assert personal_data.retention_candidates(date(2026, 6, 7), 2) == []  # the day itself is kept
    db.session.commit()
    result = runner.invoke(args=["privacy", "retention", "--dry-run", "--years", "2", "--today", "2026-06-08"])
    assert result.exit_code == 0, result.output
    assert "3 would be erased" in result.output
    assert db.session.scalar(select(Trainee).where(Trainee.family_name == "Tran")) is not None  # nothing changed
    assert runner.invoke(args=["privacy", "retention", "--dry-run"]).exit_code != 0  # no period configured

    from privacy.jobs import run_retention

    monkeypatch.setitem(app.config, "RETENTION_YEARS", 2)
    before = _aggregate_sheets(build())
    assert run_retention(date(2026, 6, 8)) == 3
    assert db.session.scalar(select(Trainee).where(Trainee.family_name == "Tran")) is None
    assert _aggregate_sheets(build()) == before
    assert personal_data.retention_candidates(date(2026, 6, 8), 2) == []
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "trainee.erased")).all()
    assert len(events) == 3 and all("retention" in e.summary for e in events)


def test_my_data_page_query_count_does_not_grow_with_the_record(client, db, ds, login_as, count_queries):
    trainee, user = _add_traces(db, ds)
    login_as(user=user)
    client.get("/me/data")
    with count_queries() as first:
        client.get("/me/data")
    for cohort in ("C3", "C4", "C5"):
        factories.enrolment(db.session.get(Trainee, trainee.id), ds.cohorts[cohort], "completed")
    db.session.commit()
    with count_queries() as second:
        assert client.get("/me/data").status_code == 200
    assert second.count == first.count
    assert first.count <= 30
