"""Issue 13 item 8: the ministry observer sees aggregate figures of granted programmes only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from privacy.observer import ObserverGrant
from reports import suppression
from tests import factories
from tests.reports import dataset
from tests.reports.helpers import open_book, rows
from tests.reports.test_publication import _people_in_book


@pytest.fixture
def ds(db):
    return dataset.build()


@pytest.fixture
def observer(db, ds):
    user = factories.user(role="observer")
    db.session.flush()
    db.session.add(ObserverGrant(user_id=user.id, programme_id=ds.programmes["P1"].id))
    db.session.commit()
    return user


def test_observer_dashboard_shows_granted_programmes_suppressed_and_no_people(client, db, ds, observer,
                                                                             login_as):
    login_as(user=observer)
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "/observer/" in home
    page = client.get("/observer/").get_data(as_text=True)
    assert "ASEAN-CSIRT" in page and "ISMS for ASEAN" not in page  # P2 not granted
    assert f"<td>{suppression.LABEL}</td>" in page  # the small dataset has small cells
    for person in [n for n in ds.names + ds.emails if len(n) > 3]:
        assert person not in page
    for small in range(1, 5):
        assert f"<td>{small}</td>" not in page.split("By country", 1)[1].split("By cohort", 1)[0]


def test_observer_workbook_for_granted_programme_only(client, db, ds, observer, login_as):
    login_as(user=observer)
    granted = client.get(f"/observer/programmes/{ds.programmes['P1'].id}.xlsx")
    assert granted.status_code == 200 and granted.headers["Cache-Control"] == "no-store, private"
    book = open_book(granted.data)
    assert "Participants" not in book.sheetnames
    _people_in_book(granted.data, None)
    text = str([rows(book, s) for s in book.sheetnames])
    for person in [n for n in ds.names + ds.emails if len(n) > 3]:
        assert person not in text
    assert "ISMS-2025" not in text  # a cohort of the programme not granted
    assert client.get(f"/observer/programmes/{ds.programmes['P2'].id}.xlsx").status_code == 404
    assert client.get("/observer/programmes/999999.xlsx").status_code == 404
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.export_observer")) is not None


@pytest.mark.parametrize("url", ["/trainees", "/cohorts", "/organisations", "/programmes", "/reports/",
                                 "/reports/export.xlsx", "/admin/users", "/admin/audit", "/me", "/surveys/1"])
def test_observer_cannot_reach_personal_pages(client, db, observer, login_as, url):
    login_as(user=observer)
    assert client.get(url).status_code in (403, 404)


def test_admin_grants_programmes_and_the_form_checks_its_input(client, db, ds, login_as):
    person = factories.user(role="observer")
    organiser = factories.user(role="organiser")
    db.session.commit()
    login_as("admin")
    assert "Observer programmes" in client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    page = client.get(f"/admin/users/{person.id}/observer-programmes").get_data(as_text=True)
    assert "ASEAN-CSIRT" in page and "ISMS" in page
    p1, p2 = ds.programmes["P1"].id, ds.programmes["P2"].id
    response = client.post(f"/admin/users/{person.id}/observer-programmes", data={"programme": [str(p1), str(p2)]})
    assert response.status_code == 302
    granted = set(db.session.scalars(select(ObserverGrant.programme_id).where(ObserverGrant.user_id == person.id)))
    assert granted == {p1, p2}
    bad = client.post(f"/admin/users/{person.id}/observer-programmes", data={"programme": ["999999"]})
    assert bad.status_code == 200 and "Choose programmes from the list." in bad.get_data(as_text=True)
    junk = client.post(f"/admin/users/{person.id}/observer-programmes", data={"programme": ["x"]})
    assert junk.status_code == 200
    refused = client.post(f"/admin/users/{organiser.id}/observer-programmes", data={"programme": [str(p1)]})
    assert "only be granted to a ministry observer" in refused.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "observer.grants")) is not None


def test_grants_need_admin_and_csrf(csrf_app, client, db, ds, login_as):
    person = factories.user(role="observer")
    db.session.commit()
    login_as("organiser")
    assert client.get(f"/admin/users/{person.id}/observer-programmes").status_code == 403
    boss = factories.user(role="admin")
    db.session.commit()
    protected = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      protected.get("/login").get_data(as_text=True)).group(1)
    protected.post("/login", data={"email": boss.email, "password": factories.PASSWORD, "csrf_token": token})
    response = protected.post(f"/admin/users/{person.id}/observer-programmes",
                              data={"programme": [str(ds.programmes["P1"].id)]})
    assert response.status_code == 400
    assert db.session.scalar(select(ObserverGrant).where(ObserverGrant.user_id == person.id)) is None


def test_observer_dashboard_query_count_does_not_grow_with_people(client, db, ds, observer, login_as,
                                                                 count_queries):
    login_as(user=observer)
    client.get("/observer/")
    with count_queries() as first:
        client.get("/observer/")
    for _ in range(10):
        factories.enrolment(factories.trainee(), ds.cohorts["C1"], "completed")
    db.session.commit()
    with count_queries() as second:
        client.get("/observer/")
    assert second.count == first.count
    assert first.count <= 40


def test_observer_home_shows_no_programme_to_do(client, db, ds, observer, login_as):
    """The home page gave an observer the organisers' to-do: cohort codes of programmes not granted
    ('… starts soon: 16 trainees have no portal account'). An observer's to-do is empty and their home
    is their first menu page."""
    from datetime import date, timedelta

    from notifications import todo

    upcoming = factories.cohort(code="UNGRANTED-2027", start_date=date.today() + timedelta(days=10),
                                end_date=date.today() + timedelta(days=14))
    factories.enrolment(factories.trainee(), upcoming, status="confirmed")
    db.session.commit()
    assert any("UNGRANTED-2027" in str(item) for item in todo.organiser_items(is_admin=False))  # the leak's source
    login_as(user=observer)
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    assert "UNGRANTED-2027" not in page
    assert home.request.path.startswith("/observer")

def test_observer_page_shows_rates_as_percentages_and_groups_thousands(client, db, login_as):
    """The review found rates printed as fractions ("0.76") and person-days as "5396" on the observer page,
    where the organiser's dashboard shows "76.0%" and "5,396"."""
    from datetime import date

    programme = factories.programme("ELRN", name="E-learning for all")
    cohort = factories.cohort(programme, "ELRN-2025", modality="elearning", host_country=None,
                              start_date=date(2025, 4, 1), end_date=date(2025, 10, 17))  # 200 days
    for i in range(12):
        factories.enrolment(factories.trainee(gender="F" if i % 2 else "M"), cohort,
                            "completed" if i < 10 else "confirmed")
    user = factories.user(role="observer")
    db.session.flush()
    db.session.add(ObserverGrant(user_id=user.id, programme_id=programme.id))
    db.session.commit()
    login_as(user=user)
    page = client.get("/observer/").get_data(as_text=True)
    summary = page.split("<h3>Summary</h3>", 1)[1].split("</table>", 1)[0]
    assert "<td>Completion rate</td><td>83.3%</td>" in summary  # 10 / 12
    assert "<td>Female share</td><td>50.0%</td>" in summary
    assert "<td>Person-days</td><td>2,400</td>" in summary  # 12 × 200 days
    by_cohort = page.split("<h3>By cohort</h3>", 1)[1].split("</table>", 1)[0]
    assert "<td>2,400</td>" in by_cohort and "<td>2025</td>" in by_cohort  # a fiscal year is not a quantity
    assert "0.83" not in page and ">2400<" not in page and "2,025" not in page


def test_observer_table_headings_are_in_the_observers_language(client, db, ds, observer, login_as):
    """Issue 14 acceptance 2: the headings were the workbook's English sheet names on Japanese pages."""
    observer.locale = "ja"
    db.session.commit()
    login_as(user=observer)
    page = client.get("/observer/").get_data(as_text=True)
    for english, japanese in (("Summary", "概要"), ("By country", "国別"), ("By sector", "分野別"),
                              ("By cohort", "コース別"), ("By fiscal year", "年度別"), ("Learning", "学習成果")):
        assert f"<h3>{japanese}</h3>" in page and f"<h3>{english}</h3>" not in page
