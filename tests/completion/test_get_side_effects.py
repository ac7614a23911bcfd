"""Opening a cohort's surveys page creates the built-in survey templates once (an idempotent side effect of
a GET); opening it again changes nothing more."""

from __future__ import annotations

from sqlalchemy import func, select

from completion.models import SurveyTemplate
from tests import factories
from tests.snapshot import changed_tables, db_snapshot


def test_surveys_page_creates_the_built_in_templates_once(client, db, login_as):
    cohort = factories.cohort()
    login_as("organiser")
    assert db.session.scalar(select(func.count()).select_from(SurveyTemplate)) == 0
    assert client.get(f"/cohorts/{cohort.id}/surveys").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SurveyTemplate)) == 2
    first = db_snapshot(db, exclude=("user_sessions",))
    assert client.get(f"/cohorts/{cohort.id}/surveys").status_code == 200
    assert changed_tables(first, db_snapshot(db, exclude=("user_sessions",))) == []
