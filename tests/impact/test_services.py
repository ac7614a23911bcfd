"""Instruments as versioned data, assessments, peers, outcomes and cost figures against hand-computed values."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.errors import ServiceError
from impact import exports, queries, services
from impact.models import Assessment, Instrument, InstrumentItem
from reports import statistics
from reports.filters import ReportFilter
from tests import factories


def _inst(db, key="ismb", version=None):
    services.load_instruments()
    stmt = select(Instrument).where(Instrument.key == key)
    stmt = stmt.where(Instrument.version == version) if version else stmt.where(Instrument.is_current)
    return db.session.scalar(stmt)


def _answer_all(assessment, level_for):
    levels = {item.id: level_for(g.code, item) for g in assessment.instrument.groups for item in g.items}
    assert services.submit_assessment(assessment, levels, size="50-299", name="Tester") == {}


def test_instruments_load_idempotently_with_both_languages(db):
    services.load_instruments()
    services.load_instruments()
    rows = db.session.scalars(select(Instrument).order_by(Instrument.key, Instrument.version)).all()
    assert [(i.key, i.version, i.is_current) for i in rows] == [
        ("ismb", "2026.1", True), ("sim3", "v1", False), ("sim3", "v2i", True)]
    ismb, v1, v2 = rows
    assert [g.code for g in ismb.groups] == ["ORG", "PHY", "OPS", "ACC", "INC"]
    assert sum(len(g.items) for g in ismb.groups) == 25
    assert all(item.controls.startswith("A.") for g in ismb.groups for item in g.items)
    assert [g.code for g in v1.groups] == ["O", "H", "T", "P"]
    assert sum(len(g.items) for g in v1.groups) == 44 and sum(len(g.items) for g in v2.groups) == 45
    assert "O-6" not in [i.code for i in v1.groups[0].items] and "O-6" in [i.code for i in v2.groups[0].items]
    assert (v1.scale_min, v1.scale_max, ismb.scale_min, ismb.scale_max) == (0, 4, 1, 5)
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in ismb.groups[0].items[0].text_ja)


def test_new_version_never_changes_old_answers(db, tmp_path):
    old = _inst(db)
    org = factories.organisation()
    a = Assessment(organisation_id=org.id, instrument_id=old.id, kind="baseline", due_date=date.today())
    db.session.add(a)
    db.session.flush()
    _answer_all(a, lambda g, i: 3)
    old_text = old.groups[0].items[0].text_en
    doc = json.loads((services.DATA_DIR / "ismb.json").read_text(encoding="utf-8"))
    doc["version"] = "2027.1"
    doc["groups"][0]["items"][0]["text"]["en"] = "Reworded question"
    (tmp_path / "ismb.json").write_text(json.dumps(doc), encoding="utf-8")
    services.load_instruments(tmp_path, ("ismb.json",))
    db.session.expire_all()
    new = _inst(db)
    assert new.version == "2027.1" and new.id != old.id
    assert db.session.get(Instrument, old.id).groups[0].items[0].text_en == old_text
    assert db.session.get(Assessment, a.id).instrument.version == "2026.1"
    item_ids = {ans.item_id for ans in db.session.get(Assessment, a.id).answers}
    assert {db.session.get(InstrumentItem, i).group.instrument_id for i in item_ids} == {old.id}


def test_request_for_cohort_organisations_and_submission_rules(db):
    inst = _inst(db)
    cohort = factories.cohort(start_date=date(2024, 6, 3), end_date=date(2024, 6, 7))
    org = factories.organisation()
    for _ in range(2):
        factories.enrolment(factories.trainee(org), cohort)
    factories.enrolment(factories.trainee(), cohort, status="nominated")  # not counted
    due = date.today() + timedelta(days=30)
    assert services.request_assessments(cohort, inst, "baseline", due) == 1
    assert services.request_assessments(cohort, inst, "baseline", due) == 0  # already requested
    with pytest.raises(ServiceError):
        services.request_assessments(cohort, inst, "followup", date.today() - timedelta(days=1))
    a = db.session.scalar(select(Assessment).where(Assessment.cohort_id == cohort.id))
    errors = services.submit_assessment(a, {}, size="")
    assert len(errors) == 26 and a.status == "requested" and not a.answers
    first = inst.groups[0].items[0]
    levels = {item.id: 9 for g in inst.groups for item in g.items}
    assert first.id in services.submit_assessment(a, levels, size="1-49")
    assert services.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert services.add_months(date(2024, 6, 7), 12) == date(2025, 6, 7)


def test_scores_from_sql_and_peer_position_hidden_below_five(db):
    inst = _inst(db)
    orgs = [factories.organisation(country="TH", sector_code="FIN") for _ in range(5)]
    assessments = []
    for n, org in enumerate(orgs):
        a = Assessment(organisation_id=org.id, instrument_id=inst.id, kind="baseline", due_date=date.today())
        db.session.add(a)
        db.session.flush()
        # org n answers n+1 everywhere, except ORG items are all 5 for the first organisation
        _answer_all(a, lambda g, i, n=n: 5 if (n == 0 and g == "ORG") else n + 1)
        assessments.append(a)
    sc = queries.scores([a.id for a in assessments])
    # first: ORG 5, others 1 → overall (5 + 1 + 1 + 1 + 1) / 5 = 1.8
    assert sc[assessments[0].id].groups["ORG"] == 5.0 and sc[assessments[0].id].overall == pytest.approx(1.8)
    assert sc[assessments[2].id].overall == 3.0
    # five peers: overalls 1.8, 2, 3, 4, 5 → the third: 2 below + ½ → 0.5
    position, peers = queries.peer_position(assessments[2], 3.0)
    assert (position, peers) == (0.5, 5)
    db.session.delete(assessments[4])
    db.session.flush()
    position, peers = queries.peer_position(assessments[2], 3.0)
    assert (position, peers) == (None, 4)


def test_costs_allocation_fy_boundary_and_currency(db):
    programme = factories.programme()
    # FY2024 = 1 Apr 2024 – 31 Mar 2025: the March cohort is FY2024, the April one FY2025.
    march = factories.cohort(programme, start_date=date(2025, 3, 24), end_date=date(2025, 3, 26))  # 3 days
    april = factories.cohort(programme, start_date=date(2025, 4, 1), end_date=date(2025, 4, 2))  # 2 days
    june = factories.cohort(programme, start_date=date(2024, 6, 3), end_date=date(2024, 6, 3))  # 1 day
    assert (march.fiscal_year, april.fiscal_year, june.fiscal_year) == (2024, 2025, 2024)
    for c, n_completed, n_other in ((march, 1, 1), (april, 2, 0), (june, 0, 3)):
        for _ in range(n_completed):
            factories.enrolment(cohort_obj=c, status="completed")
        for _ in range(n_other):
            factories.enrolment(cohort_obj=c, status="confirmed")
    # person-days (no attendance taken → training days × enrolments): march 2×3 = 6, april 2×2 = 4, june 3×1 = 3
    services.add_cost_line(category="travel", amount="1000.50", currency="usd", rate="150.10", cohort=march)
    services.add_cost_line(category="venue", amount="90000", currency="JPY", rate="", cohort=april)
    services.add_cost_line(category="other", amount="90000", currency="JPY", rate="1", programme=programme,
                           fiscal_year=2024)
    with pytest.raises(ServiceError):
        services.add_cost_line(category="travel", amount="abc", currency="JPY", rate="1", cohort=march)
    with pytest.raises(ServiceError):
        services.add_cost_line(category="other", amount="1", currency="JPY", rate="1", programme=programme)
    rows, unallocated = queries.cost_report([march.id, april.id, june.id])
    by = {r.cohort_id: r for r in rows}
    f = statistics.facts(ReportFilter())
    pd_sql = dict(db.session.execute(select(f.c.cohort_id, func.sum(f.c.person_days)).group_by(f.c.cohort_id)).all())
    assert (by[march.id].person_days, by[april.id].person_days, by[june.id].person_days) == (6, 4, 3)
    assert by[march.id].person_days == pd_sql[march.id]
    # 1000.50 × 150.10 = 150175.05 → 150175 yen; shared 90000 over FY2024 cohorts 6:3 → 60000 / 30000
    assert by[march.id].direct == Decimal(150175) and by[march.id].shared == Decimal(60000)
    assert by[june.id].shared == Decimal(30000) and by[april.id].shared == 0 and unallocated == 0
    u = by[march.id].units  # total 210175: per participant /2, per completed /1, per person-day /6
    assert (u.per_participant, u.per_completed, u.per_person_day) == (Decimal(105088), Decimal(210175),
                                                                      Decimal(35029))
    assert by[june.id].units.per_completed is None
    fy = {k: (u, n) for k, u, n in queries.cost_breakdown(rows, lambda r: r.fiscal_year)}
    assert fy[2024][0].total == Decimal(240175) and fy[2024][0].per_person_day == Decimal(26686)  # 240175 / 9
    assert fy[2025][0].per_person_day == Decimal(22500)  # 90000 / 4
    scope = statistics.scope(ReportFilter(programme=programme.code))
    table = exports.costs_sheet(scope)
    assert [c.header for c in table.columns][-1] == "Cost per person-day (JPY)"
    assert exports.cost_per_person_day(scope) == 25398  # (150175 + 60000 + 90000 + 30000) / 13 = 25398.08


def test_outcome_rules(db):
    t = factories.trainee()
    with pytest.raises(ServiceError):
        services.add_outcome("trainer", date.today(), trainee=t)  # needs an audience
    with pytest.raises(ServiceError):
        services.add_outcome("promoted", date.today() + timedelta(days=1), trainee=t)
    o = services.add_outcome("trainer", date(2025, 3, 31), trainee=t, audience=40)
    assert o.organisation_id == t.organisation_id
