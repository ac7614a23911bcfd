"""Demo data: deterministic, idempotent, realistic and consistent with the status machine."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from accounts.models import User
from accounts.seed import DEMO_PASSWORD
from core.audit import AuditEvent
from core.cli import run_seeders
from core.refdata import members
from trainees.models import (
    Attendance,
    Cohort,
    CohortSession,
    Enrolment,
    EnrolmentEvent,
    Organisation,
    Programme,
    Trainee,
)
from trainees.seed import COHORTS, DEMO_TRAINEES, build_plan
from trainees.services import is_over_capacity
from trainees.status import can_transition

TABLES = (Programme, Cohort, CohortSession, Organisation, Trainee, Enrolment, EnrolmentEvent, Attendance, User,
          AuditEvent)


def _counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


def test_plan_is_deterministic():
    first, second = build_plan(), build_plan()
    assert list(first.people) == list(second.people)
    assert [[e.steps for e in c.enrolments] for c in first.cohorts] == \
           [[e.steps for e in c.enrolments] for c in second.cohorts]


def test_seed_demo_twice_changes_nothing_and_prints_the_same(db):
    first_lines = run_seeders()
    db.session.commit()
    counts = _counts(db)
    second_lines = run_seeders()
    db.session.commit()
    assert second_lines == first_lines
    assert _counts(db) == counts
    summary = next(line for line in first_lines if line.startswith("Demo training data:"))
    assert f"3 programmes, 13 cohorts (FY2012–FY2026), {counts['Trainee']} trainees" in summary
    assert any(line.startswith("Demo trainee accounts linked") and "trainee3@demo.kakehashi.example" in line
               for line in first_lines)


def test_seeded_data_is_realistic(db):
    run_seeders()
    db.session.commit()
    codes = [spec.code for spec in COHORTS]
    cohorts = db.session.scalars(select(Cohort).where(Cohort.code.in_(codes))).all()
    assert len(cohorts) == 13
    assert {c.modality for c in cohorts} == {"invitation_jp", "workshop_in_country", "elearning", "exercise"}
    assert {c.host_country for c in cohorts if c.modality == "workshop_in_country"} == {"TH", "ID", "VN"}
    assert {c.city for c in cohorts if c.modality == "invitation_jp"} == {"Tokyo", "Yokohama", "Osaka"}
    assert min(c.fiscal_year for c in cohorts) == 2012 and max(c.fiscal_year for c in cohorts) == 2026
    assert not any(is_over_capacity(c) for c in cohorts)
    hrd = db.session.scalar(select(Programme).where(Programme.code == "ASEAN-CYB-HRD"))
    assert (hrd.organiser_name_for(2012), hrd.organiser_name_for(2016), hrd.organiser_name_for(2024)) == \
           ("HIDA", "HIDA", "AOTS")

    trainees = db.session.scalars(select(Trainee)).all()
    assert 270 <= len(trainees) <= 330
    nationalities = Counter(t.nationality for t in trainees)
    assert set(members("ASEAN", date(2026, 1, 1))) <= set(nationalities)  # all 11, Timor-Leste included
    assert {"IN", "BD", "LK", "NP", "FJ", "PG", "WS", "TO", "KE", "GH", "NG", "RW"} <= set(nationalities)
    female = sum(1 for t in trainees if t.gender == "F") / len(trainees)
    assert 0.35 <= female <= 0.45
    assert any(t.family_name == "" and t.nationality == "ID" for t in trainees)  # single-name Indonesians
    assert all(t.family_name == "" for t in trainees if t.nationality == "MM")
    assert any("\u0e00" <= t.native_name[:1] <= "\u0e7f" for t in trainees)  # some Thai script
    assert all(t.email.endswith(".example") for t in trainees)
    orgs = db.session.scalars(select(Organisation)).all()
    assert {"national_csirt", "government", "regulator", "soe", "private", "academia"} <= {o.org_type for o in orgs}
    assert {"GOV", "FIN", "ELE", "ICT", "MED", "EDU"} <= {o.sector_code for o in orgs}

    # Timor-Leste: a trainee before accession (FY2019) and one in a cohort after 26 Oct 2025.
    tl_starts = db.session.scalars(
        select(Cohort.start_date).join(Enrolment).join(Trainee).where(Trainee.nationality == "TL")).all()
    assert any(d >= date(2025, 10, 26) for d in tl_starts) and any(d < date(2025, 10, 26) for d in tl_starts)

    # Sessions for in-person cohorts in their local time zones; attendance only for past ones.
    zones = set(db.session.scalars(select(CohortSession.timezone).distinct()))
    assert {"Asia/Tokyo", "Asia/Bangkok", "Asia/Jakarta", "Asia/Ho_Chi_Minh"} <= zones
    sessions_by_cohort = dict(db.session.execute(
        select(CohortSession.cohort_id, func.count(CohortSession.id)).group_by(CohortSession.cohort_id)).all())
    marks_by_cohort = dict(db.session.execute(
        select(Enrolment.cohort_id, func.count(Attendance.id)).join(Attendance).group_by(Enrolment.cohort_id)).all())
    for cohort in cohorts:
        assert (cohort.id in sessions_by_cohort) == (cohort.modality != "elearning"), cohort.code
        past = cohort.end_date < date(2026, 11, 26)  # the demo data's "today"
        assert (cohort.id in marks_by_cohort) == (past and cohort.modality != "elearning"), cohort.code
    statuses = Counter(db.session.scalars(select(Attendance.status)))
    assert statuses.most_common(1)[0][0] == "present" and set(statuses) == {"present", "late", "excused", "absent"}


def test_every_seeded_history_replays_through_the_status_machine(db):
    run_seeders()
    db.session.commit()
    enrolments = {e.id: e.status for e in db.session.scalars(select(Enrolment))}
    events = db.session.scalars(select(EnrolmentEvent).order_by(EnrolmentEvent.enrolment_id, EnrolmentEvent.at,
                                                                EnrolmentEvent.id)).all()
    replayed: dict[int, str | None] = {}
    outcomes = Counter()
    for event in events:
        current = replayed.get(event.enrolment_id)
        assert event.from_status == current, event.enrolment_id
        if current is None:
            assert event.to_status == "nominated"
        else:
            assert can_transition(current, event.to_status), (current, event.to_status)
        assert event.reason
        replayed[event.enrolment_id] = event.to_status
    assert replayed == enrolments
    outcomes.update(enrolments.values())
    for status in ("completed", "incomplete", "rejected", "withdrawn", "no_show", "confirmed", "nominated"):
        assert outcomes[status] > 0, status
    assert db.session.scalar(select(func.count(EnrolmentEvent.id)).where(EnrolmentEvent.to_status == "waitlisted"))


def test_demo_trainee_accounts_are_linked_and_see_their_training(client, db):
    run_seeders()
    db.session.commit()
    for email, *_rest in DEMO_TRAINEES:
        user = db.session.scalar(select(User).where(User.email == email))
        trainee = db.session.scalar(select(Trainee).where(Trainee.email == email))
        assert trainee.user_id == user.id
        marks = db.session.scalar(select(func.count(Attendance.id)).join(Enrolment)
                                  .where(Enrolment.trainee_id == trainee.id))
        assert marks > 0, email
    response = client.post("/login", data={"email": "trainee1@demo.kakehashi.example", "password": DEMO_PASSWORD},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/me"
    assert "Digital Forensics Workshop (Hanoi)" in page and "ISMS Implementation for Critical Infrastructure" in page
    assert "Asia/Ho_Chi_Minh (UTC+7)" in page and "Present" in page
