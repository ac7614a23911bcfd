"""The ``Nominations`` sheet (after the existing sheets) and the dashboard section match the decisions."""

from nominations import services
from tests.nominations.builders import focal_point, nominate, open_call
from tests.reports.helpers import build, open_book, rows


def _decided(db):
    call = open_call({"VN": 2, "TH": 1})
    vn, th = focal_point("VN"), focal_point("TH")
    services.decide(nominate(call, vn, 1), "accepted")
    services.decide(nominate(call, vn, 2), "waitlisted")
    services.decide(nominate(call, th, 3), "accepted")
    services.decide(nominate(call, th, 4), "rejected")
    db.session.commit()
    return call


def test_nominations_sheet(db):
    _decided(db)
    book = open_book(build())
    assert book.sheetnames[-2:] == ["Nominations", "Definitions"]
    assert rows(book, "Nominations") == [
        ("Country", "Nominated", "Eligible", "Accepted", "Waitlisted", "Rejected", "Quota", "Fill rate"),
        ("Thailand", 2, 2, 1, 0, 1, 1, 1.0),
        ("Viet Nam", 2, 2, 1, 1, 0, 2, 0.5),
    ]


def test_no_nominations_no_sheet(db):
    assert "Nominations" not in open_book(build()).sheetnames


def test_dashboard_section(client, db, login_as):
    _decided(db)
    login_as("organiser")
    html = client.get("/reports/").get_data(as_text=True)
    assert 'id="nominations-heading"' in html and "Viet Nam" in html


def test_nominations_sheet_headers_in_japanese(db):
    _decided(db)
    book = open_book(build(lang="ja"))
    headers = ("国", "推薦数", "要件適合", "受入決定", "補欠", "不採用", "割当枠", "充足率")
    assert rows(book, "Nominations")[0] == headers


def test_the_sheet_is_a_registered_report_source(app):
    from core.reporting import registered_sources

    source = next(s for s in registered_sources(app) if s.key == "nominations.per_country")
    assert source.sheet[0] == "Nominations"
    assert {"nomination_candidates", "nomination_quotas", "nomination_calls"} <= set(source.tables)
