"""Survey results and comments are shown only from a minimum number of responses (default 5)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from completion import services
from reports.filters import ReportFilter
from reports.workbook import build_workbook
from tests import factories


def _survey_with(db, answers: int, code: str):
    cohort = factories.cohort(code=code, start_date=date(2024, 6, 3), end_date=date(2024, 6, 7))
    enrolments = [factories.enrolment(cohort_obj=cohort, status="completed") for _ in range(6)]
    reaction = services.ensure_default_templates()[0]
    today = date.today()
    survey = services.create_survey(cohort, reaction, title="End", opens_on=today - timedelta(days=1),
                                    closes_on=today + timedelta(days=7), anonymous=True)
    for n, enrolment in enumerate(enrolments[:answers]):
        values = {i.id: "4" if i.kind == "likert" else "0" if i.kind == "single_choice" else f"comment number {n}"
                  for i in survey.items}
        assert services.submit_response(survey, enrolment, values) == {}
    db.session.commit()
    return survey


def test_results_page_hides_results_and_comments_below_five_responses(client, db, login_as):
    small = _survey_with(db, 4, "SMALL-1")
    login_as("organiser")
    page = client.get(f"/surveys/{small.id}").get_data(as_text=True)
    assert "Not enough responses to show" in page
    assert "comment number" not in page and "4.00" not in page
    assert "4 / 6" in page  # the response rate itself is not a result


def test_results_page_shows_results_from_five_responses(client, db, login_as):
    enough = _survey_with(db, 5, "ENOUGH-1")
    login_as("organiser")
    page = client.get(f"/surveys/{enough.id}").get_data(as_text=True)
    assert "Not enough responses to show" not in page
    assert "comment number 0" in page and "4.00" in page


def test_workbook_satisfaction_leaves_small_groups_blank(db):
    _survey_with(db, 4, "SMALL-2")
    _survey_with(db, 5, "ENOUGH-2")
    buffer = io.BytesIO()
    build_workbook(buffer, ReportFilter())
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(buffer.getvalue()))["Satisfaction"].iter_rows()]
    small = [r for r in rows if r[0] == "SMALL-2"]
    enough = [r for r in rows if r[0] == "ENOUGH-2"]
    assert small and all(r[4] is None and r[5] is None for r in small)
    assert enough and all(r[4] == 4 and r[5] == 1 for r in enough)
