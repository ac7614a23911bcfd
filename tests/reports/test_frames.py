"""reports.frames: the DataFrames analysts get hold the same figures as the exported workbook (demo data)."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

from core.cli import run_seeders
from reports import frames
from reports.filters import ReportFilter
from tests.reports.helpers import build, open_book, rows


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def same(a, b) -> bool:
    """Equal, treating None/NaN/NA alike, dates as the workbook's midnight datetimes and floats to 1e-9."""
    if _blank(a) or _blank(b):
        return _blank(a) and _blank(b)
    if isinstance(a, date) and isinstance(b, datetime):  # a date cell reads back as midnight
        return b == datetime.combine(a, datetime.min.time())
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def pct(value):
    return None if _blank(value) else value / 100


def assert_rows(expected: list[tuple], actual: list[tuple]) -> None:
    assert len(expected) == len(actual)
    for e, a in zip(expected, actual, strict=True):
        differ = [(x, y) for x, y in zip(e, a, strict=True) if not same(x, y)]
        assert not differ, (e, differ)


def test_frames_equal_the_workbook_on_the_demo_data(db, app):
    """One seeding of the demo data (inside the test's rolled-back transaction), then every frame is
    compared with the sheet the workbook export wrote from the same data."""
    run_seeders()
    db.session.flush()
    book = open_book(build(ReportFilter(), lang="en"))
    demo = book, frames.report(ReportFilter())
    check_summary(demo)
    check_participants(demo)
    check_breakdowns(demo)
    check_learning(demo)
    check_satisfaction(demo, app)
    check_feature_sheets_and_filters(demo)


def check_summary(demo):
    book, data = demo
    s = data["summary"].iloc[0]
    sheet = dict(rows(book, "Summary")[1:])
    assert s["enrolments"] > 0 and s["cohorts"] > 0  # the demo data is there
    expected = {"Cohorts": s["cohorts"], "Participants": s["participants"], "Enrolments": s["enrolments"],
                "Completed": s["completed"], "Completion rate": s["completion_rate"], "Countries": s["countries"],
                "Female share": s["female_share"], "Person-days": s["person_days"],
                "Mean pre-test": pct(s["mean_pre"]), "Mean post-test": pct(s["mean_post"]),
                "Normalised gain": s["normalised_gain"], "Satisfaction (mean 1–5)": s["satisfaction"],
                "Exercises run": s["exercises_run"]}
    for label in ("Outcomes reported", "Mean maturity change, ISMS benchmark (scale 1–5)",
                  "Mean maturity change, SIM3 (scale 0–4)", "Cost per person-day"):  # impact's rows (issue 16)
        if label in sheet:
            expected[label] = s[label]
    assert set(expected) == set(sheet)
    for name, value in expected.items():
        assert same(value, sheet[name]), (name, value, sheet[name])


def check_participants(demo):
    book, data = demo
    people = data["participants"]
    header, *body = rows(book, "Participants")
    assert "family_name" not in people.columns and "Family name" in header  # names only on request
    col = {h: i for i, h in enumerate(header)}
    expected = [(r.enrolment_id, r.trainee_id, r.organisation, r.cohort, r.fiscal_year, r.attendance,
                 pct(r.pre_pct), pct(r.post_pct), r.completed) for r in people.itertuples()]
    actual = [tuple(row[col[h]] for h in ("Enrolment ID", "Trainee ID", "Organisation", "Cohort", "Fiscal year",
                                          "Attendance %", "Pre-test %", "Post-test %", "Completed"))
              for row in body]
    assert_rows(expected, actual)
    assert people["public_private"].isin({"public", "private", "other"}).all()


def check_breakdowns(demo):
    book, data = demo
    country = data["by_country"]
    header, *body = rows(book, "By country")
    assert_rows([(code, *r) for code, *r in country.itertuples()], [(r[0], *r[2:]) for r in body[:-2]])
    assert_rows([tuple(country.sum())], [body[-1][2:]])  # the Total row
    sector = data["by_sector"]
    _, *body = rows(book, "By sector")
    assert_rows([(code, *r) for code, *r in sector.itertuples()], [(r[0], *r[2:]) for r in body[:-1]])
    assert_rows([tuple(sector.sum())], [body[-1][2:]])
    cohorts = data["by_cohort"]
    _, *body = rows(book, "By cohort")
    assert_rows([(code, r.fiscal_year, r.training_days, r.enrolments, r.completed, r.countries, r.person_days)
                 for code, r in cohorts.iterrows()],
                [(r[0], r[2], r[7], r[8], r[9], r[10], r[11]) for r in body])
    years = data["by_fiscal_year"]
    _, *body = rows(book, "By fiscal year")
    assert_rows([(fy, *r) for fy, *r in years.itertuples()], body)


def check_learning(demo):
    book, data = demo
    learning = data["learning"]
    _, *body = rows(book, "Learning")
    assert learning["paired"].sum() > 0  # the demo data has pre/post pairs
    assert_rows([(code, r.paired, pct(r.mean_pre), pct(r.mean_post), r.normalised_gain)
                 for code, r in learning.iterrows()], body)


def check_satisfaction(demo, app):
    book, data = demo
    sat = data["satisfaction"]
    _, *body = rows(book, "Satisfaction")
    assert len(sat) > 0
    assert_rows([tuple(r) for r in sat.itertuples(index=False)], body)
    assert sat["mean"].notna().any()  # the demo surveys have enough answers to show
    app.config["SURVEY_MIN_RESPONSES"] = 10_000
    try:
        hidden = frames.satisfaction()
        assert len(hidden) == len(sat)
        assert hidden["mean"].map(_blank).all() and hidden["top2_share"].map(_blank).all()
        assert frames.summary()["satisfaction"].map(_blank).all()
    finally:
        app.config["SURVEY_MIN_RESPONSES"] = 5


def check_feature_sheets_and_filters(demo):
    book, data = demo
    assert frames.feature_sheet("No such sheet") is None
    assert "Exercises" in book.sheetnames
    _, *body = rows(book, "Exercises")
    assert_rows([tuple(r) for r in data["exercises"].itertuples(index=False)], body)
    code = data["by_cohort"].index[0]
    one = frames.participants(ReportFilter(cohort=code))
    assert set(one["cohort"]) == {code} and len(one) == data["by_cohort"].loc[code, "enrolments"]
    named = frames.participants(ReportFilter(cohort=code), include_names=True)
    assert {"family_name", "given_names"} <= set(named.columns)
    assert not {"email", "date_of_birth"} & set(named.columns)
