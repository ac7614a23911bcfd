"""The Assessments, Outcomes and Costs sheets, the new Summary rows and Definitions, the dashboard section."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from impact import services
from impact.models import Assessment, Instrument
from reports.filters import ReportFilter
from tests.reports import dataset
from tests.reports.helpers import build, open_book, rows

IMPACT_SHEETS = ["Assessments", "Outcomes", "Costs"]


@pytest.fixture
def ds(db):
    ds = dataset.build()
    services.load_instruments()
    inst = db.session.scalar(select(Instrument).where(Instrument.key == "ismb", Instrument.is_current))
    c1 = ds.cohorts["C1"]
    services.request_assessments(c1, inst, "baseline", date.today() + timedelta(days=3))
    services.request_assessments(c1, inst, "followup", date.today() + timedelta(days=3))
    org_id = ds.trainees["A"].organisation_id
    for kind, level in (("baseline", 2), ("followup", 3)):
        a = db.session.scalar(select(Assessment).where(Assessment.organisation_id == org_id, Assessment.kind == kind))
        lifted = {i.id: level + (1 if (kind == "followup" and g.code == "INC") else 0)
                  for g in inst.groups for i in g.items}
        assert services.submit_assessment(a, lifted, size="300-999") == {}
    services.add_outcome("csirt_established", date(2025, 3, 31), trainee=ds.trainees["A"])  # FY2024
    services.add_outcome("trainer", date(2025, 4, 1), trainee=ds.trainees["A"], audience=25)  # FY2025
    services.add_cost_line(category="venue", amount="30000", currency="JPY", rate="1", cohort=c1)
    services.add_cost_line(category="travel", amount="100", currency="USD", rate="150", cohort=ds.cohorts["C4"])
    return ds


def test_sheets_after_existing_ones_with_headers_and_values(ds):
    book = open_book(build())
    assert book.sheetnames == ["Summary", "Participants", "By country", "By sector", "By cohort", "By fiscal year",
                               "Learning", *IMPACT_SHEETS, "Definitions"]
    summary = {r[0]: r[1] for r in rows(book, "Summary")[1:]}
    # overall 2 → (3+3+3+3+4)/5 = 3.2: change 1.2; two outcomes; (30000 + 15000) / (3 + 5) person-days = 5625
    assert summary["Mean maturity change, ISMS benchmark (scale 1–5)"] == pytest.approx(1.2)
    assert summary["Outcomes reported"] == 2
    assert summary["Cost per person-day"] == 5625
    assessments = rows(book, "Assessments")
    assert assessments[0] == ("Organisation", "Country", "Sector", "Instrument", "Baseline version",
                              "Follow-up version", "Group", "Baseline", "Follow-up", "Change", "Organisations")
    assert assessments[1][:10] == ("VNCERT", "Viet Nam", assessments[1][2], "ISMS benchmark", "2026.1", "2026.1",
                                   "Overall", 2, 3.2, pytest.approx(1.2))
    inc = [r for r in assessments if r[6] == "Incident response and business continuity"]
    assert inc[0][7:10] == (2, 4, 2)
    assert inc[-1][0] == "Country and sector" and inc[-1][10] == 1
    outcomes = rows(book, "Outcomes")
    assert outcomes[0] == ("Outcome", "Country", "Fiscal year", "Count", "People trained")
    assert sorted(outcomes[1:]) == [("Became a trainer", "Viet Nam", 2025, 1, 25),
                                    ("CSIRT established", "Viet Nam", 2024, 1, None)]
    costs = rows(book, "Costs")
    assert costs[0][-4:] == ("Total cost (JPY)", "Cost per participant (JPY)", "Cost per completed participant (JPY)",
                             "Cost per person-day (JPY)")
    c1 = next(r for r in costs if r[1] == "CSIRT-2024A")
    assert c1[5:] == (3, 2, 3, 30000, 0, 30000, 10000, 15000, 10000)
    all_row = next(r for r in costs if r[0] == "All")
    assert all_row[4:] == (2, 4, 3, 8, 45000, 0, 45000, 11250, 15000, 5625)
    definitions = {r[0] for r in rows(book, "Definitions")}
    assert {ISMB_CHANGE, "Outcomes reported", "Cost per person-day"} <= definitions


def test_japanese_headers(ds):
    book = open_book(build(lang="ja"))
    assert rows(book, "Costs")[0][-1] == "1人日あたり経費（円）"
    summary = {r[0] for r in rows(book, "Summary")}
    assert "成熟度の平均変化（ISMSベンチマーク、1–5段階）" in summary and "1人日あたり経費" in summary


def test_filter_leaves_out_impact_rows_of_other_cohorts(ds):
    book = open_book(build(ReportFilter(programme="ISMS")))
    assert "Assessments" not in book.sheetnames and "Outcomes" not in book.sheetnames
    summary = {r[0]: r[1] for r in rows(book, "Summary")[1:]}
    assert summary["Cost per person-day"] == 3000
    assert not [name for name in summary if name.startswith("Mean maturity change")]


def test_dashboard_shows_the_impact_section(ds, client, login_as):
    login_as("organiser")
    html = client.get("/reports/").get_data(as_text=True)
    assert "Impact: self-assessments, outcomes and costs" in html
    assert "VNCERT" in html and "+1.20" in html


# --- the report-source registry: declared tables, cache invalidation ------------------------------------

def test_impact_sources_read_only_the_tables_they_declare(app, ds, db):
    """With impact data in scope (the shared registry test runs on data without any)."""
    from core.reporting import registered_sources
    from reports import statistics
    from tests.reports.test_sources import _TABLE_REF, _tables_read

    scope = statistics.scope(ReportFilter(), "en")
    scoped = {m for m in _TABLE_REF.findall(f"{scope.enrolment_ids} {scope.cohort_ids}") if m in db.metadata.tables}
    impact = [s for s in registered_sources(app) if s.key.startswith("impact.")]
    assert [s.key for s in impact] == ["impact.assessments", "impact.outcomes", "impact.costs", "impact.figures"]
    for source in impact:
        calls = [fn for fn in (source.sheet[1] if source.sheet else None, source.summary_rows, source.definitions,
                               source.dashboard) if fn is not None]
        for fn in calls:
            with _tables_read(db) as seen, app.test_request_context():
                result = fn(scope)
                list(getattr(result, "rows", None) or [])
            assert seen, (source.key, fn.__name__)
            assert seen <= set(source.tables) | scoped, (source.key, fn.__name__, seen - set(source.tables))
    assert {"impact_assessment_answers", "impact_outcomes", "impact_cost_lines"} <= set(
        t for s in impact for t in s.tables)


def test_a_new_assessment_answer_changes_the_cached_figure(app, ds, db, client, login_as):
    """With the report cache on, submitting a second organisation's follow-up changes the mean at once."""
    from reports import cache
    from tests.reports.test_cache import _kpi

    saved = app.config.get("REPORTS_CACHE")
    app.config["REPORTS_CACHE"] = True
    cache.clear()
    try:
        db.session.commit()
        login_as("organiser")
        assert _kpi(client.get("/reports/").get_data(as_text=True), ISMB_CHANGE) == "+1.20"
        assert _kpi(client.get("/reports/").get_data(as_text=True), ISMB_CHANGE) == "+1.20"  # cached
        other = db.session.scalars(select(Assessment).where(Assessment.status == "requested",
                                                            Assessment.kind == "baseline")).first()
        assert other is not None
        inst = other.instrument
        for kind, level in (("baseline", 1), ("followup", 4)):
            a = db.session.scalar(select(Assessment).where(Assessment.organisation_id == other.organisation_id,
                                                           Assessment.kind == kind))
            assert services.submit_assessment(a, {i.id: level for g in inst.groups for i in g.items},
                                              size="1-49") == {}
            db.session.commit()
            if kind == "baseline":  # a baseline alone changes no pair: same figure, but recomputed
                assert _kpi(client.get("/reports/").get_data(as_text=True), ISMB_CHANGE) == "+1.20"
        # (1.2 + 3.0) / 2
        assert _kpi(client.get("/reports/").get_data(as_text=True), ISMB_CHANGE) == "+2.10"
    finally:
        app.config["REPORTS_CACHE"] = saved
        cache.clear()


# --- review fixes (after issue 16): figures per instrument, yen, organisation labels --------------------

ISMB_CHANGE = "Mean maturity change, ISMS benchmark (scale 1–5)"
SIM3_CHANGE = "Mean maturity change, SIM3 (scale 0–4)"


@pytest.fixture
def both(ds, db):
    """ds plus a SIM3 pair (all levels 1 → 3, change +2.00) for the organisation of E in C4."""
    sim3 = db.session.scalar(select(Instrument).where(Instrument.key == "sim3", Instrument.is_current))
    c4 = ds.cohorts["C4"]
    for kind in ("baseline", "followup"):
        services.request_assessments(c4, sim3, kind, date.today() + timedelta(days=3))
    org_id = ds.trainees["E"].organisation_id
    for kind, level in (("baseline", 1), ("followup", 3)):
        a = db.session.scalar(select(Assessment).where(Assessment.organisation_id == org_id, Assessment.kind == kind,
                                                       Assessment.instrument_id == sim3.id))
        assert services.submit_assessment(a, {i.id: level for g in sim3.groups for i in g.items}, size="1-49") == {}
    db.session.commit()
    return ds


def test_mean_maturity_change_is_reported_per_instrument_never_mixed(both):
    """The review found +0.95 on the demo: the mean of ISMS benchmark (1–5) and SIM3 (0–4) changes together.
    Here the mixed figure would be (1.2 + 2.0) / 2 = 1.6; each instrument has its own row with its scale."""
    book = open_book(build())
    summary = {r[0]: r[1] for r in rows(book, "Summary")[1:]}
    assert summary[ISMB_CHANGE] == pytest.approx(1.2)
    assert summary[SIM3_CHANGE] == pytest.approx(2.0)
    assert "Mean maturity change" not in summary  # the mixed figure is gone (it was wrong)
    definitions = {r[0]: r[1] for r in rows(book, "Definitions")}
    assert ISMB_CHANGE in definitions and SIM3_CHANGE in definitions and "Mean maturity change" not in definitions
    assert "never averaged across instruments" in definitions[SIM3_CHANGE]
    ja = {r[0]: r[1] for r in rows(open_book(build(lang="ja")), "Summary")[1:]}
    assert ja["成熟度の平均変化（SIM3、0–4段階）"] == pytest.approx(2.0)
    assert ja["成熟度の平均変化（ISMSベンチマーク、1–5段階）"] == pytest.approx(1.2)
    one = {r[0]: r[1] for r in rows(open_book(build(ReportFilter(programme="ISMS"))), "Summary")[1:]}
    assert one[SIM3_CHANGE] == pytest.approx(2.0) and ISMB_CHANGE not in one


def test_dashboard_shows_one_mean_change_per_instrument(both, client, login_as):
    from tests.reports.test_cache import _kpi

    login_as("organiser")
    html = client.get("/reports/").get_data(as_text=True)
    assert _kpi(html, ISMB_CHANGE) == "+1.20" and _kpi(html, SIM3_CHANGE) == "+2.00"
    assert _kpi(html, "Mean maturity change") is None and "+1.60" not in html


def test_cost_per_person_day_key_figure_in_whole_yen_with_the_currency(ds, client, db, login_as):
    """The key figure read "7,599.0" on the demo: no currency, a decimal on yen."""
    from tests.reports.test_cache import _kpi

    user = login_as("organiser")
    assert _kpi(client.get("/reports/").get_data(as_text=True), "Cost per person-day") == "¥5,625"
    user.locale = "ja"
    db.session.commit()
    html = client.get("/reports/").get_data(as_text=True)
    assert _kpi(html, "1人日あたり経費") == "5,625円"
    assert "¥" not in html.split('id="impact-heading"', 1)[1]  # the cost tables use the same form


def test_dashboard_cost_table_has_cost_per_completed_participant(ds, client, login_as):
    """The workbook's Costs sheet had it; the dashboard's cost table did not."""
    login_as("organiser")
    html = client.get("/reports/").get_data(as_text=True)
    section = html.split('id="impact-heading"', 1)[1]
    table = section.split("<caption", 3)[-1]  # the cost-per-cohort table
    assert "Cost per completed participant" in table.split("</thead>")[0]
    c1 = table.split("CSIRT-2024A", 1)[1].split("</tr>", 1)[0]
    # C1: ¥30,000 for 3 participants (¥10,000), 2 completed (¥15,000), 3 person-days (¥10,000)
    assert [cell.split("<", 1)[0] for cell in c1.split('<td class="num">')[1:]] == [
        "3", "¥30,000", "¥10,000", "¥15,000", "¥10,000"]


def test_organisation_names_ending_with_their_country_are_not_suffixed_again(ds, client, db, login_as):
    """The demo showed "National Cyber Security Agency (KH) (KH)" on the impact tables."""
    from impact.vocab import organisation_label

    assert organisation_label("National Cyber Security Agency (KH)", "KH") == "National Cyber Security Agency (KH)"
    assert organisation_label("VNCERT", "VN") == "VNCERT (VN)"
    assert organisation_label("Bank (TH)", "VN") == "Bank (TH) (VN)"  # another country's code is part of the name
    org = ds.trainees["A"].organisation
    org.name = "VNCERT (VN)"
    db.session.commit()
    login_as("organiser")
    html = client.get("/reports/").get_data(as_text=True)
    assert "VNCERT (VN)" in html and "(VN) (VN)" not in html
    form = client.get("/impact/outcomes").get_data(as_text=True)
    assert ">VNCERT (VN)</option>" in form and "(VN) (VN)" not in form
