"""Anonymous survey responses cannot be joined to the participation rows (issue 13 item 1).

The attacker has the database: the participation rows say who answered, in the order they answered
(by id, rowid/ctid or any timestamp). Each trainee here gives a distinctive comment, so we know which
response is whose; the link fails when no order of the response rows reproduces the order of the
participations.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from completion import services
from completion.models import SurveyParticipation
from tests import factories

PEOPLE = 8


@pytest.fixture
def answered_survey(db):
    cohort = factories.cohort(start_date=date(2024, 6, 3), end_date=date(2024, 6, 7))
    enrolments = [factories.enrolment(factories.trainee(), cohort, status="confirmed") for _ in range(PEOPLE)]
    db.session.commit()
    reaction, _ = services.ensure_default_templates()
    today = date.today()
    instance = services.create_survey(cohort, reaction, title="End of course", opens_on=today - timedelta(days=1),
                                      closes_on=today + timedelta(days=7), anonymous=True)
    db.session.commit()
    for n, enrolment in enumerate(enrolments):  # one request (transaction) per trainee, in this order
        answers = {item.id: "4" if item.kind == "likert" else "0" if item.kind == "single_choice" else f"person-{n}"
                   for item in instance.items}
        assert services.submit_response(instance, enrolment, answers) == {}
        db.session.commit()
    text_item = next(i.id for i in instance.items if i.kind == "text")
    return instance, enrolments, text_item


def _response_order(db, instance, text_item, order_by: str) -> list[str]:
    head = ("select a.value_text from survey_responses r join survey_answers a on a.response_id = r.id "
            "where r.instance_id = :i and a.item_id = :t order by ")
    sql = head + order_by  # the orders are fixed strings of this test
    rows = db.session.execute(text(sql), {"i": instance.id, "t": text_item})
    return [v for (v,) in rows]


def _orders(db) -> list[str]:
    dialect = db.engine.dialect.name
    orders = ["r.id", "a.id", "r.submitted_on, r.id"]
    if dialect == "sqlite":
        orders += ["r.rowid", "a.rowid"]
    else:
        orders += ["r.ctid", "a.ctid", "r.xmin::text::bigint, r.ctid", "a.xmin::text::bigint, a.ctid"]
    return orders


def test_no_order_of_anonymous_responses_joins_the_participations(db, answered_survey):
    instance, enrolments, text_item = answered_survey
    who = {e.id: f"person-{n}" for n, e in enumerate(enrolments)}
    participation_orders = [
        [who[e] for e in db.session.scalars(select(SurveyParticipation.enrolment_id)
                                            .where(SurveyParticipation.instance_id == instance.id)
                                            .order_by(SurveyParticipation.id))],
    ]
    assert participation_orders[0] == [f"person-{n}" for n in range(PEOPLE)]  # the attacker's key
    for order_by in _orders(db):
        seen = _response_order(db, instance, text_item, order_by)
        assert sorted(seen) == sorted(who.values())
        for known in participation_orders:
            assert seen != known, f"responses ordered by {order_by} join the participations"
            assert seen != known[::-1], f"responses ordered by {order_by} (reversed) join the participations"


def test_anonymous_response_columns_hold_no_time_finer_than_a_day(db, answered_survey):
    instance, _enrolments, _ = answered_survey
    from completion.models import SurveyAnswer, SurveyResponse

    for model in (SurveyResponse, SurveyAnswer):
        for column in model.__table__.columns:
            assert column.type.python_type is not __import__("datetime").datetime, column
    days = db.session.execute(text("select distinct submitted_on from survey_responses where instance_id = :i"),
                              {"i": instance.id}).scalars().all()
    assert len(days) == 1


def test_the_day_of_an_answer_does_not_single_out_its_author(db):
    """A day with one respondent used to name the author: that day's only response joined the newest
    participation row (and that day's sign-in in the audit log). Anonymous responses keep no answer day."""
    from completion.models import SurveyResponse

    cohort = factories.cohort(start_date=date(2024, 6, 3), end_date=date(2024, 6, 7))
    enrolments = [factories.enrolment(factories.trainee(), cohort, status="confirmed") for _ in range(4)]
    db.session.commit()
    reaction, _ = services.ensure_default_templates()
    opens = date.today() - timedelta(days=5)
    instance = services.create_survey(cohort, reaction, title="End of course", opens_on=opens,
                                      closes_on=date.today() + timedelta(days=7), anonymous=True)
    db.session.commit()
    for n, enrolment in enumerate(enrolments):  # three answer on one day, the last one alone two days later
        answers = {item.id: "4" if item.kind == "likert" else "0" if item.kind == "single_choice" else f"person-{n}"
                   for item in instance.items}
        day = opens + timedelta(days=1 if n < 3 else 3)
        assert services.submit_response(instance, enrolment, answers, today=day) == {}
        db.session.commit()
    days = db.session.scalars(select(SurveyResponse.submitted_on).where(SurveyResponse.instance_id == instance.id))
    assert set(days) == {opens}
