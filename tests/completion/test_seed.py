"""The after-course demo data: idempotent, and the awaiting cohort can be completed."""

from sqlalchemy import func, select

from completion.models import ActionPlan, Certificate, CompletionPolicy, SurveyParticipation, SurveyResponse
from core.cli import run_seeders
from trainees.models import Cohort, Enrolment


def _counts(db):
    return [db.session.scalar(select(func.count()).select_from(m)) for m in
            (SurveyResponse, SurveyParticipation, ActionPlan, Certificate, CompletionPolicy)]


def test_seed_is_idempotent_and_leaves_one_cohort_awaiting_completion(db):
    run_seeders()
    first = _counts(db)
    run_seeders()
    assert _counts(db) == first
    responses, participations, plans, certificates, policies = first
    assert responses == participations > 0 and plans > 0 and certificates > 0 and policies == 1
    awaiting = db.session.scalar(select(Cohort).where(Cohort.code == "AHRD-2026-TH"))
    statuses = set(db.session.scalars(select(Enrolment.status).where(Enrolment.cohort_id == awaiting.id)))
    assert "confirmed" in statuses and not statuses & {"completed", "incomplete"}
    assert db.session.scalar(select(func.count(Certificate.id)).join(Enrolment).where(
        Enrolment.cohort_id == awaiting.id)) == 0
