"""The enrolment status machine: every legal and every illegal transition, and the history it writes."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.errors import ServiceError
from tests import factories
from trainees import services
from trainees.models import EnrolmentEvent
from trainees.status import COUNTED_STATUSES, STATUSES, allowed_targets, can_transition

# Written out from ARCHITECTURE §3 (not derived from the code under test):
# nominated → accepted | waitlisted | rejected → confirmed → completed | incomplete;
# withdrawn / no_show from any open state; completed ⇄ incomplete may be corrected later.
OPEN = {"nominated", "accepted", "waitlisted", "confirmed"}
LEGAL = {
    ("nominated", "accepted"), ("nominated", "waitlisted"), ("nominated", "rejected"),
    ("waitlisted", "accepted"), ("waitlisted", "rejected"),
    ("accepted", "confirmed"),
    ("confirmed", "completed"), ("confirmed", "incomplete"),
    ("incomplete", "completed"), ("completed", "incomplete"),
    *((s, "withdrawn") for s in OPEN), *((s, "no_show") for s in OPEN),
}
PAIRS = list(itertools.product(STATUSES, STATUSES))


def test_the_table_covers_nine_statuses_and_the_counted_ones():
    assert len(STATUSES) == 9 and len(PAIRS) == 81
    assert set(COUNTED_STATUSES) == {"confirmed", "completed", "incomplete"}


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_can_transition_matches_the_specification(current, target):
    assert can_transition(current, target) is ((current, target) in LEGAL)


@pytest.mark.parametrize("current", STATUSES)
def test_allowed_targets_lists_exactly_the_legal_ones(current):
    assert set(allowed_targets(current)) == {t for c, t in LEGAL if c == current}


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_change_status_applies_legal_and_refuses_illegal_moves(db, current, target):
    actor = factories.user(role="organiser")
    enrolment = factories.enrolment(status=current)
    before = db.session.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment.id)).all()
    if (current, target) in LEGAL:
        services.change_status(enrolment, target, reason="committee decision", actor=actor)
        assert enrolment.status == target
        events = db.session.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment.id)
                                    .order_by(EnrolmentEvent.id)).all()
        assert len(events) == len(before) + 1
        last = events[-1]
        assert (last.from_status, last.to_status, last.actor_id, last.reason) == (
            current, target, actor.id, "committee decision")
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "enrolment.status")).all()
        assert audit[-1].changes == {"before": {"status": current}, "after": {"status": target}}
        assert audit[-1].actor_id == actor.id
    else:
        with pytest.raises(ServiceError) as info:
            services.change_status(enrolment, target, reason="try", actor=actor)
        assert info.value.field == "status"
        assert ("not allowed" in info.value.message) or ("already" in info.value.message)
        assert enrolment.status == current
        after = db.session.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment.id)).all()
        assert len(after) == len(before)


def test_illegal_message_names_the_allowed_targets(db):
    enrolment = factories.enrolment(status="nominated")
    with pytest.raises(ServiceError) as info:
        services.change_status(enrolment, "completed")
    message = info.value.message
    assert "Nominated → Completed is not allowed" in message
    for allowed in ("Accepted", "Waitlisted", "Rejected", "Withdrawn", "No-show"):
        assert allowed in message


def test_enrol_writes_the_first_history_row_with_actor_and_reason(db):
    actor = factories.user(role="organiser")
    trainee, cohort = factories.trainee(), factories.cohort()
    enrolment = services.enrol(trainee, cohort, "nominated", reason="nominated by NCSA", actor=actor)
    event = db.session.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment.id)).one()
    assert (event.from_status, event.to_status, event.actor_id, event.reason) == (
        None, "nominated", actor.id, "nominated by NCSA")


def test_a_full_journey_keeps_every_step_in_order(db):
    actor = factories.user(role="organiser")
    enrolment = services.enrol(factories.trainee(), factories.cohort(), actor=actor)
    for target in ("waitlisted", "accepted", "confirmed", "incomplete", "completed"):
        services.change_status(enrolment, target, reason=f"to {target}", actor=actor)
    events = db.session.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment.id)
                                .order_by(EnrolmentEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "nominated"), ("nominated", "waitlisted"), ("waitlisted", "accepted"), ("accepted", "confirmed"),
        ("confirmed", "incomplete"), ("incomplete", "completed")]
    assert all(e.actor_id == actor.id for e in events)


def test_bulk_change_applies_the_legal_rows_and_reports_the_others(db):
    cohort = factories.cohort()
    ok = [factories.enrolment(cohort_obj=cohort, status="nominated") for _ in range(2)]
    bad = factories.enrolment(cohort_obj=cohort, status="rejected")
    changed, problems = services.bulk_change_status([*ok, bad], "accepted", "selection meeting")
    assert changed == 2
    assert len(problems) == 1 and bad.trainee.full_name in problems[0] and "not allowed" in problems[0]
    assert [e.status for e in ok] == ["accepted", "accepted"] and bad.status == "rejected"
