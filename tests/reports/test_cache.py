"""The report cache never shows figures older than the last write (and is off in tests by default)."""

from __future__ import annotations

import re

import pytest

from reports import cache
from tests.reports import dataset


@pytest.fixture
def cached_app(app):
    saved = dict(app.config)
    app.config.update(REPORTS_CACHE=True)
    cache.clear()
    yield app
    app.config.clear()
    app.config.update(saved)
    cache.clear()


def _enrolments(html: str) -> str:
    return re.search(r'<span class="value">([^<]*)</span>\s*Enrolments</li>', html).group(1)


def test_cache_is_off_in_tests_by_default(app):
    assert cache.enabled(app) is False


def test_second_request_is_served_from_cache_and_a_write_is_visible_next(cached_app, client, db, login_as,
                                                                          count_queries):
    from trainees import services

    login_as("organiser")
    ds = dataset.build()
    db.session.commit()
    with count_queries() as first:
        assert _enrolments(client.get("/reports/").get_data(as_text=True)) == "9"
    with count_queries() as second:
        assert _enrolments(client.get("/reports/").get_data(as_text=True)) == "9"
    assert second.count < first.count - 4  # the statistics queries are not run again

    services.change_status(ds.enrolments[("G", "C2")], "withdrawn", reason="visa refused")
    db.session.commit()
    assert _enrolments(client.get("/reports/").get_data(as_text=True)) == "8"


def test_bulk_update_statements_also_invalidate(cached_app, client, db, login_as):
    from sqlalchemy import update

    from trainees.models import Enrolment

    login_as("organiser")
    dataset.build()
    db.session.commit()
    assert _enrolments(client.get("/reports/").get_data(as_text=True)) == "9"
    db.session.execute(update(Enrolment).where(Enrolment.status == "confirmed").values(status="withdrawn"))
    db.session.commit()
    assert _enrolments(client.get("/reports/").get_data(as_text=True)) == "7"


def _version(db) -> int:
    from core.reporting import DataVersion

    return db.session.get(DataVersion, "reports", populate_existing=True).version


def test_other_writes_do_not_invalidate(cached_app, client, db, login_as):
    login_as("organiser")
    version = _version(db)
    from tests import factories

    factories.user()  # accounts tables do not feed reports
    db.session.commit()
    assert _version(db) == version


def test_the_version_is_bumped_in_the_writing_transaction(cached_app, db):
    from tests import factories

    version = _version(db)
    factories.cohort()
    db.session.rollback()  # a rolled-back write changes nothing
    assert _version(db) == version
    factories.cohort()
    db.session.commit()
    assert _version(db) == version + 1
    factories.cohort()
    factories.cohort()
    db.session.flush()
    db.session.commit()  # one bump per transaction, however many rows
    assert _version(db) == version + 2


def test_every_reported_table_bumps_the_version(app, cached_app, db):
    """Derived from the registry: a write statement on any table a report source reads bumps it."""
    from sqlalchemy import false, update

    from reports import sources

    assert {"survey_answers", "survey_participations", "action_plans", "exercise_runs", "objective_ratings",
            "attempts", "enrolments", "attendance", "trainees", "organisations"} <= sources.tables(app)
    for name in sorted(sources.tables(app)):
        version = _version(db)
        model_table = db.metadata.tables[name]
        first = next(iter(model_table.primary_key.columns))
        db.session.execute(update(model_table).where(false()).values({first.name: first}))
        db.session.commit()
        assert _version(db) == version + 1, name


def test_bump_version_command(cached_app, runner, db):
    version = _version(db)
    result = runner.invoke(args=["reports", "bump-version"])
    assert result.exit_code == 0, result.output
    assert _version(db) == version + 1


def _kpi(html: str, label: str) -> str | None:
    match = re.search(r'<span class="value">([^<]*)</span>\s*' + re.escape(label) + "</li>", html)
    return match.group(1) if match else None


def test_a_new_survey_answer_changes_the_cached_satisfaction_mean(cached_app, client, db, login_as):
    """Issue 11: with the cache on, the dashboard kept the old mean (cached 2.0, correct 3.5)."""
    cached_app.config["SURVEY_MIN_RESPONSES"] = 1  # the few answers below (restored by the fixture)
    from datetime import date, timedelta

    from completion import services as completion
    from tests import factories

    login_as("organiser")
    cohort = factories.cohort(start_date=date(2025, 6, 2), end_date=date(2025, 6, 6))
    enrolments = [factories.enrolment(factories.trainee(), cohort, status="confirmed") for _ in range(2)]
    reaction, _ = completion.ensure_default_templates()
    survey = completion.create_survey(cohort, reaction, title="End of course", opens_on=date.today() - timedelta(1),
                                      closes_on=date.today() + timedelta(7), anonymous=True)

    def answer(enrolment, value: int):
        answers = {i.id: str(value) if i.kind == "likert" else "0" if i.kind == "single_choice" else "ok"
                   for i in survey.items}
        assert completion.submit_response(survey, enrolment, answers) == {}
        db.session.commit()

    answer(enrolments[0], 2)
    assert _kpi(client.get("/reports/").get_data(as_text=True), "Satisfaction (1–5)") == "2.00"
    answer(enrolments[1], 5)
    assert _kpi(client.get("/reports/").get_data(as_text=True), "Satisfaction (1–5)") == "3.50"


def _figures(html: str) -> str:
    """The dashboard's content without per-request tokens."""
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r'(nonce|value)="[^"]*"', "", main) if "csrf" in main else main


def _write_enrolment(ds, db):
    from trainees import services

    services.change_status(ds.enrolments[("G", "C2")], "withdrawn", reason="visa refused")


def _write_attendance(ds, db):
    from trainees.models import Attendance

    row = db.session.scalars(db.select(Attendance).where(Attendance.status == "absent")).first()
    row.status = "present"


def _write_trainee(ds, db):
    ds.trainees["G"].gender = "M"


def _write_organisation(ds, db):
    ds.trainees["A"].organisation.sector_code = "MED"


def _write_cohort(ds, db):
    ds.cohorts["C2"].end_date = ds.cohorts["C2"].end_date.replace(day=5)


def _write_exercise(ds, db):
    from tests.exercises import builders

    run, _people, _s = builders.started_run()
    run.cohort_id = ds.cohorts["C4"].id


@pytest.mark.parametrize("write", [_write_enrolment, _write_attendance, _write_trainee, _write_organisation,
                                   _write_cohort, _write_exercise], ids=lambda f: f.__name__[7:])
def test_every_kind_of_write_changes_the_dashboard_on_the_next_request(cached_app, client, db, login_as, write):
    login_as("organiser")
    ds = dataset.build()
    db.session.commit()
    before = _figures(client.get("/reports/").get_data(as_text=True))
    assert _figures(client.get("/reports/").get_data(as_text=True)) == before  # served from the cache
    write(ds, db)
    db.session.commit()
    assert _figures(client.get("/reports/").get_data(as_text=True)) != before
