"""Plain builder functions with sequences (in the style of Redash's ModelFactory and CTFd's gen_*)."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from accounts.models import User
from core.extensions import db

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test credential
_seq = itertools.count(1)
_HASH = None


def seq() -> int:
    return next(_seq)


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = generate_password_hash(PASSWORD)
    return _HASH


def user(role: str = "organiser", email: str | None = None, **fields) -> User:
    n = seq()
    obj = User(
        email=email or f"user{n}@example.org",
        display_name=fields.pop("display_name", f"User {n}"),
        role=role,
        password_hash=fields.pop("password_hash", _password_hash()),
        **fields,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


# --- trainees -----------------------------------------------------------------------------------

def programme(code: str | None = None, **fields):
    from trainees.models import Programme, ProgrammeOrganiserName

    n = seq()
    obj = Programme(code=code or f"PRG{n}", name=fields.pop("name", f"Programme {n}"),
                    funder=fields.pop("funder", "METI"), **fields)
    obj.organiser_names.append(ProgrammeOrganiserName(from_fy=2012, name="HIDA"))
    obj.organiser_names.append(ProgrammeOrganiserName(from_fy=2017, name="AOTS"))
    db.session.add(obj)
    db.session.flush()
    return obj


def cohort(programme_obj=None, code: str | None = None, **fields):
    from datetime import date

    from trainees.models import Cohort

    n = seq()
    obj = Cohort(
        programme=programme_obj or programme(),
        code=code or f"C{n}",
        title=fields.pop("title", f"CSIRT course {n}"),
        modality=fields.pop("modality", "invitation_jp"),
        host_country=fields.pop("host_country", "JP"),
        start_date=fields.pop("start_date", date(2024, 6, 3)),
        end_date=fields.pop("end_date", date(2024, 6, 7)),
        **fields,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


def session(cohort_obj, day=None, **fields):
    from trainees.models import CohortSession

    obj = CohortSession(cohort=cohort_obj, date=day or cohort_obj.start_date,
                        title=fields.pop("title", "Lecture"), **fields)
    db.session.add(obj)
    db.session.flush()
    return obj


def organisation(name: str | None = None, country: str = "VN", sector_code: str = "ICT",
                 org_type: str = "government", **fields):
    from trainees.models import Organisation
    from trainees.services import name_key

    n = seq()
    name = name or f"Organisation {n}"
    obj = Organisation(name=name, name_key=name_key(name), country=country, sector_code=sector_code,
                       org_type=org_type, **fields)
    db.session.add(obj)
    db.session.flush()
    return obj


def trainee(organisation_obj=None, email: str | None = None, **fields):
    from trainees.models import Trainee

    n = seq()
    obj = Trainee(
        organisation=organisation_obj or organisation(),
        email=email or f"trainee{n}@example.org",
        family_name=fields.pop("family_name", f"Family{n}"),
        given_names=fields.pop("given_names", f"Given{n}"),
        gender=fields.pop("gender", "F"),
        nationality=fields.pop("nationality", "VN"),
        **fields,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


def enrolment(trainee_obj=None, cohort_obj=None, status: str = "confirmed", **fields):
    from trainees.models import Enrolment, EnrolmentEvent

    obj = Enrolment(trainee=trainee_obj or trainee(), cohort=cohort_obj or cohort(), status=status, **fields)
    db.session.add(obj)
    db.session.add(EnrolmentEvent(enrolment=obj, from_status=None, to_status=status))
    db.session.flush()
    return obj


def attendance(session_obj, enrolment_obj, status: str = "present"):
    from trainees.models import Attendance

    obj = Attendance(session_id=session_obj.id, enrolment_id=enrolment_obj.id, status=status)
    db.session.add(obj)
    db.session.flush()
    return obj
