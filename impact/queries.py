"""Reads of the impact feature: scores (GROUP BY in SQL), pairs, peers, outcomes and cost figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from core.extensions import db
from impact import scoring
from impact.models import Assessment, AssessmentAnswer, CostLine, Instrument, InstrumentGroup, InstrumentItem, Outcome
from impact.vocab import organisation_label
from reports import statistics
from reports.filters import ReportFilter
from trainees.models import Cohort, Organisation


def group_means(assessment_ids) -> dict[int, dict[str, float]]:
    """{assessment id: {group code: mean level}} in one GROUP BY (``assessment_ids``: list or select)."""
    stmt = (select(AssessmentAnswer.assessment_id, InstrumentGroup.code, InstrumentGroup.position,
                   func.sum(AssessmentAnswer.level), func.count())
            .join(InstrumentItem, InstrumentItem.id == AssessmentAnswer.item_id)
            .join(InstrumentGroup, InstrumentGroup.id == InstrumentItem.group_id)
            .where(AssessmentAnswer.assessment_id.in_(assessment_ids))
            .group_by(AssessmentAnswer.assessment_id, InstrumentGroup.code, InstrumentGroup.position)
            .order_by(AssessmentAnswer.assessment_id, InstrumentGroup.position))
    result: dict[int, dict[str, float]] = defaultdict(dict)
    for aid, code, _pos, total, n in db.session.execute(stmt):
        result[aid][code] = int(total) / int(n)
    return dict(result)


def scores(assessment_ids) -> dict[int, scoring.Scores]:
    """Scores per assessment: group means from SQL, overall = mean of the group means."""
    out = {}
    for aid, groups in group_means(assessment_ids).items():
        out[aid] = scoring.Scores(groups, sum(groups.values()) / len(groups) if groups else None, 0)
    return out


def pair_for(assessment: Assessment) -> tuple[Assessment | None, Assessment | None]:
    """The organisation's first submitted baseline and latest submitted follow-up with the same instrument key,
    requested for the same cohort as ``assessment`` (or without a cohort, when it has none)."""
    base = (select(Assessment).join(Instrument, Instrument.id == Assessment.instrument_id)
            .where(Assessment.organisation_id == assessment.organisation_id, Assessment.status == "submitted",
                   Instrument.key == assessment.instrument.key))
    base = base.where(Assessment.cohort_id == assessment.cohort_id if assessment.cohort_id is not None
                      else Assessment.cohort_id.is_(None))
    baseline = db.session.scalar(base.where(Assessment.kind == "baseline").order_by(Assessment.submitted_at).limit(1))
    followup = db.session.scalar(base.where(Assessment.kind == "followup")
                                 .order_by(Assessment.submitted_at.desc()).limit(1))
    return baseline, followup


def _latest_submitted(instrument_key: str, *conditions):
    """Subquery: id of the latest submitted assessment per organisation for an instrument key."""
    ranked = (select(Assessment.id.label("id"), Assessment.organisation_id.label("organisation_id"),
                     func.row_number().over(partition_by=Assessment.organisation_id,
                                            order_by=(Assessment.submitted_at.desc(), Assessment.id.desc()))
                     .label("rn"))
              .join(Instrument, Instrument.id == Assessment.instrument_id)
              .join(Organisation, Organisation.id == Assessment.organisation_id)
              .where(Assessment.status == "submitted", Instrument.key == instrument_key, *conditions)
              .subquery("ranked"))
    return select(ranked.c.id).where(ranked.c.rn == 1)


def peer_position(assessment: Assessment, own_overall: float | None) -> tuple[float | None, int]:
    """(position 0–1 or None when hidden, number of peers) among organisations of the same country and sector."""
    org = assessment.organisation
    ids = _latest_submitted(assessment.instrument.key, Organisation.country == org.country,
                            Organisation.sector_code == org.sector_code)
    overalls = [s.overall for s in scores(ids).values() if s.overall is not None]
    if own_overall is None:
        return None, len(overalls)
    return scoring.peer_position(own_overall, overalls), len(overalls)


def cohort_assessments(cohort: Cohort) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(Assessment.cohort_id == cohort.id)
                                   .order_by(Assessment.kind, Assessment.id)))


def open_for_organisation(organisation_id: int) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(Assessment.organisation_id == organisation_id)
                                   .options(db.joinedload(Assessment.cohort))
                                   .order_by(Assessment.status, Assessment.due_date)))


# --- report rows -----------------------------------------------------------------------------------

@dataclass
class AssessmentRow:
    organisation: str
    country: str
    sector: str
    instrument: str
    version_base: str
    version_follow: str
    baseline: float | None
    followup: float | None
    change: float | None
    groups: dict[str, tuple[float | None, float | None, float | None]] = field(default_factory=dict)
    group_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: (lowest, highest) level of the instrument's scale (of the follow-up's version, else the baseline's)
    scale: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        """The organisation's name with its country code (not repeated when the name ends with it)."""
        return organisation_label(self.organisation, self.country)


def assessment_rows(cohort_ids) -> list[AssessmentRow]:
    """Per organisation and instrument: first baseline vs latest follow-up (submitted, cohorts in scope)."""
    stmt = (select(Assessment.id, Assessment.organisation_id, Assessment.kind, Instrument.key, Instrument.version,
                   Organisation.name, Organisation.country, Organisation.sector_code, Assessment.submitted_at,
                   Instrument.scale_min, Instrument.scale_max)
            .join(Instrument, Instrument.id == Assessment.instrument_id)
            .join(Organisation, Organisation.id == Assessment.organisation_id)
            .where(Assessment.status == "submitted", Assessment.cohort_id.in_(cohort_ids))
            .order_by(Organisation.name, Instrument.key, Assessment.submitted_at))
    rows = list(db.session.execute(stmt))
    if not rows:
        return []
    sc = scores([r[0] for r in rows])
    names = {(key, code): (en, ja) for key, code, en, ja in db.session.execute(
        select(Instrument.key, InstrumentGroup.code, InstrumentGroup.name_en, InstrumentGroup.name_ja)
        .join(InstrumentGroup, InstrumentGroup.instrument_id == Instrument.id).distinct())}
    pairs: dict[tuple[int, str], dict] = {}
    for aid, org_id, kind, key, version, org_name, country, sector, _at, low, high in rows:
        entry = pairs.setdefault((org_id, key), {"org": org_name, "country": country, "sector": sector,
                                                 "key": key, "baseline": None, "followup": None, "scale": None})
        if kind == "baseline" and entry["baseline"] is None:
            entry["baseline"] = (version, sc.get(aid))
            entry["scale"] = entry["scale"] or (low, high)
        elif kind == "followup":
            entry["followup"] = (version, sc.get(aid))
            entry["scale"] = (low, high)
    result = []
    for (_org, key), e in pairs.items():
        b = e["baseline"][1] if e["baseline"] else None
        f = e["followup"][1] if e["followup"] else None
        delta = scoring.change(b, f)
        codes = list(dict.fromkeys([*(b.groups if b else {}), *(f.groups if f else {})]))
        result.append(AssessmentRow(
            e["org"], e["country"], e["sector"], key, e["baseline"][0] if e["baseline"] else "",
            e["followup"][0] if e["followup"] else "", b.overall if b else None, f.overall if f else None,
            delta.get("overall"),
            {c: ((b.groups.get(c) if b else None), (f.groups.get(c) if f else None), delta.get(c)) for c in codes},
            {c: names.get((key, c), (c, c)) for c in codes}, e["scale"]))
    return result


def outcome_counts(cohort_ids):
    """(kind, country, fiscal year of the outcome, count, audience) for outcomes of trainees/organisations in scope."""
    from trainees.models import Enrolment, Trainee

    in_scope_orgs = (select(Trainee.organisation_id).join(Enrolment, Enrolment.trainee_id == Trainee.id)
                     .where(Enrolment.cohort_id.in_(cohort_ids)))
    in_scope_trainees = select(Enrolment.trainee_id).where(Enrolment.cohort_id.in_(cohort_ids))
    fy = fiscal_year_expression(Outcome.occurred_on)
    stmt = (select(Outcome.kind, Organisation.country, fy.label("fy"), func.count(), func.sum(Outcome.audience))
            .join(Organisation, Organisation.id == Outcome.organisation_id)
            .where((Outcome.trainee_id.in_(in_scope_trainees))
                   | (Outcome.trainee_id.is_(None) & Outcome.organisation_id.in_(in_scope_orgs)))
            .group_by(Outcome.kind, Organisation.country, fy)
            .order_by(Outcome.kind, Organisation.country, fy))
    return [(k, c, int(y), int(n), int(a or 0)) for k, c, y, n, a in db.session.execute(stmt)]


def fiscal_year_expression(day_column):
    """SQL: Japan's fiscal year of a date (April–March), portable across SQLite and PostgreSQL."""
    year = func.cast(func.extract("year", day_column), db.Integer)
    month = func.cast(func.extract("month", day_column), db.Integer)
    return db.case((month >= 4, year), else_=year - 1)


# --- costs -----------------------------------------------------------------------------------------

@dataclass
class CohortCost:
    cohort_id: int
    code: str
    fiscal_year: int
    modality: str
    programme_id: int
    participants: int
    completed: int
    person_days: int
    direct: Decimal = Decimal(0)
    shared: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.direct + self.shared

    @property
    def units(self) -> scoring.UnitCosts:
        return scoring.unit_costs(self.total, self.participants, self.completed, self.person_days)


def cohort_volumes(cohort_ids=None) -> dict[int, tuple[int, int, int]]:
    """{cohort id: (participants, completed, person-days)} from the report's own facts (unfiltered)."""
    f = statistics.facts(ReportFilter())
    stmt = select(f.c.cohort_id, func.count(func.distinct(f.c.trainee_id)), func.sum(f.c.completed),
                  func.sum(f.c.person_days)).group_by(f.c.cohort_id)
    if cohort_ids is not None:
        stmt = stmt.where(f.c.cohort_id.in_(cohort_ids))
    return {cid: (int(p or 0), int(c or 0), int(d or 0)) for cid, p, c, d in db.session.execute(stmt)}


def cost_report(cohort_ids) -> tuple[list[CohortCost], Decimal]:
    """Cost per cohort in scope (direct + allocated shared), and the shared cost left unallocated.

    Money is summed in Python with Decimal over the (few) cost lines: SQLite has no exact decimal type.
    """
    cohorts = list(db.session.execute(
        select(Cohort.id, Cohort.code, Cohort.fiscal_year, Cohort.modality, Cohort.programme_id)
        .where(Cohort.id.in_(cohort_ids)).order_by(Cohort.start_date, Cohort.code)))
    if not cohorts:
        return [], Decimal(0)
    programme_ids = {c[4] for c in cohorts}
    fys = {c[2] for c in cohorts}
    lines = list(db.session.execute(
        select(CostLine.cohort_id, CostLine.programme_id, CostLine.fiscal_year, CostLine.amount, CostLine.rate_to_jpy)
        .where(CostLine.cohort_id.in_([c[0] for c in cohorts])
               | (CostLine.programme_id.in_(programme_ids) & CostLine.fiscal_year.in_(fys)))))
    if not lines:
        return [], Decimal(0)
    shared_keys = {(p, fy) for _c, p, fy, _a, _r in lines if p is not None}
    # Every cohort of a programme/FY with shared costs shares them, whether in scope or not.
    sharing = list(db.session.execute(
        select(Cohort.id, Cohort.programme_id, Cohort.fiscal_year)
        .where(Cohort.programme_id.in_({p for p, _ in shared_keys})))) if shared_keys else []
    volumes = cohort_volumes({c[0] for c in cohorts} | {s[0] for s in sharing})
    rows = {c[0]: CohortCost(c[0], c[1], c[2], c[3], c[4], *volumes.get(c[0], (0, 0, 0))) for c in cohorts}
    shared_totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for cohort_id, programme_id, fy, amount, rate in lines:
        jpy = scoring.to_jpy(Decimal(str(amount)), Decimal(str(rate)))
        if cohort_id is not None and cohort_id in rows:
            rows[cohort_id].direct += jpy
        elif programme_id is not None:
            shared_totals[(programme_id, fy)] += jpy
    unallocated = Decimal(0)
    for (programme_id, fy), total in shared_totals.items():
        weights = {cid: volumes.get(cid, (0, 0, 0))[2] for cid, p, y in sharing if p == programme_id and y == fy}
        parts = scoring.allocate(total, weights)
        if not parts:
            unallocated += total
        for cid, part in parts.items():
            if cid in rows:
                rows[cid].shared += part
    return [r for r in rows.values() if r.total or r.cohort_id in {lc for lc, *_ in lines}], unallocated


def cost_breakdown(rows: list[CohortCost], key) -> list[tuple[object, scoring.UnitCosts, int]]:
    """Cost figures grouped by ``key(row)`` (fiscal year or modality): (key, unit costs, cohorts)."""
    groups: dict[object, list[CohortCost]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    out = []
    for k in sorted(groups, key=str):
        rs = groups[k]
        out.append((k, scoring.unit_costs(sum((r.total for r in rs), Decimal(0)), sum(r.participants for r in rs),
                                          sum(r.completed for r in rs), sum(r.person_days for r in rs)), len(rs)))
    return out
