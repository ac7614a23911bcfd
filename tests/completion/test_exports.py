"""The Satisfaction and Action plans sheets and the satisfaction figure in the report workbook."""

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from completion import services
from reports.filters import ReportFilter
from reports.workbook import build_workbook
from tests import factories


def _sheet(book, name):
    ws = book[name]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_workbook_carries_satisfaction_and_action_plans(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "SURVEY_MIN_RESPONSES", 3)  # three answers below
    cohort = factories.cohort(code="SAT-1", start_date=date(2024, 6, 3), end_date=date(2024, 6, 7))
    enrolments = [factories.enrolment(cohort_obj=cohort, status="completed") for _ in range(4)]
    reaction = services.ensure_default_templates()[0]
    survey = services.create_survey(cohort, reaction, title="End", opens_on=cohort.end_date,
                                    closes_on=cohort.end_date + timedelta(days=7), anonymous=True)
    for enrolment, value in zip(enrolments[:3], (5, 4, 2), strict=True):
        answers = {i.id: str(value) if i.kind == "likert" else "0" if i.kind == "single_choice" else ""
                   for i in survey.items}
        assert services.submit_response(survey, enrolment, answers, today=cohort.end_date) == {}
    plan = services.save_action_plan(enrolments[0], title="P", goals="", milestones=[], supervisor_name="",
                                     supervisor_email="boss@example.org")
    raw = services.submit_action_plan(plan)
    services.acknowledge_action_plan(raw, "ok")
    services.save_action_plan(enrolments[1], title="Q", goals="", milestones=[], supervisor_name="",
                              supervisor_email="")  # a draft: not submitted
    followups = services.schedule_followups(cohort)
    services.submit_response(followups[0], enrolments[0],
                             {i.id: "1" if i.kind != "text" else "" for i in followups[0].items},
                             today=followups[0].opens_on)
    db.session.flush()

    buffer = io.BytesIO()
    build_workbook(buffer, ReportFilter())
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    names = book.sheetnames
    assert names.index("Learning") < names.index("Satisfaction") < names.index("Action plans") \
        < names.index("Definitions")
    rows = _sheet(book, "Satisfaction")
    assert rows[0] == ["Cohort", "Survey", "Item", "Responses", "Mean (1–5)", "Agree (4–5)", "Response rate"]
    likert_items = sum(1 for i in survey.items if i.kind == "likert")
    assert len(rows) == 1 + likert_items
    assert rows[1][:2] == ["SAT-1", "End"] and rows[1][3] == 3
    assert rows[1][4] == round(11 / 3, 2) and abs(rows[1][5] - 2 / 3) < 1e-9 and rows[1][6] == 0.75
    summary = dict(_sheet(book, "Summary")[1:])
    assert summary["Satisfaction (mean 1–5)"] == round(11 / 3, 2)
    plans = _sheet(book, "Action plans")
    assert plans[1] == ["SAT-1", 4, 1, 1, 0.25, 0, 0]  # 6- and 12-month follow-ups scheduled, unanswered
