"""After-action report: page, workbook sheets and content, non-attribution, formula safety."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from core.refdata import country_name
from exercises import aar
from exercises.models import RunInject, RunObjective
from exercises.services import evaluation, play, runs
from tests import factories
from tests.exercises import builders

SHEETS = ["Overview", "Objectives and ratings", "Timeline", "Observations", "Improvement plan"]


def _played_run(db):
    facilitator = factories.user(role="organiser", display_name="Fumiko Facilitator")
    run, people, _s = builders.started_run(minutes_ago=30, facilitator=facilitator)
    first = db.session.scalar(select(RunInject).where(RunInject.run_id == run.id, RunInject.title == "Ransom note"))
    for trainee, user in (people[0], people[-1]):
        team = builders.team_of(run, user.id)
        play.post_response(run, team, user, inject_id=first.id,
                           text=f"{team.name} team: {trainee.family_name} isolates the ward; "
                                f"{trainee.organisation.name} calls =SUM(A1)")
    objectives = db.session.scalars(select(RunObjective).where(RunObjective.run_id == run.id)
                                    .order_by(RunObjective.position)).all()
    team_ids = [builders.team_of(run, people[0][1].id).id, builders.team_of(run, people[-1][1].id).id]
    evaluation.add_observation(run, facilitator, kind="improvement", objective_id=objectives[0].id,
                               inject_id=first.id, team_id=team_ids[0],
                               text=f"{people[0][0].given_names} from Viet Nam hesitated")
    ratings = {(objectives[0].id, None): ("S", "Met with some delay"), (objectives[1].id, None): ("U", "Missed"),
               (objectives[0].id, team_ids[0]): ("M", "Thailand and Viet Nam disagreed")}
    evaluation.save_ratings(run, ratings, actor=facilitator)
    evaluation.add_improvement(run, issue="Backups nine days old", corrective_action="=cmd|' /C calc'!A0",
                               poete="equipment", owner_organisation=people[0][0].organisation.name,
                               point_of_contact="Fumiko", due_date=date(2026, 9, 30), status="open")
    evaluation.save_hotwash(run, f"Good energy from {people[-1][0].full_name}.")
    runs.transition(run, "end")
    db.session.flush()
    return run, people


def _cells(data: bytes) -> list[str]:
    wb = load_workbook(BytesIO(data))
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_aar_workbook_has_the_five_sheets_with_content(db):
    run, people = _played_run(db)
    data = aar.workbook(aar.build(run))
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == SHEETS
    ratings = [r for r in wb["Objectives and ratings"].iter_rows(min_row=2, values_only=True)]
    assert (1, "Escalate within one hour", "RS Respond", "6.1 Incident report acceptance", "Overall", "S",
            "Met with some delay") in ratings
    assert ratings[1][4:6] == ("Viet Nam", "M")
    timeline = list(wb["Timeline"].iter_rows(min_row=2, values_only=True))
    assert [r[3] for r in timeline][:3] == ["Inject 1", "Response", "Response"]  # time order
    assert timeline[0][5] == "Ransom note"
    plan = list(wb["Improvement plan"].iter_rows(min_row=2, values_only=True))
    assert plan[0][2] == "Backups nine days old" and plan[0][7].date() == date(2026, 9, 30)
    assert wb["Improvement plan"].cell(2, 4).data_type == "s"  # formula-like text stays text
    overview = dict(wb["Overview"].iter_rows(min_row=2, max_row=22, values_only=True))
    assert overview["Teams"] == 2 and overview["Objectives rated S"] == 1 and overview["Objectives rated U"] == 1
    assert overview["Non-attributed"] == "no"
    everything = " ".join(_cells(data))
    assert people[0][0].family_name in everything and "Viet Nam" in everything  # the attributed version names


def test_non_attributed_workbook_leaves_no_team_person_organisation_or_country_name(db):
    run, people = _played_run(db)
    data = aar.workbook(aar.build(run, anonymous=True))
    text = " ".join(_cells(data))
    forbidden = {"Viet Nam", "Thailand", country_name("VN", "ja"), country_name("TH", "ja"), "Fumiko Facilitator"}
    for trainee, _user in people:
        forbidden |= {trainee.family_name, trainee.given_names, trainee.email, trainee.organisation.name}
    for word in forbidden:
        assert word.casefold() not in text.casefold(), word
    assert "Team A" in text and "Team B" in text
    overview = dict(load_workbook(BytesIO(data))["Overview"].iter_rows(min_row=2, max_row=22, values_only=True))
    assert overview["Non-attributed"] == "yes"


def test_aar_pages_and_downloads(client, db, login_as):
    user = login_as("organiser")
    run, people = _played_run(db)
    db.session.commit()
    page = client.get(f"/exercises/runs/{run.id}/aar").get_data(as_text=True)
    assert "Backups nine days old" in page and people[0][0].full_name in page
    anon = client.get(f"/exercises/runs/{run.id}/aar?anon=1").get_data(as_text=True)
    assert "Team A" in anon and people[0][0].family_name not in anon and "Viet Nam" not in anon
    download = client.get(f"/exercises/runs/{run.id}/aar.xlsx?anon=1")
    assert download.status_code == 200 and "non-attributed" in download.headers["Content-Disposition"]
    assert load_workbook(BytesIO(download.data)).sheetnames == SHEETS
    assert user is not None


def test_team_letters():
    assert [aar.team_letter(i) for i in (0, 1, 25, 26, 27, 51, 52)] == ["A", "B", "Z", "AA", "AB", "AZ", "BA"]
    scrub = aar.Scrubber({"Viet Nam": "[country]", "Nam": "[person]", "ab": "[x]"})
    assert scrub("viet nam and Nam, Namibia") == "[country] and [person], Namibia"
