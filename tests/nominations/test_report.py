"""The ``Nominations`` sheet (after the existing sheets) and the dashboard section match the decisions."""

from nominations import services
from tests.nominations.builders import focal_point, nominate, open_call
from tests.reports.helpers import build, open_book, rows
from trainees import services as trainee_services


def _decided(db):
    call = open_call({"VN": 2, "TH": 1})
    vn, th = focal_point("VN"), focal_point("TH")
    services.decide(nominate(call, vn, 1), "accepted")
    services.decide(nominate(call, vn, 2), "waitlisted")
    services.decide(nominate(call, th, 3), "accepted")
    services.decide(nominate(call, th, 4), "rejected")
    db.session.commit()
    return call


HEADERS = ("Country", "Nominated", "Eligible", "Accepted", "Waitlisted", "Rejected", "Quota", "Fill rate",
           "Withdrawn", "Undecided")


def test_nominations_sheet(db):
    _decided(db)
    book = open_book(build())
    assert book.sheetnames[-2:] == ["Nominations", "Definitions"]
    assert rows(book, "Nominations") == [
        HEADERS,
        ("Thailand", 2, 2, 1, 0, 1, 1, 1.0, 0, 0),
        ("Viet Nam", 2, 2, 1, 1, 0, 2, 0.5, 0, 0),
    ]


def test_each_row_adds_up_with_withdrawn_and_undecided_at_the_end(db):
    """Nominated = accepted + waitlisted + rejected + withdrawn + undecided; the new columns come last."""
    call = open_call({"VN": 3})
    vn = focal_point("VN")
    services.decide(nominate(call, vn, 1), "accepted")
    services.decide(nominate(call, vn, 2), "accepted")
    nominate(call, vn, 3)  # not decided yet
    withdrawn = nominate(call, vn, 4)
    services.decide(withdrawn, "accepted")
    trainee_services.change_status(withdrawn.enrolment, "withdrawn", "visa refused")
    services.sync_withdrawals(call)
    db.session.commit()
    sheet = rows(open_book(build()), "Nominations")
    assert sheet[0] == HEADERS
    row = dict(zip(HEADERS, sheet[1], strict=True))
    assert (row["Nominated"], row["Accepted"], row["Withdrawn"], row["Undecided"]) == (4, 2, 1, 1)
    assert row["Nominated"] == sum(row[k] for k in ("Accepted", "Waitlisted", "Rejected", "Withdrawn", "Undecided"))


def test_definitions_explain_the_nominations_sheet(db):
    _decided(db)
    definitions = dict((r[0], r[1]) for r in rows(open_book(build()), "Definitions") if r and r[0])
    assert "Nominations sheet" in definitions
    assert "Accepted + Waitlisted + Rejected + Withdrawn + Undecided" in definitions["Nominations sheet"]
    for figure in ("Withdrawn", "Undecided", "Fill rate"):
        assert figure in definitions, figure
    ja = dict((r[0], r[1]) for r in rows(open_book(build(lang="ja")), "Definitions") if r and r[0])
    assert "推薦シート" in ja and "未決定" in ja


def test_no_nominations_no_definitions(db):
    definitions = {r[0] for r in rows(open_book(build()), "Definitions") if r}
    assert "Nominations sheet" not in definitions


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
    headers = ("国", "推薦数", "要件適合", "受入決定", "補欠", "不採用", "割当枠", "充足率", "辞退", "未決定")
    assert rows(book, "Nominations")[0] == headers


def test_the_sheet_is_a_registered_report_source(app):
    from core.reporting import registered_sources

    source = next(s for s in registered_sources(app) if s.key == "nominations.per_country")
    assert source.sheet[0] == "Nominations"
    assert {"nomination_candidates", "nomination_quotas", "nomination_calls"} <= set(source.tables)
