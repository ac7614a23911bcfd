"""Adding a person by hand warns about a possible duplicate instead of creating a second one silently."""

from datetime import date

from sqlalchemy import func, select

from tests import factories
from trainees.models import Trainee


def _data(**over):
    data = {"family_name": "NGUYEN", "given_names": "Thi Lan", "email": "lan.other@example.org", "gender": "F",
            "nationality": "VN", "organisation": "VNCERT", "organisation_country": "", "sector": "ICT",
            "org_type": "national_csirt", "date_of_birth": "", "status": "nominated"}
    data.update(over)
    return data


def _count(db, family="Nguy%"):
    return db.session.scalar(select(func.count()).select_from(Trainee).where(Trainee.family_name.ilike(family)))


def test_enrol_new_warns_about_a_second_nguyen_thi_lan(client, db, login_as):
    login_as("organiser")
    past = factories.cohort(code="AHRD-2019-TH")
    lan = factories.trainee(family_name="Nguyễn", given_names="Thị Lan", nationality="VN",
                            date_of_birth=date(1990, 3, 14))
    factories.enrolment(lan, past, status="completed")
    cohort = factories.cohort()
    db.session.commit()
    response = client.post(f"/cohorts/{cohort.id}/enrol/new", data=_data())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "AHRD-2019-TH" in page and "Possibly the same person" in page
    assert _count(db) == 1
    response = client.post(f"/cohorts/{cohort.id}/enrol/new", data=_data(not_duplicate="1"))
    assert response.status_code == 302
    assert _count(db) == 2


def test_trainee_new_with_other_birth_date_is_not_a_duplicate(client, db, login_as):
    login_as("organiser")
    factories.trainee(family_name="Nguyen", given_names="Thi Lan", nationality="VN", date_of_birth=date(1990, 3, 14))
    db.session.commit()
    response = client.post("/trainees/new", data=_data(date_of_birth="1985-01-01"))
    assert response.status_code == 302
    response = client.post("/trainees/new", data=_data(email="third@example.org", date_of_birth=""))
    assert response.status_code == 200 and "Possibly the same person" in response.get_data(as_text=True)
