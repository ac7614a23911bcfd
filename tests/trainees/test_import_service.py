"""Matching, classification and writing of imports against the database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from tests import factories
from trainees.imports.reader import parse_file
from trainees.imports.service import apply_import, plan_import, preview_result
from trainees.models import Enrolment, EnrolmentEvent, Organisation, Trainee

from .import_files import csv_bytes, row, xlsx_bytes


def _plan(cohort, rows, name="trainees.xlsx"):
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return plan_import(parse_file(data, name), cohort)


def _import(cohort, rows, actor=None, skip_invalid=False, name="trainees.xlsx"):
    return apply_import(_plan(cohort, rows, name), actor=actor, skip_invalid=skip_invalid)


def _counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Trainee, Organisation, Enrolment, EnrolmentEvent, AuditEvent)}


def _kinds(plan) -> list[str]:
    return [r.kind for r in plan.rows]


def test_new_rows_create_people_organisations_enrolments_history_and_audit(db):
    cohort = factories.cohort()
    actor = factories.user()
    rows = [row(email="An@Example.VN", organisation="VNCERT", status=""),
            row(organisation="vncert ", status="confirmed"),
            row(organisation="VNCERT", nationality="TH", organisation_country="VN"),
            row(organisation="ThaiCERT", nationality="TH", sector="Finance", org_type="regulator")]
    result = _import(cohort, rows, actor=actor)
    assert result.summary == "imported: 4, updated: 0, invalid: 0" and result.written
    people = db.session.scalars(select(Trainee).order_by(Trainee.id)).all()
    assert [t.email for t in people][0] == "an@example.vn"
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    assert [(o.name, o.country, o.sector_code, o.org_type) for o in orgs] == [
        ("ThaiCERT", "TH", "FIN", "regulator"), ("VNCERT", "VN", "ICT", "national_csirt")]
    assert {t.organisation_id for t in people[:3]} == {orgs[1].id}
    enrolments = db.session.scalars(select(Enrolment).order_by(Enrolment.trainee_id)).all()
    assert [e.status for e in enrolments] == ["nominated", "confirmed", "nominated", "nominated"]
    assert {e.cohort_id for e in enrolments} == {cohort.id}
    events = db.session.scalars(select(EnrolmentEvent)).all()
    assert len(events) == 4
    assert all(e.from_status is None and e.actor_id == actor.id and "trainees.xlsx" in e.reason for e in events)
    assert {e.enrolment_id: e.to_status for e in events} == {e.id: e.status for e in enrolments}
    audit = db.session.scalars(select(AuditEvent)).all()
    by_action = {}
    for event in audit:
        by_action.setdefault(event.action, []).append(event)
    assert {a: len(v) for a, v in by_action.items()} == {"organisation.create": 2, "trainee.create": 4,
                                                         "enrolment.create": 4, "trainee.import": 1}
    assert all(e.actor_id == actor.id and e.actor_email == actor.email for e in audit)
    creates = {e.object_id: e.summary for e in by_action["trainee.create"]}
    assert creates[str(people[0].id)] == "an@example.vn"
    assert f"an@example.vn → {cohort.code} (nominated)" in {e.summary for e in by_action["enrolment.create"]}
    assert "VNCERT (VN)" in {e.summary for e in by_action["organisation.create"]}
    assert by_action["trainee.import"][0].summary == \
        f"trainees.xlsx → {cohort.code}: imported: 4, updated: 0, invalid: 0"


def test_stored_values_of_a_new_trainee(db):
    cohort = factories.cohort()
    _import(cohort, [row(family_name="", given_names="Sokha", email="sokha@example.kh", gender="", nationality="KHM",
                         organisation="MPTC", job_title="", date_of_birth=date(1988, 2, 29))])
    trainee = db.session.scalar(select(Trainee))
    assert (trainee.family_name, trainee.given_names, trainee.gender, trainee.nationality, trainee.job_title,
            trainee.date_of_birth) == ("", "Sokha", "NS", "KH", "", date(1988, 2, 29))
    assert trainee.full_name == "Sokha"


def test_existing_people_and_organisations_are_matched_case_insensitively(db):
    cohort = factories.cohort()
    org = factories.organisation(name="Bank of Thailand", country="TH", sector_code="FIN", org_type="regulator")
    person = factories.trainee(org, email="somchai@bot.or.th", family_name="Chaiyaporn", given_names="Somchai",
                               gender="M", nationality="TH", job_title="Analyst")
    other_country = factories.organisation(name="Bank of Thailand", country="LA")
    plan = _plan(cohort, [row(email="SOMCHAI@BOT.OR.TH", family_name="Chaiyaporn", given_names="Somchai",
                              nationality="TH", organisation="BANK OF  THAILAND", sector="FIN", org_type="regulator",
                              job_title="Analyst", gender="M", date_of_birth="")])
    assert _kinds(plan) == ["update"]  # same person, but not yet in this cohort
    assert plan.rows[0].trainee is person and plan.rows[0].changes == {}
    assert plan.rows[0].enrol_status == "nominated"
    apply_import(plan)
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2
    assert db.session.scalar(select(Enrolment.trainee_id)) == person.id
    assert person.organisation_id == org.id != other_country.id


def test_changed_fields_make_an_update_through_the_service_with_before_and_after(db):
    cohort = factories.cohort()
    org = factories.organisation(name="VNCERT", country="VN", sector_code="ICT", org_type="national_csirt")
    person = factories.trainee(org, email="an@example.vn", family_name="Nguyen", given_names="Van An",
                               nationality="VN", gender="M", job_title="Engineer", date_of_birth=date(1990, 5, 14))
    factories.enrolment(person, cohort, status="nominated")
    plan = _plan(cohort, [row(email="an@example.vn", family_name="", given_names="Van An", gender="", nationality="VN",
                              organisation="NCSC Viet Nam", sector="GOV", org_type="government",
                              job_title="Team lead", date_of_birth="")])
    assert _kinds(plan) == ["update"]
    assert plan.rows[0].changes == {"job_title": ("Engineer", "Team lead"),
                                    "organisation": ("VNCERT", "NCSC Viet Nam")}
    result = apply_import(plan)
    assert result.summary == "imported: 0, updated: 1, invalid: 0"
    db.session.expire_all()
    assert person.job_title == "Team lead"
    assert person.organisation.name == "NCSC Viet Nam"
    # empty optional cells kept what was stored
    assert (person.family_name, person.gender, person.date_of_birth) == ("Nguyen", "M", date(1990, 5, 14))
    update = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "trainee.update"))
    assert update.changes["before"]["job_title"] == "Engineer"
    assert update.changes["after"]["job_title"] == "Team lead"


def test_reimporting_the_same_file_changes_nothing(db):
    cohort = factories.cohort()
    rows = [row(), row(status="accepted"), row(organisation="ThaiCERT", nationality="TH"), row(gender="")]
    assert _import(cohort, rows, name="a.csv").summary == "imported: 4, updated: 0, invalid: 0"
    before = _counts(db)
    plan = _plan(cohort, rows, "a.csv")
    assert _kinds(plan) == ["unchanged"] * 4
    result = apply_import(plan)
    assert result.summary == "imported: 0, updated: 0, invalid: 0" and not result.written
    assert _counts(db) == before


def test_one_invalid_row_means_nothing_is_written(db):
    cohort = factories.cohort()
    before = _counts(db)
    result = _import(cohort, [row(), row(email="broken"), row()])
    assert result.summary == "imported: 0, updated: 0, invalid: 1"
    assert result.refused and not result.written
    assert _counts(db) == before
    assert result.plan.problems() == ["row 3: email: “broken” is not a valid e-mail address."]


def test_skip_invalid_writes_the_valid_rows_and_reports_the_others(db):
    cohort = factories.cohort()
    result = _import(cohort, [row(email="ok1@example.org"), row(email="broken"), row(email="ok2@example.org")],
                     skip_invalid=True)
    assert result.summary == "imported: 2, updated: 0, invalid: 1"
    assert not result.refused and result.written
    assert set(db.session.scalars(select(Trainee.email))) == {"ok1@example.org", "ok2@example.org"}


def test_skip_invalid_with_every_row_invalid_is_refused(db):
    cohort = factories.cohort()
    result = _import(cohort, [row(email="broken"), row(nationality="Atlantis")], skip_invalid=True)
    assert result.refused and result.summary == "imported: 0, updated: 0, invalid: 2"
    assert db.session.scalar(select(func.count()).select_from(Trainee)) == 0


def test_preview_counts_match_what_apply_writes_and_preview_writes_nothing(db):
    cohort = factories.cohort()
    factories.trainee(email="known@example.org")
    before = _counts(db)
    plan = _plan(cohort, [row(), row(email="known@example.org"), row(email="bad")])
    assert preview_result(plan, skip_invalid=True).summary == "imported: 1, updated: 1, invalid: 1"
    assert preview_result(plan).summary == "imported: 0, updated: 0, invalid: 1"
    assert _counts(db) == before
    assert apply_import(plan, skip_invalid=True).summary == "imported: 1, updated: 1, invalid: 1"


@pytest.mark.parametrize(("current", "in_file", "kind", "final"), [
    ("nominated", "accepted", "update", "accepted"),       # legal step: applied with history
    ("confirmed", "completed", "update", "completed"),
    ("confirmed", "nominated", "unchanged", "confirmed"),  # the file is older than the record: left alone
    ("accepted", "nominated", "unchanged", "accepted"),
    ("rejected", "accepted", "invalid", "rejected"),       # impossible: the row is invalid
    ("nominated", "completed", "invalid", "nominated"),
    ("confirmed", "", "unchanged", "confirmed"),            # empty status: keep
])
def test_status_of_an_existing_enrolment(db, current, in_file, kind, final):
    cohort = factories.cohort()
    org = factories.organisation(name="VNCERT", country="VN", sector_code="ICT", org_type="national_csirt")
    person = factories.trainee(org, email="an@example.vn", family_name="Nguyen", given_names="An", gender="M",
                               nationality="VN", job_title="Engineer")
    enrolment = factories.enrolment(person, cohort, status=current)
    plan = _plan(cohort, [row(email="an@example.vn", family_name="Nguyen", given_names="An", gender="M",
                              job_title="Engineer", date_of_birth="", status=in_file)])
    assert _kinds(plan) == [kind]
    apply_import(plan, skip_invalid=True)
    db.session.expire_all()
    assert enrolment.status == final
    events = db.session.scalars(select(EnrolmentEvent).where(EnrolmentEvent.enrolment_id == enrolment.id)
                                .order_by(EnrolmentEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events][1:] == ([(current, final)] if current != final else [])
    if kind == "invalid":
        assert "cannot change to" in plan.rows[0].errors[0].message
    if current in ("confirmed", "accepted") and in_file == "nominated":
        assert "left alone" in plan.rows[0].notes[0].message


def test_a_row_found_invalid_while_matching_creates_no_organisation(db):
    cohort = factories.cohort()
    person = factories.trainee(email="an@example.vn")
    factories.enrolment(person, cohort, status="rejected")
    plan = _plan(cohort, [row(email="an@example.vn", organisation="Brand New Org", status="accepted"), row()])
    assert _kinds(plan) == ["invalid", "new"]
    assert list(plan.new_orgs) == [("VN", "vncert")]
    apply_import(plan, skip_invalid=True)
    assert set(db.session.scalars(select(Organisation.name))) == {person.organisation.name, "VNCERT"}


def test_an_existing_organisation_keeps_its_sector_with_a_note(db):
    cohort = factories.cohort()
    org = factories.organisation(name="EVN", country="VN", sector_code="ELE", org_type="soe")
    plan = _plan(cohort, [row(organisation="EVN", sector="ICT", org_type="private")])
    assert "recorded with sector ELE and type soe" in plan.rows[0].notes[0].message
    apply_import(plan)
    db.session.expire_all()
    assert (org.sector_code, org.org_type) == ("ELE", "soe")
    assert db.session.scalar(select(Trainee.organisation_id)) == org.id


def test_capacity_overflow_is_noted(db):
    cohort = factories.cohort(capacity=2)
    factories.enrolment(cohort_obj=cohort, status="confirmed")
    plan = _plan(cohort, [row(), row()])
    assert any("3 participants for a capacity of 2" in note for note in plan.notes)


def test_matching_uses_a_constant_number_of_queries(db, count_queries):
    cohort = factories.cohort()
    for n in range(30):
        factories.trainee(email=f"existing{n}@example.org")
    small = parse_file(csv_bytes([row(email=f"existing{n}@example.org") for n in range(5)] + [row()]), "a.csv")
    large = parse_file(csv_bytes([row(email=f"existing{n}@example.org") for n in range(30)]
                                 + [row(organisation=f"Org {n}") for n in range(300)]), "a.csv")
    with count_queries() as few:
        plan_import(small, cohort)
    with count_queries() as many:
        plan = plan_import(large, cohort)
    assert few.count == many.count <= 4
    assert plan.counts == {"new": 300, "update": 30, "unchanged": 0, "invalid": 0}


def test_writing_uses_a_constant_number_of_statements(db, count_queries):
    def statements(n: int) -> int:
        cohort = factories.cohort()
        plan = _plan(cohort, [row(organisation=f"Org {i % 7}") for i in range(n)])
        with count_queries() as counter:
            apply_import(plan)
        return counter.count

    assert statements(5) == statements(120)


def test_import_writes_the_same_audit_events_as_the_page_services_with_the_actor_and_address_passed_in(app, db):
    """The import goes through the services' batch functions: actor and client address are arguments, the
    audit events match those of get_or_create_organisation / create_trainee / enrol (action, object, summary)."""
    from trainees import services

    cohort = factories.cohort()
    actor = factories.user()
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.1"}):  # not the address passed in
        apply_import(_plan(cohort, [row(email="batch@example.vn", organisation="Batch Org", status="accepted")]),
                     actor=actor, ip="198.51.100.7")
    imported = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
        ("organisation.create", "trainee.create", "enrolment.create")))).all()
    assert {(e.action, e.actor_id, e.ip_address) for e in imported} == {
        (action, actor.id, "198.51.100.7") for action in ("organisation.create", "trainee.create", "enrolment.create")}

    org, _created = services.get_or_create_organisation("Page Org", "VN", "ICT", "government", actor=actor)
    trainee = services.create_trainee(org, actor=actor, email="page@example.vn", given_names="Page",
                                      nationality="VN")
    services.enrol(trainee, cohort, "accepted", actor=actor)
    db.session.flush()
    by_action = {e.action: e for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))}
    batch = {e.action: e for e in imported}
    assert by_action["organisation.create"].summary == "Page Org (VN)"
    assert batch["organisation.create"].summary == "Batch Org (VN)"
    assert batch["trainee.create"].summary == "batch@example.vn"
    assert by_action["trainee.create"].summary == "page@example.vn"
    assert batch["enrolment.create"].summary == f"batch@example.vn → {cohort.code} (accepted)"
    assert by_action["enrolment.create"].summary == f"page@example.vn → {cohort.code} (accepted)"
    for action in batch:
        assert batch[action].object_type == by_action[action].object_type


def test_a_name_damaged_by_a_code_page_round_trip_is_not_written(db):
    cohort = factories.cohort()
    person = factories.trainee(email="an@example.vn", family_name="Nguyễn", given_names="Văn An")
    factories.enrolment(person, cohort)
    db.session.commit()
    plan = _plan(cohort, [row(email="an@example.vn", family_name="Nguy?n", given_names="V\ufffdn An",
                              job_title="Team lead", nationality=person.nationality,
                              organisation=person.organisation.name,
                              organisation_country=person.organisation.country)])
    (row_plan,) = plan.rows
    assert "family_name" not in row_plan.changes and "given_names" not in row_plan.changes
    assert {p.column for p in row_plan.notes} >= {"family_name", "given_names"}
    assert "the stored name was kept" in next(p.message for p in row_plan.notes if p.column == "family_name")
    apply_import(plan)
    db.session.expire_all()
    stored = db.session.get(Trainee, person.id)
    assert (stored.family_name, stored.given_names, stored.job_title) == ("Nguyễn", "Văn An", "Team lead")
