"""Write operations for programmes, cohorts, organisations, trainees, enrolments and attendance.

Services take model objects and plain values, ``flush()`` and never commit; they raise
``ServiceError`` with a user-facing message (and the field it concerns) when a rule is broken.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, String, func, insert, literal, null, select

from accounts import services as account_services
from accounts.models import User
from core import audit
from core.db import utcnow
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from core.refdata import MODALITIES, country_codes, org_type_codes, sector_codes
from trainees.models import (
    ATTENDANCE_STATUSES,
    LOGO_KIND,
    Attendance,
    Cohort,
    CohortSession,
    Enrolment,
    EnrolmentEvent,
    Organisation,
    Programme,
    ProgrammeOrganiserName,
    Trainee,
)
from trainees.status import SEAT_FREE_STATUSES, STATUSES, allowed_targets, can_transition, status_name


def name_key(name: str) -> str:
    """Case-, width- and space-folded organisation name for matching duplicates."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _snapshot(obj, fields: Iterable[str]) -> dict:
    return {f: getattr(obj, f) for f in fields}


# --- programmes and cohorts -------------------------------------------------------------------

PROGRAMME_FIELDS = ("code", "name", "funder", "description")
COHORT_FIELDS = ("code", "title", "modality", "host_country", "city", "venue", "start_date", "end_date",
                 "language", "capacity", "status", "notes")


def get_programme_by_code(code: str) -> Programme | None:
    return db.session.scalar(select(Programme).where(func.upper(Programme.code) == code.strip().upper()))


def create_programme(code: str, name: str, funder: str = "", description: str = "",
                     organiser_names: list[tuple[int, str]] | None = None, actor: User | None = None) -> Programme:
    """Create a programme; ``organiser_names`` is [(from_fy, name), …] e.g. [(2012, 'HIDA'), (2017, 'AOTS')]."""
    code = code.strip()
    if not code:
        raise ServiceError(_("A programme code is required."), "code")
    if get_programme_by_code(code) is not None:
        raise ServiceError(_("A programme with the code %(code)s already exists.", code=code), "code")
    programme = Programme(code=code, name=name.strip() or code, funder=funder.strip(), description=description)
    for from_fy, organiser in organiser_names or []:
        programme.organiser_names.append(ProgrammeOrganiserName(from_fy=from_fy, name=organiser))
    db.session.add(programme)
    db.session.flush()
    audit.record("programme.create", obj=programme, actor=actor, summary=code,
                 after=_snapshot(programme, PROGRAMME_FIELDS))
    return programme


def update_programme(programme: Programme, actor: User | None = None, **values) -> Programme:
    """Change a programme's name, funder or description."""
    before = _snapshot(programme, PROGRAMME_FIELDS)
    for key in ("name", "funder", "description"):
        if key in values:
            setattr(programme, key, values[key])
    db.session.flush()
    old, new = audit.diff(before, _snapshot(programme, PROGRAMME_FIELDS))
    if new:
        audit.record("programme.update", obj=programme, actor=actor, summary=programme.code, before=old, after=new)
    return programme


LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
LOGO_MAX_PIXELS = 25_000_000  # far above any logo; refuses decompression bombs before decoding


def logo_limit() -> int:
    from flask import current_app

    return int(current_app.config.get("PROGRAMME_LOGO_MAX_BYTES", 1024 * 1024))


def _logo_format(data: bytes) -> str | None:
    """"PNG" or "JPEG" when ``data`` really is a readable image of that type (by content, not by name)."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in LOGO_FORMATS:
                return None
            width, height = image.size
            if not width or not height or width * height > LOGO_MAX_PIXELS:
                return None
            image.load()  # decodes the pixels: a truncated or corrupt file fails here, not on a certificate
            return image.format
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def set_programme_logo(programme: Programme, filename: str, data: bytes, actor: User | None = None) -> Programme:
    """Upload or replace the programme's logo: a PNG or JPEG image (checked by its content) of at most
    ``PROGRAMME_LOGO_MAX_BYTES`` (1 MB), kept in the file store in this transaction."""
    from core import filestore

    if not data:
        raise ServiceError(_("The file is empty."), "logo")
    limit = logo_limit()
    if len(data) > limit:
        raise ServiceError(_("The logo is larger than %(kb)d KB.", kb=limit // 1024), "logo")
    kind = _logo_format(data)
    if kind is None:
        raise ServiceError(_("The logo must be a PNG or JPEG image. This file is not one (whatever its name says)."),
                           "logo")
    name = (filename or "logo").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200] or "logo"
    key = filestore.put(data, name=name, content_type=LOGO_FORMATS[kind], kind=LOGO_KIND,
                        owner_id=getattr(actor, "id", None))
    old = programme.logo_key
    programme.logo_key = key
    if old:
        filestore.delete(old)
    db.session.flush()
    audit.record("programme.logo", obj=programme, actor=actor, summary=f"{programme.code}: {name}",
                 before={"logo": "replaced"} if old else None, after={"logo": name})
    return programme


def remove_programme_logo(programme: Programme, actor: User | None = None) -> bool:
    """Remove the programme's logo (certificates are then printed without one); False if it had none."""
    from core import filestore

    if not programme.logo_key:
        return False
    filestore.delete(programme.logo_key)
    programme.logo_key = None
    db.session.flush()
    audit.record("programme.logo_remove", obj=programme, actor=actor, summary=programme.code)
    return True


def set_organiser_name(programme: Programme, from_fy: int, name: str, actor: User | None = None) -> None:
    """Record the organiser's name valid from a fiscal year (replacing an entry for the same year)."""
    for entry in programme.organiser_names:
        if entry.from_fy == from_fy:
            entry.name = name
            break
    else:
        programme.organiser_names.append(ProgrammeOrganiserName(from_fy=from_fy, name=name))
    db.session.flush()
    audit.record("programme.organiser_name", obj=programme, actor=actor, summary=f"FY{from_fy}: {name}")


def set_organiser_names(programme: Programme, entries: list[tuple[int, str]], actor: User | None = None) -> bool:
    """Replace the organiser-name history with ``entries`` [(from_fy, name), …]; returns whether it changed.

    Entries for a fiscal year already present are updated in place (the (programme, from_fy) pair is unique).
    """
    wanted: dict[int, str] = {}
    for from_fy, name in entries:
        if from_fy in wanted:
            raise ServiceError(_("FY%(fy)d is listed twice.", fy=from_fy), "organiser_history")
        if not name.strip():
            raise ServiceError(_("Give the organiser's name for FY%(fy)d.", fy=from_fy), "organiser_history")
        wanted[from_fy] = " ".join(name.split())
    before = {e.from_fy: e.name for e in programme.organiser_names}
    if before == wanted:
        return False
    for entry in list(programme.organiser_names):
        if entry.from_fy in wanted:
            entry.name = wanted[entry.from_fy]
        else:
            programme.organiser_names.remove(entry)
    for from_fy, name in sorted(wanted.items()):
        if from_fy not in before:
            programme.organiser_names.append(ProgrammeOrganiserName(from_fy=from_fy, name=name))
    programme.organiser_names.sort(key=lambda e: e.from_fy)
    db.session.flush()
    audit.record("programme.organiser_name", obj=programme, actor=actor, summary=programme.code,
                 before={f"FY{k}": v for k, v in sorted(before.items())},
                 after={f"FY{k}": v for k, v in sorted(wanted.items())})
    return True


def get_cohort_by_code(code: str) -> Cohort | None:
    return db.session.scalar(select(Cohort).where(func.upper(Cohort.code) == code.strip().upper()))


def _validate_cohort(values: dict, existing: Cohort | None = None) -> None:
    code = (values.get("code") or "").strip()
    if not code:
        raise ServiceError(_("A cohort code is required."), "code")
    other = get_cohort_by_code(code)
    if other is not None and other is not existing:
        raise ServiceError(_("A cohort with the code %(code)s already exists.", code=code), "code")
    if values.get("modality") not in MODALITIES:
        raise ServiceError(_("Choose a modality."), "modality")
    start, end = values.get("start_date"), values.get("end_date")
    if not isinstance(start, date):
        raise ServiceError(_("Give a start date (YYYY-MM-DD)."), "start_date")
    if not isinstance(end, date):
        raise ServiceError(_("Give an end date (YYYY-MM-DD)."), "end_date")
    if end < start:
        raise ServiceError(_("The end date is before the start date."), "end_date")
    host = values.get("host_country")
    if host and host not in country_codes():
        raise ServiceError(_("Unknown country code %(code)s.", code=host), "host_country")
    capacity = values.get("capacity")
    if capacity is not None and capacity < 1:
        raise ServiceError(_("Capacity must be at least 1 (or left empty)."), "capacity")


def create_cohort(programme: Programme, actor: User | None = None, **values) -> Cohort:
    """Create a cohort (course run) of a programme after validating codes, dates and country."""
    values.setdefault("status", "planned")
    _validate_cohort(values)
    values["code"] = values["code"].strip()
    cohort = Cohort(programme=programme, **{k: v for k, v in values.items() if k in COHORT_FIELDS})
    db.session.add(cohort)
    db.session.flush()
    audit.record("cohort.create", obj=cohort, actor=actor, summary=cohort.code, after=_snapshot(cohort, COHORT_FIELDS))
    return cohort


def update_cohort(cohort: Cohort, actor: User | None = None, **values) -> Cohort:
    """Change a cohort's fields after the same validation as on creation."""
    merged = _snapshot(cohort, COHORT_FIELDS) | {k: v for k, v in values.items() if k in COHORT_FIELDS}
    _validate_cohort(merged, existing=cohort)
    before = _snapshot(cohort, COHORT_FIELDS)
    for key, value in merged.items():
        setattr(cohort, key, value)
    db.session.flush()
    old, new = audit.diff(before, _snapshot(cohort, COHORT_FIELDS))
    if new:
        audit.record("cohort.update", obj=cohort, actor=actor, summary=cohort.code, before=old, after=new)
    return cohort


def move_cohort(cohort: Cohort, programme: Programme, actor: User | None = None) -> bool:
    """Attach a cohort to another programme (a data-entry correction); returns whether it moved."""
    if cohort.programme_id == programme.id:
        return False
    old = cohort.programme.code
    cohort.programme = programme
    db.session.flush()
    audit.record("cohort.update", obj=cohort, actor=actor, summary=cohort.code,
                 before={"programme": old}, after={"programme": programme.code})
    return True


def counted_or_open_count(cohort: Cohort) -> int:
    """Enrolments that take a seat (everything except ``SEAT_FREE_STATUSES``: waitlisted, rejected, withdrawn,
    no-show)."""
    return db.session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.cohort_id == cohort.id, Enrolment.status.not_in(SEAT_FREE_STATUSES)
        )
    ) or 0


def is_over_capacity(cohort: Cohort) -> bool:
    return cohort.capacity is not None and counted_or_open_count(cohort) > cohort.capacity


# --- sessions ---------------------------------------------------------------------------------

SESSION_FIELDS = ("date", "start_time", "end_time", "timezone", "session_type", "title", "venue",
                  "attendance_required")


def add_session(cohort: Cohort, actor: User | None = None, **values) -> CohortSession:
    """Add a session inside the cohort's dates."""
    day = values.get("date")
    if not isinstance(day, date) or not (cohort.start_date <= day <= cohort.end_date):
        raise ServiceError(_("The session date must be within the cohort's dates (%(start)s – %(end)s).",
                             start=cohort.start_date.isoformat(), end=cohort.end_date.isoformat()), "date")
    start, end = values.get("start_time"), values.get("end_time")
    if start and end and end <= start:
        raise ServiceError(_("The session ends before it starts."), "end_time")
    session = CohortSession(cohort=cohort, **{k: v for k, v in values.items() if k in SESSION_FIELDS})
    db.session.add(session)
    db.session.flush()
    audit.record("session.create", obj=session, actor=actor, summary=f"{cohort.code} {day} {session.title}")
    return session


def update_session(session: CohortSession, actor: User | None = None, **values) -> CohortSession:
    """Change a session; the same rules as ``add_session`` (inside the cohort's dates, ends after it starts)."""
    cohort = session.cohort
    merged = _snapshot(session, SESSION_FIELDS) | {k: v for k, v in values.items() if k in SESSION_FIELDS}
    day = merged["date"]
    if not isinstance(day, date) or not (cohort.start_date <= day <= cohort.end_date):
        raise ServiceError(_("The session date must be within the cohort's dates (%(start)s – %(end)s).",
                             start=cohort.start_date.isoformat(), end=cohort.end_date.isoformat()), "date")
    if merged["start_time"] and merged["end_time"] and merged["end_time"] <= merged["start_time"]:
        raise ServiceError(_("The session ends before it starts."), "end_time")
    before = _snapshot(session, SESSION_FIELDS)
    for key, value in merged.items():
        setattr(session, key, value)
    db.session.flush()
    old, new = audit.diff(before, _snapshot(session, SESSION_FIELDS))
    if new:
        audit.record("session.update", obj=session, actor=actor, summary=f"{cohort.code} {day} {session.title}",
                     before=old, after=new)
    return session


def delete_session(session: CohortSession, actor: User | None = None) -> int:
    """Delete a session and its attendance marks; refused while the cohort's attendance is locked.

    Returns the number of attendance marks deleted with it.
    """
    cohort = session.cohort
    if cohort.attendance_locked:
        raise ServiceError(_("Attendance for %(code)s is locked. Unlock it before deleting a session.",
                             code=cohort.code), "session")
    marks = list(db.session.scalars(select(Attendance).where(Attendance.session_id == session.id)))
    for mark in marks:
        db.session.delete(mark)
    audit.record("session.delete", obj=session, actor=actor,
                 summary=f"{cohort.code} {session.date} {session.title}; {len(marks)} attendance marks deleted",
                 before=_snapshot(session, SESSION_FIELDS))
    db.session.delete(session)
    db.session.flush()
    return len(marks)


# --- organisations and trainees ---------------------------------------------------------------

def find_organisation(name: str, country: str) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).where(Organisation.country == country, Organisation.name_key == name_key(name))
    )


def get_or_create_organisation(name: str, country: str, sector_code: str, org_type: str,
                               actor: User | None = None) -> tuple[Organisation, bool]:
    """The organisation with this name in this country (matched case-insensitively), created if missing."""
    if not name.strip():
        raise ServiceError(_("An organisation name is required."), "organisation")
    if country not in country_codes():
        raise ServiceError(_("Unknown country code %(code)s.", code=country), "organisation_country")
    if sector_code not in sector_codes():
        raise ServiceError(_("Unknown sector %(code)s.", code=sector_code), "sector")
    if org_type not in org_type_codes():
        raise ServiceError(_("Unknown organisation type %(code)s.", code=org_type), "org_type")
    existing = find_organisation(name, country)
    if existing is not None:
        return existing, False
    org = Organisation(**organisation_row(name, country, sector_code, org_type))
    db.session.add(org)
    db.session.flush()
    audit.record("organisation.create", obj=org, actor=actor, summary=f"{org.name} ({country})")
    return org, True


def organisation_row(name: str, country: str, sector_code: str, org_type: str) -> dict:
    """The stored columns of a new organisation (one on the page, many in an import)."""
    return {"name": " ".join(name.split()), "name_key": name_key(name), "country": country,
            "sector_code": sector_code, "org_type": org_type, "is_international": org_type == "international"}


def create_organisations(specs: Iterable[tuple[str, str, str, str]], *, actor: User | None = None,
                         ip: str | None = None, now=None) -> dict[tuple[str, str], int]:
    """Batch form of :func:`get_or_create_organisation` for organisations known to be new
    (``(name, country, sector_code, org_type)`` each): the same rows and the same audit event per
    organisation, in a few statements. Returns ``{(country, name_key): id}``."""
    now = now or utcnow()
    rows = [organisation_row(*spec) | {"created_at": now, "updated_at": now} for spec in specs]
    if not rows:
        return {}
    for chunk in chunks(rows, 1000):
        db.session.execute(Organisation.__table__.insert(), chunk)
    created = select(Organisation).where(Organisation.created_at == now)
    ids = {(country, key): org_id for org_id, country, key in db.session.execute(
        created.with_only_columns(Organisation.id, Organisation.country, Organisation.name_key))}
    audit.record_many("organisation.create", "Organisation", Organisation.id,
                      Organisation.name + " (" + Organisation.country + ")", created, actor=actor, ip=ip, at=now)
    return ids


def chunks(values: list, size: int = 900):
    """``values`` in slices of ``size`` (bound parameters per statement stay well under SQLite's limit)."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


ORGANISATION_FIELDS = ("name", "country", "sector_code", "org_type", "is_international")


def update_organisation(org: Organisation, actor: User | None = None, **values) -> Organisation:
    """Edit an organisation; refuses a rename that collides with another one in the same country."""
    before = _snapshot(org, ORGANISATION_FIELDS)
    name = values.get("name", org.name)
    country = values.get("country", org.country)
    other = find_organisation(name, country)
    if other is not None and other.id != org.id:
        raise ServiceError(_("%(name)s already exists in that country; merge the two instead.", name=other.name),
                           "name")
    for key in ORGANISATION_FIELDS:
        if key in values:
            setattr(org, key, values[key])
    org.name_key = name_key(org.name)
    db.session.flush()
    old, new = audit.diff(before, _snapshot(org, ORGANISATION_FIELDS))
    if new:
        audit.record("organisation.update", obj=org, actor=actor, summary=org.name, before=old, after=new)
    return org


def merge_organisations(keep: Organisation, duplicate: Organisation, actor: User | None = None) -> int:
    """Move every trainee of ``duplicate`` to ``keep`` and delete ``duplicate``; returns trainees moved."""
    if keep.id == duplicate.id:
        raise ServiceError(_("Choose two different organisations to merge."), "duplicate")
    moved = list(db.session.scalars(select(Trainee).where(Trainee.organisation_id == duplicate.id)))
    for trainee in moved:
        trainee.organisation_id = keep.id
    db.session.flush()
    audit.record("organisation.merge", obj=keep, actor=actor,
                 summary=f"merged {duplicate.name} (id {duplicate.id}) into {keep.name}; {len(moved)} trainees moved")
    db.session.delete(duplicate)
    db.session.flush()
    return len(moved)


TRAINEE_FIELDS = ("family_name", "given_names", "native_name", "email", "gender", "nationality",
                  "organisation_id", "job_title", "date_of_birth")


def find_trainee_by_email(email: str) -> Trainee | None:
    return db.session.scalar(select(Trainee).where(Trainee.email == (email or "").strip().lower()))


def trainee_row(organisation_id: int, values: dict) -> dict:
    """The stored columns of a new person from checked values (an e-mail already lower-case)."""
    return {"family_name": values.get("family_name") or "", "given_names": values["given_names"],
            "native_name": values.get("native_name") or "", "email": values["email"],
            "gender": values.get("gender") or "NS", "nationality": values["nationality"],
            "organisation_id": organisation_id, "job_title": values.get("job_title") or "",
            "date_of_birth": values.get("date_of_birth"), "user_id": None}


def create_trainees(people: list[tuple[int, dict]], *, actor: User | None = None, ip: str | None = None,
                    now=None) -> None:
    """Batch form of :func:`create_trainee` for checked, new people (``(organisation_id, values)`` each):
    the same rows and the same audit event per person, in a few statements."""
    if not people:
        return
    now = now or utcnow()
    rows = [trainee_row(org_id, values) | {"created_at": now, "updated_at": now} for org_id, values in people]
    for chunk in chunks(rows, 5000):
        db.session.execute(Trainee.__table__.insert(), chunk)
    audit.record_many("trainee.create", "Trainee", Trainee.id, Trainee.email,
                      select(Trainee).where(Trainee.created_at == now), actor=actor, ip=ip, at=now)


def create_trainee(organisation: Organisation, actor: User | None = None, **values) -> Trainee:
    """Create a person; the e-mail must be new (case-insensitive)."""
    email = (values.get("email") or "").strip().lower()
    if not email:
        raise ServiceError(_("An e-mail address is required."), "email")
    if find_trainee_by_email(email) is not None:
        raise ServiceError(_("A trainee with the e-mail %(email)s already exists.", email=email), "email")
    if not (values.get("given_names") or "").strip():
        raise ServiceError(_("Given names are required (put a single name here)."), "given_names")
    values["email"] = email
    trainee = Trainee(organisation=organisation, **{k: v for k, v in values.items()
                                                     if k in TRAINEE_FIELDS and k != "organisation_id"})
    db.session.add(trainee)
    db.session.flush()
    audit.record("trainee.create", obj=trainee, actor=actor, summary=email)
    return trainee


def update_trainee(trainee: Trainee, actor: User | None = None, **values) -> dict:
    """Change a trainee's fields; returns the changed fields' new values (empty if nothing changed)."""
    if "email" in values:
        values["email"] = values["email"].strip().lower()
        other = find_trainee_by_email(values["email"])
        if other is not None and other.id != trainee.id:
            raise ServiceError(_("A trainee with the e-mail %(email)s already exists.", email=values["email"]),
                               "email")
    before = _snapshot(trainee, TRAINEE_FIELDS)
    for key in TRAINEE_FIELDS:
        if key in values:
            setattr(trainee, key, values[key])
    db.session.flush()
    old, new = audit.diff(before, _snapshot(trainee, TRAINEE_FIELDS))
    if new:
        audit.record("trainee.update", obj=trainee, actor=actor, summary=trainee.email, before=old, after=new)
    return new


# --- enrolments -------------------------------------------------------------------------------

def enrol(trainee: Trainee, cohort: Cohort, status: str = "nominated", reason: str = "",
          actor: User | None = None) -> Enrolment:
    """Add a trainee to a cohort with an initial status (an event from nothing records it)."""
    if status not in STATUSES:
        raise ServiceError(_("Unknown status %(status)s.", status=status), "status")
    existing = db.session.scalar(
        select(Enrolment).where(Enrolment.trainee_id == trainee.id, Enrolment.cohort_id == cohort.id)
    )
    if existing is not None:
        raise ServiceError(_("%(name)s is already in this cohort.", name=trainee.full_name), "trainee")
    enrolment = Enrolment(trainee=trainee, cohort=cohort, status=status, status_changed_at=utcnow())
    db.session.add(enrolment)
    db.session.add(EnrolmentEvent(enrolment=enrolment, from_status=None, to_status=status,
                                  actor_id=getattr(actor, "id", None), reason=reason))
    db.session.flush()
    audit.record("enrolment.create", obj=enrolment, actor=actor,
                 summary=f"{trainee.email} → {cohort.code} ({status})")
    return enrolment


def enrol_many(cohort: Cohort, emails_by_status: dict[str, list[str]], reason: str = "", *,
               actor: User | None = None, ip: str | None = None, now=None) -> None:
    """Batch form of :func:`enrol` for people not yet in the cohort (``{status: [e-mail, …]}``): the same
    enrolment, first event and audit event per person, as INSERT … SELECT statements."""
    if not emails_by_status:
        return
    now = now or utcnow()
    columns = ("trainee_id", "cohort_id", "status", "status_changed_at", "created_at", "updated_at")
    at = literal(now, Enrolment.created_at.type)
    for status, emails in emails_by_status.items():
        for chunk in chunks(emails):
            people = select(Trainee.id, literal(cohort.id, Integer), literal(status, String), at, at, at)
            db.session.execute(insert(Enrolment).from_select(columns, people.where(Trainee.email.in_(chunk))))
    created = select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.created_at == now)
    events = created.with_only_columns(
        Enrolment.id, null(), Enrolment.status, literal(getattr(actor, "id", None), Integer), at,
        literal(reason, String), maintain_column_froms=True)
    db.session.execute(insert(EnrolmentEvent).from_select(
        ("enrolment_id", "from_status", "to_status", "actor_id", "at", "reason"), events))
    summary = Trainee.email + " → " + literal(cohort.code, String) + " (" + Enrolment.status + ")"
    audit.record_many("enrolment.create", "Enrolment", Enrolment.id, summary,
                      created.join(Trainee, Trainee.id == Enrolment.trainee_id), actor=actor, ip=ip, at=now)


def change_status(enrolment: Enrolment, target: str, reason: str = "", actor: User | None = None) -> Enrolment:
    """Move an enrolment along the status machine, storing the transition; illegal moves are refused."""
    current = enrolment.status
    if target == current:
        raise ServiceError(_("The enrolment is already %(status)s.", status=status_name(current)), "status")
    if not can_transition(current, target):
        allowed = ", ".join(status_name(s) for s in allowed_targets(current)) or _("none")
        raise ServiceError(
            _("%(from)s → %(to)s is not allowed. From %(from)s the enrolment can go to: %(allowed)s.",
              **{"from": status_name(current), "to": status_name(target), "allowed": allowed}), "status")
    enrolment.status = target
    enrolment.status_changed_at = utcnow()
    db.session.add(EnrolmentEvent(enrolment=enrolment, from_status=current, to_status=target,
                                  actor_id=getattr(actor, "id", None), reason=reason))
    db.session.flush()
    audit.record("enrolment.status", obj=enrolment, actor=actor, summary=reason,
                 before={"status": current}, after={"status": target})
    return enrolment


def bulk_change_status(enrolments: list[Enrolment], target: str, reason: str = "",
                       actor: User | None = None) -> tuple[int, list[str]]:
    """Change many enrolments; illegal ones are skipped and reported, legal ones applied."""
    changed, problems = 0, []
    for enrolment in enrolments:
        try:
            change_status(enrolment, target, reason, actor)
            changed += 1
        except ServiceError as exc:
            problems.append(f"{enrolment.trainee.full_name}: {exc.message}")
    return changed, problems


# --- attendance -------------------------------------------------------------------------------

def record_attendance(session: CohortSession, marks: dict[int, str], actor: User | None = None) -> int:
    """Set attendance for enrolments of the session's cohort ({enrolment_id: status}); returns changes.

    Refused when the cohort's attendance is locked; every change is audited with before/after.
    """
    cohort = session.cohort
    if cohort.attendance_locked:
        raise ServiceError(_("Attendance for %(code)s is locked. Unlock it first.", code=cohort.code), "status")
    valid_ids = set(db.session.scalars(select(Enrolment.id).where(Enrolment.cohort_id == cohort.id)))
    existing = {a.enrolment_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id))}
    changes: dict[int, tuple[str | None, str]] = {}
    for enrolment_id, status in marks.items():
        if enrolment_id not in valid_ids:
            raise ServiceError(_("That person is not enrolled in this cohort."), "status")
        if status not in ATTENDANCE_STATUSES:
            raise ServiceError(_("Unknown attendance status %(status)s.", status=status), "status")
        row = existing.get(enrolment_id)
        if row is None:
            db.session.add(Attendance(session_id=session.id, enrolment_id=enrolment_id, status=status,
                                      recorded_by_id=getattr(actor, "id", None)))
            changes[enrolment_id] = (None, status)
        elif row.status != status:
            changes[enrolment_id] = (row.status, status)
            row.status, row.recorded_by_id, row.recorded_at = status, getattr(actor, "id", None), utcnow()
    db.session.flush()
    if changes:
        audit.record("attendance.update", obj=session, actor=actor, summary=f"{cohort.code} {session.date}",
                     before={str(k): v[0] for k, v in changes.items()},
                     after={str(k): v[1] for k, v in changes.items()})
    return len(changes)


def set_attendance_lock(cohort: Cohort, locked: bool, actor: User | None = None) -> None:
    """Lock or unlock a cohort's attendance sheets."""
    cohort.attendance_locked = locked
    db.session.flush()
    audit.record("attendance.lock" if locked else "attendance.unlock", obj=cohort, actor=actor, summary=cohort.code)


# --- portal invitations -----------------------------------------------------------------------

#: Enrolment statuses whose trainees a cohort-wide invitation reaches.
INVITE_STATUSES = ("accepted", "confirmed")


@dataclass(frozen=True)
class Invitation:
    """The outcome of inviting one trainee: the portal user, the raw link token and what happened."""

    trainee: Trainee
    user: User
    token: str
    purpose: str  # "invite" (no password yet) or "reset" (the account is already in use)
    created: bool  # a new portal user was created


def invite_trainee(trainee: Trainee, actor: User | None = None) -> Invitation:
    """Give a trainee a portal account (created or linked on first use) and a one-time link to set a password.

    Refused, before anything is written, when the trainee's e-mail belongs to a staff account, to a
    portal account of another trainee, or when the linked account has been deactivated.
    """
    user, created = trainee.user, False
    if user is None:
        user = account_services.find_user_by_email(trainee.email)
        if user is not None:
            other = db.session.scalar(select(Trainee).where(Trainee.user_id == user.id))
            if other is not None and other.id != trainee.id:
                raise ServiceError(_("The portal account %(email)s is already linked to %(name)s.",
                                     email=user.email, name=other.full_name), "email")
    if user is not None and user.role != "trainee":
        raise ServiceError(_("%(email)s belongs to a staff account (%(role)s), so it cannot be used for the "
                             "trainee portal. Give the trainee a different e-mail address first.",
                             email=user.email, role=user.role), "email")
    if user is not None and not user.active:
        raise ServiceError(_("The portal account of %(name)s is deactivated. An administrator can reactivate it "
                             "on the Users page.", name=trainee.full_name), "email")
    if user is None:
        user = account_services.create_user(trainee.email, "trainee", display_name=trainee.full_name, actor=actor)
        created = True
    if trainee.user_id != user.id:
        trainee.user = user
        db.session.flush()
    purpose = "reset" if user.password_hash else "invite"
    token = account_services.issue_password_token(user, purpose, actor)
    audit.record("trainee.invite", obj=trainee, actor=actor, summary=f"{trainee.email} ({purpose} link)",
                 after={"user_id": user.id, "new_account": created})
    return Invitation(trainee=trainee, user=user, token=token, purpose=purpose, created=created)


def cohort_invitees(cohort: Cohort) -> tuple[list[Trainee], int]:
    """Accepted or confirmed trainees of a cohort without a portal account, and how many already have one."""
    rows = db.session.execute(
        select(Trainee, Trainee.user_id.is_not(None))
        .join(Enrolment, Enrolment.trainee_id == Trainee.id)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.status.in_(INVITE_STATUSES))
        .order_by(Trainee.family_name, Trainee.given_names, Trainee.id)
    ).all()
    return [t for t, linked in rows if not linked], sum(1 for _t, linked in rows if linked)


def invite_cohort(cohort: Cohort, actor: User | None = None) -> tuple[list[Invitation], int, list[str]]:
    """Invite every accepted or confirmed trainee of the cohort who has no portal account yet.

    Returns (invitations, number who already had an account, problems as "name: message" lines);
    a trainee who cannot be invited is skipped and reported, the others are invited.
    """
    pending, already = cohort_invitees(cohort)
    invitations, problems = [], []
    for trainee in pending:
        try:
            invitations.append(invite_trainee(trainee, actor))
        except ServiceError as exc:
            problems.append(f"{trainee.full_name}: {exc.message}")
    if invitations or problems:
        audit.record("cohort.invite", obj=cohort, actor=actor, summary=cohort.code,
                     after={"invited": len(invitations), "already": already, "refused": len(problems)})
    return invitations, already, problems
