"""The attendance sheet: who is on it, per-row marks, mark all present, lock/unlock, audit."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from core.audit import AuditEvent
from tests import factories
from trainees.models import Attendance


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _sheet(db):
    cohort = factories.cohort(code="ATT")
    session = factories.session(cohort, title="Malware analysis")
    rows = {status: factories.enrolment(cohort_obj=cohort, status=status)
            for status in ("accepted", "confirmed", "completed", "incomplete", "nominated", "waitlisted",
                           "rejected", "withdrawn", "no_show")}
    db.session.commit()
    return cohort, session, rows


def _marks(db, session) -> dict[int, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(Attendance.enrolment_id, Attendance.status)
                                   .where(Attendance.session_id == session.id)).all())


def test_sheet_lists_accepted_confirmed_completed_incomplete_with_four_radios(client, db, login_as):
    login_as("organiser")
    cohort, session, rows = _sheet(db)
    html = _text(client.get(f"/sessions/{session.id}/attendance"))
    for status, enrolment in rows.items():
        on_sheet = status in ("accepted", "confirmed", "completed", "incomplete")
        assert (f'name="mark-{enrolment.id}"' in html) is on_sheet, status
    first = rows["confirmed"].id
    for value in ("present", "late", "excused", "absent"):
        assert f'id="mark-{first}-{value}" value="{value}"' in html
    assert "Mark the rest present and save" in html and "Save attendance" in html


def test_per_row_marks_are_saved_changed_and_audited(client, db, login_as):
    user = login_as("organiser")
    cohort, session, rows = _sheet(db)
    a, b = rows["confirmed"].id, rows["accepted"].id
    response = client.post(f"/sessions/{session.id}/attendance", data={f"mark-{a}": "present", f"mark-{b}": "late"},
                           follow_redirects=True)
    assert "2 changes saved." in _text(response)
    assert _marks(db, session) == {a: "present", b: "late"}
    client.post(f"/sessions/{session.id}/attendance", data={f"mark-{a}": "present", f"mark-{b}": "excused"})
    assert _marks(db, session) == {a: "present", b: "excused"}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attendance.update")
                                .order_by(AuditEvent.id)).all()
    assert len(events) == 2 and events[-1].actor_id == user.id
    assert events[-1].changes == {"before": {str(b): "late"}, "after": {str(b): "excused"}}
    html = _text(client.get(f"/sessions/{session.id}/attendance"))
    assert f'id="mark-{b}-excused" value="excused" checked' in html


def test_mark_all_present_marks_every_row_of_the_sheet_only(client, db, login_as):
    login_as("organiser")
    cohort, session, rows = _sheet(db)
    client.post(f"/sessions/{session.id}/attendance", data={"all_present": "1"})
    on_sheet = {rows[s].id for s in ("accepted", "confirmed", "completed", "incomplete")}
    assert _marks(db, session) == dict.fromkeys(on_sheet, "present")


def test_mark_the_rest_present_keeps_the_marks_chosen_on_the_sheet(client, db, login_as):
    login_as("organiser")
    cohort, session, rows = _sheet(db)
    absent, late = rows["confirmed"].id, rows["accepted"].id
    client.post(f"/sessions/{session.id}/attendance", data={f"mark-{late}": "late"})
    # the organiser marks one absence (the earlier "late" is still checked on the sheet) and marks the rest present
    client.post(f"/sessions/{session.id}/attendance",
                data={f"mark-{absent}": "absent", f"mark-{late}": "late", "all_present": "1"})
    others = {rows[s].id for s in ("completed", "incomplete")}
    assert _marks(db, session) == {absent: "absent", late: "late"} | dict.fromkeys(others, "present")


def test_marks_for_people_not_on_the_sheet_or_unknown_values_are_not_saved(client, db, login_as):
    login_as("organiser")
    cohort, session, rows = _sheet(db)
    withdrawn = rows["withdrawn"].id
    client.post(f"/sessions/{session.id}/attendance", data={f"mark-{withdrawn}": "present"})
    assert _marks(db, session) == {}
    response = client.post(f"/sessions/{session.id}/attendance",
                           data={f"mark-{rows['confirmed'].id}": "asleep"}, follow_redirects=True)
    assert "Unknown attendance status asleep." in _text(response)
    assert _marks(db, session) == {}


def test_locked_sheet_is_read_only_and_refuses_posts_until_unlocked(client, db, login_as):
    login_as("organiser")
    cohort, session, rows = _sheet(db)
    a = rows["confirmed"].id
    client.post(f"/sessions/{session.id}/attendance", data={f"mark-{a}": "present"})
    response = client.post(f"/cohorts/{cohort.id}/attendance-lock", data={"locked": "1", "session_id": session.id})
    assert response.headers["Location"] == f"/sessions/{session.id}/attendance"
    html = _text(client.get(f"/sessions/{session.id}/attendance"))
    assert "This sheet is read-only." in html and "Save attendance" not in html
    assert f'id="mark-{a}-present" value="present" checked disabled' in html
    response = client.post(f"/sessions/{session.id}/attendance", data={f"mark-{a}": "absent"},
                           follow_redirects=True)
    assert "Attendance for ATT is locked. Unlock it first." in _text(response)
    assert _marks(db, session) == {a: "present"}
    assert "Attendance locked" in _text(client.get(f"/cohorts/{cohort.id}"))
    client.post(f"/cohorts/{cohort.id}/attendance-lock", data={"locked": "0"})
    client.post(f"/sessions/{session.id}/attendance", data={f"mark-{a}": "absent"})
    assert _marks(db, session) == {a: "absent"}
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("attendance.%"))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["attendance.update", "attendance.lock", "attendance.unlock", "attendance.update"]


def test_cohort_page_summarises_attendance_per_session(client, db, login_as):
    login_as("organiser")
    cohort, session, rows = _sheet(db)
    client.post(f"/sessions/{session.id}/attendance", data={
        f"mark-{rows['accepted'].id}": "present", f"mark-{rows['confirmed'].id}": "present",
        f"mark-{rows['completed'].id}": "late", f"mark-{rows['incomplete'].id}": "absent"})
    html = _text(client.get(f"/cohorts/{cohort.id}"))
    row = html.split("Malware analysis", 1)[1].split("</tr>", 1)[0]
    assert [cell.split("<", 1)[0] for cell in row.split('<td class="num">')[1:5]] == ["2", "1", "0", "1"]


def test_empty_sheet_explains_who_appears(client, db, login_as):
    login_as("organiser")
    cohort = factories.cohort()
    session = factories.session(cohort)
    factories.enrolment(cohort_obj=cohort, status="nominated")
    db.session.commit()
    assert "Nobody is on this sheet yet" in _text(client.get(f"/sessions/{session.id}/attendance"))
