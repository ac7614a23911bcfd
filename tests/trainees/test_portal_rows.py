"""The trainee portal's plain-column reads (trainees.portal_queries) give what the ORM objects they replaced
gave, for the trainee's own enrolments, cohorts, sessions and marks only."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import select

from tests import factories
from trainees import portal_queries
from trainees.models import Cohort, CohortSession, Trainee

COHORT_FIELDS = ("id", "title", "modality", "host_country", "city", "venue", "start_date", "end_date", "fiscal_year",
                 "training_days")
SESSION_FIELDS = ("id", "cohort_id", "date", "start_time", "end_time", "timezone", "session_type", "title", "venue",
                  "attendance_required")


def test_trainee_for_user_has_the_name_fields(db):
    user = factories.user(role="trainee")
    trainee = factories.trainee(user_id=user.id, family_name="Nguyen", given_names="Van An", native_name="Nguyễn")
    db.session.commit()
    row = portal_queries.trainee_for_user(user.id)
    assert (row.id, row.full_name, row.native_name) == (trainee.id, trainee.full_name, trainee.native_name)
    assert portal_queries.trainee_for_user(factories.user(role="trainee").id) is None


def test_my_cohorts_rows_equal_the_orm_objects(db):
    user = factories.user(role="trainee")
    trainee = factories.trainee(user_id=user.id)
    someone = factories.trainee()
    programme = factories.programme()
    first = factories.cohort(programme, start_date=date(2016, 6, 1), end_date=date(2016, 6, 5), venue="Hall",
                             city="Tokyo", host_country="JP")
    second = factories.cohort(factories.programme(), start_date=date(2024, 6, 1), end_date=date(2024, 6, 9))
    mine = factories.enrolment(trainee, first, status="completed")
    factories.enrolment(trainee, second, status="accepted")
    theirs = factories.enrolment(someone, first)
    lecture = factories.session(first, date(2016, 6, 1), start_time=time(9, 30), end_time=time(12), venue="Room 1")
    visit = factories.session(first, date(2016, 6, 2), start_time=time(13), session_type="site_visit",
                              timezone="Asia/Kolkata")
    opening = factories.session(first, date(2016, 6, 1), attendance_required=False, title="Opening")
    factories.session(factories.cohort(), date(2016, 6, 1))  # a cohort the trainee is not in
    factories.attendance(lecture, mine, "present")
    factories.attendance(visit, mine, "absent")
    factories.attendance(visit, theirs, "present")  # someone else's mark
    db.session.commit()

    views = portal_queries.my_cohorts(portal_queries.trainee_for_user(user.id))
    assert [v.cohort.id for v in views] == [second.id, first.id]  # newest first
    for view in views:
        cohort = db.session.get(Cohort, view.cohort.id)
        assert [getattr(view.cohort, n) for n in COHORT_FIELDS] == [getattr(cohort, n) for n in COHORT_FIELDS]
        assert (view.cohort.programme.name, view.cohort.organiser_name) == (cohort.programme.name,
                                                                            cohort.organiser_name)
    view = views[1]
    assert (view.enrolment.id, view.enrolment.status, view.enrolment.cohort_id) == (mine.id, "completed", first.id)
    orm_sessions = db.session.scalars(select(CohortSession).where(CohortSession.cohort_id == first.id)
                                      .order_by(CohortSession.date, CohortSession.start_time, CohortSession.id)).all()
    assert {s.id for s in orm_sessions} == {opening.id, lecture.id, visit.id}
    assert [[getattr(s, n) for n in SESSION_FIELDS] for s in view.sessions] == \
        [[getattr(s, n) for n in SESSION_FIELDS] for s in orm_sessions]
    assert view.marks == {lecture.id: "present", visit.id: "absent"}
    assert (view.recorded, view.attended, view.attendance_percent) == (2, 1, 50)
    assert views[0].sessions == [] and views[0].marks == {}

    one = portal_queries.my_cohort(portal_queries.trainee_for_user(user.id), first.id)
    assert (one.enrolment.id, one.marks, one.recorded, one.attended) == (mine.id, view.marks, 2, 1)
    assert [s.id for s in one.sessions] == [s.id for s in view.sessions]
    other = db.session.scalar(select(Trainee).where(Trainee.id == someone.id))
    assert portal_queries.my_cohort(other, second.id) is None  # not enrolled there
