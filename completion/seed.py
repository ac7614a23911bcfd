"""Demo data for completion: reaction surveys with answers, action plans, follow-ups and certificates
for recent cohorts, and a cohort that ended in November 2026 still awaiting completion decisions."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from completion import services
from completion.models import ActionPlan, CompletionPolicy, SurveyInstance
from core.extensions import db
from trainees.models import Cohort, Enrolment
from trainees.status import COUNTED_STATUSES

#: Past cohorts that get a full after-course record (survey answers, plans, certificates).
FINISHED = ("AHRD-2023-TH", "AHRD-2024-JP", "PACAF-2025-JP", "CYBEX-2025-EX")
#: The cohort that has just ended: survey open, plans in progress, completion not decided yet.
AWAITING = "AHRD-2026-TH"

PLAN_IDEAS = (
    ("Set up an incident reporting line for our hospitals", "Publish one reporting address and a 24/7 phone rota."),
    ("Write the ISMS scope and policy", "Agree the ISMS scope with the director and publish the security policy."),
    ("Join the national CSIRT's information-sharing group", "Sign the sharing agreement and name two contacts."),
    ("Run our first tabletop exercise", "Run a 90-minute ransomware exercise with IT, legal and communications."),
    ("Start a vulnerability management routine", "Monthly scans of internet-facing systems with tracked fixes."),
)


def _answers(instance: SurveyInstance, rng: random.Random) -> dict[int, str]:
    out = {}
    for item in instance.items:
        if item.kind == "likert":
            out[item.id] = str(rng.choices((2, 3, 4, 5), weights=(1, 3, 9, 7))[0])
        elif item.kind == "single_choice":
            options = range(len(item.options or []))
            out[item.id] = str(rng.choices(options, weights=(5, 4, 1, 2)[: len(options)])[0])
        elif rng.random() < 0.3:
            out[item.id] = rng.choice(("More time for hands-on labs, please.", "The site visit was the highlight.",
                                       "Share the slides before the course starts.", "Excellent facilitation."))
    return out


def _plan(enrolment: Enrolment, rng: random.Random, submit: bool, acknowledge: bool) -> None:
    title, goals = rng.choice(PLAN_IDEAS)
    due = enrolment.cohort.end_date
    plan = services.save_action_plan(
        enrolment, title=title, goals=goals,
        milestones=[{"text": "Brief my director", "due": (due + timedelta(days=30)).isoformat()},
                    {"text": "First result to report", "due": (due + timedelta(days=120)).isoformat()}],
        supervisor_name="Head of department", supervisor_email=f"supervisor.{enrolment.id}@example.org")
    if submit:
        raw = services.submit_action_plan(plan)
        if acknowledge:
            services.acknowledge_action_plan(raw, "Agreed; report progress at the quarterly meeting.")


def _seed_cohort(cohort: Cohort, rng: random.Random, finished: bool) -> None:
    reaction = services.ensure_default_templates()[0]
    enrolments = list(db.session.scalars(select(Enrolment).where(
        Enrolment.cohort_id == cohort.id, Enrolment.status.in_(COUNTED_STATUSES)).order_by(Enrolment.id)))
    closes = cohort.end_date + timedelta(days=28)
    if not finished:  # keep the just-ended cohort's survey open for whoever tries the demo
        closes = max(closes, date.today() + timedelta(days=28))
    survey = services.create_survey(cohort, reaction, title="End-of-course survey", opens_on=cohort.end_date,
                                    closes_on=closes, anonymous=True)
    share = 0.85 if finished else 0.5
    for enrolment in enrolments:
        if not finished and enrolment.trainee.user_id is not None:
            continue  # demo trainee accounts answer and write their plan themselves
        if rng.random() < share:
            services.submit_response(survey, enrolment, _answers(survey, rng), today=cohort.end_date)
        if rng.random() < (0.8 if finished else 0.6):
            submitted = finished or rng.random() < 0.5
            _plan(enrolment, rng, submit=submitted, acknowledge=submitted and rng.random() < 0.6)
    if finished:
        for followup in services.schedule_followups(cohort):
            if followup.opens_on > date(2026, 11, 26):
                continue
            for enrolment in enrolments:
                if rng.random() < 0.3:  # follow-up response rates are low in practice
                    services.submit_response(followup, enrolment, _answers(followup, rng), today=followup.opens_on)
        services.issue_certificates(cohort, "completion")
    else:
        db.session.add(CompletionPolicy(cohort_id=cohort.id, min_attendance_pct=80, require_action_plan=True))


def seed_completion() -> list[str]:
    """Add the after-course demo records once (cohorts that already have a survey are left alone)."""
    services.ensure_default_templates()
    rng = random.Random(2026)
    seeded = []
    for code in (*FINISHED, AWAITING):
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == code))
        if cohort is None:
            continue
        if db.session.scalar(select(SurveyInstance.id).where(SurveyInstance.cohort_id == cohort.id)) is not None:
            continue
        _seed_cohort(cohort, rng, finished=code != AWAITING)
        seeded.append(code)
    db.session.flush()
    plans = db.session.scalar(select(db.func.count(ActionPlan.id))) or 0
    return [f"After-course demo data: surveys, {plans} action plans and certificates for {', '.join(FINISHED)}; "
            f"{AWAITING} awaits completion decisions."]
