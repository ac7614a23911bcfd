"""Feature hooks: pre/post scores, Satisfaction/Exercises sheets, Summary figures, dashboard sections."""

from __future__ import annotations

import pytest

from reports import sources, statistics
from reports.filters import ReportFilter
from tests.reports import dataset, fake_features
from tests.reports.helpers import build, open_book, rows

FAKE = "tests.reports.fake_features"


@pytest.fixture
def ds(db):
    data = dataset.build()
    db.session.commit()
    return data


@pytest.fixture
def learning(ds, monkeypatch):
    e = ds.enrolments
    fake_features.SCORES.clear()
    fake_features.SCORES.update({
        e["A", "C1"].id: (40.0, 70.0), e["B", "C1"].id: (50.0, None), e["Cc", "C1"].id: (60.0, 90.0),
        e["F", "C3"].id: (80.0, 100.0), e["D", "C1"].id: (10.0, 90.0),  # D withdrew: never counted
    })
    monkeypatch.setattr(sources, "LEARNING_SCORES", f"{FAKE}:learning_scores")
    yield ds
    fake_features.SCORES.clear()


@pytest.fixture
def features(ds, monkeypatch):
    monkeypatch.setattr(sources, "SHEETS", (sources.SheetHook("Satisfaction", f"{FAKE}:satisfaction_sheet"),
                                            sources.SheetHook("Exercises", f"{FAKE}:exercises_sheet")))
    monkeypatch.setattr(sources, "SUMMARY_FIGURES", {"satisfaction": f"{FAKE}:satisfaction_mean",
                                                     "exercises_run": f"{FAKE}:exercises_run_count"})
    monkeypatch.setattr(sources, "DASHBOARD_SECTIONS", (f"{FAKE}:satisfaction_section",))
    fake_features.CALLS.clear()
    return ds


def test_missing_features_mean_no_data(db):
    assert sources.resolve("no_such_feature.exports:thing") is None
    assert sources.resolve(f"{FAKE}:no_such_function") is None


def test_an_import_error_inside_a_feature_is_not_hidden(monkeypatch):
    def exploding_import(name, *args, **kwargs):
        raise ModuleNotFoundError("No module named 'markdown_it'", name="markdown_it")

    monkeypatch.setattr(sources.importlib, "import_module", exploding_import)
    with pytest.raises(ModuleNotFoundError):
        sources.resolve("broken_feature.exports:thing")


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
