"""MSEL workbook: export → import round trip, formula-like text, all-or-nothing validation, upload page."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from exercises import msel, queries
from exercises.models import ScenarioInject, ScenarioModule
from exercises.services import library
from tests.exercises import builders

FIELDS = ("position", "scenario_time", "scenario_minutes", "planned_offset_minutes", "channel", "from_persona",
          "audience", "title", "body", "expected_actions", "contingency")


def _injects(db, scenario_id):
    scenario = queries.scenario_detail(scenario_id)
    modules = {m.id: m.title for m in scenario.modules}
    return [(modules.get(i.module_id), *(getattr(i, f) for f in FIELDS)) for i in scenario.injects]


def _workbook(rows, header=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "MSEL"
    ws.append(header or ["#", "Module", "Scenario time", "Planned offset (min)", "Channel", "From", "To / audience",
                         "Title", "Body", "Expected actions", "Contingency"])
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_export_then_import_gives_the_same_injects(db):
    source = builders.scenario("Source")
    library.add_inject(source, scenario_time="T+03:00", title="=HYPERLINK(\"http://x\",\"click\")",
                       body="+1 call\n-not a formula\n@sum", channel="ticket", from_persona="=cmd|' /C calc'!A0",
                       expected_actions=[{"role": "SOC", "action": "-Block; then @notify"}], planned_offset_minutes=45)
    db.session.flush()
    data = msel.export_workbook(queries.scenario_detail(source.id))
    ws = load_workbook(BytesIO(data))["MSEL"]
    titles = [c for c in ws.iter_rows(min_row=2, values_only=False) if c[7].value.startswith("=")]
    assert titles and titles[0][7].data_type == "s"  # stored as text, not as a formula
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    target = builders.scenario("Target")
    parsed = msel.parse_workbook(data, target.t0_clock)
    assert parsed.errors == []
    library.replace_msel(target, parsed.modules, parsed.injects)
    db.session.flush()
    db.session.expire_all()
    assert _injects(db, target.id) == _injects(db, source.id)
    # and a second round trip changes nothing either
    again = msel.export_workbook(queries.scenario_detail(target.id))
    assert msel.export_rows(queries.scenario_detail(target.id)) == msel.export_rows(queries.scenario_detail(source.id))
    assert msel.parse_workbook(again, target.t0_clock).injects == parsed.injects


def test_bad_rows_are_listed_with_row_and_column_and_nothing_is_written(client, db, login_as):
    login_as("organiser")
    scenario = builders.scenario()
    before = _injects(db, scenario.id)
    db.session.commit()
    data = _workbook([
        [1, "Morning", "T+00:00", 0, "email", "A", "B", "Fine row", "Body", "", "no"],
        [2, "Morning", "Day 0 09:00", "soon", "pigeon", "A", "B", "", "Body", "", "maybe"],
        [None] * 11,  # blank rows are skipped
        [1, "Morning", "T+01:00", 10, "phone", "A", "B", "Duplicate number", "", "", ""],
    ])
    response = client.post(f"/exercises/scenarios/{scenario.id}/msel/import",
                           data={"file": (BytesIO(data), "msel.xlsx"), "replace": "y"},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "nothing was imported" in html
    for expected in ("row 3: Scenario time: Days are counted from Day 1", "row 3: Planned offset (min): use whole",
                     "row 3: Channel: “pigeon” is not a channel", "row 3: Title: a title is required",
                     "row 3: Contingency: use yes or no", "row 5: #: inject number 1 appears twice"):
        assert expected in html, expected
    db.session.expire_all()
    assert _injects(db, scenario.id) == before


def test_import_page_replaces_injects_and_creates_new_modules(client, db, login_as):
    login_as("organiser")
    scenario = builders.scenario()
    db.session.commit()
    data = _workbook([
        ["", "Morning", "T+00:00", 0, "E-mail", "Nurse", "IT", "First", "Screens **red**", "IT: Isolate", "no"],
        ["", "Afternoon briefing", "T+05:00", "30", "Phone call", "Board", "CEO", "Second", "", "", "yes"],
    ])
    response = client.post(f"/exercises/scenarios/{scenario.id}/msel/import",
                           data={"file": (BytesIO(data), "msel.xlsx"), "replace": "y"},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    injects = db.session.scalars(select(ScenarioInject).where(ScenarioInject.scenario_id == scenario.id)
                                 .order_by(ScenarioInject.position)).all()
    assert [(i.position, i.title, i.channel, i.planned_offset_minutes, i.contingency) for i in injects] == [
        (1, "First", "email", 0, False), (2, "Second", "phone", 30, True)]
    assert injects[0].expected_actions == [{"role": "IT", "action": "Isolate"}]
    modules = db.session.scalars(select(ScenarioModule.title).where(ScenarioModule.scenario_id == scenario.id)).all()
    assert sorted(modules) == ["Afternoon briefing", "Day two", "Morning"]


def test_unreadable_oversized_and_incomplete_files_are_refused(db):
    # the one guarded reader's messages (core.spreadsheets)
    assert "not an Excel workbook" in msel.parse_workbook(b"title,body\nx,y\n").errors[0]
    assert "not an Excel workbook" in msel.parse_workbook(b"PK\x03\x04garbage").errors[0]
    assert "the limit is 2.0 MB" in msel.parse_workbook(b"PK\x03\x04" + b"0" * (2 * 1024 * 1024 + 1)).errors[0]
    missing = msel.parse_workbook(_workbook([["x"]], header=["Title"]))
    assert missing.errors == ["row 1: Scenario time: this column is missing."]
    empty = msel.parse_workbook(_workbook([]))
    assert empty.errors == ["The MSEL sheet has no inject rows."]
    too_many = msel.parse_workbook(_workbook([[None, "", "T+00:00", None, "", "", "", f"t{n}"] for n in range(501)]))
    assert "at most 500" in too_many.errors[0]


def test_headers_are_case_and_space_insensitive_and_aliases_work(db):
    data = _workbook([["t+0:30", "Alias row", "phone", "x"]], header=["  SCENARIO   time", "title", "channel", "body"])
    parsed = msel.parse_workbook(data)
    assert parsed.errors == []
    assert parsed.injects[0]["scenario_minutes"] == 30 and parsed.injects[0]["title"] == "Alias row"


def test_msel_import_requires_the_confirmation_box(client, db, login_as):
    login_as("organiser")
    scenario = builders.scenario()
    db.session.commit()
    response = client.post(f"/exercises/scenarios/{scenario.id}/msel/import",
                           data={"file": (BytesIO(_workbook([])), "msel.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200 and "Tick the box to confirm" in response.get_data(as_text=True)
