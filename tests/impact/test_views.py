"""Pages: a trainee answers only for their own organisation; the organiser sees the radar and the change."""

from datetime import date, timedelta

from sqlalchemy import select

from impact import services
from impact.models import Assessment, CostLine, Instrument, Outcome
from tests import factories


def _setup(db):
    services.load_instruments()
    inst = db.session.scalar(select(Instrument).where(Instrument.key == "ismb", Instrument.is_current))
    cohort = factories.cohort()
    org = factories.organisation(name="Mekong Grid Co")
    user = factories.user(role="trainee")
    trainee = factories.trainee(org, user_id=user.id)
    factories.enrolment(trainee, cohort)
    other_org = factories.organisation(name="Other Org")
    factories.enrolment(factories.trainee(other_org), cohort)
    services.request_assessments(cohort, inst, "baseline", date.today() + timedelta(days=10))
    db.session.commit()
    mine = db.session.scalar(select(Assessment).where(Assessment.organisation_id == org.id))
    theirs = db.session.scalar(select(Assessment).where(Assessment.organisation_id == other_org.id))
    return inst, cohort, user, mine, theirs


def _form(inst, level: int, **extra):
    data = {f"item-{item.id}": str(level) for g in inst.groups for item in g.items}
    data.update({"size": "50-299", "name": ""}, **extra)
    return data


def test_trainee_answers_for_own_organisation_only(client, db, login_as):
    inst, _cohort, user, mine, theirs = _setup(db)
    login_as(user=user)
    page = client.get("/impact/me")
    assert "Mekong Grid Co" in page.get_data(as_text=True)
    assert client.get(f"/impact/me/assessments/{theirs.id}").status_code == 404
    assert client.post(f"/impact/me/assessments/{theirs.id}", data=_form(inst, 3)).status_code == 404
    assert client.post(f"/impact/me/assessments/{theirs.id}/invite").status_code == 404
    incomplete = _form(inst, 3)
    incomplete.pop(f"item-{inst.groups[0].items[0].id}")
    response = client.post(f"/impact/me/assessments/{mine.id}", data=incomplete)
    assert response.status_code == 200 and "1 missing" in response.get_data(as_text=True)
    assert db.session.get(Assessment, mine.id).status == "requested"
    response = client.post(f"/impact/me/assessments/{mine.id}", data=_form(inst, 3))
    assert response.status_code == 302
    db.session.expire_all()
    a = db.session.get(Assessment, mine.id)
    assert a.status == "submitted" and len(a.answers) == 25 and a.profile_size == "50-299"
    assert db.session.get(Assessment, theirs.id).status == "requested"


def test_colleague_answers_by_link_once(client, db, login_as):
    inst, _cohort, user, mine, _theirs = _setup(db)
    login_as(user=user)
    client.post(f"/impact/me/assessments/{mine.id}/invite")
    db.session.expire_all()
    raw = services.create_invite(db.session.get(Assessment, mine.id))
    db.session.commit()
    client.post("/logout")
    assert client.get("/impact/answer/not-a-token").status_code == 410
    no_name = client.post(f"/impact/answer/{raw}", data=_form(inst, 2))
    assert no_name.status_code == 200 and db.session.get(Assessment, mine.id).status == "requested"
    done = client.post(f"/impact/answer/{raw}", data=_form(inst, 2, name="A Colleague"))
    assert done.status_code == 200
    db.session.expire_all()
    assert db.session.get(Assessment, mine.id).submitted_by_name == "A Colleague"
    assert client.get(f"/impact/answer/{raw}").status_code == 410


def test_organiser_sees_radar_and_change(client, db, login_as):
    inst, cohort, user, mine, _theirs = _setup(db)
    services.submit_assessment(mine, {i.id: 2 for g in inst.groups for i in g.items}, size="1-49")
    follow = Assessment(organisation_id=mine.organisation_id, instrument_id=inst.id, cohort_id=cohort.id,
                        kind="followup", due_date=date.today())
    db.session.add(follow)
    db.session.flush()
    services.submit_assessment(follow, {i.id: (4 if g.code == "INC" else 3) for g in inst.groups for i in g.items},
                               size="1-49")
    db.session.commit()
    login_as("organiser")
    assert client.get(f"/impact/cohorts/{cohort.id}").status_code == 200
    html = client.get(f"/impact/assessments/{mine.id}").get_data(as_text=True)
    assert '<svg class="radar"' in html and 'role="img"' in html
    assert "+1.20" in html  # overall 2.00 → 3.20
    assert "+2.00" in html  # incident response 2 → 4
    assert "shown from 5 organisations" in html


def test_organiser_records_outcomes_and_costs(client, db, login_as):
    cohort = factories.cohort()
    t = factories.trainee()
    db.session.commit()
    login_as("organiser")
    bad = client.post("/impact/outcomes", data={"kind": "trainer", "occurred_on": "2025-05-01", "trainee_id": t.id,
                                                "organisation_id": 0})
    assert bad.status_code == 200 and "number of people trained" in bad.get_data(as_text=True)
    ok = client.post("/impact/outcomes", data={"kind": "trainer", "occurred_on": "2025-05-01", "trainee_id": t.id,
                                               "organisation_id": 0, "audience": "30"})
    assert ok.status_code == 302
    assert db.session.scalar(select(Outcome).where(Outcome.trainee_id == t.id)).audience == 30
    bad = client.post(f"/impact/cohorts/{cohort.id}/costs", data={"category": "travel", "amount": "12,5x",
                                                                 "currency": "USD", "rate": "150"})
    assert bad.status_code == 200 and "Enter an amount" in bad.get_data(as_text=True)
    ok = client.post(f"/impact/cohorts/{cohort.id}/costs", data={"category": "travel", "amount": "1,000",
                                                                "currency": "USD", "rate": "150.5"})
    assert ok.status_code == 302
    line = db.session.scalar(select(CostLine).where(CostLine.cohort_id == cohort.id))
    assert line.amount_jpy == 150500
    page = client.get(f"/impact/cohorts/{cohort.id}/costs").get_data(as_text=True)
    assert "¥150,500" in page
    line_id = line.id
    assert client.post(f"/impact/costs/{line_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(CostLine.id).where(CostLine.id == line_id)) is None


def test_trainee_and_anonymous_cannot_use_organiser_pages(client, db, login_as):
    assert client.get("/impact/").status_code == 302
    login_as("trainee")
    assert client.get("/impact/").status_code == 403
    assert client.get("/impact/outcomes").status_code == 403


def test_list_pages_run_a_constant_number_of_queries(client, db, login_as, count_queries):
    services.load_instruments()
    cohort = factories.cohort()
    login_as("organiser")

    def add(n):
        for _ in range(n):
            t = factories.trainee()
            factories.enrolment(t, cohort)
            services.add_outcome("promoted", date(2025, 1, 1), trainee=t)
        db.session.commit()

    counts = []
    for n in (2, 6):
        add(n)
        inst = db.session.scalar(select(Instrument).where(Instrument.key == "sim3", Instrument.is_current))
        services.request_assessments(cohort, inst, "baseline", date.today() + timedelta(days=5))
        db.session.commit()
        with count_queries() as outcomes:
            assert client.get("/impact/outcomes").status_code == 200
        with count_queries() as cohort_page:
            assert client.get(f"/impact/cohorts/{cohort.id}").status_code == 200
        counts.append((outcomes.count, cohort_page.count))
    assert counts[0] == counts[1], counts


def test_trainee_reports_own_outcome(client, db, login_as):
    user = factories.user(role="trainee")
    trainee = factories.trainee(user_id=user.id)
    login_as(user=user)
    assert client.get("/impact/me/outcomes").status_code == 200
    response = client.post("/impact/me/outcomes", data={"kind": "trainer", "occurred_on": "2025-02-01",
                                                         "audience": "12"})
    assert response.status_code == 302
    outcome = db.session.scalar(select(Outcome).where(Outcome.trainee_id == trainee.id))
    assert (outcome.source, outcome.audience, outcome.organisation_id) == ("trainee", 12, trainee.organisation_id)


def test_answer_page_in_japanese(client, db, login_as):
    inst, _cohort, user, mine, _theirs = _setup(db)
    user.locale = "ja"
    db.session.commit()
    login_as(user=user)
    html = client.get(f"/impact/me/assessments/{mine.id}").get_data(as_text=True)
    assert "経営層が情報セキュリティ方針を承認し" in html  # ORG-1 in Japanese
    assert "組織的な取組み" in html and "文書化して実施している" in html
    assert "自己評価を提出する" in html


# --- object level: a trainee reaches only their own organisation's assessments and their own outcomes ----

def test_trainee_never_sees_another_organisations_result_or_outcomes(client, db, login_as):
    inst, _cohort, user, mine, theirs = _setup(db)
    assert services.submit_assessment(theirs, {i.id: 4 for g in inst.groups for i in g.items}, size="1-49") == {}
    other = factories.trainee(factories.organisation(name="Elsewhere"))
    services.add_outcome("promoted", date(2025, 1, 1), trainee=other, note="someone else's")
    db.session.commit()
    login_as(user=user)
    assert client.get(f"/impact/me/assessments/{theirs.id}").status_code == 404  # submitted: their result
    assert client.post(f"/impact/me/assessments/{theirs.id}/invite",
                       data={"email": "x@example.org"}).status_code == 404
    listing = client.get("/impact/me").get_data(as_text=True)
    assert "Other Org" not in listing and "Mekong Grid Co" in listing
    assert "someone else" not in client.get("/impact/me/outcomes").get_data(as_text=True)
    assert client.get(f"/impact/assessments/{theirs.id}").status_code == 403  # the organiser's result page


def test_trainee_account_without_trainee_record(client, db, login_as):
    _inst_, _cohort, _user, mine, _theirs = _setup(db)
    login_as("trainee")  # a trainee account not linked to any trainee record
    assert client.get("/impact/me").status_code == 200
    assert client.get(f"/impact/me/assessments/{mine.id}").status_code == 404
    assert client.get("/impact/me/outcomes").status_code == 404


def test_a_link_answers_only_its_own_assessment(client, db):
    inst, _cohort, _user, mine, theirs = _setup(db)
    raw = services.create_invite(mine)
    db.session.commit()
    page = client.get(f"/impact/answer/{raw}").get_data(as_text=True)
    assert "Mekong Grid Co" in page and "Other Org" not in page
    assert client.post(f"/impact/answer/{raw}", data=_form(inst, 2, name="A Colleague")).status_code == 200
    db.session.expire_all()
    assert db.session.get(Assessment, theirs.id).status == "requested"


def test_organiser_routes_answer_404_for_missing_objects(client, db, login_as):
    login_as("organiser")
    for url in ("/impact/cohorts/999999", "/impact/assessments/999999", "/impact/cohorts/999999/costs",
                "/impact/programmes/999999/costs"):
        assert client.get(url).status_code == 404, url
    assert client.post("/impact/outcomes/999999/delete").status_code == 404
    assert client.post("/impact/costs/999999/delete").status_code == 404


def test_state_changes_need_the_csrf_token(csrf_app, db):
    """With CSRF protection on (as in production), a POST without the form's token changes nothing."""
    import re

    cohort = factories.cohort()
    line = services.add_cost_line(category="venue", amount="1000", currency="JPY", rate="1", cohort=cohort)
    organiser = factories.user(role="organiser")
    db.session.commit()
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"email": organiser.email, "password": factories.PASSWORD,
                                       "csrf_token": token}).status_code == 302
    client.post(f"/impact/costs/{line.id}/delete")
    client.post(f"/impact/cohorts/{cohort.id}/costs",
                data={"category": "travel", "amount": "5", "currency": "JPY", "rate": "1"})
    client.post("/impact/outcomes", data={"kind": "promoted", "occurred_on": "2025-01-01", "trainee_id": 0,
                                          "organisation_id": 0})
    db.session.expire_all()
    assert db.session.scalars(select(CostLine.id).where(CostLine.cohort_id == cohort.id)).all() == [line.id]
    assert db.session.scalar(select(Outcome.id)) is None


def test_programme_costs_page_groups_thousands_of_person_days(client, db, login_as, monkeypatch):
    """Person-days were printed raw ("4277") next to grouped yen figures ("4,200,000")."""
    from decimal import Decimal

    from impact import queries
    from impact.views import organiser

    cohort = factories.cohort()
    db.session.commit()
    row = queries.CohortCost(cohort_id=cohort.id, code="BIG-2026", fiscal_year=2026, modality="elearning",
                             programme_id=cohort.programme_id, participants=900, completed=850,
                             person_days=4277, direct=Decimal(4200000))
    monkeypatch.setattr(organiser.queries, "cost_report", lambda ids: ([row], Decimal(0)))
    login_as("organiser")
    page = client.get(f"/impact/programmes/{cohort.programme_id}/costs").get_data(as_text=True)
    assert "4,277" in page and ">4277<" not in page
