"""Demo data for the impact feature (idempotent): self-assessments before and after training, outcomes, costs.

The ASEAN-CYB-HRD cohorts of FY2023 and FY2024 get an ISMS benchmark baseline at the start and a
follow-up 12 months after the end (when that date has passed), with improvements that differ by
organisation and group; the exercise cohort gets SIM3 (baseline on v1, follow-up on v2 interim).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from impact import services
from impact.models import Assessment, AssessmentAnswer, CostLine, Instrument, Outcome
from trainees.models import Cohort, Programme

ISMB_COHORTS = ("AHRD-2023-TH", "AHRD-2024-JP", "AHRD-2026-TH")
SIM3_COHORTS = ("CYBEX-2025-EX", "PACAF-2025-JP")

#: (cohort, category, description, amount, currency, rate to JPY)
COSTS = (
    ("AHRD-2023-TH", "travel", "Instructors' flights Tokyo–Bangkok", "1840000", "JPY", "1"),
    ("AHRD-2023-TH", "accommodation", "Hotel, 4 instructors × 6 nights", "312000", "THB", "4.05"),
    ("AHRD-2023-TH", "venue", "Training room and equipment", "185000", "THB", "4.05"),
    ("AHRD-2023-TH", "interpretation", "Thai–English interpretation", "96000", "THB", "4.05"),
    ("AHRD-2023-TH", "instructors", "Instructor fees", "2400000", "JPY", "1"),
    ("AHRD-2024-JP", "travel", "Participants' flights to Tokyo", "41500", "USD", "151.20"),
    ("AHRD-2024-JP", "accommodation", "Hotel, 14 nights", "5320000", "JPY", "1"),
    ("AHRD-2024-JP", "per_diem", "Per diem", "2650000", "JPY", "1"),
    ("AHRD-2024-JP", "instructors", "Lecturers and site visits", "3100000", "JPY", "1"),
    ("AHRD-2024-JP", "materials", "Printed handbooks", "210000", "JPY", "1"),
    ("CYBEX-2025-EX", "venue", "Exercise venue, Bangkok", "420000", "THB", "4.28"),
    ("CYBEX-2025-EX", "other", "Exercise platform licence", "9800", "USD", "149.50"),
    ("AHRD-2020-EL", "materials", "E-learning production", "4200000", "JPY", "1"),
)
#: (programme, fiscal year, category, description, amount JPY)
SHARED = (("ASEAN-CYB-HRD", 2024, "other", "Programme office and evaluation, FY2024", "3600000"),)

#: Organisations that answered the benchmark outside the programme (peers for the comparison, which needs ≥ 5).
PEERS = (("Thai Government Data Agency (benchmark peer)", "TH", "GOV"),
         ("Provincial Administration Office (benchmark peer)", "TH", "GOV"),
         ("Department of Revenue Systems (benchmark peer)", "TH", "GOV"),
         ("National Statistics Office (benchmark peer)", "TH", "GOV"))

OUTCOMES = (  # (cohort, nth trainee, kind, days after the cohort's end, audience)
    ("AHRD-2023-TH", 0, "csirt_established", 240, None),
    ("AHRD-2023-TH", 1, "trainer", 150, 45),
    ("AHRD-2023-TH", 2, "promoted", 300, None),
    ("AHRD-2024-JP", 0, "isms_certified", 330, None),
    ("AHRD-2024-JP", 1, "policy_adopted", 200, None),
    ("AHRD-2024-JP", 2, "trainer", 120, 120),
    ("AHRD-2024-JP", 3, "joined_first", 360, None),
    ("PACAF-2025-JP", 0, "joined_apcert", 90, None),
)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def _answer(assessment: Assessment, rng: random.Random, base: dict[str, int], lift: dict[str, float]) -> None:
    inst = assessment.instrument
    for group in inst.groups:
        for item in group.items:
            level = base.get(group.code, inst.scale_min) + round(lift.get(group.code, 0) + rng.uniform(-0.6, 0.6))
            assessment.answers.append(AssessmentAnswer(item_id=item.id, level=min(max(level, inst.scale_min),
                                                                                  inst.scale_max)))
    assessment.status = "submitted"


def _seed_assessments(cohort: Cohort, baseline_inst: Instrument, followup_inst: Instrument,
                      rng: random.Random, today: date) -> int:
    orgs = services.cohort_organisations(cohort)
    follow_due = services.add_months(cohort.end_date, 12)
    n = 0
    for i, org in enumerate(orgs):
        groups = [g.code for g in baseline_inst.groups]
        base = {g: baseline_inst.scale_min + rng.randint(0, 2) for g in groups}
        b = Assessment(organisation_id=org.id, instrument_id=baseline_inst.id, cohort_id=cohort.id, kind="baseline",
                       due_date=cohort.start_date, profile_size=("50-299", "300-999", "1000+")[i % 3],
                       profile_sector=org.sector_code, profile_country=org.country, submitted_by_name="Demo")
        b.instrument = baseline_inst
        db.session.add(b)
        if cohort.start_date <= today:
            b.submitted_at = _at(cohort.start_date - timedelta(days=3))
            _answer(b, rng, base, {})
        n += 1
        f = Assessment(organisation_id=org.id, instrument_id=followup_inst.id, cohort_id=cohort.id, kind="followup",
                       due_date=follow_due, profile_size=b.profile_size, profile_sector=org.sector_code,
                       profile_country=org.country, submitted_by_name="Demo")
        f.instrument = followup_inst
        db.session.add(f)
        n += 1
        if follow_due <= today and i % 5 != 4:  # every fifth organisation has not answered the follow-up
            f.submitted_at = _at(follow_due - timedelta(days=10))
            # Improvement differs by organisation and is largest where the course focused (incident response).
            lift = {g: rng.choice((0, 0.5, 1, 1.5)) for g in groups}
            lift[groups[-1]] = lift[groups[-1]] + 1
            _answer(f, rng, base, lift)
    return n


def _seed_peers(inst: Instrument, rng: random.Random, today: date) -> int:
    from trainees.models import Organisation
    from trainees.services import name_key

    n = 0
    for name, country, sector in PEERS:
        if db.session.scalar(select(Organisation.id).where(Organisation.name_key == name_key(name))):
            continue
        org = Organisation(name=name, name_key=name_key(name), country=country, sector_code=sector,
                           org_type="government")
        db.session.add(org)
        db.session.flush()
        a = Assessment(organisation_id=org.id, instrument_id=inst.id, kind="baseline", due_date=today,
                       profile_size="300-999", profile_sector=sector, profile_country=country,
                       submitted_by_name="Demo", submitted_at=_at(today - timedelta(days=60 + 20 * n)))
        a.instrument = inst
        db.session.add(a)
        _answer(a, rng, {g.code: inst.scale_min + 1 + n % 3 for g in inst.groups}, {})
        n += 1
    return n


def seed_impact() -> list[str]:
    """Load the instruments; add demo assessments, outcomes and costs once."""
    services.load_instruments()
    rng = random.Random(1604)
    today = date.today()
    ismb = db.session.scalar(select(Instrument).where(Instrument.key == "ismb", Instrument.is_current))
    sim3_v1 = db.session.scalar(select(Instrument).where(Instrument.key == "sim3", Instrument.version == "v1"))
    sim3_v2 = db.session.scalar(select(Instrument).where(Instrument.key == "sim3", Instrument.version == "v2i"))
    added = 0
    for codes, b_inst, f_inst in ((ISMB_COHORTS, ismb, ismb), (SIM3_COHORTS, sim3_v1, sim3_v2)):
        for code in codes:
            cohort = db.session.scalar(select(Cohort).where(Cohort.code == code))
            if cohort is None or db.session.scalar(select(Assessment.id).where(Assessment.cohort_id == cohort.id)):
                continue
            added += _seed_assessments(cohort, b_inst, f_inst, rng, today)
    db.session.flush()
    added += _seed_peers(ismb, rng, today)
    cost_lines = 0
    for code, category, description, amount, currency, rate in COSTS:
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == code))
        if cohort is None or db.session.scalar(select(CostLine.id).where(CostLine.cohort_id == cohort.id,
                                                                        CostLine.description == description)):
            continue
        db.session.add(CostLine(cohort_id=cohort.id, category=category, description=description,
                                amount=Decimal(amount), currency=currency, rate_to_jpy=Decimal(rate)))
        cost_lines += 1
    for code, fy, category, description, amount in SHARED:
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        if programme is None or db.session.scalar(select(CostLine.id).where(CostLine.programme_id == programme.id,
                                                                           CostLine.description == description)):
            continue
        db.session.add(CostLine(programme_id=programme.id, fiscal_year=fy, category=category, description=description,
                                amount=Decimal(amount), currency="JPY", rate_to_jpy=Decimal(1)))
        cost_lines += 1
    outcomes = 0
    if db.session.scalar(select(Outcome.id).limit(1)) is None:
        from trainees.models import Enrolment

        for code, nth, kind, days, audience in OUTCOMES:
            cohort = db.session.scalar(select(Cohort).where(Cohort.code == code))
            if cohort is None:
                continue
            enrolments = db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id)
                                            .order_by(Enrolment.id)).all()
            when = cohort.end_date + timedelta(days=days)
            if nth >= len(enrolments) or when > today:
                continue
            trainee = enrolments[nth].trainee
            db.session.add(Outcome(kind=kind, occurred_on=when, trainee_id=trainee.id,
                                   organisation_id=trainee.organisation_id, audience=audience, source="organiser"))
            outcomes += 1
    db.session.flush()
    del added, cost_lines, outcomes  # the message states totals, so a second run prints the same
    count = db.session.scalar(select(db.func.count(Assessment.id)))
    lines = db.session.scalar(select(db.func.count(CostLine.id)))
    done = db.session.scalar(select(db.func.count(Outcome.id)))
    return [f"Impact demo data: {count} self-assessments, {lines} cost lines, {done} outcomes."]
