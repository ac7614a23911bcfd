"""Every figure of the fixed dataset (tests/reports/dataset.py), computed by hand."""

from __future__ import annotations

from datetime import date

import pytest

from reports import statistics
from reports.filters import ReportFilter
from tests.reports import dataset


@pytest.fixture
def ds(db):
    return dataset.build()


def test_summary_figures(ds):
    s = statistics.compute(ReportFilter()).summary
    assert (s.cohorts, s.participants, s.enrolments, s.completed, s.countries) == (5, 7, 9, 6, 5)
    assert (s.female, s.male, s.other_gender, s.not_stated) == (4, 2, 2, 1)
    assert s.completion_rate == pytest.approx(6 / 9)
    assert s.female_share == pytest.approx(4 / 9)
    # C1 attendance 2 + 1 + 0; C2 3 + 3; C3 1 + 1; C4 5; C5 5.
    assert s.person_days == 21
    assert (s.paired, s.mean_pre, s.mean_post, s.normalised_gain) == (0, None, None, None)
    assert (s.satisfaction, s.exercises_run) == (None, 0)  # no survey answers; no exercise held


def test_by_country_with_dated_asean_subtotal(ds):
    result = statistics.compute(ReportFilter()).by_country
    rows = {r.code: (r.enrolments, r.completed, r.female, r.male, r.other, r.person_days) for r in result.rows}
    assert [r.code for r in result.rows] == ["JP", "PH", "TH", "TL", "VN"]
    assert rows == {
        "JP": (1, 1, 0, 0, 1, 1),
        "PH": (1, 0, 0, 1, 0, 1),
        "TH": (2, 1, 2, 0, 0, 3),
        "TL": (2, 2, 0, 0, 2, 10),
        "VN": (3, 2, 2, 1, 0, 6),
    }
    a = result.asean
    # PH + TH + VN, and Timor-Leste only for the cohort that started after 26 Oct 2025 (C4), not C5.
    assert (a.enrolments, a.completed, a.female, a.male, a.other, a.person_days) == (7, 4, 4, 2, 1, 15)
    t = result.total
    assert (t.enrolments, t.completed, t.female, t.male, t.other, t.person_days) == (9, 6, 4, 2, 3, 21)


def test_asean_before_accession_counts_ten_members(ds):
    before = statistics.compute(ReportFilter(cohort="CSIRT-2025B")).by_country
    after = statistics.compute(ReportFilter(cohort="ISMS-2025")).by_country
    assert [r.code for r in before.rows] == ["TL"] and before.asean.enrolments == 0
    assert [r.code for r in after.rows] == ["TL"] and after.asean.enrolments == 1


def test_by_sector_with_public_private_other(ds):
    data = statistics.compute(ReportFilter())
    rows = {r.code: (r.public, r.private, r.other, r.enrolments, r.completed) for r in data.by_sector}
    assert [r.code for r in data.by_sector] == ["EDU", "ELE", "FIN", "GOV", "ICT"]
    assert rows == {"EDU": (0, 0, 1, 1, 1), "ELE": (1, 0, 0, 1, 0), "FIN": (0, 2, 0, 2, 1),
                    "GOV": (4, 0, 0, 4, 4), "ICT": (0, 1, 0, 1, 0)}
    total = data.sector_total
    assert (total.public, total.private, total.other, total.enrolments, total.completed) == (5, 3, 1, 9, 6)


def test_by_cohort_in_start_date_order(ds):
    rows = statistics.compute(ReportFilter()).by_cohort
    got = [(c.code, c.fiscal_year, c.modality, c.host_country, c.start, c.end, c.training_days, c.enrolments,
            c.completed, c.countries, c.person_days) for c in rows]
    assert got == [
        ("CSIRT-2024A", 2024, "invitation_jp", "JP", date(2024, 6, 3), date(2024, 6, 7), 5, 3, 2, 2, 3),
        ("CSIRT-2024B", 2024, "workshop_in_country", "VN", date(2025, 3, 31), date(2025, 4, 2), 3, 2, 1, 2, 6),
        ("CSIRT-2025A", 2025, "online_live", None, date(2025, 4, 1), date(2025, 4, 1), 1, 2, 1, 2, 2),
        ("CSIRT-2025B", 2025, "workshop_in_country", "TL", date(2025, 10, 20), date(2025, 10, 24), 5, 1, 1, 1, 5),
        ("ISMS-2025", 2025, "invitation_jp", "JP", date(2025, 10, 27), date(2025, 10, 31), 5, 1, 1, 1, 5),
    ]
    assert all(c.paired == 0 and c.mean_pre is None and c.normalised_gain is None for c in rows)


def test_by_fiscal_year_with_31_march_and_1_april_boundary(ds):
    rows = statistics.compute(ReportFilter()).by_fiscal_year
    got = [(r.fiscal_year, r.cohorts, r.enrolments, r.completed, r.countries, r.person_days, r.cumulative)
           for r in rows]
    assert got == [(2024, 2, 5, 3, 2, 9, 5), (2025, 3, 4, 3, 3, 12, 9)]


def test_filters_narrow_every_figure(ds):
    fy2024 = statistics.compute(ReportFilter(fy_from=2024, fy_to=2024))
    assert (fy2024.summary.cohorts, fy2024.summary.enrolments, fy2024.summary.person_days) == (2, 5, 9)
    vn = statistics.compute(ReportFilter(nationality="VN"))
    assert (vn.summary.enrolments, vn.summary.participants, vn.summary.person_days) == (3, 2, 6)
    isms = statistics.compute(ReportFilter(programme="isms"))  # codes are case-insensitive
    assert (isms.summary.enrolments, [c.code for c in isms.by_cohort]) == (1, ["ISMS-2025"])
    private = statistics.compute(ReportFilter(org_type="private"))
    assert private.summary.enrolments == 3 and [r.code for r in private.by_sector] == ["FIN", "ICT"]
    gov = statistics.compute(ReportFilter(sector="GOV", modality="invitation_jp"))
    assert (gov.summary.enrolments, gov.summary.person_days) == (2, 2 + 5)  # A in C1 (2 days), E in C4
    nothing = statistics.compute(ReportFilter(nationality="KH"))
    assert nothing.summary.enrolments == 0 and nothing.by_country.rows == [] and nothing.summary.completion_rate is None


def test_participant_rows_one_per_counted_enrolment(ds):
    rows = list(statistics.participant_rows(ReportFilter()))
    assert len(rows) == 9
    by_id = {r[0]: r for r in rows}
    a_c1 = by_id[ds.enrolments[("A", "C1")].id]
    fields = dict(zip(statistics.PARTICIPANT_FIELDS, a_c1, strict=True))
    assert fields["attended_sessions"] == 3 and fields["recorded_sessions"] == 4
    assert ds.enrolments[("D", "C1")].id not in by_id  # withdrawn
    assert ds.enrolments[("F", "C4")].id not in by_id  # no-show
    assert len({r[1] for r in rows}) == 7  # A and E appear twice but are one trainee each
    no_names = list(statistics.participant_rows(ReportFilter(), include_names=False))
    assert all(r[2] is None and r[3] is None for r in no_names)
