"""List pages, the cohort page, the attendance sheet and the passport run the same number of queries with
100 and with 2,000 trainees (no N+1: counts are GROUP BY queries, relations are eager-loaded)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select

from tests import factories
from trainees.models import Attendance, Cohort, Enrolment, Organisation, Trainee

COUNTRIES = ("VN", "TH", "ID", "PH", "MY", "LA", "KH", "MM", "BN", "SG", "TL")
SECTORS = ("GOV", "FIN", "ELE", "ICT", "MED")


def _grow(db, programme, big, sessions, total: int) -> None:
    """Bring the data to ``total`` trainees: every tenth makes a new organisation and cohort; everyone is
    in the big cohort (confirmed, with attendance in every session) and in one small cohort."""
    start = db.session.scalar(select(func.count(Trainee.id)))
    new_orgs = [{"name": f"Org {i}", "name_key": f"org {i}", "country": COUNTRIES[i % 11],
                 "sector_code": SECTORS[i % 5], "org_type": "government"} for i in range(start // 10, total // 10)]
    db.session.execute(insert(Organisation), new_orgs)
    orgs = db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    for i in range(start // 10, total // 10):
        factories.cohort(programme, code=f"SMALL-{i}", start_date=date(2012 + i % 13, 6, 1),
                         end_date=date(2012 + i % 13, 6, 5))
    small_ids = db.session.scalars(select(Cohort.id).where(Cohort.code.like("SMALL-%"))).all()
    db.session.execute(insert(Trainee), [
        {"family_name": f"Family{i}", "given_names": f"Given{i}", "email": f"qc{i}@example.org",
         "gender": "FMXN"[i % 4].replace("N", "NS"), "nationality": COUNTRIES[i % 11],
         "organisation_id": orgs[i % len(orgs)]} for i in range(start, total)])
    trainee_ids = db.session.scalars(select(Trainee.id).where(Trainee.email.like("qc%"))
                                     .order_by(Trainee.id)).all()[start:]
    db.session.execute(insert(Enrolment), [{"trainee_id": t, "cohort_id": big.id, "status": "confirmed"}
                                           for t in trainee_ids])
    db.session.execute(insert(Enrolment), [
        {"trainee_id": t, "cohort_id": small_ids[n % len(small_ids)], "status": "completed"}
        for n, t in enumerate(trainee_ids)])
    big_enrolments = db.session.scalars(select(Enrolment.id).where(Enrolment.cohort_id == big.id,
                                                                   Enrolment.trainee_id.in_(trainee_ids))).all()
    db.session.execute(insert(Attendance), [
        {"session_id": s.id, "enrolment_id": e, "status": ("present", "late", "absent")[e % 3]}
        for s in sessions for e in big_enrolments])
    db.session.commit()


def _pages(big, sessions, sample_trainee_id):
    return ["/programmes", "/cohorts", "/cohorts?fy=2024&modality=invitation_jp", "/trainees",
            "/trainees?q=family1&sector=GOV", "/organisations", "/organisations?country=VN",
            f"/cohorts/{big.id}", f"/sessions/{sessions[0].id}/attendance", f"/trainees/{sample_trainee_id}",
            f"/cohorts/{big.id}/enrol?q=given"]


def _count(client, count_queries, url) -> int:
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def test_query_counts_do_not_grow_with_the_data(client, db, login_as, count_queries):
    login_as("organiser")
    programme = factories.programme(code="QC")
    big = factories.cohort(programme, code="BIG", capacity=50)
    sessions = [factories.session(big, date(2024, 6, d), title=f"Day {d}") for d in (3, 4, 5)]
    db.session.commit()

    _grow(db, programme, big, sessions, 100)
    sample = db.session.scalar(select(Trainee.id).order_by(Trainee.id))
    small = {url: _count(client, count_queries, url) for url in _pages(big, sessions, sample)}

    _grow(db, programme, big, sessions, 2000)
    assert db.session.scalar(select(func.count(Trainee.id))) == 2000
    assert db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.cohort_id == big.id)) == 2000
    large = {url: _count(client, count_queries, url) for url in _pages(big, sessions, sample)}

    assert large == small
    assert max(small.values()) <= 15, small
