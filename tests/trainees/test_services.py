"""Services behind the organiser pages: capacity, cohort and session rules, organisations, trainees,
attendance and its lock."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.errors import ServiceError
from tests import factories
from trainees import services
from trainees.models import Attendance, CohortSession, Organisation, Trainee


def _actions(db, prefix):
    return [e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like(f"{prefix}%"))
                                          .order_by(AuditEvent.id))]


def _cohort_values(**changes):
    values = {"code": "CS-2024-01", "title": "CSIRT basics", "modality": "invitation_jp", "host_country": "JP",
              "start_date": date(2024, 6, 3), "end_date": date(2024, 6, 14), "capacity": 20}
    return values | changes


# --- capacity ---------------------------------------------------------------------------------

def test_seats_count_every_open_or_counted_status_but_not_waitlisted_rejected_withdrawn_no_show(db):
    cohort = factories.cohort(capacity=4)
    for status in ("nominated", "accepted", "confirmed", "completed", "incomplete"):
        factories.enrolment(cohort_obj=cohort, status=status)
    for status in ("waitlisted", "rejected", "withdrawn", "no_show"):
        factories.enrolment(cohort_obj=cohort, status=status)
    assert services.counted_or_open_count(cohort) == 5
    assert services.is_over_capacity(cohort)
    cohort.capacity = 5
    assert not services.is_over_capacity(cohort)
    cohort.capacity = None
    assert not services.is_over_capacity(cohort)


# --- cohorts ----------------------------------------------------------------------------------

def test_create_cohort_derives_fiscal_year_and_training_days_and_audits(db):
    programme = factories.programme()
    cohort = services.create_cohort(programme, **_cohort_values(start_date=date(2025, 3, 30),
                                                                end_date=date(2025, 4, 2)))
    assert cohort.fiscal_year == 2024  # starts in March: still FY2024
    assert cohort.training_days == 4
    assert _actions(db, "cohort.create")[0].summary == "CS-2024-01"


@pytest.mark.parametrize(("changes", "field", "text"), [
    ({"end_date": date(2024, 6, 1)}, "end_date", "before the start date"),
    ({"start_date": None}, "start_date", "start date"),
    ({"end_date": "2024-06-10"}, "end_date", "end date"),
    ({"code": "  "}, "code", "code is required"),
    ({"modality": "teleport"}, "modality", "modality"),
    ({"host_country": "XX"}, "host_country", "Unknown country"),
    ({"capacity": 0}, "capacity", "at least 1"),
])
def test_create_cohort_refuses_bad_values_with_the_field(db, changes, field, text):
    with pytest.raises(ServiceError) as info:
        services.create_cohort(factories.programme(), **_cohort_values(**changes))
    assert info.value.field == field
    assert text in info.value.message


def test_cohort_codes_are_unique_case_insensitively_also_on_update(db):
    programme = factories.programme()
    services.create_cohort(programme, **_cohort_values(code="AB-1"))
    with pytest.raises(ServiceError, match="already exists"):
        services.create_cohort(programme, **_cohort_values(code="ab-1"))
    other = services.create_cohort(programme, **_cohort_values(code="AB-2"))
    with pytest.raises(ServiceError, match="already exists"):
        services.update_cohort(other, code="AB-1")
    services.update_cohort(other, code="AB-2", title="Renamed")  # its own code is fine
    assert other.title == "Renamed"


def test_update_cohort_refuses_end_before_start_and_leaves_the_cohort_unchanged(db):
    cohort = factories.cohort()
    with pytest.raises(ServiceError) as info:
        services.update_cohort(cohort, end_date=date(2024, 5, 1))
    assert info.value.field == "end_date"
    assert cohort.end_date == date(2024, 6, 7)


def test_move_cohort_to_another_programme_is_audited(db):
    cohort = factories.cohort()
    target = factories.programme(code="NEWPRG")
    assert services.move_cohort(cohort, target) is True
    assert cohort.programme_id == target.id
    assert _actions(db, "cohort.update")[-1].changes["after"] == {"programme": "NEWPRG"}
    assert services.move_cohort(cohort, target) is False


# --- programmes -------------------------------------------------------------------------------

def test_organiser_names_by_fiscal_year(db):
    programme = services.create_programme("ASEAN-CS", "ASEAN cyber", organiser_names=[(2012, "HIDA"),
                                                                                       (2017, "AOTS")])
    assert programme.organiser_name_for(2015) == "HIDA"
    assert programme.organiser_name_for(2016) == "HIDA"
    assert programme.organiser_name_for(2017) == "AOTS"
    assert programme.organiser_name_for(2024) == "AOTS"


def test_set_organiser_names_replaces_the_history_and_audits(db):
    programme = factories.programme()  # HIDA 2012, AOTS 2017
    assert services.set_organiser_names(programme, [(2012, "HIDA"), (2017, "AOTS")]) is False
    assert services.set_organiser_names(programme, [(2013, "HIDA (new)"), (2017, "AOTS")]) is True
    db.session.expire_all()
    assert [(e.from_fy, e.name) for e in programme.organiser_names] == [(2013, "HIDA (new)"), (2017, "AOTS")]
    event = _actions(db, "programme.organiser_name")[-1]
    assert event.changes["before"] == {"FY2012": "HIDA", "FY2017": "AOTS"}
    with pytest.raises(ServiceError, match="twice"):
        services.set_organiser_names(programme, [(2013, "A"), (2013, "B")])


def test_programme_code_must_be_unique(db):
    services.create_programme("P1", "One")
    with pytest.raises(ServiceError) as info:
        services.create_programme("p1", "Again")
    assert info.value.field == "code"


# --- sessions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("day", [date(2024, 6, 2), date(2024, 6, 8)])
def test_a_session_outside_the_cohort_dates_is_refused(db, day):
    cohort = factories.cohort()  # 3–7 June 2024
    with pytest.raises(ServiceError) as info:
        services.add_session(cohort, date=day, title="Too early or late")
    assert info.value.field == "date" and "2024-06-03 – 2024-06-07" in info.value.message


def test_a_session_ending_before_it_starts_is_refused(db):
    cohort = factories.cohort()
    with pytest.raises(ServiceError) as info:
        services.add_session(cohort, date=date(2024, 6, 4), title="X", start_time=time(10), end_time=time(9))
    assert info.value.field == "end_time"


def test_update_session_keeps_the_same_rules_and_audits_changes(db):
    cohort = factories.cohort()
    session = services.add_session(cohort, date=date(2024, 6, 4), title="Intro")
    with pytest.raises(ServiceError):
        services.update_session(session, date=date(2024, 7, 1))
    assert session.date == date(2024, 6, 4)
    services.update_session(session, title="Introduction", date=date(2024, 6, 5))
    event = _actions(db, "session.update")[-1]
    assert event.changes == {"before": {"date": "2024-06-04", "title": "Intro"},
                             "after": {"date": "2024-06-05", "title": "Introduction"}}


def test_delete_session_removes_its_marks_and_is_refused_when_locked(db):
    cohort = factories.cohort()
    session = factories.session(cohort)
    factories.attendance(session, factories.enrolment(cohort_obj=cohort))
    services.set_attendance_lock(cohort, True)
    with pytest.raises(ServiceError, match="locked"):
        services.delete_session(session)
    services.set_attendance_lock(cohort, False)
    assert services.delete_session(session) == 1
    assert db.session.scalar(select(func.count(Attendance.id))) == 0
    assert db.session.scalar(select(func.count(CohortSession.id)).where(CohortSession.cohort_id == cohort.id)) == 0
    assert "1 attendance marks deleted" in _actions(db, "session.delete")[-1].summary


# --- organisations ----------------------------------------------------------------------------

def test_get_or_create_matches_names_case_and_width_insensitively_within_a_country(db):
    org, created = services.get_or_create_organisation("Viet Nam CERT", "VN", "GOV", "national_csirt")
    assert created
    same, created_again = services.get_or_create_organisation("  viet  nam cert ", "VN", "GOV", "national_csirt")
    assert same.id == org.id and not created_again
    other, created_elsewhere = services.get_or_create_organisation("Viet Nam CERT", "LA", "GOV", "national_csirt")
    assert created_elsewhere and other.id != org.id


@pytest.mark.parametrize(("args", "field"), [
    (("", "VN", "GOV", "government"), "organisation"),
    (("X", "QQ", "GOV", "government"), "organisation_country"),
    (("X", "VN", "ZZZ", "government"), "sector"),
    (("X", "VN", "GOV", "cult"), "org_type"),
])
def test_get_or_create_organisation_validates_codes(db, args, field):
    with pytest.raises(ServiceError) as info:
        services.get_or_create_organisation(*args)
    assert info.value.field == field


def test_merge_moves_every_trainee_and_deletes_the_duplicate(db):
    keep = factories.organisation("Bank of Laos", country="LA")
    duplicate = factories.organisation("Bank of the Lao PDR", country="LA")
    moved = [factories.trainee(duplicate) for _ in range(3)]
    staying = factories.trainee(keep)
    assert services.merge_organisations(keep, duplicate) == 3
    db.session.expire_all()
    assert {t.organisation_id for t in moved} | {staying.organisation_id} == {keep.id}
    assert db.session.get(Organisation, duplicate.id) is None
    assert "3 trainees moved" in _actions(db, "organisation.merge")[-1].summary


def test_merge_with_itself_is_refused(db):
    org = factories.organisation()
    with pytest.raises(ServiceError, match="two different"):
        services.merge_organisations(org, org)


def test_renaming_an_organisation_onto_another_in_the_same_country_is_refused(db):
    factories.organisation("NCSA", country="TH")
    other = factories.organisation("ETDA", country="TH")
    with pytest.raises(ServiceError) as info:
        services.update_organisation(other, name="ncsa")
    assert info.value.field == "name" and "merge" in info.value.message


# --- trainees ---------------------------------------------------------------------------------

def test_duplicate_email_is_refused_case_insensitively_on_create_and_update(db):
    org = factories.organisation()
    services.create_trainee(org, given_names="Ana", email="Ana@Example.org", nationality="PH")
    with pytest.raises(ServiceError) as info:
        services.create_trainee(org, given_names="Ana 2", email=" ANA@example.ORG ", nationality="PH")
    assert info.value.field == "email" and "already exists" in info.value.message
    other = services.create_trainee(org, given_names="Ben", email="ben@example.org", nationality="PH")
    with pytest.raises(ServiceError) as info:
        services.update_trainee(other, email="ana@EXAMPLE.org")
    assert info.value.field == "email"
    assert db.session.scalar(select(func.count(Trainee.id)).where(Trainee.email == "ana@example.org")) == 1


def test_enrolling_twice_is_refused(db):
    enrolment = factories.enrolment()
    with pytest.raises(ServiceError) as info:
        services.enrol(enrolment.trainee, enrolment.cohort)
    assert info.value.field == "trainee"


# --- attendance -------------------------------------------------------------------------------

def test_record_attendance_creates_and_changes_marks_with_an_audit_of_each_change(db):
    cohort = factories.cohort()
    session = factories.session(cohort)
    a, b = (factories.enrolment(cohort_obj=cohort) for _ in range(2))
    assert services.record_attendance(session, {a.id: "present", b.id: "absent"}) == 2
    assert services.record_attendance(session, {a.id: "present", b.id: "late"}) == 1
    events = _actions(db, "attendance.update")
    assert len(events) == 2
    assert events[-1].changes == {"before": {str(b.id): "absent"}, "after": {str(b.id): "late"}}


def test_attendance_lock_refuses_changes_until_unlocked(db):
    cohort = factories.cohort()
    session = factories.session(cohort)
    enrolment = factories.enrolment(cohort_obj=cohort)
    services.record_attendance(session, {enrolment.id: "present"})
    services.set_attendance_lock(cohort, True)
    with pytest.raises(ServiceError, match="locked"):
        services.record_attendance(session, {enrolment.id: "absent"})
    assert db.session.scalar(select(Attendance.status)) == "present"
    services.set_attendance_lock(cohort, False)
    services.record_attendance(session, {enrolment.id: "absent"})
    assert db.session.scalar(select(Attendance.status)) == "absent"
    assert [e.action for e in _actions(db, "attendance.")][-3:] == [
        "attendance.lock", "attendance.unlock", "attendance.update"]


def test_attendance_for_someone_outside_the_cohort_is_refused(db):
    session = factories.session(factories.cohort())
    stranger = factories.enrolment()
    with pytest.raises(ServiceError, match="not enrolled"):
        services.record_attendance(session, {stranger.id: "present"})
