"""Builders for exercise tests: a small scenario, a cohort with two nationalities, runs in any state."""

from __future__ import annotations

from datetime import timedelta

from core.db import utcnow
from core.extensions import db
from exercises.services import library, runs
from tests import factories

SECRET_ACTION = "Quietly check the forensic backup vault"  # expected-action text players must never see
UNRELEASED_TITLE = "Sealed envelope inject"


def scenario(title: str = "Test hospital ransomware", **overrides):
    """A scenario with 2 objectives, 2 modules, 4 injects (one contingency, one unreleased far away), 1 question."""
    s = library.create_scenario(title=title, summary="Welcome to {COUNTRY}. Call {NATIONAL_CSIRT}.",
                                sector_code="MED", threat_type="Ransomware", tlp="AMBER",
                                t0_clock=overrides.pop("t0_clock", "06:40"))
    library.add_objective(s, text="Escalate within one hour", csf_function="RS", first_service="6.1")
    library.add_objective(s, text="Notify {DPA} on time", csf_function="GV")
    m1 = library.add_module(s, title="Morning", scenario_start="T+00:00", planned_minutes=30,
                            situation="Systems are down at {COUNTRY} hospital.")
    m2 = library.add_module(s, title="Day two", scenario_start="Day 2 09:00", planned_minutes=30,
                            situation="The second day begins.")
    library.add_inject(s, module_id=m1.id, scenario_time="T+00:00", planned_offset_minutes=0, channel="phone",
                       from_persona="Nurse", audience="IT on-call", title="Ransom note",
                       body="Screens show a **ransom** note.",
                       expected_actions=[{"role": "IT", "action": SECRET_ACTION}])
    library.add_inject(s, module_id=m1.id, scenario_time="T+01:00", planned_offset_minutes=10, channel="email",
                       from_persona="Attacker", audience="Director", title="Demand arrives",
                       body="Pay 10 BTC.", expected_actions=[{"role": "Legal", "action": "Call {POLICE_CYBER_UNIT}"}])
    library.add_inject(s, module_id=m1.id, scenario_time="T+02:00", planned_offset_minutes=None, channel="phone",
                       from_persona="Board chair", audience="Director", title="Contingency call",
                       body="Why not pay?", expected_actions=[], contingency=True)
    library.add_inject(s, module_id=m2.id, scenario_time="Day 2 09:00", planned_offset_minutes=60, channel="news",
                       from_persona="TV", audience="Communications", title=UNRELEASED_TITLE,
                       body="Journalists outside.", expected_actions=[{"role": "Comms", "action": "Hold a briefing"}])
    library.add_question(s, text="Who decides on paying?")
    db.session.flush()
    return s


def cohort_with_players(nationalities=("VN", "TH"), per_team: int = 2):
    """A cohort with confirmed trainees of the given nationalities, each with a trainee portal account."""
    cohort = factories.cohort(host_country="TH")
    people, orgs = [], {}
    for nat in nationalities:
        if nat not in orgs:
            orgs[nat] = factories.organisation(country=nat, name=f"CSIRT of {nat} {factories.seq()}")
        org = orgs[nat]
        for _ in range(per_team):
            user = factories.user(role="trainee")
            trainee = factories.trainee(org, nationality=nat, user_id=user.id)
            factories.enrolment(trainee, cohort, status="confirmed")
            people.append((trainee, user))
    return cohort, people


def ready_run(facilitator=None, nationalities=("VN", "TH")):
    """A run in 'ready' status with teams by nationality and a facilitator; returns (run, people, scenario)."""
    s = scenario()
    cohort, people = cohort_with_players(nationalities)
    facilitator = facilitator or factories.user(role="organiser")
    run = runs.create_run(s.id, cohort, actor=facilitator)
    values = dict(run.placeholder_values)
    values.update({"DPA": "Data Office", "POLICE_CYBER_UNIT": "Cyber Police", "NATIONAL_CSIRT": "ThaiCERT",
                   "COUNTRY": "Thailand"})
    runs.set_placeholders(run, values, actor=facilitator)
    runs.form_teams(run, "nationality", actor=facilitator)
    runs.transition(run, "prepare", actor=facilitator)
    db.session.flush()
    return run, people, s


def started_run(minutes_ago: int = 0, **kwargs):
    """A running run that started ``minutes_ago`` (the T+0 inject is released at start)."""
    run, people, s = ready_run(**kwargs)
    runs.transition(run, "start", now=utcnow() - timedelta(minutes=minutes_ago))
    db.session.flush()
    return run, people, s


def team_of(run, user_id):
    from exercises import queries

    found = queries.player_team(run.id, user_id)
    return found[0] if found else None
