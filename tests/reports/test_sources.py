"""Feature hooks: pre/post scores, Satisfaction/Exercises sheets, Summary figures, dashboard sections."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from core.reporting import EXTENSION, ReportSource, register_source, registered_sources
from reports import sources, statistics
from reports.filters import ReportFilter
from tests.reports import dataset, fake_features
from tests.reports.helpers import build, open_book, rows


@pytest.fixture
def swap_sources(app):
    """``swap_sources(lambda s: s.key != ..., extra...)``: the app's registry changed for one test."""
    saved = list(app.extensions[EXTENSION])

    def _swap(keep, *extra):
        app.extensions[EXTENSION][:] = [s for s in saved if keep(s)] + list(extra)

    yield _swap
    app.extensions[EXTENSION][:] = saved


@pytest.fixture
def ds(db):
    data = dataset.build()
    db.session.commit()
    return data


@pytest.fixture
def learning(ds, swap_sources):
    e = ds.enrolments
    fake_features.SCORES.clear()
    fake_features.SCORES.update({
        e["A", "C1"].id: (40.0, 70.0), e["B", "C1"].id: (50.0, None), e["Cc", "C1"].id: (60.0, 90.0),
        e["F", "C3"].id: (80.0, 100.0), e["D", "C1"].id: (10.0, 90.0),  # D withdrew: never counted
    })
    swap_sources(lambda s: s.learning_scores is None,
                 ReportSource(key="fake.learning", learning_scores=fake_features.learning_scores,
                              tables=("enrolments",)))
    yield ds
    fake_features.SCORES.clear()


@pytest.fixture
def features(ds, swap_sources):
    swap_sources(lambda s: s.learning_scores is not None or s.key == "reports.statistics",
                 ReportSource(key="fake.satisfaction", order=10,
                              sheet=("Satisfaction", fake_features.satisfaction_sheet),
                              summary={"satisfaction": fake_features.satisfaction_mean},
                              dashboard=fake_features.satisfaction_section, tables=("enrolments",)),
                 ReportSource(key="fake.exercises", order=20, sheet=("Exercises", fake_features.exercises_sheet),
                              summary={"exercises_run": fake_features.exercises_run_count}, tables=("cohorts",)))
    fake_features.CALLS.clear()
    return ds


def test_learning_scores_feed_summary_learning_and_participants(learning):
    data = statistics.compute(ReportFilter())
    s = data.summary
    assert s.paired == 3
    assert s.mean_pre == pytest.approx(60.0) and s.mean_post == pytest.approx(260 / 3)
    assert s.normalised_gain == pytest.approx((260 / 3 - 60) / 40)
    by_code = {c.code: c for c in data.by_cohort}
    c1, c3 = by_code["CSIRT-2024A"], by_code["CSIRT-2025A"]
    assert (c1.paired, c1.mean_pre, c1.mean_post, c1.normalised_gain) == (2, 50.0, 80.0, pytest.approx(0.6))
    assert (c3.paired, c3.mean_pre, c3.mean_post, c3.normalised_gain) == (1, 80.0, 100.0, pytest.approx(1.0))
    assert by_code["ISMS-2025"].paired == 0 and by_code["ISMS-2025"].mean_pre is None

    book = open_book(build())
    assert rows(book, "Learning")[1:] == [
        ("CSIRT-2024A", 2, 0.5, 0.8, pytest.approx(0.6)), ("CSIRT-2024B", 0, None, None, None),
        ("CSIRT-2025A", 1, 0.8, 1.0, pytest.approx(1.0)), ("CSIRT-2025B", 0, None, None, None),
        ("ISMS-2025", 0, None, None, None),
    ]
    summary = {r[0]: r[1] for r in rows(book, "Summary")[1:]}
    assert summary["Mean pre-test"] == pytest.approx(0.6) and summary["Mean post-test"] == pytest.approx(0.8667, 1e-3)
    participants = {r[0]: r for r in rows(book, "Participants")[1:]}
    e = learning.enrolments
    assert participants[e["A", "C1"].id][16:18] == (0.4, 0.7)
    assert participants[e["B", "C1"].id][16:18] == (0.5, None)
    assert book["Learning"]["C2"].number_format == "0.0%"


def test_learning_follows_the_filter(learning):
    data = statistics.compute(ReportFilter(nationality="VN"))
    assert (data.summary.paired, data.summary.mean_pre) == (1, 40.0)  # A only; B has no post-test


def test_feature_sheets_appear_only_with_rows_and_in_order(features):
    book = open_book(build())
    assert book.sheetnames == ["Summary", "Participants", "By country", "By sector", "By cohort", "By fiscal year",
                               "Learning", "Satisfaction", "Definitions"]
    assert rows(book, "Satisfaction") == [("Item", "Mean", "Responses"), ("Overall usefulness", 4.25, 9)]
    assert book["Satisfaction"].freeze_panes == "A2"
    summary = {r[0]: r[1] for r in rows(book, "Summary")[1:]}
    assert summary["Satisfaction (mean 1–5)"] == 4.25 and summary["Exercises run"] == 5
    scope = fake_features.CALLS[0][1]
    assert scope.lang == "en" and isinstance(scope.filter, ReportFilter)


def test_feature_dashboard_section_and_kpis(client, features, login_as):
    login_as("organiser")
    html = client.get("/reports/", query_string={"programme": "ISMS"}).get_data(as_text=True)
    assert "<section><h2>Satisfaction</h2><p>mean 4.25</p></section>" in html
    assert "Satisfaction (1–5)" in html and "Exercises run" in html


# --- the registry itself ----------------------------------------------------------------------------


def test_the_features_register_the_sheets_figures_and_sections_in_the_contract_order(app):
    # issues 15 and 16: the new sheets come after the existing sheets, which do not change
    names = [name for name, _fn in sources.sheets(app)]
    assert names[:3] == ["Satisfaction", "Exercises", "Action plans"]
    assert sorted(names[3:]) == sorted(["Nominations", "Assessments", "Outcomes", "Costs"])
    keys = [s.key for s in registered_sources(app)]
    assert {"courses.learning", "completion.satisfaction", "exercises.runs", "completion.action_plans",
            "nominations.per_country", "reports.statistics"} <= set(keys)
    dashboard = [s.key for s in registered_sources(app) if s.dashboard]
    assert dashboard[:2] == ["completion.satisfaction", "exercises.runs"]
    assert sorted(dashboard[2:]) == ["impact.figures", "nominations.per_country"]
    assert [s.key for s in registered_sources(app) if s.summary_rows] == ["impact.figures"]
    assert sorted(s.key for s in registered_sources(app) if s.definitions) == ["impact.figures",
                                                                                 "nominations.per_country"]
    assert sources.problems(app) == []


def test_a_source_names_functions_not_strings():
    with pytest.raises(TypeError):
        ReportSource(key="x", sheet=("X", "completion.exports:satisfaction_sheet"), tables=("cohorts",))
    with pytest.raises(TypeError):
        ReportSource(key="x", summary={"satisfaction": "satisfaction_mean"}, tables=("cohorts",))
    with pytest.raises(TypeError):
        ReportSource(key="x", dashboard="section", tables=("cohorts",))
    with pytest.raises(ValueError, match="tables"):
        ReportSource(key="x", dashboard=fake_features.satisfaction_section)


def test_registering_a_key_twice_is_an_error(app, swap_sources):
    swap_sources(lambda s: True)
    with pytest.raises(ValueError, match="twice"):
        register_source(app, ReportSource(key="courses.learning", tables=("cohorts",)))


@pytest.mark.parametrize("change, message", [
    (lambda s: s.key != "completion.satisfaction", "'satisfaction' has 0 sources"),
    (lambda s: s.learning_scores is None, "learning scores have 0 sources"),
])
def test_a_missing_source_is_an_error_in_tests(app, swap_sources, change, message):
    swap_sources(change)
    with pytest.raises(sources.SourceError, match=message):
        sources.check(app)


def test_unknown_tables_and_figures_are_errors(app, swap_sources):
    swap_sources(lambda s: True, ReportSource(key="typo", tables=("survey_answerz",),
                                              summary={"satisfacton": fake_features.satisfaction_mean}))
    problems = " ".join(sources.problems(app))
    assert "unknown tables survey_answerz" in problems and "unknown summary figures satisfacton" in problems


def test_a_failing_source_is_an_error_not_no_data(ds, swap_sources):
    def broken(scope):
        raise RuntimeError("bug in a feature")

    swap_sources(lambda s: True, ReportSource(key="broken", order=99, sheet=("Broken", broken), tables=("cohorts",)))
    with pytest.raises(RuntimeError, match="bug in a feature"):
        build()


# --- every source declares the tables it reads (the report cache depends on it) ---------------------

_TABLE_REF = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.I)


@contextmanager
def _tables_read(db):
    seen: set[str] = set()

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.update(m for m in _TABLE_REF.findall(statement) if m in db.metadata.tables)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_every_source_reads_only_the_tables_it_declares(app, ds, db):
    scope = statistics.scope(ReportFilter(), "en")
    # the scope's own selects (counted enrolments under the filter) belong to the built-in statistics
    scope_sql = f"{scope.enrolment_ids} {scope.cohort_ids}"
    scoped = {m for m in _TABLE_REF.findall(scope_sql) if m in db.metadata.tables}
    assert scoped <= sources.tables(app)
    for source in registered_sources(app):
        calls = [fn for _figure, fn in source.summary.items()]
        calls += [source.sheet[1]] if source.sheet else []
        calls += [source.dashboard] if source.dashboard else []
        calls += [fn for fn in (source.summary_rows, source.definitions) if fn is not None]
        for fn in calls:
            with _tables_read(db) as seen, app.test_request_context():
                result = fn(scope)
                list(getattr(result, "rows", None) or [])
            assert seen <= set(source.tables) | scoped, (source.key, fn.__name__, seen - set(source.tables))
        if source.learning_scores:
            with _tables_read(db) as seen:
                db.session.execute(source.learning_scores()).all()
            assert seen and seen <= set(source.tables), (source.key, seen - set(source.tables))


def test_the_whole_report_reads_only_registered_tables(app, ds, db, client, login_as):
    from reports import queries

    login_as("organiser")
    with _tables_read(db) as seen:
        statistics.compute(ReportFilter())
        queries.filter_options()
        build()
        assert client.get("/reports/").status_code == 200
    seen -= {"users", "user_sessions"}  # signing in, not a report figure
    assert seen <= sources.tables(app), seen - sources.tables(app)
    assert {"survey_answers", "action_plans", "exercise_runs", "attempts", "enrolments"} <= sources.tables(app)
