"""The cohort page's participant rows, seat counts and session rows (issue 17: plain rows in few queries) show
the same figures as the entity-based helpers they replace, and the page runs a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from accounts.consent import PrivacyConsent, latest_records, status_of
from core.db import utcnow
from tests import factories
from trainees import queries
from trainees.models import Attendance, CohortSession, ProgrammeOrganiserName, Trainee
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
    # user + session row, cohort ⋈ programme with its organiser name, participants with their consent, sessions
    # with marks
    assert counter.count == 4, counter.statements
    more = factories.trainee(factories.organisation("Org Two"), given_names="Late comer")
    factories.enrolment(more, cohort, status="nominated")
    db.session.commit()
    more.user_id = factories.user("trainee").id
    db.session.add(PrivacyConsent(user_id=more.user_id, version="v1", accepted_at=None, withdrawn_at=utcnow()))
    db.session.commit()
    with count_queries() as counter:
        html = client.get(url).get_data(as_text=True)
    assert counter.count == 4, counter.statements
    assert html.count("no privacy consent") == 1
    assert db.session.scalar(select(func.count(Trainee.id))) == len(STATUSES) + 1


def test_participant_rows_flag_the_accounts_whose_latest_privacy_decision_refuses(db):
    """``refused_consent`` is true exactly where ``status_of(latest_records(...))`` is withdrawn or declined: the
    latest decision of any version counts (a later acceptance clears an earlier withdrawal and the reverse)."""
    cohort = factories.cohort()
    org = factories.organisation()
    histories = {
        "none": [], "accepted": [("v1", True, False)], "declined": [("v1", False, True)],
        "withdrawn": [("v1", True, True)], "accepted again": [("v1", True, True), ("v2", True, False)],
        "withdrawn later": [("v1", True, False), ("v2", True, True)], "outdated": [("v0", True, False)],
    }
    start = utcnow()
    for label, history in histories.items():
        user = factories.user("trainee")
        person = factories.trainee(org, given_names=label, user_id=user.id)
        factories.enrolment(person, cohort)
        for k, (version, accepted, withdrawn) in enumerate(history):
            when = start.replace(microsecond=0).replace(second=k)  # later records come later
            db.session.add(PrivacyConsent(user_id=user.id, version=version, recorded_at=when,
                                          accepted_at=when if accepted else None,
                                          withdrawn_at=when if withdrawn else None))
    factories.enrolment(factories.trainee(org, given_names="no account"), cohort)
    db.session.commit()
    rows = queries.cohort_participants(cohort)
    latest = latest_records([r.user_id for r in rows if r.user_id])
    expected = {r.given_names: status_of(latest.get(r.user_id)) in ("withdrawn", "declined") if r.user_id else False
                for r in rows}
    assert {r.given_names: bool(r.refused_consent) for r in rows} == expected
    assert {name for name, refused in expected.items() if refused} == {"declined", "withdrawn", "withdrawn later"}



def test_the_latest_privacy_decision_is_read_from_the_index_without_a_sort_per_participant(db):
    """The participant statement asks for each row's latest privacy decision (ORDER BY recorded_at DESC, id DESC
    LIMIT 1 per user). With the index (user_id, recorded_at, id) the database reads it in index order: the plan
    sorts once (the list itself), not once more inside the per-row subquery."""
    from accounts.consent import refused_expression

    statement = select(Trainee.id, refused_expression(Trainee.user_id)).order_by(Trainee.given_names)
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        plan = " | ".join(row[-1] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "privacy_consents USING INDEX ix_privacy_consents_user_latest" in plan, plan
        assert plan.count("TEMP B-TREE FOR ORDER BY") == 1, plan  # the outer ORDER BY only
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table: ask for the plan with data
        plan = " | ".join(row[0] for row in db.session.execute(text("EXPLAIN " + sql)))
        assert "ix_privacy_consents_user_latest" in plan, plan
        assert plan.count("Sort  (") == 1, plan  # a Sort node (not its "Sort Key" line): the outer ORDER BY

def test_cohort_header_equals_the_cohort_entity(db):
    """The page's one-statement header shows what the cohort entity shows, organiser name in force included."""
    programme = factories.programme()  # HIDA from FY2012, AOTS from FY2017
    bare = factories.programme()
    bare.organiser_names.clear()
    blank = factories.programme()
    blank.organiser_names.clear()
    blank.organiser_names.extend([ProgrammeOrganiserName(from_fy=2010, name="First"),
                                  ProgrammeOrganiserName(from_fy=2014, name="")])
    cohorts = [factories.cohort(programme, start_date=date(y, 6, 1), end_date=date(y, 6, 5), capacity=cap,
                                notes=notes)
               for y, cap, notes in ((2011, None, ""), (2015, 20, "n <b>"), (2018, 5, ""))]
    cohorts += [factories.cohort(bare), factories.cohort(blank, start_date=date(2016, 6, 1), end_date=date(2016, 6, 2))]
    db.session.commit()
    for cohort in cohorts:
        header = queries.cohort_header(cohort.id)
        entity = queries.get_cohort(cohort.id, sessions=False)
        assert header._asdict() == {
            **{field: getattr(entity, field) for field in header._fields
               if field not in ("programme_code", "programme_name")},
            "programme_code": entity.programme.code, "programme_name": entity.programme.name}
    assert [queries.cohort_header(c.id).organiser_name for c in cohorts] == ["HIDA", "HIDA", "AOTS", "", "First"]


def test_cohort_header_of_an_unknown_cohort_is_a_404(db):
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        queries.cohort_header(987654)


def test_cohort_counts_follow_the_definitions(db):
    """Counted per status through the (cohort_id, status) index, then summed by ``SeatCounts.add``: seats are all
    but waitlisted/rejected/withdrawn/no-show, the report counts confirmed/completed/incomplete."""
    cohort, _sessions = _cohort_with_every_status(db)
    empty = factories.cohort()
    org = factories.organisation()
    for n in range(3):  # three more confirmed, one more rejected: counts of more than one per status
        factories.enrolment(factories.trainee(org, given_names=f"Extra {n}"), cohort, status="confirmed")
    factories.enrolment(factories.trainee(org, given_names="Extra r"), cohort, status="rejected")
    db.session.commit()
    counts = queries.cohort_counts([cohort.id, empty.id])
    assert counts[empty.id] == queries.SeatCounts()
    c = counts[cohort.id]
    assert (c.enrolled, c.seats, c.counted, c.completed, c.confirmed) == (
        len(STATUSES) + 4, len(STATUSES) - 4 + 3, 3 + 3, 1, 1 + 3)


def test_cohort_list_filters_alone_and_combined_match_the_definitions(app, db):
    """The list's statement is built once per combination of filters, the values bound: each filter and their
    combinations select exactly the cohorts a plain reading of the filter does (text: code or title, any case,
    ``%`` and ``_`` taken literally), newest first."""
    from itertools import combinations

    from core.pagination import paginate_rows

    p1, p2 = factories.programme(), factories.programme()
    specs = [("A-100%", "Incident handling", 2023, "invitation_jp", "JP", "planned", p1),
             ("B_200", "ISMS basics", 2024, "elearning", "LA", "open", p1),
             ("C-300", "Forensics 100%", 2024, "invitation_jp", "JP", "closed", p2),
             ("D-400", "csirt TABLETOP", 2025, "workshop_in_country", "VN", "open", p2),
             ("E-500", "Malware", 2024, "invitation_jp", "VN", "open", p1)]
    cohorts = {}
    for n, (code, title, fy, modality, country, status, programme) in enumerate(specs):
        cohorts[code] = factories.cohort(programme, code=code, title=title, modality=modality, host_country=country,
                                         status=status, start_date=date(fy, 6, 1 + n), end_date=date(fy, 6, 10 + n))
    db.session.commit()
    facts = {c.code: c for c in cohorts.values()}
    filters = {"q": ["100%", "_2", "csirt", "zzz"], "fy": [2024, 2023], "modality": ["invitation_jp"],
               "country": ["VN"], "status": ["open"], "programme_id": [p1.id]}

    def matches(c, name, value):
        if name == "q":
            return value.lower() in c.code.lower() or value.lower() in c.title.lower()
        return getattr(c, {"fy": "fiscal_year", "country": "host_country"}.get(name, name)) == value

    checked = 0
    for size in (0, 1, 2, 3):
        for names in combinations(filters, size):
            for values in [[filters[n][i % len(filters[n])] for n in names] for i in range(2)]:
                chosen = dict(zip(names, values, strict=True))
                statement, params = queries.cohorts_query(queries.CohortFilters(**chosen))
                with app.test_request_context("/"):
                    codes = [r.code for r in paginate_rows(statement, queries.CohortListRow, per_page=50,
                                                           params=params).items]
                expected = sorted((c for c in facts.values() if all(matches(c, n, v) for n, v in chosen.items())),
                                  key=lambda c: (-c.start_date.toordinal(), c.code))
                assert codes == [c.code for c in expected], chosen
                checked += 1
    assert checked > 80
