"""ReportFilter parsing: the same rules and messages for query arguments and CLI options."""

from __future__ import annotations

import pytest

from reports.filters import FilterError, ReportFilter, parse_fy_range


@pytest.fixture(autouse=True)
def ctx(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(("text", "expected"), [("2024", (2024, 2024)), ("2019:2024", (2019, 2024)),
                                                 (" 2019 - 2024 ", (2019, 2024)), ("2019–2024", (2019, 2024))])
def test_fy_ranges(text, expected):
    assert parse_fy_range(text) == expected


@pytest.mark.parametrize("text", ["", "24", "2024:", "2025:2024", "1899", "2024:3000", "FY2024"])
def test_bad_fy_ranges(text):
    with pytest.raises(ValueError):
        parse_fy_range(text)


def test_parse_normalises_codes_and_keeps_args():
    filt = ReportFilter.parse({"programme": " ISMS ", "fy": "2019:2024", "nationality": "vn", "sector": "gov",
                               "org_type": "National_CSIRT", "modality": "Invitation_JP", "cohort": "c-1"})
    assert filt == ReportFilter("ISMS", 2019, 2024, "c-1", "invitation_jp", "VN", "GOV", "national_csirt")
    assert ReportFilter.parse(filt.to_args()) == filt
    assert ReportFilter.parse({}).is_empty


def test_parse_collects_every_error():
    with pytest.raises(FilterError) as error:
        ReportFilter.parse({"fy_from": "2025", "fy_to": "2020", "nationality": "ZZ", "sector": "XYZ",
                            "org_type": "pirates", "modality": "telepathy"})
    assert set(error.value.errors) == {"fy_to", "nationality", "sector", "org_type", "modality"}


def test_labels():
    assert ReportFilter(fy_from=2024, fy_to=2024).fy_label() == "FY2024"
    assert ReportFilter(fy_from=2019, fy_to=2024).fy_label() == "FY2019–FY2024"
    assert ReportFilter(fy_from=2024, fy_to=2024).fy_label("ja") == "2024年度（令和6年度）"
    assert ReportFilter(nationality="TL").describe() == [("Nationality", "TL Timor-Leste")]
