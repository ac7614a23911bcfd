"""Run staff is assigned only by the run's facilitator or an admin; the supervisor's acknowledgement
link is never shown to the trainee (issue 13 item 7)."""

from __future__ import annotations

import re

from sqlalchemy import select

from completion.models import ActionPlan
from exercises.models import RunStaff
from tests import factories
from tests.completion.test_completion import _login, cohort_setup  # noqa: F401 - fixture
from tests.exercises import builders


def _staff(db, run):
    return {(s.user_id, s.role) for s in db.session.scalars(select(RunStaff).where(RunStaff.run_id == run.id))}


def test_other_organiser_cannot_make_themselves_controller(client, db, login_as):
    facilitator = factories.user(role="organiser")
    run, _people, _s = builders.ready_run(facilitator=facilitator)
    db.session.commit()
    intruder = login_as("organiser")
    before = _staff(db, run)
    response = client.post(f"/exercises/runs/{run.id}/staff", data={"user_id": intruder.id, "role": "controller"})
    assert response.status_code == 403
    assert _staff(db, run) == before
    staff_id = db.session.scalar(select(RunStaff.id).where(RunStaff.run_id == run.id))
    assert client.post(f"/exercises/runs/{run.id}/staff/{staff_id}/remove").status_code == 403
    assert _staff(db, run) == before


def test_facilitator_and_admin_assign_staff(client, db, login_as):
    facilitator = factories.user(role="organiser")
    helper = factories.user(role="organiser")
    run, _people, _s = builders.ready_run(facilitator=facilitator)
    db.session.commit()
    login_as(user=facilitator)
    assert client.post(f"/exercises/runs/{run.id}/staff",
                       data={"user_id": helper.id, "role": "controller"}).status_code == 302
    assert (helper.id, "controller") in _staff(db, run)
    client.post("/logout")
    login_as("admin")
    assert client.post(f"/exercises/runs/{run.id}/staff",
                       data={"user_id": helper.id, "role": "evaluator"}).status_code == 302
    assert (helper.id, "evaluator") in _staff(db, run)


def test_trainee_never_sees_the_supervisor_link_organiser_does(client, db, outbox, login_as, cohort_setup):  # noqa: F811
    cohort, people = cohort_setup
    account, _trainee, enrolment = people[0]
    _login(client, account)
    page = client.post(f"/me/action-plans/{enrolment.id}",
                       data={"title": "Patch faster", "goals": "x", "supervisor_name": "Boss",
                             "supervisor_email": "boss@example.org", "send": "y"},
                       follow_redirects=True).get_data(as_text=True)
    assert "/ack/" not in page
    assert db.session.scalar(select(ActionPlan.submitted_at).where(ActionPlan.enrolment_id == enrolment.id))
    assert [m.to for m in outbox] == [["boss@example.org"]]  # queued to the supervisor (log without SMTP)
    client.post("/logout")
    login_as("organiser")
    plans = client.get(f"/cohorts/{cohort.id}/action-plans").get_data(as_text=True)
    plan_id = db.session.scalar(select(ActionPlan.id).where(ActionPlan.enrolment_id == enrolment.id))
    assert f"/action-plans/{plan_id}/ack-link" in plans
    shown = client.post(f"/cohorts/{cohort.id}/action-plans/{plan_id}/ack-link",
                        follow_redirects=True).get_data(as_text=True)
    link = re.search(r"http://localhost(/ack/[\w-]+)", shown).group(1)
    client.post("/logout")
    assert "Patch faster" in client.get(link).get_data(as_text=True)
