"""The cohort page's participant rows, seat counts and session rows (issue 17: plain rows in few queries) show
the same figures as the entity-based helpers they replace, and the page runs a fixed number of queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests import factories
from trainees import queries
from trainees.models import Attendance, CohortSession, Trainee
from trainees.status import STATUSES


def _cohort_with_every_status(db):
    cohort = factories.cohort()
    other = factories.cohort()
    org = factories.organisation("Org <&> One")
    sessions = [factories.session(cohort, date(2024, 6, d), title=f"Day {d}") for d in (3, 4, 5)]
    optional = factories.session(cohort, date(2024, 6, 6), title="Optional", attendance_required=False)
    enrolments = []
    for n, status in enumerate(STATUSES):
        person = factories.trainee(org, family_name=f"Fam{n}" if n % 3 else "", given_names=f"Given {n}",
                                   nationality=("VN", "LA", "TH")[n % 3])
        enrolments.append(factories.enrolment(person, cohort, status=status))
        factories.enrolment(person, other, status="confirmed")  # other cohorts' rows stay out
    marks = ("present", "late", "excused", "absent")
    for i, e in enumerate(enrolments[:6]):
        for j, s in enumerate(sessions[: 1 + i % 3]):
            factories.attendance(s, e, marks[(i + j) % 4])
        factories.attendance(optional, e, "absent")  # not attendance-required: not in the rate
    db.session.commit()
    return cohort, sessions + [optional]


def test_seat_counts_from_the_list_equal_the_grouped_query(db):
    cohort, _sessions = _cohort_with_every_status(db)
    participants = queries.cohort_participants(cohort)
    assert len(participants) == len(STATUSES)
    assert queries.seat_counts(p.status for p in participants) == queries.cohort_counts([cohort.id])[cohort.id]


def test_participant_rows_equal_the_entities_they_replace(db):
    cohort, _sessions = _cohort_with_every_status(db)
    rows = queries.cohort_participants(cohort)
    entities = queries.cohort_enrolments(cohort)
    assert [r.id for r in rows] == [e.id for e in entities]  # same order: by name as shown
    for row, e in zip(rows, entities, strict=True):
        assert (row.status, row.trainee_id, row.full_name, row.nationality, row.user_id, row.organisation) == (
            e.status, e.trainee.id, e.trainee.full_name, e.trainee.nationality, e.trainee.user_id,
            e.trainee.organisation.name)
        marks = db.session.execute(
            select(Attendance.status).join(CohortSession, CohortSession.id == Attendance.session_id)
            .where(Attendance.enrolment_id == e.id, CohortSession.attendance_required.is_(True))).scalars().all()
        expected = round(100 * sum(m in ("present", "late") for m in marks) / len(marks)) if marks else None
        assert row.attendance_percent == expected


def test_session_rows_count_each_sessions_marks(db):
    cohort, sessions = _cohort_with_every_status(db)
    rows = queries.cohort_sessions(cohort)
    assert [r.id for r in rows] == [s.id for s in sessions]
    for row in rows:
        by_status = dict(db.session.execute(select(Attendance.status, func.count()).where(
            Attendance.session_id == row.id).group_by(Attendance.status)).all())
        assert (row.present, row.late, row.excused, row.absent, row.marked) == (
            by_status.get("present", 0), by_status.get("late", 0), by_status.get("excused", 0),
            by_status.get("absent", 0), sum(by_status.values()))


def test_cohort_page_shows_the_rows_and_runs_a_fixed_number_of_queries(client, db, login_as, count_queries):
    login_as("organiser")
    cohort, sessions = _cohort_with_every_status(db)
    url, optional_id = f"/cohorts/{cohort.id}", sessions[3].id
    with count_queries() as counter:
        response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Org &lt;&amp;&gt; One" in html and "Given 0" in html and "FAM1 Given 1" in html
    assert 'aria-label="Select FAM1 Given 1"' in html
    assert f'href="/sessions/{optional_id}/attendance"' in html and "not taken yet" not in html
    # user + session row, cohort ⋈ programme, organiser names, participants, sessions with marks (no consent
    # query: no participant has an account)
    assert counter.count == 5, counter.statements
    more = factories.trainee(factories.organisation("Org Two"), given_names="Late comer")
    factories.enrolment(more, cohort, status="nominated")
    db.session.commit()
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    assert counter.count == 5, counter.statements
    assert db.session.scalar(select(func.count(Trainee.id))) == len(STATUSES) + 1
