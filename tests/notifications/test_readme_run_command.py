"""Issue 12's first acceptance, end to end: the README's run command (a) alone — ``flask --app app seed-demo``
then ``flask --app app run`` in real processes, on a temporary instance folder — opens a follow-up survey
whose date has passed, and its invitation appears in the trainee's notifications and in the mail log,
without any request that clicks anything. Only the in-process job consumer that ``flask run`` starts
(core/jobs.py: it enqueues every periodic task at start, then runs them on their schedule) can do it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[2]
TRAINEE = "trainee1@demo.kakehashi.example"  # a demo trainee with a portal account (README: demo sign-ins)
PASSWORD = "kakehashi-demo-2026"  # noqa: S105 - the README's demo password
TITLE = "Twelve months on (run-command test)"
WAIT_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(instance: Path, port: int) -> dict:
    """The environment of a new user's shell: no KAKEHASHI_*/FLASK_* settings but this instance folder and port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAKEHASHI_", "FLASK_", "WERKZEUG_"))}
    env.update({"KAKEHASHI_INSTANCE_PATH": str(instance), "FLASK_RUN_PORT": str(port), "PYTHONUNBUFFERED": "1"})
    return env


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app", *args]


def _arrange_followup(uri: str) -> tuple[int, int, int, str]:
    """Give the demo trainee's finished cohort a follow-up survey that opened two days ago (data layer)."""
    from completion import services
    from completion.models import SurveyInstance
    from core.extensions import db
    from tests.conftest import make_test_app
    from trainees.models import Enrolment, Trainee

    app = make_test_app(uri, JOBS_STORAGE_URL="memory://")
    today = date.today()
    with app.app_context():
        trainee = db.session.scalar(select(Trainee).where(Trainee.email == TRAINEE))
        assert trainee is not None and trainee.user_id is not None, "the demo trainee has a portal account"
        enrolment = db.session.scalars(select(Enrolment).where(
            Enrolment.trainee_id == trainee.id, Enrolment.status == "completed").order_by(Enrolment.id)).first()
        # nothing else open for them today, so the one-invitation-per-person-per-day rule cannot defer this one
        others = db.session.scalars(select(SurveyInstance.id).join(
            Enrolment, Enrolment.cohort_id == SurveyInstance.cohort_id).where(
            Enrolment.trainee_id == trainee.id, SurveyInstance.opens_on <= today,
            SurveyInstance.closes_on >= today)).all()
        assert others == []
        survey = services.create_survey(enrolment.cohort, services.ensure_default_templates()[1], title=TITLE,
                                        opens_on=today - timedelta(days=2), closes_on=today + timedelta(days=28),
                                        anonymous=False, kind="followup_12m")
        db.session.commit()
        result = survey.id, trainee.id, trainee.user_id, trainee.email
        db.session.remove()
        db.engine.dispose()
    return result


def _observe(uri: str, survey_id: int, trainee_id: int, user_id: int, email: str) -> dict:
    """What the running site has done so far (short read transactions: the server keeps writing)."""
    from core.extensions import db
    from core.mailqueue import OutgoingMail
    from notifications.models import Notification, ScheduledSend
    from tests.conftest import make_test_app

    app = make_test_app(uri, JOBS_STORAGE_URL="memory://")
    with app.app_context():
        try:
            return {
                "opened": db.session.scalars(select(ScheduledSend.sent_on).where(
                    ScheduledSend.kind == "survey_open", ScheduledSend.object_key == f"survey:{survey_id}",
                    ScheduledSend.trainee_id == trainee_id)).all(),
                "notes": [(n.kind, n.title, n.link) for n in db.session.scalars(select(Notification).where(
                    Notification.user_id == user_id, Notification.kind == "survey_open"))],
                "mail": [(m.kind, m.subject, m.status) for m in db.session.scalars(select(OutgoingMail).where(
                    OutgoingMail.to_addr == email, OutgoingMail.kind == "survey_open"))],
            }
        finally:
            db.session.remove()
            db.engine.dispose()


def _sign_in_and_read(port: int, path: str) -> str:
    """The trainee signs in (and accepts the privacy notice) on the running site, then opens ``path``."""
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def token(page: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def post(url: str, data: dict):
        return opener.open(base + url, urllib.parse.urlencode(data).encode(), timeout=30)

    page = opener.open(base + "/login", timeout=30).read().decode()
    response = post("/login", {"csrf_token": token(page), "email": TRAINEE, "password": PASSWORD})
    if "/privacy" in response.geturl():
        post("/privacy/accept", {"csrf_token": token(response.read().decode()), "next": path})
    return opener.open(base + path, timeout=30).read().decode()


@pytest.fixture
def site(tmp_path):
    """README command (a) on a temporary instance folder: seed-demo, then ``flask run`` (stopped afterwards)."""
    instance = tmp_path / "instance"
    port = _free_port()
    env = _env(instance, port)
    seeded = subprocess.run(_flask("seed-demo"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    uri = f"sqlite:///{instance / 'kakehashi.sqlite3'}"
    arranged = _arrange_followup(uri)
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(_flask("run"), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield uri, port, log_path, arranged
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def test_the_run_command_alone_opens_a_due_followup_and_invites_the_trainee(site):
    uri, port, log_path, (survey_id, trainee_id, user_id, email) = site
    deadline = time.monotonic() + WAIT_SECONDS
    seen: dict = {}
    while time.monotonic() < deadline:  # no request to the site at all while waiting
        time.sleep(2)
        seen = _observe(uri, survey_id, trainee_id, user_id, email)
        if seen["notes"] and any(status == "sent" for *_, status in seen["mail"]) \
                and f"mail to {email}: Survey open: {TITLE}" in log_path.read_text():
            break
    log = log_path.read_text()
    # the survey opened: its invitation to this trainee is recorded once, today
    assert seen["opened"] == [date.today()], (seen, log[-3000:])
    # the trainee's notification, linking to their answer page
    assert len(seen["notes"]) == 1, (seen, log[-3000:])
    kind, title, link = seen["notes"][0]
    assert title == f"Survey open: {TITLE}" and f"/me/surveys/{survey_id}/" in link
    # the mail log: the queued message was delivered once (no MAIL_SERVER: the mailer writes it to the log)
    assert seen["mail"] == [("survey_open", f"Survey open: {TITLE}", "sent")], seen
    assert log.count(f"mail to {email}: Survey open: {TITLE}") == 1, log[-3000:]
    assert "in-process job consumer started" in log
    # and the trainee sees it on their notifications page once they come by
    page = _sign_in_and_read(port, "/notifications")
    assert f"Survey open: {TITLE}" in page
