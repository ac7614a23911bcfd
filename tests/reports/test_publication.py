"""Issue 13 item 8: the "for publication" workbook — aggregate only, small cells suppressed, no recovery."""

from __future__ import annotations

import io
from datetime import date

import pytest

from reports import statistics, suppression, workbook
from reports.filters import ReportFilter
from tests import factories
from tests.reports import dataset
from tests.reports.helpers import open_book, rows

K = 5


def _publication(filt=None, k=K) -> bytes:
    buffer = io.BytesIO()
    workbook.build_publication_workbook(buffer, filt or ReportFilter(), k=k)
    return buffer.getvalue()


def _check_grid(data, k=K):
    grid = workbook.publication_grid(data)
    hidden = suppression.suppress(grid, k)
    small = [c for c, n in grid.people.items() if n is not None and 0 < n < k and c not in hidden]
    assert not small, f"figures about fewer than {k} people shown: {small}"
    for total, members in grid.sums:
        count = sum(c in hidden for c in [total, *members])
        assert count != 1, f"a lone hidden cell in {total} = sum{members}"
    assert suppression.recoverable(grid, hidden, k) == []
    return grid, hidden


def _people_in_book(content: bytes, data=None, k=K) -> None:
    """No integer cell of 1..k-1 in any people-count column of the workbook."""
    book = open_book(content)
    assert "Participants" not in book.sheetnames
    count_columns = {"Enrolments", "Completed", "Female", "Male", "Other/not stated", "Public", "Private",
                     "Other", "Paired trainees", "Cumulative enrolments", "Participants"}
    for name in book.sheetnames:
        table = rows(book, name)
        if name == "Summary":
            for indicator, value in table[1:]:
                if indicator in {"Participants", "Enrolments", "Completed"}:
                    assert not (isinstance(value, int) and 0 < value < k), (indicator, value)
            continue
        header = table[0]
        for row in table[1:]:
            for head, value in zip(header, row, strict=True):
                if head in count_columns:
                    assert not (isinstance(value, int) and 0 < value < k), (name, head, row)


@pytest.fixture
def ds(db):
    return dataset.build()


def test_publication_workbook_on_the_fixed_dataset(ds):
    data = statistics.compute(ReportFilter())
    _check_grid(data)
    content = _publication()
    _people_in_book(content, data)
    book = open_book(content)
    assert book.sheetnames == ["Summary", "By country", "By sector", "By cohort", "By fiscal year", "Learning",
                               "Definitions"]
    by_country = rows(book, "By country")
    assert all(r[0] != "ASEAN" for r in by_country)
    viet_nam = next(r for r in by_country if r[0] == "VN")  # 4 enrolments: all hidden
    assert viet_nam[2] == suppression.LABEL
    definitions = " ".join(str(r[1]) for r in rows(book, "Definitions"))
    assert "fewer than 5 people is suppressed" in definitions
    for name in ("Nguyen", "Thi Anh", "mail.example"):
        for sheet in book.sheetnames:
            assert name not in str(rows(book, sheet))


def test_a_country_with_one_trainee_and_its_complement(db):
    """One Thai trainee among many Vietnamese: TH is hidden, and so is a second country in each column."""
    cohort = factories.cohort(start_date=date(2025, 6, 2), end_date=date(2025, 6, 6))
    vn, th, ph = (factories.organisation(f"Org {c}", c) for c in ("VN", "TH", "PH"))
    for n in range(12):
        factories.enrolment(factories.trainee(vn, nationality="VN", gender="F" if n % 2 else "M"), cohort,
                            "completed")
    for _ in range(7):
        factories.enrolment(factories.trainee(ph, nationality="PH", gender="M"), cohort, "completed")
    factories.enrolment(factories.trainee(th, nationality="TH", gender="F"), cohort, "completed")
    db.session.commit()
    data = statistics.compute(ReportFilter())
    grid, hidden = _check_grid(data)
    assert ("country", "TH", "enrolments") in hidden
    assert ("country", "PH", "enrolments") in hidden  # the complement: smallest other country
    assert ("country", "VN", "enrolments") not in hidden
    _people_in_book(_publication(), data)


def test_a_row_with_exactly_one_small_cell_gets_a_complement_in_the_row(db):
    """A country of 9 men and 1 woman: the woman's cell is hidden and so is a second cell of the row."""
    cohort = factories.cohort(start_date=date(2025, 6, 2), end_date=date(2025, 6, 6))
    vn = factories.organisation("Org VN", "VN")
    th = factories.organisation("Org TH", "TH")
    for _ in range(9):
        factories.enrolment(factories.trainee(vn, nationality="VN", gender="M"), cohort, "completed")
    factories.enrolment(factories.trainee(vn, nationality="VN", gender="F"), cohort, "completed")
    for _ in range(6):
        factories.enrolment(factories.trainee(th, nationality="TH", gender="F"), cohort, "completed")
    db.session.commit()
    data = statistics.compute(ReportFilter())
    grid, hidden = _check_grid(data)
    row = [("country", "VN", f) for f in ("enrolments", "female", "male", "other")]
    assert ("country", "VN", "female") in hidden
    assert sum(c in hidden for c in row) >= 2
    _people_in_book(_publication(), data)


def test_two_small_cells_summing_to_two_are_not_left_as_one_and_one():
    g = suppression.Grid()
    for name, value in (("total", 12), ("a", 1), ("b", 1), ("c", 10)):
        g.add(name, value, value)
    g.sums.append(("total", ["a", "b", "c"]))
    hidden = suppression.suppress(g, 5)
    assert hidden == {"a", "b", "c"}
    assert suppression.recoverable(g, hidden, 5) == []
    assert set(suppression.recoverable(g, {"a", "b"}, 5)) == {"a", "b"}  # "1 and 1" would be read off


def test_recoverable_finds_a_lone_hidden_cell():
    g = suppression.Grid()
    for name, value in (("total", 12), ("a", 2), ("b", 10)):
        g.add(name, value, value)
    g.sums.append(("total", ["a", "b"]))
    assert suppression.recoverable(g, {"a"}, 5) == ["a"]
    assert suppression.suppress(g, 5) == {"a", "b"}


def test_organiser_downloads_for_publication(client, db, ds, login_as):
    login_as("organiser")
    response = client.get("/reports/export.xlsx?publication=1")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store, private"
    book = open_book(response.data)
    assert "Participants" not in book.sheetnames
    page = client.get("/reports/").get_data(as_text=True)
    assert 'name="publication"' in page
