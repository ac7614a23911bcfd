"""Scenario library: services and pages (create, edit, parts, attachments, delete, list)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.errors import ServiceError
from exercises.models import ExerciseRun, Scenario, ScenarioInject
from exercises.services import library
from tests import factories
from tests.exercises import builders

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _audit(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_create_scenario_page_saves_and_audits(client, db, login_as):
    login_as("organiser")
    response = client.post("/exercises/scenarios/new", data={
        "title": "Port DDoS", "summary": "At {COUNTRY}'s port", "sector_code": "PRT", "threat_type": "DDoS",
        "tlp": "GREEN", "t0_clock": "08:15"})
    assert response.status_code == 302
    scenario = db.session.scalar(select(Scenario).where(Scenario.title == "Port DDoS"))
    assert scenario.tlp == "GREEN" and scenario.t0_clock == "08:15" and scenario.sector_code == "PRT"
    assert len(_audit(db, "scenario.create")) == 1
    page = client.get(f"/exercises/scenarios/{scenario.id}").get_data(as_text=True)
    assert "{COUNTRY}" in page and "TLP:GREEN" in page


def test_bad_scenario_input_is_shown_next_to_the_field_and_kept(client, db, login_as):
    login_as("organiser")
    response = client.post("/exercises/scenarios/new", data={
        "title": "Kept title", "tlp": "GREEN", "t0_clock": "25:99", "sector_code": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use a clock time between 00:00 and 23:59" in html and 'value="Kept title"' in html
    assert db.session.scalar(select(Scenario).where(Scenario.title == "Kept title")) is None


def test_inject_form_validates_scenario_time_and_parses_expected_actions(client, db, login_as):
    login_as("organiser")
    scenario = builders.scenario()
    db.session.commit()
    url = f"/exercises/scenarios/{scenario.id}/inject/new"
    bad = client.post(url, data={"scenario_time": "Day 0 09:00", "title": "Late", "channel": "email"})
    assert bad.status_code == 200 and "Days are counted from Day 1" in bad.get_data(as_text=True)
    good = client.post(url, data={
        "scenario_time": "Day 3 14:00", "title": "Leak", "channel": "social", "planned_offset_minutes": "90",
        "expected_actions": "DPO: Notify patients\n- Legal: Request takedown", "body": "Data **posted**"})
    assert good.status_code == 302
    inject = db.session.scalar(select(ScenarioInject).where(ScenarioInject.title == "Leak"))
    assert inject.scenario_minutes == 2 * 1440 + 14 * 60 - 400
    assert inject.expected_actions == [{"role": "DPO", "action": "Notify patients"},
                                       {"role": "Legal", "action": "Request takedown"}]
    assert inject.position == 5  # appended after the four existing injects
    edit = client.get(f"/exercises/scenarios/{scenario.id}/inject/{inject.id}/edit").get_data(as_text=True)
    assert "DPO: Notify patients" in edit


def test_objective_must_map_to_csf_or_first(db):
    scenario = builders.scenario()
    with pytest.raises(ServiceError) as info:
        library.add_objective(scenario, text="Unmapped objective")
    assert info.value.field == "csf_function"
    with pytest.raises(ServiceError):
        library.add_objective(scenario, text="Bad service", first_service="99.9")
    assert library.add_objective(scenario, text="FIRST only", first_service="9.3").csf_function is None


def test_attachments_are_type_checked_and_downloadable(client, db, login_as):
    login_as("organiser")
    scenario = builders.scenario()
    inject = db.session.scalars(select(ScenarioInject).where(ScenarioInject.scenario_id == scenario.id)).first()
    db.session.commit()
    url = f"/exercises/scenarios/{scenario.id}/inject/{inject.id}/edit"
    data = {"scenario_time": inject.scenario_time, "title": inject.title, "channel": inject.channel}
    from io import BytesIO

    exe = client.post(url, data={**data, "attachment": (BytesIO(b"MZ\x90\x00\x03\x00\x00"), "tool.exe")},
                      content_type="multipart/form-data")
    assert exe.status_code == 200 and "Attach a PDF, PNG or JPEG" in exe.get_data(as_text=True)
    png = client.post(url, data={**data, "attachment": (BytesIO(PNG), "../../evil/log.png")},
                      content_type="multipart/form-data")
    assert png.status_code == 302
    db.session.expire_all()
    inject = db.session.get(ScenarioInject, inject.id)
    assert inject.attachment.filename == "log.png" and inject.attachment.content_type == "image/png"
    from core import filestore

    assert filestore.get(inject.attachment.file_key, kind="inject_attachment").data == PNG  # in the one store
    download = client.get(f"/exercises/scenarios/attachments/{inject.attachment_id}")
    assert download.data == PNG and download.headers["Content-Disposition"] == "attachment; filename=log.png"
    assert download.mimetype == "image/png" and download.headers["Cache-Control"] == "no-store, private"
    assert client.get("/exercises/scenarios/attachments/999999").status_code == 404


def test_parts_of_another_scenario_are_not_found(client, db, login_as):
    login_as("organiser")
    one, two = builders.scenario("One"), builders.scenario("Two")
    inject = db.session.scalars(select(ScenarioInject).where(ScenarioInject.scenario_id == two.id)).first()
    db.session.commit()
    assert client.get(f"/exercises/scenarios/{one.id}/inject/{inject.id}/edit").status_code == 404
    assert client.post(f"/exercises/scenarios/{one.id}/inject/{inject.id}/delete").status_code == 404
    assert client.get(f"/exercises/scenarios/{two.id}/inject/{inject.id}/edit").status_code == 200


def test_deleting_a_scenario_after_confirmation_keeps_its_runs(client, db, login_as):
    user = login_as("organiser")
    run, _people, scenario = builders.ready_run(facilitator=user)
    db.session.commit()
    scenario_id, run_id = scenario.id, run.id
    confirm = client.get(f"/exercises/scenarios/{scenario_id}/delete")
    assert "Yes, delete" in confirm.get_data(as_text=True)
    assert db.session.get(Scenario, scenario_id) is not None  # the GET changed nothing
    assert client.post(f"/exercises/scenarios/{scenario_id}/delete").status_code == 302
    db.session.expunge_all()
    assert db.session.get(Scenario, scenario_id) is None
    kept = db.session.get(ExerciseRun, run_id)
    assert kept.scenario_id is None
    assert client.get(f"/exercises/runs/{run_id}/console").status_code == 200


def test_library_list_searches_and_runs_a_constant_number_of_queries(client, db, login_as, count_queries):
    login_as("organiser")
    builders.scenario("Alpha ransomware")
    db.session.commit()
    with count_queries() as few:
        assert client.get("/exercises/").status_code == 200
    for n in range(6):
        builders.scenario(f"Beta {n}")
    db.session.commit()
    with count_queries() as many:
        html = client.get("/exercises/").get_data(as_text=True)
    assert "Beta 5" in html and many.count == few.count
    found = client.get("/exercises/?q=alpha").get_data(as_text=True)
    assert "Alpha ransomware" in found and "Beta 1" not in found
    assert "No scenario matches" in client.get("/exercises/?q=zzz").get_data(as_text=True)


def test_editing_the_t0_clock_moves_day_labels(db):
    scenario = builders.scenario()
    library.update_scenario(scenario, title=scenario.title, tlp="AMBER", t0_clock="09:00")
    day2 = db.session.scalar(select(ScenarioInject).where(ScenarioInject.scenario_id == scenario.id,
                                                          ScenarioInject.scenario_time == "Day 2 09:00"))
    assert day2.scenario_minutes == 1440
    assert scenario.version > 1


def test_new_scenario_requires_signed_in_organiser(client, db, login_as):
    assert client.get("/exercises/").status_code == 302
    login_as("trainee")
    assert client.get("/exercises/").status_code == 403
    assert factories  # builders imported for other tests


def test_sector_filter_and_scenario_form_name_sectors_in_the_users_language(client, db, login_as):
    """Issue 14: the exercises sector filter was English on Japanese pages (translated everywhere else)."""
    organiser = login_as("organiser")
    organiser.locale = "ja"
    db.session.commit()
    for url in ("/exercises/", "/exercises/scenarios/new"):
        html = client.get(url).get_data(as_text=True)
        assert "FIN — 金融" in html and "FIN — Finance" not in html, url
